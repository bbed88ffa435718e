"""`evaluate --against`: figures on tiny hand-made solos, percentiles and outside marks, the jazz
figures and the copy check, the calibrated judges on the synthetic solos of test_judges, the
whole run over WJazzD and over a folder of MIDI files, plots, the note-model adapter and the
command's text, JSON and errors."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import math
import re
from pathlib import Path

import mido
import numpy as np
import pytest

from jazzsolo.evaluate import against as ag
from jazzsolo.evaluate import against_figures as af
from jazzsolo.evaluate import jazz_figures as jf
from jazzsolo.evaluate.judges import JudgeConfig
from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.errors import ConfigError, InputFileError, JazzsoloError, OutputExistsError
from jazzsolo.music.chords import chord_from_symbol

from conftest import wjazzd_folder
from test_judges import synthetic_solos

# One judge, the fastest: boosting and the sequence judge are tested in test_judges.
FAST = ag.JudgeSettings(names=("logistic",), config=JudgeConfig(n_bootstrap=200))

WJAZZD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wjazzd"


def solo_of(notes, symbols=("Cmaj7",), beats: int = 4, name: str = "hand") -> af.SoloOverChords:
    """A solo over one chord per bar of `beats` quarter notes (one bar per symbol)."""
    measures = [[chord_from_symbol(parse_chord_symbol(s), float(beats), 0.0)] for s in symbols]
    return af.SoloOverChords(name, list(notes), measures, [float(beats)] * len(symbols),
                             [f"{beats}/4"] * len(symbols))


class HandModel:
    """A model made here (`families.SoloModel`): `notes` gives (onset, length, midi) from the
    first bar line, and it improvises them as a solo over the chords."""

    family = "hand"
    directory = None
    accepts = frozenset()
    measure_ql = 4.0
    tune_chords = None

    def improvise(self, chord_measures, *, measure_lengths_ql, time_signatures, seed, qpm,
                  options=None):
        from jazzsolo.generate.families import solo_from_notes

        return solo_from_notes(self.notes(measure_lengths_ql, seed), chord_measures,
                               measure_lengths_ql=measure_lengths_ql,
                               time_signatures=time_signatures)

    def describe(self):
        return [("notes", self.__doc__.splitlines()[0])]


class Sixteenths(HandModel):
    """A generator nobody would mistake for a player: four notes per beat, always."""

    name = "sixteenths"

    def notes(self, measure_lengths_ql, seed):
        rng, notes, start = np.random.default_rng(seed), [], 0.0
        for length in measure_lengths_ql:
            notes += [(start + k / 4, 0.25, int(rng.integers(60, 72)))
                      for k in range(int(round(length * 4)))]
            start += length
        return notes


@pytest.fixture(scope="module")
def wjazzd() -> Path:
    """The shared WJazzD folder (see conftest.wjazzd_folder)."""
    return wjazzd_folder()


# --------------------------------------------------------------------------- figures by hand

def test_density_rests_range_and_tones_of_a_two_bar_solo():
    # Bar 1: C D E G in quarters over Cmaj7; bar 2: B on beat 1, then three silent beats.
    notes = [(0.0, 1.0, 60), (1.0, 1.0, 62), (2.0, 1.0, 64), (3.0, 1.0, 67), (4.0, 1.0, 71)]
    figures = af.solo_figures(solo_of(notes, ("Cmaj7", "Cmaj7")))
    assert figures["notes_per_beat"] == 5 / 8
    assert figures["rest_share"] == 3 / 8
    assert figures["pitch_range"] == 11
    assert figures["chord_tone_share"] == 4 / 5          # D is the only non-chord tone
    assert figures["scale_tone_share"] == 1.0            # ... and a tone of the chord-scale
    assert figures["phrase_notes"] == 5                  # the silence at the end ends nothing


def test_notes_over_no_chord_count_for_no_tone_share_and_outside_notes_for_neither():
    # C# over C7 is no chord tone nor scale tone; the note over N.C. is left out.
    notes = [(0.0, 1.0, 60), (1.0, 1.0, 61), (4.0, 1.0, 66)]
    figures = af.solo_figures(solo_of(notes, ("C7", "N.C.")))
    assert figures["chord_tone_share"] == 0.5
    assert figures["scale_tone_share"] == 0.5


def test_a_rest_of_a_beat_ends_a_phrase_a_shorter_one_does_not():
    split = [(0.0, 0.5, 60), (0.5, 0.5, 62), (2.0, 0.5, 64)]        # silent from 1.0 to 2.0
    joined = [(0.0, 0.5, 60), (0.5, 0.5, 62), (1.5, 0.5, 64)]       # silent half a beat
    assert af.solo_figures(solo_of(split))["phrase_notes"] == 1.5
    assert af.solo_figures(solo_of(joined))["phrase_notes"] == 3


def test_h1_is_log2_12_for_all_pitch_classes_in_a_bar_and_0_for_one():
    chromatic = [(i / 3, 1 / 3, 60 + i) for i in range(12)]          # 12 triplet eighths
    octaves = [(i, 1.0, 48 + 12 * (i % 3)) for i in range(4)]         # C in three octaves
    assert af.solo_figures(solo_of(chromatic))["h1"] == pytest.approx(math.log2(12))
    assert af.solo_figures(solo_of(octaves))["h1"] == 0.0
    both = solo_of(chromatic + [(4 + o, d, m) for o, d, m in octaves], ("C7", "C7"))
    figures = af.solo_figures(both)
    assert figures["h1"] == pytest.approx(math.log2(12) / 2)
    assert figures["h4"] == pytest.approx(af.pitch_class_entropy([m for _, _, m in both.notes]))


def test_grooving_similarity_is_one_for_identical_bars_and_drops_per_differing_onset():
    rhythm = [0.0, 1.0, 1.5, 3.0]
    same = [(bar * 4 + t, 0.5, 60 + bar + k) for bar in range(3) for k, t in enumerate(rhythm)]
    assert af.solo_figures(solo_of(same, ("C7",) * 3))["gs"] == 1.0
    one_more = [(t, 0.5, 60) for t in rhythm] + [(4 + t, 0.5, 62) for t in rhythm + [2.0]]
    assert af.solo_figures(solo_of(one_more, ("C7", "C7")))["gs"] == pytest.approx(1 - 1 / 48)


def test_an_empty_solo_has_figures_and_no_harmony():
    figures = af.solo_figures(solo_of([], ("C7", "F7")))
    assert figures["notes_per_beat"] == 0 and figures["rest_share"] == 1.0
    assert figures["chord_tone_share"] is None and figures["h1"] is None
    assert figures["gs"] == 1.0


def test_histograms_and_their_overlap():
    line = solo_of([(0.0, 0.5, 60), (0.5, 0.5, 62), (1.5, 0.5, 59), (2.0, 1.0, 80)])
    intervals = af.interval_histogram([line])
    assert intervals[12 + 2] == 1 and intervals[12 - 3] == 1 and intervals[-1] == 1   # +21 → +12
    iois = af.ioi_histogram([line])
    assert iois[6 - 1] == 2 and iois[12 - 1] == 1 and iois.sum() == 3
    assert af.histogram_overlap(intervals, intervals) == 1.0
    assert af.histogram_overlap([1, 0], [0, 1]) == 0.0


def test_novelty_counts_8_note_patterns_anywhere_in_the_other_solos():
    rhythm = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    shape = [0, 2, 4, 5, 7, 5, 4, 2, 0]
    a = solo_of([(t, 0.5, 60 + p) for t, p in zip(rhythm, shape)], ("C7", "C7"))
    b = solo_of([(t, 0.5, 65 + p) for t, p in zip(rhythm, shape)], ("C7", "C7"))   # transposed
    c = solo_of([(t * 1.5, 0.5, 60 + p) for t, p in zip(rhythm, shape)], ("C7", "C7"))
    assert af.leave_one_out_shares([a, b, c]) == [1.0, 1.0, 0.0]
    assert len(af.pattern_ngrams(a.notes)) == 2
    known = set(af.pattern_ngrams(a.notes)[:1])
    assert af.known_share(b, known) == 0.5
    assert af.known_share(solo_of([(0.0, 1.0, 60)]), known) is None


# --------------------------------------------------------------------------- report shape

def quarter_solos(n: int) -> list[af.SoloOverChords]:
    """`n` little 4-bar players: quarter and eighth notes over a ii-V-I, a beat's rest each bar."""
    rng = np.random.default_rng(1)
    solos = []
    for i in range(n):
        notes = []
        for bar in range(4):
            onsets = [0.0, 1.0, 1.5, 2.0] if (bar + i) % 2 else [0.0, 0.5, 1.0, 2.0, 2.5]
            notes += [(bar * 4 + o, 0.5, int(rng.integers(60, 72))) for o in onsets]
        solos.append(solo_of(notes, ("D-7", "G7", "Cj7", "Cj7"), name=f"player {i}"))
    return solos


