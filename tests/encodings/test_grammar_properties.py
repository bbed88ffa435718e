"""Property-based checks of the value language (hypothesis)."""
import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from music21 import interval

from jazzsolo.errors import GrammarError
from jazzsolo.encodings.grammar import (PitchRange, Value, _class_of_midi, format_value, parse_value,
                                        realise_values)
from jazzsolo.music.progression import parse_chord_symbol

SYMBOLS = ["C", "Cm", "C7", "Cmaj7", "Dm7", "G7", "Bbmaj7", "F#m7b5", "Ebdim7", "A7b9",
           "E7#11", "Abm6", "Gsus4", "Db7", "Bm"]
CHORDS = {s: parse_chord_symbol(s) for s in SYMBOLS}
INTERVALS = sorted({interval.Interval(n).directedName for n in range(-15, 16)})

durations = st.integers(min_value=1, max_value=48).map(lambda twelfths: twelfths / 12)
windows = st.none() | st.tuples(st.sampled_from(INTERVALS), st.sampled_from(INTERVALS))
values = st.builds(Value, st.sampled_from("CSAXR"), durations, windows)


@given(st.lists(values, min_size=1, max_size=24), st.sampled_from(SYMBOLS),
       st.integers(min_value=0, max_value=2**32 - 1))
@settings(max_examples=int(os.environ.get("JAZZSOLO_EXAMPLES", 150)), deadline=None)
def test_any_values_render_over_any_chord(value_list, symbol, seed):
    chord = CHORDS[symbol]
    events = realise_values(value_list, [chord], rng=np.random.default_rng(seed))
    assert len(events) == len(value_list)
    pitch_range = PitchRange()
    onset = 0.0
    for value, event in zip(value_list, events):
        assert abs(event.offset_ql - onset) < 1e-9
        onset += value.duration_ql
        if value.note_class == "R":
            assert event.midi is None
            continue
        assert pitch_range.low <= event.midi <= pitch_range.high
        exists = any(_class_of_midi(m, chord) == value.note_class
                     for m in range(pitch_range.low, pitch_range.high + 1))
        if exists:
            assert _class_of_midi(event.midi, chord) == value.note_class


@given(values)
def test_text_round_trip(value):
    again = parse_value(format_value(value))
    assert again.note_class == value.note_class and again.window == value.window
    assert abs(again.duration_ql - value.duration_ql) <= 0.0005


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_the_parser_accepts_values_or_raises_the_package_error(text):
    try:
        value = parse_value(text)
    except GrammarError:
        return
    assert format_value(value).split(",")[0] in {"C", "S", "A", "X", "R"}


@given(st.sampled_from(["C,0.250", "S,0.500,<m3,d-2>"]), st.integers(0, 15), st.characters())
def test_mutated_values_raise_only_the_package_error(text, position, character):
    mutated = text[:position] + character + text[position + 1:]
    try:
        value = parse_value(mutated)
    except GrammarError:
        return
    again = parse_value(format_value(value))               # what parses is a well-formed value
    assert (again.note_class, again.window) == (value.note_class, value.window)
