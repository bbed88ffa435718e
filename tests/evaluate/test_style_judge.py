"""The style judge (`evaluate --voices`): trained on real solos it tells Parker from Miles Davis,
and it reports how often the shipped model's solos played as each are taken for him, pairs told
apart and the controls asked for against measured.

Six solos each of Charlie Parker and Miles Davis from ../shared/data/wjazzd (ODbL), linked into
a folder with solo_info.csv; 16 bars each, so the test stays short.
"""
from __future__ import annotations

import csv

import pytest

from jazzsolo.cli import main
from jazzsolo.evaluate.style_judge import StyleJudgeConfig, format_style_report, style_report

from conftest import message_lines, wjazzd_folder

PLAYERS = ("Charlie Parker", "Miles Davis")
SMALL = StyleJudgeConfig(n_players=2, max_bars=16, n_folds=3, pairs=(PLAYERS,), style_pairs=(),
                         control_solos=3, densities=(1.0,), phrase_lengths=(12.0,),
                         registers=("60-79",))


@pytest.fixture(scope="module")
def two_players(tmp_path_factory):
    """A WJazzD folder of links: six solos by each of the two players."""
    source = wjazzd_folder()
    with open(source / "solo_info.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = [r["solo"] for p in PLAYERS for r in [r for r in rows if r["performer"] == p][:6]]
    folder = tmp_path_factory.mktemp("two_players")
    for sub in ("melody", "beats"):
        (folder / sub).mkdir()
        for name in names:
            (folder / sub / f"{name}.csv").symlink_to(source / sub / f"{name}.csv")
    (folder / "solo_info.csv").symlink_to(source / "solo_info.csv")
    return folder


@pytest.fixture(scope="module")
def report(two_players):
    return style_report(two_players, "wjazzd", SMALL)


def test_the_judge_tells_the_real_players_apart(report):
    rows = report["players"]
    assert set(rows) == set(PLAYERS) and all(rows[p]["solos"] == 6 for p in PLAYERS)
    assert all(rows[p]["real"] >= 0.8 for p in PLAYERS), rows       # the judge works
    assert report["pairs"][0]["real"] >= 0.8


def test_the_report_says_how_the_model_plays_each_and_obeys_its_controls(report):
    for row in report["players"].values():
        assert 0 <= row["generated"] <= 1 and 0 <= row["unvoiced"] <= 1
        assert 0 <= row["sequence_real"] <= 1 and 0 <= row["sequence_generated"] <= 1
    controls = {c["control"]: c for c in report["controls"]}
    assert controls["register"]["measured"] == 1.0                   # every note inside
    assert abs(controls["density"]["error"]) < 0.3
    assert abs(controls["phrase_length"]["error"]) < 0.3
    text = format_style_report(report)
    assert "Charlie Parker vs Miles Davis" in text and "figures judge" in text


def test_a_model_without_voices_or_a_folder_without_labels_is_one_line(two_players, tmp_path,
                                                                       capsys):
    assert main(["evaluate", "--voices", str(two_players), "--model", "course"]) == 2
    assert "has no voices" in message_lines(capsys.readouterr().err)[0]
    bare = tmp_path / "bare"
    (bare / "melody").mkdir(parents=True)
    assert main(["evaluate", "--voices", str(bare)]) == 2
    lines = message_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "solo_info.csv" in lines[0]