TABLE_COLUMNS = ["notes/beat", "rests", "phrase", "range", "chord", "scale", "H1", "H4", "GS",
                 "known 8", "int ovl", "IOI ovl"]


def against_table(text: str) -> dict[str, dict[str, str]]:
    """`format_against`'s table read back: each row's label → its cells by column (a label is
    followed by figures; the players' p10 and p90 rows have no overlap cells)."""
    lines = text.splitlines()
    assert lines[1] == "" and lines[2].split() == ["model"] + " ".join(TABLE_COLUMNS).split()
    rows = {}
    for line in lines[3:]:
        if not line:
            break
        label = re.match(r"(.+?)\s+[\d—]", line).group(1)
        rows[label] = dict(zip(TABLE_COLUMNS, line[len(label):].split()))
    return rows


def test_percentiles_outside_marks_and_the_text_table():
    real = quarter_solos(4)
    generated = ag.generate_over(real, Sixteenths(), seed=0)
    report = ag.against_report(real, {"sixteenths": generated}, seed=0, source="hand",
                               judges=None)
    data = report["against"]
    assert data["n_solos"] == 4 and [r["model"] for r in data["rows"]] == ["real", "sixteenths"]
    real_row, model_row = data["rows"]
    density = [af.solo_figures(s)["notes_per_beat"] for s in real]
    assert real_row["figures"]["notes_per_beat"] == {
        f"p{q}": pytest.approx(np.percentile(density, q)) for q in (10, 50, 90)}
    assert model_row["figures"]["notes_per_beat"]["p50"] == 4.0
    assert {"notes_per_beat", "rest_share"} <= set(model_row["outside"])
    for name, spread in model_row["figures"].items():
        real_spread = real_row["figures"][name]
        if spread is not None and real_spread is not None:
            inside = real_spread["p10"] <= spread["p50"] <= real_spread["p90"]
            assert (name in model_row["outside"]) == (not inside), name
    assert real_row["outside"] == []
    table = against_table(ag.format_against(report))
    assert list(table) == ["real p10", "real", "real p90", "sixteenths"]
    assert table["sixteenths"]["notes/beat"] == "4.00*"                 # outside the players'
    assert table["real"]["notes/beat"] == f"{np.percentile(density, 50):.2f}"
    assert json.loads(ag.against_json(report)) == report


