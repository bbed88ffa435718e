"""Chord symbols, bars and named progressions become measures of chords."""
import pytest
from music21 import harmony, meter, note, stream

from jazzsolo.errors import ConfigError, MidiContentError, NoChordsError
from jazzsolo.progression import (PROGRESSIONS, get_progression, parse_chord_symbol,
                                  parse_progression, read_chords_file, repeat_choruses)

from conftest import write_tiny_midi


def pcs(c):
    return sorted({p.midi % 12 for p in c.pitches})


@pytest.mark.parametrize("symbol, classes", [
    ("Dm7", [0, 2, 5, 9]), ("G7", [2, 5, 7, 11]), ("Cmaj7", [0, 4, 7, 11]),
    ("Bbmaj7", [2, 5, 9, 10]), ("Bb7", [2, 5, 8, 10]), ("Ebm7", [1, 3, 6, 10]),
    ("F#m7", [1, 4, 6, 9]), ("Dm7b5", [0, 2, 5, 8]), ("C7b9", [0, 1, 4, 7, 10]),
])
def test_chord_symbols_give_the_right_pitch_classes(symbol, classes):
    assert pcs(parse_chord_symbol(symbol)) == classes


def test_flat_bass_note_is_read_as_a_flat():
    assert min(p.midi for p in parse_chord_symbol("Ebm7/Gb").pitches) % 12 == 6


@pytest.mark.parametrize("symbol", ["Xq7", "H7", "Cfoo", ""])
def test_unknown_symbols_are_refused(symbol):
    with pytest.raises(ConfigError, match="unknown chord symbol"):
        parse_chord_symbol(symbol)


def test_bars_share_their_length_evenly():
    measures = parse_progression("Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7")
    assert [[(c.offset, c.quarterLength) for c in m] for m in measures] == [
        [(0.0, 2.0), (2.0, 2.0)], [(0.0, 4.0)], [(0.0, 2.0), (2.0, 2.0)], [(0.0, 4.0)]]


def test_beats_per_chord_without_bars_splits_at_barlines():
    measures = parse_progression("Dm7 G7 Cmaj7", beats_per_chord=3)
    assert [[(c.offset, c.quarterLength) for c in m] for m in measures] == [
        [(0.0, 3.0), (3.0, 1.0)], [(0.0, 2.0), (2.0, 2.0)], [(0.0, 1.0)]]


def test_named_progressions_have_their_lengths():
    lengths = {name: len(parse_progression(get_progression(name))) for name in PROGRESSIONS}
    assert lengths == {"blues": 12, "minor-blues": 12, "ii-v-i": 16, "rhythm-changes": 8}
    with pytest.raises(ConfigError, match="valid progressions: blues"):
        get_progression("bossa")


def test_choruses_repeat_the_form():
    measures = parse_progression(get_progression("blues"))
    assert len(repeat_choruses(measures, 3)) == 36
    with pytest.raises(ConfigError):
        repeat_choruses(measures, 0)


def test_chords_from_a_musicxml_lead_sheet(tmp_path):
    part = stream.Part()
    part.append(meter.TimeSignature("4/4"))
    for symbols in (["Dm7", "G7"], ["Cmaj7"]):
        measure = stream.Measure()
        for i, symbol in enumerate(symbols):
            measure.insert(i * 4 / len(symbols), harmony.ChordSymbol(symbol))
        measure.insert(0, note.Note("C4", quarterLength=4))
        part.append(measure)
    score = stream.Score([part])
    path = tmp_path / "lead.musicxml"
    score.write("musicxml", fp=str(path))
    measures = read_chords_file(path)
    assert [[pcs(c) for c in m] for m in measures] == [
        [[0, 2, 5, 9], [2, 5, 7, 11]], [[0, 4, 7, 11]]]


def test_chords_from_a_midi_accompaniment(tmp_path):
    melody = [(72 + (i % 5), i * 0.5, 0.5) for i in range(32)]          # 4 bars of eighths
    chords = [([50, 53, 57, 60], 0, 4), ([43, 47, 50, 53], 4, 4),
              ([48, 52, 55, 59], 8, 4), ([48, 52, 55, 59], 12, 4)]
    path = write_tiny_midi(tmp_path / "tune.mid", melody, chords=chords)
    measures = read_chords_file(path)
    assert len(measures) == 4
    assert pcs(measures[0][0]) == [0, 2, 5, 9]
    assert pcs(measures[1][0]) == [2, 5, 7, 11]


def test_a_midi_without_accompaniment_has_no_chords(tmp_path):
    path = write_tiny_midi(tmp_path / "alone.mid", [(72, i * 0.5, 0.5) for i in range(32)])
    with pytest.raises(NoChordsError, match="single melody line, not chords"):
        read_chords_file(path)
