"""The accompaniment: voicings in the piano register and a walking bass that leads to each root."""
import pytest

from jazzsolo.comp import (BASS_HIGH, BASS_LOW, VOICING_HIGH, VOICING_LOW, bass_track, comp_track,
                           measure_starts, voice_chord)
from jazzsolo.progression import get_progression, parse_chord_symbol, parse_progression


def test_voicings_hold_the_chord_without_the_root_and_stay_in_register():
    for symbol in ("Dm7", "G7", "Cmaj7", "Bb7", "F#m7b5"):
        c = parse_chord_symbol(symbol)
        voicing = voice_chord(c)
        classes = {p.midi % 12 for p in c.pitches} - {c.root().midi % 12}
        assert {m % 12 for m in voicing} == classes
        assert VOICING_LOW <= min(voicing) and max(voicing) <= VOICING_HIGH


def test_bass_plays_each_root_on_the_downbeat_in_quarter_notes():
    measures = parse_progression(get_progression("blues"))
    bass = bass_track(measures)
    assert len(bass) == 12 * 4
    assert all(BASS_LOW <= n.pitches[0] <= BASS_HIGH for n in bass)
    downbeats = {n.offset_ql: n.pitches[0] for n in bass}
    for number, measure in enumerate(measures):
        for c in measure:
            assert downbeats[number * 4 + c.offset] % 12 == c.root().midi % 12


def test_walking_line_approaches_the_next_root_by_a_semitone():
    measures = parse_progression("Dm7 | G7")
    bass = bass_track(measures)
    assert abs(bass[3].pitches[0] - bass[4].pitches[0]) == 1


def test_comp_strikes_every_chord():
    measures = parse_progression("Dm7 G7 | Cmaj7")
    comp = comp_track(measures)
    starts = sorted({n.offset_ql for n in comp})
    assert starts[0] == 0.0 and 4.0 in starts and 2.0 in starts


def downbeat_bass(measures, lengths=None):
    """The bass pitch on each chord's first beat, in order (None where nothing sounds)."""
    bass = {n.offset_ql: n.pitches[0] for n in bass_track(measures, lengths or 4.0)}
    starts = measure_starts(measures, lengths or 4.0)
    return [bass.get(start + c.offset) for start, m in zip(starts, measures) for c in m]


def test_bb7_has_root_bb_and_the_bass_plays_bb():
    bb7 = parse_chord_symbol("Bb7")
    assert bb7.root().name == "B-" and bb7.root().pitchClass == 10
    assert downbeat_bass([[bb7]])[0] % 12 == 10
    assert {2, 8} <= {m % 12 for m in voice_chord(bb7)}              # D and Ab


def test_the_blues_bass_plays_every_written_root_on_the_change():
    measures = parse_progression(get_progression("blues"))
    roots = [c.symbol.root_pc for m in measures for c in m]
    assert [pc % 12 for pc in downbeat_bass(measures)] == roots
    assert roots[:2] == [5, 10]


def test_a_slash_chord_puts_its_bass_on_the_downbeat():
    measures = parse_progression("C/E | G-7/F | Bb7/Ab")
    assert [m % 12 for m in downbeat_bass(measures)] == [4, 5, 8]


@pytest.mark.parametrize("symbol, kept", [
    ("Bb7", {2, 8}), ("Cmaj7", {4, 11}), ("C-7", {3, 10}), ("C13#11", {4, 10, 9, 6}),
    ("C7b9", {4, 10, 1}), ("C7sus4", {5, 10}), ("Csus4", {0, 5, 7}), ("C6", {4, 9}),
    ("C-6", {3, 9}), ("C", {0, 4, 7}), ("C07", {3, 9}), ("Cø", {3, 10}), ("Db7", {5, 11}),
    ("C7alt", {4, 10}), ("C69", {4, 9}), ("F#-7b5", {9, 4}),
])
def test_voicings_keep_the_guide_tones_as_written(symbol, kept):
    c = parse_chord_symbol(symbol)
    voicing = {m % 12 for m in voice_chord(c)}
    assert kept <= voicing, (symbol, sorted(voicing))
    assert voicing <= set(c.symbol.pitch_classes)
    if len(c.symbol.pitch_classes) >= 4:
        assert c.symbol.root_pc not in voicing                       # rootless
    assert len(voicing) <= 4


def test_no_chord_is_silent_in_comp_and_bass():
    measures = parse_progression("C7 N.C. | N.C. | F7")
    comp, bass = comp_track(measures), bass_track(measures)
    assert all(n.offset_ql < 2.0 or n.offset_ql >= 8.0 for n in comp + bass)
    assert [n.offset_ql for n in bass] == [0.0, 1.0, 8.0, 9.0, 10.0, 11.0]
    assert {n.pitches[0] % 12 for n in bass[:2]} <= {0, 4, 7, 10}     # no approach into N.C.


def test_measures_of_different_lengths_are_placed_end_to_end():
    measures = parse_progression("Dm7 | G7 | C", time_signature="3/4")
    lengths = [1.0, 3.0, 3.0]
    measures[0] = [parse_chord_symbol("A7")]
    measures[0][0].quarterLength = 1.0
    assert [m % 12 for m in downbeat_bass(measures, lengths)] == [9, 7, 0]
    assert [n.offset_ql for n in bass_track(measures, lengths)] == [0.0, 1, 2, 3, 4, 5, 6]
    assert sorted({n.offset_ql for n in comp_track(measures, lengths)})[:2] == [0.0, 1.0]
