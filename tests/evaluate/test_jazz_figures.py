"""Jazz figures (`jazzsolo.evaluate.jazz_figures`) counted exactly on hand-made lines over one
chord: phrases and breaths, chord tones by position, approaches, enclosures, trills, runs,
intervals, motif repetition, the figure vector and the copy check."""
from __future__ import annotations

import math

import numpy as np
import pytest

from jazzsolo.errors import ConfigError
from jazzsolo.evaluate import jazz_figures as jf
from jazzsolo.evaluate.against_figures import SoloOverChords
from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.music.chords import chord_from_symbol


def over(notes, *symbols: str) -> SoloOverChords:
    """Notes over one chord per 4/4 bar (Cj7 for four bars unless symbols are given)."""
    symbols = symbols or ("Cj7",) * 4
    measures = [[chord_from_symbol(parse_chord_symbol(s), 4.0, 0.0)] for s in symbols]
    return SoloOverChords("line", notes, measures, [4.0] * len(symbols),
                          ["4/4"] * len(symbols), 120.0)


def eighths(pitches, start: float = 0.0, held: float = 0.5) -> list[tuple[float, float, int]]:
    return [(start + 0.5 * k, held, m) for k, m in enumerate(pitches)]


def figures(notes, *symbols: str) -> dict:
    return jf.jazz_figures(over(notes, *symbols))


# --------------------------------------------------------------------------- phrases

def test_phrases_and_breaths_have_known_lengths_and_gaps():
    notes = (eighths([60, 62, 64, 65, 67, 60])               # ends at 3.0
             + [(5.0 + k, 1.0, m) for k, m in enumerate([64, 65, 67, 62])]   # 2-beat breath
             + eighths([67, 65, 64], start=10.0))            # a breath of exactly 1 beat
    assert [len(p) for p in jf.phrases(notes)] == [6, 4, 3]
    found = figures(notes)
    assert found["phrase_notes_median"] == 4.0
    assert found["phrase_notes_p90"] == pytest.approx(5.6)   # 4 + 0.8 * (6 - 4)
    assert found["breath_beats_median"] == pytest.approx(1.5)   # breaths of 2 and 1 beats
    assert found["phrase_end_chord_tone_share"] == pytest.approx(2 / 3)   # C, D, E


def test_a_silence_shorter_than_the_gap_keeps_the_phrase():
    notes = [(0.0, 0.5, 60), (1.25, 0.5, 62), (2.0, 0.5, 64)]   # a silence of 0.75 beats
    assert [len(p) for p in jf.phrases(notes)] == [3]
    assert [len(p) for p in jf.phrases(notes, gap_ql=0.5)] == [1, 2]
    assert figures(notes)["breath_beats_median"] is None     # one phrase: no breath
    with pytest.raises(ConfigError):
        jf.phrases(notes, gap_ql=0)


# --------------------------------------------------------------------------- harmony by position

def test_chord_tones_on_strong_beats_and_off_the_beat():
    notes = [(0.0, 1, 60), (1.0, 1, 62), (2.0, 0.5, 65), (2.5, 1, 64), (3.5, 0.25, 69),
             (3.75, 0.25, 67)]
    found = figures(notes)
    assert found["strong_beat_chord_tone_share"] == 0.5      # C on 1, F on 3 (D on 2 not counted)
    assert found["offbeat_chord_tone_share"] == pytest.approx(2 / 3)   # E, A, G


def test_notes_over_no_chord_count_for_no_share():
    notes = [(0.0, 1, 60), (4.0, 1, 61), (6.5, 1, 63)]       # bar 2 is N.C.
    found = figures(notes, "Cj7", "N.C.")
    assert found["strong_beat_chord_tone_share"] == 1.0
    assert found["offbeat_chord_tone_share"] is None