# --------------------------------------------------------------------------- jazz figures, copies

def test_jazz_figures_are_marked_outside_the_players_quartiles():
    real = quarter_solos(6)
    generated = ag.generate_over(real, Sixteenths(), seed=0)
    report = ag.against_report(real, {"sixteenths": generated}, judges=None)
    real_row, model_row = report["against"]["rows"]
    assert set(real_row["jazz_figures"]) == set(jf.FIGURES)
    steps = [jf.jazz_figures(s)["step_share"] for s in real]
    assert real_row["jazz_figures"]["step_share"] == {
        f"p{q}": pytest.approx(np.percentile(steps, q)) for q in (10, 25, 50, 75, 90)}
    for name, spread in model_row["jazz_figures"].items():
        players = real_row["jazz_figures"][name]
        if spread is not None and players is not None:
            inside = players["p25"] <= spread["p50"] <= players["p75"]
            assert (name in model_row["jazz_outside"]) == (not inside), name
    assert "phrase_notes_median" in model_row["jazz_outside"]      # it never breathes
    lines = ag.format_against(report).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("jazz figure"))
    assert lines[at].split()[:6] == ["jazz", "figure", "real", "p10", "p25", "p50"]
    phrase = next(line for line in lines[at:] if line.startswith("phrase_notes_median"))
    assert phrase.split()[-1].split("/")[0].endswith("*")


