"""The value language: text ⇄ Value pairs, classification, and parse ⇄ render round trips."""
import numpy as np
import pytest
from music21 import chord, note

from jazzsolo.errors import GrammarError
from jazzsolo.encodings.grammar import (PitchRange, choose_pitch, classify_note, format_value,
                                        parse_melody, parse_value, realise_values, unparse_grammar)

CMAJ7 = chord.Chord(["C4", "E4", "G4", "B4"])


@pytest.mark.parametrize("text", ["C,0.500", "S,0.333,<m3,d-2>", "A,0.250,<M-2,m-6>",
                                  "X,1.000,<P5,A1>", "R,0.750"])
def test_value_text_round_trip(text):
    assert format_value(parse_value(text)) == text


@pytest.mark.parametrize("text", ["", "C", "Q,0.250", "C,abc", "C,0.250,<M2>", "C,0.25,<Z9,m3>",
                                  "C,0.250,M2,m3"])
def test_malformed_values_raise_the_package_error(text):
    with pytest.raises(GrammarError):
        parse_value(text)


def test_classes_over_a_major_seventh_chord():
    assert classify_note("E", CMAJ7) == "C"
    assert classify_note("D", CMAJ7) == "S"
    assert classify_note("C#", CMAJ7) == "A"        # a semitone above the root
    assert classify_note("B-", CMAJ7) == "A"        # a semitone below the seventh
    assert classify_note("E-", CMAJ7) == "A"


def test_parse_melody_gives_windows_after_the_first_note():
    notes = [note.Note("E4", quarterLength=1.0), note.Note("G4", quarterLength=1.0),
             note.Note("D4", quarterLength=2.0)]
    for offset, n in zip((0.0, 1.0, 2.0), notes):
        n.offset = offset
    CMAJ7.offset = 0.0
    values = parse_melody(notes, [CMAJ7]).split()
    assert values[0] == "C,1.000"
    assert values[1] == "C,1.000,<d5,P1>"           # a minor third up ± a minor third
    assert values[2].startswith("S,2.000,<")


def test_rendered_pitch_keeps_its_class_and_window():
    rng = np.random.default_rng(0)
    for text in ["C,0.250,<P4,m-2>", "S,0.250,<M3,M-2>", "A,0.250,<m3,m-3>"]:
        value = parse_value(text)
        for _ in range(20):
            midi = choose_pitch(value, CMAJ7, 67, rng)
            assert classify_note(note.Note(midi).name, CMAJ7) == value.note_class
            assert 67 - 7 <= midi <= 67 + 7


def test_rendered_notes_follow_one_another_without_gaps():
    values = [parse_value(t) for t in ["C,0.500", "S,0.250,<M3,M-2>", "C,1.000,<P4,m-2>"]]
    events = realise_values(values, [CMAJ7], rng=np.random.default_rng(1))
    assert [e.offset_ql for e in events] == [0.0, 0.5, 0.75]
    assert all(PitchRange().low <= e.midi <= PitchRange().high for e in events)


def test_unparse_grammar_places_notes_at_their_onsets():
    voice = unparse_grammar("C,0.500 C,0.250,<M3,M-2> R,0.250 C,1.000",
                            [CMAJ7], rng=np.random.default_rng(2))
    offsets = [float(n.offset) for n in voice.notesAndRests]
    assert offsets == [0.0, 0.5, 0.75, 1.0]
    assert isinstance(voice.notesAndRests[2], note.Rest)


def test_round_trip_over_the_tune_keeps_classes_and_durations(musical_data):
    rng = np.random.default_rng(0)
    same = total = 0
    for grammar, chords in zip(musical_data.abstract_grammars, musical_data.chords):
        voice = unparse_grammar(grammar, chords, rng=rng)
        again = parse_melody(list(voice.notesAndRests), chords).split()
        original = grammar.split()
        assert len(again) == len(original)
        for a, b in zip(original, again):
            va, vb = parse_value(a), parse_value(b)
            total += 1
            same += va.note_class == vb.note_class and abs(va.duration_ql - vb.duration_ql) < 1e-3
    print(f"round trip kept {same}/{total} values")
    assert same / total >= 0.95, f"only {same}/{total} values survived the round trip"


def test_a_window_beyond_the_range_still_keeps_the_class():
    """Found by hypothesis: a seventh up from the top of the range must not fall back to C."""
    value = parse_value("S,0.250,<M7,M7>")
    for prev in (80, 84):
        midi = choose_pitch(value, CMAJ7, prev, np.random.default_rng(0))
        assert classify_note(note.Note(midi).name, CMAJ7) == "S"
        assert midi <= PitchRange().high


def test_a_chord_from_a_symbol_is_spelled_from_its_root_and_carries_it():
    from jazzsolo.music.chord_symbols import parse_chord_symbol
    from jazzsolo.music.chords import SymbolChord, chord_from_symbol

    c = chord_from_symbol(parse_chord_symbol("Eb7"), 2.0, 1.0)
    assert isinstance(c, SymbolChord) and c.symbol.symbol == "Eb7"
    assert [p.nameWithOctave for p in c.pitches] == ["E-3", "G3", "B-3", "D-4"]
    assert (c.root().name, c.bass().name, c.offset, c.quarterLength) == ("E-", "E-", 1.0, 2.0)
    silent = chord_from_symbol(parse_chord_symbol("N.C."), 4.0)
    assert silent.pitches == () and silent.symbol.is_no_chord and silent.solo_symbol is None


def test_the_symbol_survives_every_copy_the_pipeline_makes():
    import copy

    from jazzsolo.ingest.preprocess import relative_to_measure
    from jazzsolo.music.progression import parse_progression

    measure = parse_progression("G-7/F N.C.")[0]
    measure[0].offset, measure[1].offset = 8.0, 10.0
    for copies in (relative_to_measure(measure, 8.0), [copy.deepcopy(c) for c in measure]):
        first, silent = copies
        assert first.symbol.symbol == "G-7/F" and first.solo_symbol.symbol == "G-7/F"
        assert (first.root().name, first.bass().name) == ("G", "F")
        assert silent.symbol.is_no_chord and silent.solo_symbol.symbol == "G-7/F"
    assert [c.offset for c in relative_to_measure(measure, 8.0)] == [0.0, 2.0]


def test_symbol_chords_are_classed_by_pitch_class_and_midi_chords_by_name():
    from jazzsolo.music.progression import parse_chord_symbol

    cmaj7 = parse_chord_symbol("Cmaj7")
    for name in ("E", "D", "C#", "B-", "E-", "F#"):
        assert classify_note(name, cmaj7) == classify_note(name, CMAJ7)
    assert classify_note("F-", cmaj7) == "C"                         # E spelt F-: still the 3rd
    assert classify_note("F-", CMAJ7) == "X"                         # the course compares names
