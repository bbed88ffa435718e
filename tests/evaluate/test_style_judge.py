"""The style judge (`evaluate --voices`): trained on real solos it tells Parker from Miles Davis,
and it reports how often the shipped model's solos played as each are taken for him, pairs told
apart and the controls asked for against measured.

Six solos each of Charlie Parker and Miles Davis from ../shared/data/wjazzd (ODbL), linked into
a folder with solo_info.csv; 16 bars each, so the test stays short.
"""
from __future__ import annotations

import csv

import numpy as np
import pytest

from jazzsolo.cli import main
from jazzsolo.evaluate.against_figures import read_real_solos
from jazzsolo.evaluate.style_judge import (StyleJudgeConfig, format_style_report, style_report,
                                           training_excerpts, tune_folds)

from conftest import message_lines, wjazzd_folder

PLAYERS = ("Charlie Parker", "Miles Davis")
SMALL = StyleJudgeConfig(n_players=2, max_bars=16, n_folds=3, pairs=(PLAYERS,), style_pairs=(),
                         control_solos=3, densities=(1.0,), phrase_lengths=(12.0,),
                         registers=("60-79",), train_bars=32)


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


def test_the_sequence_judge_tells_the_real_players_apart_by_voting_over_excerpts(report):
    # Trained on 8-bar excerpts of the other folds' solos (grouped by tune), a held-out solo
    # judged by the vote of its two 8-bar excerpts; chance is 0.5.  Measured 9 of the 12 solos;
    # 8 leaves one solo of room for TensorFlow's rounding on other machines.
    rows = report["players"]
    assert np.mean([rows[p]["sequence_real"] for p in PLAYERS]) >= 8 / 12, rows
    assert report["mean"]["chance"] == 0.5
    assert report["mean"]["sequence_real"] == np.mean([rows[p]["sequence_real"] for p in PLAYERS])


def test_the_report_says_how_the_model_plays_each_and_obeys_its_controls(report):
    for row in report["players"].values():
        assert 0 <= row["generated"] <= 1 and 0 <= row["unvoiced"] <= 1
        assert all(0 <= row[f"sequence_{k}"] <= 1 for k in ("real", "generated", "unvoiced"))
    controls = {c["control"]: c for c in report["controls"]}
    assert controls["register"]["measured"] == 1.0                   # every note inside
    assert abs(controls["density"]["error"]) < 0.3
    assert abs(controls["phrase_length"]["error"]) < 0.3
    text = format_style_report(report)
    assert "Charlie Parker vs Miles Davis" in text and "figures judge" in text
    assert "mean (chance 0.50)" in text and "grouped by tune" in text


def test_training_excerpts_start_every_hop_and_hold_their_bars(two_players):
    solo = read_real_solos(two_players, limit=1)[0][0]
    assert solo.n_bars == 50
    cut = training_excerpts(solo, 8, 4)
    assert len(cut) == 11                                      # bars 1-8, 5-12, ..., 41-48
    assert cut[1].name == f"{solo.name} bars 5-12" and cut[1].n_bars == 8
    start, end = solo.bar_starts_ql()[4], solo.bar_starts_ql()[12]
    assert [(o + start, m) for o, _, m in cut[1].notes] == \
        [(o, m) for o, _, m in solo.notes if start - 1e-6 <= o < end - 1e-6]
    assert cut[1].chord_measures == solo.chord_measures[4:12]


def test_the_folds_keep_a_tune_on_one_side():
    labels = ["Parker"] * 6 + ["Miles"] * 6
    tunes = ["k.c. blues", "a", "b", "c", "d", "e", "k.c. blues", "oleo", "oleo", "f", "g", "h"]
    folds = tune_folds(labels, tunes, 3, seed=0)
    assert len(folds) == 3
    for train, test in folds:
        assert not {tunes[i] for i in train} & {tunes[i] for i in test}
        assert {labels[i] for i in test} == {"Parker", "Miles"}
    assert sorted(i for _, test in folds for i in test) == list(range(12))


def test_a_model_without_voices_or_a_folder_without_labels_is_one_line(two_players, tmp_path,
                                                                       capsys):
    assert main(["evaluate", "--voices", str(two_players), "--model", "course"]) == 2
    assert "has no voices" in message_lines(capsys.readouterr().err)[0]
    bare = tmp_path / "bare"
    (bare / "melody").mkdir(parents=True)
    assert main(["evaluate", "--voices", str(bare)]) == 2
    lines = message_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "solo_info.csv" in lines[0]