class Echo(HandModel):
    """A model that learned the real solos by heart and plays each one back over its chords."""

    name = "echo"

    def __init__(self, real):
        self.real = real

    def improvise(self, chord_measures, **kwargs):
        self.playing = next(s for s in self.real if s.chord_measures is chord_measures)
        return super().improvise(chord_measures, **kwargs)

    def notes(self, measure_lengths_ql, seed):
        return list(self.playing.notes)

    def training_notes(self, real_solos, kind):
        return [s.notes for s in real_solos]


def test_the_copy_check_finds_a_solo_played_back_and_leaves_each_real_solo_out():
    real = synthetic_solos(4)[::2]                  # four tunes, one take each
    echo = Echo(real)
    generated = ag.generate_over(real, echo, seed=0)
    report = ag.against_report(real, {"echo": generated, "machine": ag.generate_over(
        real, Sixteenths(), seed=0)}, training={"echo": echo.training_notes(real, "corpus")},
        judges=None)
    rows = {row["model"]: row for row in report["against"]["rows"]}
    copy = rows["echo"]["copy"]
    whole = [len(s.notes) - 1 for s in real]         # every interval of a solo played back
    assert copy["generated"] == {"p50": np.median(whole), "p90": pytest.approx(
        np.percentile(whole, 90)), "max": max(whole), "n": 4}
    left_out = [jf.SharedRuns.from_notes([o.notes for o in real if o is not s]).longest(s.notes)
                for s in real]
    assert copy["real"]["max"] == max(left_out) < min(whole) / 4
    assert rows["machine"]["copy"] is None and rows["real"]["copy"] is None
    text = ag.format_against(report)
    assert re.search(r"  echo +\d+ / \d+ / \d+ of 4   real: \d+ / \d+ / \d+ of 4", text)
    assert re.search(r"  machine +— \(no training solos", text)


# --------------------------------------------------------------------------- the judges

@pytest.fixture(scope="module")
def judged() -> dict:
    """The synthetic players of test_judges (12 tunes, 6 groups) and a sixteenth machine over
    them in two seed blocks, with the logistic judge."""
    real = synthetic_solos()
    machine = [solo for start in ag.seed_starts(0, len(real))
               for solo in ag.generate_over(real, Sixteenths(), seed=start)]
    return ag.against_report(real, {"sixteenths": machine}, seed=0, judges=FAST)


def test_the_judges_are_calibrated_and_hear_a_sixteenth_machine(judged):
    data = judged["against"]
    assert data["seeds"] == [0, ag.SEED_BLOCK] and data["rows"][1]["n_solos"] == 48
    result = data["judges"]
    rows = {row["name"]: row for row in result["rows"]}
    assert list(rows) == ["real vs real", "shuffled", "markov", "sixteenths"]
    assert result["grouping"] == "tune+performer" and result["n_groups"] == 6
    for name, scores in rows["real vs real"]["judges"].items():
        assert abs(scores["accuracy"] - 0.5) <= 0.15, (name, scores)
    for name in ("shuffled", "markov", "sixteenths"):
        assert max(j["accuracy"] for j in rows[name]["judges"].values()) >= 0.8, rows[name]
    assert rows["sixteenths"]["n_fake"] == 2 * rows["sixteenths"]["n_real"]
    assert list(rows["sixteenths"]["judges"]) == ["logistic"]


def test_the_judges_table_is_in_the_text_and_the_json_is_strict(judged):
    from jazzsolo.evaluate.judges import format_judges

    text = ag.format_against(judged)
    assert format_judges(judged["against"]["judges"]) in text
    assert "real vs real" in text and "sixteenths" in text.split("Judges on")[1]
    assert json.loads(ag.against_json(judged)) == judged
    assert {"rows", "judges", "seeds", "example"} <= set(judged["against"])


def test_judges_are_chosen_by_name_and_skipped_with_a_reason():
    assert ag.parse_judges("sequence,logistic") == ("logistic", "sequence")
    assert ag.parse_judges("all") == ("logistic", "boosting", "sequence")
    with pytest.raises(ConfigError, match="unknown judge 'svm'"):
        ag.parse_judges("logistic,svm")
    real = quarter_solos(4)                          # 4 bars: no 16-bar excerpt
    report = ag.against_report(real, {"s": ag.generate_over(real, Sixteenths())}, judges=FAST)
    assert "16 bars" in report["against"]["judges"]["skipped"]
    assert "Judges: not run (" in ag.format_against(report)