def test_chromatic_approaches_to_stronger_chord_tones():
    notes = eighths([60, 63, 64, 66, 67, 68, 67, 66, 61, 60])
    # Eb→E (to beat 2), F#→G (to beat 3), Ab→G (from above, to beat 4); C#→C goes weaker
    assert figures(notes)["chromatic_approach_rate"] == pytest.approx(3 / 9)
    leading_tone = [(0.5, 0.5, 71), (1.0, 0.5, 72)]
    assert figures(leading_tone)["chromatic_approach_rate"] == 0.0     # B is a tone of Cj7
    assert figures(leading_tone, "C7")["chromatic_approach_rate"] == 1.0   # not of C7
    swung = [(2 / 3, 1 / 3, 63), (1.0, 0.5, 64)]                        # the swung eighth
    assert figures(swung)["chromatic_approach_rate"] == 1.0
    assert figures([(0.0, 0.5, 63), (2.0, 0.5, 64)])["chromatic_approach_rate"] == 0.0  # a breath


def test_enclosure_of_a_chord_tone():
    assert figures(eighths([64, 62, 59, 60]))["enclosure_rate"] == 0.5   # D B → C
    assert figures(eighths([59, 62, 60]))["enclosure_rate"] == 1.0       # B D → C
    assert figures(eighths([62, 61, 60]))["enclosure_rate"] == 0.0       # both above
    assert figures(eighths([62, 59, 61]))["enclosure_rate"] == 0.0       # C# is no chord tone


# --------------------------------------------------------------------------- gestures and runs

def test_trill_rate_and_alternation():
    found = figures(eighths([60, 62, 60, 62, 60]))
    assert found["trill_rate"] == 1.0 and found["longest_alternation_notes"] == 5
    found = figures(eighths([60, 62, 60, 64, 65]))
    assert found["trill_rate"] == pytest.approx(1 / 3)
    assert found["longest_alternation_notes"] == 3
    wide = figures(eighths([60, 65, 60]))
    assert wide["trill_rate"] == 0.0 and wide["longest_alternation_notes"] == 3


def test_alternation_and_repeat_runs_and_interval_classes():
    found = figures(eighths([60, 65, 60, 65, 60, 62, 62, 62, 62, 64]))
    assert found["longest_alternation_notes"] == 5
    assert found["longest_repeat_notes"] == 4
    # intervals 5 -5 5 -5 2 0 0 0 2
    assert found["repeated_pitch_share"] == pytest.approx(3 / 9)
    assert found["step_share"] == pytest.approx(2 / 9)
    assert found["third_share"] == 0.0
    assert found["leap_share"] == pytest.approx(4 / 9)
    assert found["mean_abs_interval"] == pytest.approx(24 / 9)


def test_runs_stop_at_a_phrase_break():
    notes = eighths([60, 62, 60]) + eighths([62, 60], start=3.0)
    assert figures(notes)["longest_alternation_notes"] == 3
    notes = eighths([62, 62]) + eighths([62, 62, 62], start=3.0)
    found = figures(notes)
    assert found["longest_repeat_notes"] == 3
    assert found["repeated_pitch_share"] == 1.0              # intervals cross the break


def test_articulation_is_the_median_held_share_within_phrases():
    notes = eighths([60, 62, 64, 65], held=0.25) + [(2.0, 0.5, 67)]
    assert figures(notes)["articulation_median"] == 0.5      # the last IOI is a held 0.25 / 0.5
    staccato_then_breath = [(0.0, 0.25, 60), (0.5, 0.5, 62), (3.0, 1.0, 64)]
    assert figures(staccato_then_breath)["articulation_median"] == pytest.approx(0.5)


def test_a_repeated_motif_gives_exact_ngram_repetition():
    motif = [60, 62, 64, 67, 64]                             # intervals 2 2 3 -3, then -4
    twice = figures(eighths(motif * 2))
    assert twice["repeat_4gram_share"] == pytest.approx(1 / 6)
    assert twice["repeat_5gram_share"] == 0.0
    thrice = figures(eighths(motif * 3))                     # period 5 in 14 intervals
    assert thrice["repeat_4gram_share"] == pytest.approx(6 / 11)
    assert thrice["repeat_5gram_share"] == pytest.approx(5 / 10)


# --------------------------------------------------------------------------- the vector, edge cases

