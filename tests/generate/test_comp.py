"""The accompaniment: voicings in the piano register and a walking bass that leads to each root,
comping rhythms that vary by seed and follow the metre, and the form found in repeated changes."""
import numpy as np
import pytest

from jazzsolo.generate.comp import (BASS_HIGH, BASS_LOW, VOICING_HIGH, VOICING_LOW, bass_track, chorus_form,
                                    comp_track, measure_starts, voice_chord)
from jazzsolo.music.progression import get_progression, parse_chord_symbol, parse_progression, repeat_choruses


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
    # a pickup beat, then two waltz bars: bass on 1 and 3, piano on 2 and 3
    assert [n.offset_ql for n in bass_track(measures, lengths)] == [0.0, 1.0, 3.0, 4.0, 6.0]
    assert sorted({n.offset_ql for n in comp_track(measures, lengths)}) == [0.0, 2.0, 3.0, 5.0, 6.0]


def bar_rhythms(comp, bar_ql=4.0):
    """Per bar, the onsets (within the bar) of the piano's hits."""
    rhythms = {}
    for n in comp:
        rhythms.setdefault(int(n.offset_ql // bar_ql), set()).add(round(n.offset_ql % bar_ql, 6))
    return [tuple(sorted(rhythms.get(i, ()))) for i in range(max(rhythms) + 1)]


def test_without_a_generator_every_one_chord_bar_is_a_charleston():
    comp = comp_track(parse_progression("Dm7 | G7 | Cmaj7 | A7"))
    assert bar_rhythms(comp) == [(0.0, 1.5)] * 4
    assert all(n.velocity is not None for n in comp)


def test_seeded_comping_varies_its_rhythms_and_repeats_with_its_seed():
    measures = repeat_choruses(parse_progression(get_progression("minor-blues")), 2)
    first = comp_track(measures, rng=np.random.default_rng(3), qpm=160)
    assert first == comp_track(measures, rng=np.random.default_rng(3), qpm=160)
    assert first != comp_track(measures, rng=np.random.default_rng(4), qpm=160)
    rhythms = set(bar_rhythms(first))
    assert (0.0, 1.5) in rhythms and (0.5, 2.0) in rhythms            # Charleston and its reverse
    assert any(3.5 in r for r in rhythms)                               # an anticipation of the next bar
    assert len({n.velocity for n in first}) > 3
    for bar, rhythm in enumerate(bar_rhythms(first)):                   # every bar sounds its chord
        assert rhythm or any(n.offset_ql == bar * 4 - 0.5 for n in first)


def test_an_anticipation_plays_the_next_chord_and_the_downbeat_is_not_struck_again():
    measures = parse_progression("Cm7 | F7 | Cm7 | F7 | Cm7 | F7 | Cm7 | F7 | Cm7 | F7 | Cm7 | F7")
    for seed in range(20):
        comp = comp_track(measures, rng=np.random.default_rng(seed))
        early = [n for n in comp if n.offset_ql % 4 == 3.5]
        if early:
            break
    assert early, "no anticipation in 20 seeds"
    for hit in early:
        upcoming = measures[int(hit.offset_ql // 4) + 1][0]
        assert {p % 12 for p in hit.pitches} <= set(upcoming.symbol.pitch_classes)
        assert hit.offset_ql + hit.duration_ql <= (hit.offset_ql // 4 + 1) * 4   # ends at the bar line
        assert not any(n.offset_ql == hit.offset_ql + 0.5 for n in comp)


def test_ballad_tempo_holds_more_whole_bar_chords():
    measures = repeat_choruses(parse_progression(get_progression("ii-v-i")), 2)
    held = [sum(n.duration_ql > 3.5 for n in comp_track(measures, rng=np.random.default_rng(seed),
                                                        qpm=qpm)) for seed, qpm in ((1, 60), (1, 200))]
    assert held[0] > held[1]


def test_a_waltz_comps_on_two_and_three_and_the_bass_plays_one_and_three():
    measures = parse_progression("Dm7 | G7 | Cmaj7 | A7", time_signature="3/4")
    comp = comp_track(measures, 3.0, time_signatures=["3/4"] * 4)
    bass = bass_track(measures, 3.0, time_signatures=["3/4"] * 4)
    assert bar_rhythms(comp, 3.0) == [(1.0, 2.0)] * 4
    assert [n.offset_ql % 3 for n in bass] == [0.0, 2.0] * 4
    assert [n.pitches[0] % 12 for n in bass[::2]] == [2, 7, 0, 9]       # the root on every 1
    seeded = bass_track(measures * 4, 3.0, time_signatures=["3/4"] * 16, rng=np.random.default_rng(0))
    assert {n.offset_ql % 3 for n in seeded} <= {0.0, 1.0, 2.0}


def test_six_eight_is_felt_in_two():
    measures = parse_progression("Dm7 | G7", time_signature="6/8")
    bass = bass_track(measures, 3.0, time_signatures=["6/8"] * 2)
    comp = comp_track(measures, 3.0, time_signatures=["6/8"] * 2)
    assert [n.offset_ql for n in bass] == [0.0, 1.5, 3.0, 4.5]
    assert [n.duration_ql for n in bass] == [1.5 * 0.95] * 4
    assert sorted({n.offset_ql for n in comp}) == [1.5, 4.5]


def test_seeded_bass_keeps_the_root_on_every_change_and_skips_now_and_then():
    measures = repeat_choruses(parse_progression(get_progression("blues")), 3)
    bass = bass_track(measures, rng=np.random.default_rng(0))
    onsets = {}
    for n in bass:
        onsets.setdefault(n.offset_ql, n.pitches[0])
    for number, measure in enumerate(measures):
        for c in measure:
            assert onsets[number * 4 + c.offset] % 12 == c.symbol.root_pc
    skips = [n for n in bass if n.offset_ql % 1 == 0.5]
    assert 0 < len(skips) < 12 and all(n.velocity < 70 for n in skips)


def test_the_comp_plays_over_a_tunes_own_chords():
    from music21 import chord

    def at(names, offset, length):
        c = chord.Chord(names, quarterLength=length)
        c.offset = offset
        return c
    # as a tune's piano is read: short chords with gaps, two at one offset
    measures = [[at(["E-4", "G4", "C4", "B-3"], 0.0, 0.75), at(["B-3", "F4", "D4", "A3"], 2.0, 1.25)],
                [at(["G#3", "C#4", "F3"], 0.0, 0.75), at(["E-4", "C#4", "C4"], 0.0, 0.75),
                 at(["B-3", "E-3", "C4", "G3"], 2.0, 1.75)]]
    comp = comp_track(measures, rng=np.random.default_rng(0))
    bass = bass_track(measures)
    assert {n.offset_ql for n in bass} == {float(b) for b in range(8)}   # walks through the gaps
    assert all(VOICING_LOW <= p <= VOICING_HIGH for n in comp for p in n.pitches)
    assert {int(n.offset_ql // 2) for n in comp} == {0, 1, 2, 3}         # every chord struck


def test_chorus_form_finds_repeated_changes_after_a_pickup():
    blues = parse_progression(get_progression("blues"))
    assert chorus_form(repeat_choruses(blues, 2)) == (0, 12)
    pickup = parse_progression("C7")
    assert chorus_form(pickup + repeat_choruses(blues, 3)) == (1, 12)
    assert chorus_form(blues) is None
    assert chorus_form(parse_progression("C7 | C7 | C7 | C7 | C7 | C7 | C7 | C7")) == (0, 4)