def test_groups_come_from_solo_info_next_to_the_corpus(wjazzd, tmp_path):
    real = [solo_of([(0.0, 1.0, 60)], name=n) for n in ("ArtPepper_Desafinado_Solo", "x.mid")]
    info = ag.solo_groups(wjazzd, "corpus", real)
    assert info["ArtPepper_Desafinado_Solo"] == ("Desafinado", "Art Pepper")
    assert ag.solo_groups(tmp_path / "some.db", "corpus", real) is None     # names are parsed
    assert ag.solo_groups(tmp_path, "midi", real) == {"ArtPepper_Desafinado_Solo": (
        "ArtPepper_Desafinado_Solo",) * 2, "x.mid": ("x.mid", "x.mid")}


# --------------------------------------------------------------------------- WJazzD

@pytest.fixture(scope="module")
def players(wjazzd):
    solos, skipped, kind = af.read_real_solos(wjazzd, limit=10, max_bars=32)
    assert kind == "corpus" and len(solos) == 10
    return solos


def test_real_solos_read_as_musicians_would_expect(players):
    figures = [af.solo_figures(s) for s in players]
    assert all(s.n_bars == 32 and s.time_signatures[0] == "4/4" for s in players)
    chord_tones = np.median([f["chord_tone_share"] for f in figures])
    scale_tones = np.median([f["scale_tone_share"] for f in figures])
    assert 0.4 < chord_tones < 0.7 and chord_tones < scale_tones < 0.95   # MINGUS: 49 %, 72 %
    assert 0.7 < np.median([f["notes_per_beat"] for f in figures]) < 3.5


def test_a_database_gives_the_same_solos_as_the_csv_folder(wjazzd, players, tmp_path):
    from jazzsolo.ingest.corpus_db import write_test_db

    db = write_test_db(wjazzd, tmp_path / "two.db", [s.name for s in players[:2]])
    solos, skipped, kind = af.read_real_solos(db, max_bars=32)
    assert kind == "corpus" and not skipped
    assert [s.notes for s in solos] == [s.notes for s in players[:2]]
    assert [s.measure_lengths_ql for s in solos] == [s.measure_lengths_ql for s in players[:2]]


def test_run_against_three_solos_with_the_course_model_and_baselines(wjazzd):
    report = ag.run_against(wjazzd, models=["course", "baselines"], limit=3, max_bars=16, seed=0,
                            judges=FAST)
    data = report["against"]
    assert data["n_solos"] == 3 and data["kind"] == "corpus"
    assert [r["model"] for r in data["rows"]] == ["real", "course", "uniform", "unigram",
                                                  "bigram", "trigram"]
    for row in data["rows"]:
        assert set(af.FIGURES) == set(row["figures"])
        assert set(jf.FIGURES) == set(row["jazz_figures"])
        assert {"model", "figures", "outside", "jazz_outside", "copy"} <= set(row)
        for name, spread in [*row["figures"].items(), *row["jazz_figures"].items()]:
            assert spread is None or spread["p10"] <= spread["p50"] <= spread["p90"]
    course = data["rows"][1]
    assert course["n_solos"] == 6 and course["figures"]["notes_per_beat"]["p50"] > 0
    assert "4 or more groups" in data["judges"]["skipped"]       # 3 solos: no halves
    assert data["example"]["generated"]["course"]                  # notes for the piano roll
    table = against_table(ag.format_against(report))
    assert list(table) == ["real p10", "real", "real p90", "course", "uniform", "unigram",
                           "bigram", "trigram"]
    assert all(len(cells) == len(TABLE_COLUMNS) for name, cells in table.items()
               if name not in ("real p10", "real p90"))
    json.loads(ag.against_json(report))


def test_the_same_seed_gives_the_same_json_and_another_seed_other_solos(wjazzd):
    def run(seed):
        return ag.against_json(ag.run_against(wjazzd, models=["course", "bigram"], limit=2,
                                              max_bars=8, seed=seed))
    first = run(3)
    assert run(3) == first
    assert json.loads(run(4))["against"]["example"] != json.loads(first)["against"]["example"]