def test_figure_vector_is_in_figures_order_with_nan_for_none():
    solo = over(eighths([60, 62, 60]))
    found, vector = jf.jazz_figures(solo), jf.figure_vector(solo)
    assert list(found) == list(jf.FIGURES) and vector.shape == (len(jf.FIGURES),)
    for value, name in zip(vector, jf.FIGURES):
        if found[name] is None:
            assert math.isnan(value), name
        else:
            assert value == pytest.approx(found[name]), name
    assert math.isnan(vector[list(jf.FIGURES).index("repeat_4gram_share")])
    assert vector[list(jf.FIGURES).index("trill_rate")] == 1.0


def test_empty_and_one_note_solos_give_none_not_a_crash():
    empty = jf.jazz_figures(over([]))
    assert all(value is None for value in empty.values())
    assert np.isnan(jf.figure_vector(over([]))).all()
    one = jf.jazz_figures(over([(0.0, 1.0, 60)]))
    assert one["phrase_notes_median"] == 1.0 and one["longest_repeat_notes"] == 1
    assert one["phrase_end_chord_tone_share"] == 1.0
    for name in ("breath_beats_median", "mean_abs_interval", "chromatic_approach_rate",
                 "trill_rate", "articulation_median", "repeat_4gram_share"):
        assert one[name] is None, name


# --------------------------------------------------------------------------- the copy check

def line(pitches, step: float = 0.5):
    return [(step * k, step, m) for k, m in enumerate(pitches)]


def test_copy_check_finds_exactly_the_shared_intervals():
    index = jf.SharedRuns.from_notes([line([60, 62, 64, 65, 67, 69, 71, 72]), line([40, 47])])
    query = line([50, 55, 57, 59, 60, 62, 64, 30])           # shares 2 2 1 2 2
    assert index.longest(query) == 5 == jf.longest_shared_run(query, index)
    assert index.longest(line([90, 80])) == 0 and index.longest(line([60])) == 0
    assert jf.SharedRuns.from_notes([]).longest(query) == 0


def test_copy_runs_never_cross_from_one_training_solo_to_the_next():
    index = jf.SharedRuns.from_notes([line([60, 62, 64]), line([64, 65, 67, 69])])
    assert index.longest(line([60, 62, 64, 65, 67, 69])) == 3   # 2 2 | 1 2 2: not 5


def test_copy_check_with_rhythm_needs_the_same_spacing():
    training = [line([60, 62, 64, 65, 67, 69])]
    query = line([60, 62, 64]) + [(2.0, 0.5, 65), (2.5, 0.5, 67), (3.0, 0.5, 69)]
    assert jf.SharedRuns.from_notes(training).longest(query) == 5
    assert jf.SharedRuns.from_notes(training, rhythm=True).longest(query) == 2


def brute_longest(query: list[int], training: list[list[int]]) -> int:
    best = 0
    for seq in training:
        for i in range(len(query)):
            for j in range(len(seq)):
                k = 0
                while i + k < len(query) and j + k < len(seq) and query[i + k] == seq[j + k]:
                    k += 1
                best = max(best, k)
    return best


def test_copy_check_agrees_with_brute_force_on_seeded_lines():
    rng = np.random.default_rng(7)
    walks = [(60 + np.cumsum(rng.integers(-2, 3, size=40))).tolist() for _ in range(12)]
    index = jf.SharedRuns.from_notes([line(w) for w in walks])
    intervals = [np.diff(w).tolist() for w in walks]
    for _ in range(8):
        query = (60 + np.cumsum(rng.integers(-2, 3, size=30))).tolist()
        assert index.longest(line(query)) == brute_longest(np.diff(query).tolist(), intervals)


def test_copy_check_finds_a_copied_stretch_among_300_long_solos():
    rng = np.random.default_rng(3)
    walks = [(60 + np.cumsum(rng.integers(-7, 8, size=600))).tolist() for _ in range(300)]
    index = jf.SharedRuns.from_notes([line(w) for w in walks])
    copied = walks[123][200:241]                              # 41 notes: 40 intervals
    query = [copied[0] + 20, copied[0] - 20] + copied + [copied[-1] + 20, copied[-1] - 20]
    # the jumps of 20 and 40 semitones around the copy are wider than any walk's ±7 steps
    assert index.longest(line(query)) == 40
