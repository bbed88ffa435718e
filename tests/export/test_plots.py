"""Tests for jazzsolo.export.plots: each figure is drawn, saved as a PNG, and shows what it should."""
from __future__ import annotations

from collections import Counter

import pytest
from matplotlib.figure import Figure
from music21 import chord

from jazzsolo.export import plots
from jazzsolo.errors import ConfigError
from jazzsolo.music.notes import Note
from jazzsolo.generate.measures import Solo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _chord(names: list[str], offset_ql: float, duration_ql: float) -> chord.Chord:
    c = chord.Chord(names, quarterLength=duration_ql)
    c.offset = offset_ql
    return c


@pytest.fixture
def solo() -> Solo:
    """Two measures: 6 notes of all four classes and one rest, over three chords (10 pitches)."""
    return Solo(4.0,
                values=[[], []],
                notes=[[Note(0.0, 1.0, 62, "C"), Note(1.0, 0.5, 64, "S"),
                        Note(1.5, 0.5, None, "R"), Note(2.0, 2.0, 66, "A")],
                       [Note(0.0, 1.0, 67, "C"), Note(1.0, 1.0, 68, "X"),
                        Note(2.0, 2.0, 72, "C")]],
                chords=[[_chord(["D3", "F3", "A3", "C4"], 0.0, 2.0),
                         _chord(["G2", "B2", "F3"], 2.0, 2.0)],
                        [_chord(["C3", "E3", "G3"], 0.0, 4.0)]])


def _gids(fig: Figure, prefix: str) -> list[str]:
    return [p.get_gid() for p in fig.axes[0].patches if (p.get_gid() or "").startswith(prefix)]


def _is_png(path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


def test_piano_roll_draws_every_note_and_chord_pitch(solo, tmp_path):
    path = tmp_path / "roll" / "piano_roll.png"
    fig = plots.plot_piano_roll(solo, path)
    assert isinstance(fig, Figure) and _is_png(path)
    notes = _gids(fig, "note:")
    assert len(notes) == len(solo.timed_notes()) == 6              # the rest is not drawn
    assert Counter(notes) == {"note:C": 3, "note:S": 1, "note:A": 1, "note:X": 1}
    assert len(_gids(fig, "chord")) == sum(len(t.pitches) for t in solo.timed_chords()) == 10
    barlines = [line for line in fig.axes[0].lines if line.get_gid() == "barline"]
    assert len(barlines) == solo.n_measures + 1


def test_piano_roll_colours_follow_the_grammar_class(solo):
    fig = plots.plot_piano_roll(solo)
    from matplotlib.colors import to_rgba

    for patch in fig.axes[0].patches:
        gid = patch.get_gid() or ""
        if gid.startswith("note:"):
            assert patch.get_facecolor() == to_rgba(plots.CLASS_COLOURS[gid[5:]])


def test_piano_roll_places_notes_in_time(solo):
    fig = plots.plot_piano_roll(solo)
    last = [p for p in fig.axes[0].patches if p.get_gid() == "note:C"][-1]
    assert last.get_x() == pytest.approx(1.5)                      # measure 2, beat 3
    assert last.get_width() == pytest.approx(0.5)                  # two beats of four


def test_training_history(tmp_path):
    history = {"loss": [130.0, 90.0, 60.0, 40.0], "accuracy": [0.05, 0.2, 0.4, 0.6]}
    fig = plots.plot_training_history(history, tmp_path / "history.png")
    assert _is_png(tmp_path / "history.png")
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.lines}
    assert list(lines["loss"].get_ydata()) == history["loss"]
    assert list(lines["accuracy"].get_xdata()) == [1, 2, 3, 4]


def test_training_history_without_loss():
    with pytest.raises(ConfigError):
        plots.plot_training_history({"loss": []})


def test_value_frequencies(tmp_path):
    corpus = ["C,0.250"] * 5 + ["S,0.500,<M2,m-3>"] * 3 + ["A,0.250,<m2,P-4>", "X,0.250,<A4,d-2>"]
    fig = plots.plot_value_frequencies(corpus, tmp_path / "values.png")
    assert _is_png(tmp_path / "values.png")
    bars = _gids(fig, "value:")
    assert bars == ["value:C", "value:S", "value:A", "value:X"]     # most frequent first
    heights = [p.get_height() for p in fig.axes[0].patches if (p.get_gid() or "").startswith("value:")]
    assert heights == [5, 3, 1, 1]
    assert len(_gids(plots.plot_value_frequencies(corpus, top=2), "value:")) == 2


def test_value_frequencies_of_nothing():
    with pytest.raises(ConfigError):
        plots.plot_value_frequencies([])


def test_lstm_diagram(tmp_path):
    path = tmp_path / "djmodel_unrolled.png"
    fig = plots.draw_lstm_diagram(path, steps=3)
    assert _is_png(path)
    boxes = Counter(_gids(fig, ""))
    assert boxes["LSTM_cell"] == boxes["densor"] == boxes["input"] == 4    # 3 steps and step Tx