# --------------------------------------------------------------------------- MIDI folders

def write_midi(path: Path, solo_notes, chords, *, bars: int = 4, qpm: float = 100.0) -> Path:
    """A type-1 file: a "Solo" and a "Chords" track of (pitches, start beat, beats), 4/4."""
    ticks = 480
    midi_file = mido.MidiFile(type=1, ticks_per_beat=ticks)
    for name, events, channel in (("Solo", solo_notes, 0), ("Chords", chords, 1)):
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
        if name == "Solo":
            track += [mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0),
                      mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm), time=0)]
        timed = []
        for pitches, start, length in events:
            for p in pitches:
                timed += [(round(start * ticks), 1, p), (round((start + length) * ticks), 0, p)]
        now = 0
        for tick, on, p in sorted(timed, key=lambda e: (e[0], e[1])):
            kind = "note_on" if on else "note_off"
            track.append(mido.Message(kind, note=p, velocity=80 if on else 0, channel=channel,
                                      time=tick - now))
            now = tick
        midi_file.tracks.append(track)
    midi_file.save(str(path))
    return path


@pytest.fixture(scope="module")
def midi_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("midi_solos")
    changes = [[50, 53, 57, 60], [55, 59, 62, 65], [48, 52, 55, 59], [48, 52, 55, 59]]
    chords = [(c, 4 * bar, 4) for bar, c in enumerate(changes)]
    eighths = [([62 + (i * 5) % 12], i * 0.5, 0.5) for i in range(28)]      # 3.5 bars
    quarters = [([60 + (i * 7) % 12], float(i), 1.0) for i in range(14)]
    write_midi(folder / "a_eighths.mid", eighths, chords)
    write_midi(folder / "b_quarters.mid", quarters, chords)
    (folder / "c_broken.mid").write_bytes(b"MThd not really")
    return folder


def test_a_folder_of_midi_files_is_read_with_its_metre_tempo_and_chords(midi_folder):
    solos, skipped, kind = af.read_real_solos(midi_folder)
    assert kind == "midi" and [s.name for s in solos] == ["a_eighths.mid", "b_quarters.mid"]
    assert [name for name, _ in skipped] == ["c_broken.mid"]
    eighths = solos[0]
    assert eighths.n_bars == 4 and eighths.time_signatures == ["4/4"] * 4
    assert eighths.qpm == pytest.approx(100.0)
    assert af.solo_figures(eighths)["notes_per_beat"] == 28 / 16
    assert af.solo_figures(eighths)["rest_share"] == 2 / 16


def test_run_against_a_midi_folder_and_plot_it(midi_folder, tmp_path):
    report = ag.run_against(midi_folder, models=[Sixteenths(), "bigram"], seed=0)
    data = report["against"]
    assert data["n_solos"] == 2 and data["kind"] == "midi" and len(data["skipped"]) == 1
    assert [r["model"] for r in data["rows"]] == ["real", "sixteenths", "bigram"]
    assert data["rows"][1]["figures"]["notes_per_beat"]["p50"] == 4.0
    assert data["rows"][1]["figures"]["novelty"] is None            # it names no training data
    assert "Skipped 1 solos" in ag.format_against(report)
    paths = ag.plot_against(report, tmp_path / "plots")
    assert [p.name for p in paths] == ["against_histograms.png", "against_piano_roll.png",
                                       *(f"against_jazz_{name}.png" for name in jf.FIGURES)]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)
    first = paths[-1].read_bytes()
    paths[0].unlink()
    with pytest.raises(OutputExistsError):
        ag.plot_against(report, tmp_path / "plots")
    assert not paths[0].exists()                     # nothing is written when one file exists
    ag.plot_against(report, tmp_path / "plots", overwrite=True)
    assert paths[0].exists() and paths[-1].read_bytes() == first


def test_the_command_prints_a_table_or_json(midi_folder, tmp_path):
    args = argparse.Namespace(against=str(midi_folder), model=["bigram"], seed=0, limit=1,
                              temperature=None, max_bars=None, json=False,
                              plots=str(tmp_path / "p"), judges="logistic")
    text = ag.run_against_command(args)
    assert "bigram" in text and "Jazz figures:" in text and "Judges: not run" in text
    assert text.endswith(f"Wrote {2 + len(jf.FIGURES)} plots to {tmp_path / 'p'}")
    args.json, args.plots = True, None
    data = json.loads(ag.run_against_command(args))["against"]
    assert data["n_solos"] == 1 and data["seeds"] == [0, ag.SEED_BLOCK]
    args.judges = "logistic,forest"
    with pytest.raises(ConfigError, match="unknown judge 'forest'"):
        ag.run_against_command(args)


def test_jazzsolo_evaluate_against_from_the_command_line(midi_folder, tmp_path):
    command = [sys.executable, "-m", "jazzsolo.cli", "evaluate", "--against", str(midi_folder),
               "--model", "bigram", "trigram", "--json", "--seed", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["against"]["rows"]
    assert [r["model"] for r in rows] == ["real", "bigram", "trigram"]
    assert set(rows[0]["figures"]) >= {"notes_per_beat", "rest_share", "pitch_range",
                                       "chord_tone_share", "h1", "h4", "gs"}
    both = subprocess.run(command + ["solo.mid"], capture_output=True, text=True, timeout=600)
    assert both.returncode == 2 and "not both" in both.stderr
    bad = subprocess.run(command + ["--judges", "svm"], capture_output=True, text=True,
                         timeout=600)
    assert bad.returncode == 2 and "unknown judge 'svm'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_bad_models_and_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(JazzsoloError, match="no such model directory"):
        ag.resolve_models(["no/such/model"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="neither a WJazzD folder"):
        ag.run_against(tmp_path / "empty")


# --------------------------------------------------------------------------- the note model

@pytest.fixture(scope="module")
def note_model_dir() -> Path:
    """The WJazzD note model shipped in the package."""
    from jazzsolo.generate.families import family_of
    from jazzsolo.models.note_lstm import PRETRAINED_WJAZZD_DIR

    assert family_of(PRETRAINED_WJAZZD_DIR) == "note-lstm"
    return PRETRAINED_WJAZZD_DIR


class EighthLine(HandModel):
    """Eighth notes written legato, each up to the next, as a model writes them."""

    name = "eighths"

    def notes(self, measure_lengths_ql, seed):
        total = sum(measure_lengths_ql)
        return [(k / 2, 0.5, 60 + k % 5) for k in range(int(total * 2))]


def test_generated_solos_are_measured_as_the_band_plays_them():
    """Onsets stay on the straight grid (the real solos' annotation is straight); lengths are
    the players' articulation, as varied as theirs, on the real solos' grid of 1/12 beat, since
    the real solos' lengths are as they sounded."""
    real = solo_of([(0.0, 1.0, 60)], symbols=("C7", "F7"))
    played = ag.generate_over([real], EighthLine(), seed=3)[0].notes
    assert [n[0] for n in played] == [k / 2 for k in range(16)]
    lengths = np.array([n[1] for n in played[:-1]])
    assert np.all(lengths <= 0.5) and abs(np.median(lengths) / 0.5 - 0.84) < 0.2, lengths
    assert np.allclose(lengths * 12, np.round(lengths * 12)) and len(set(lengths)) >= 3
    assert ag.generate_over([real], EighthLine(), seed=3)[0].notes == played


def test_the_note_model_improvises_over_the_real_chords(note_model_dir, midi_folder):
    model = ag.resolve_models([str(note_model_dir)])[0]
    assert model.family == "note-lstm"
    report = ag.run_against(midi_folder, models=[str(note_model_dir)], seed=0)
    rows = report["against"]["rows"]
    assert [r["model"] for r in rows] == ["real", model.name]
    notes = report["against"]["example"]["generated"][rows[1]["model"]]
    assert notes and all(0 <= onset < 16 for onset, _, _ in notes)
    assert ag.run_against(midi_folder, models=[str(note_model_dir)], seed=0) == report


def test_the_default_models_are_the_shipped_ones_and_the_baselines():
    from jazzsolo.config import DEFAULT_MODEL

    models = ag.resolve_models()
    assert [m.name for m in models] == [DEFAULT_MODEL, "course", "uniform", "unigram", "bigram",
                                        "trigram"]
    assert [m.family for m in models[:2]] == ["note-lstm", "course-lstm"]
