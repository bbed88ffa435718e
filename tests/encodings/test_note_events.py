"""Note events: tokens, notes ⇄ events round trip, rests and phrases, controls, transposition.

Tiny note lists are written inline; the round trip over the shared WJazzD solos reads them from
../shared/data/wjazzd beside the project (ODbL, never copied into the repo).
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from music21 import chord

from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.ingest.corpus import CorpusNote, read_corpus
from jazzsolo.encodings.note_events import (DURATIONS, MAX_SHIFT, N_CONTROLS, N_DURATION_TOKENS,
                                            N_INPUTS, N_PITCH_TOKENS, PITCH_HIGH, PITCH_LOW, REST,
                                            ChordTimeline, EncodingError, Event, chord_features,
                                            control_indices, control_matrix, decode_event,
                                            decode_events, encode_corpus_solo, encode_event,
                                            encode_notes, encode_solo, event_onsets, melody_notes,
                                            model_inputs, rest_steps, timeline_of_measures,
                                            transpose_encoded, transpose_range)
from jazzsolo.music.progression import PROGRESSIONS, parse_progression

from conftest import wjazzd_folder

WJAZZD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wjazzd"
BEAT = 12


@pytest.fixture(scope="module")
def wjazzd_corpus():
    """The shared WJazzD solos (see conftest.wjazzd_folder)."""
    return read_corpus(wjazzd_folder())


def check_round_trip(notes: list[CorpusNote], end_step: int | None = None) -> list[Event]:
    """Encode, decode, and check what the encoding promises; returns the events."""
    events = encode_notes(notes, end_step)
    decoded = decode_events(events, 0)
    kept = melody_notes(notes)
    assert [n.pitch for n in decoded] == [n.pitch for n in kept]
    for i, (got, want) in enumerate(zip(decoded, kept)):
        if i == 0 or want.onset_step - kept[i - 1].onset_step >= BEAT:
            assert got.onset_step == want.onset_step, (i, got, want)
        else:
            assert abs(got.onset_step - want.onset_step) <= MAX_SHIFT, (i, got, want)
    assert all(e.steps in DURATIONS for e in events)
    starts = event_onsets(events)
    assert list(starts) == sorted(starts) and (len(starts) == 0 or starts[0] == 0)
    return events


# --------------------------------------------------------------------------- tokens

def test_every_token_pair_decodes_and_encodes_back():
    for p in range(N_PITCH_TOKENS):
        for d in range(N_DURATION_TOKENS):
            assert encode_event(decode_event(p, d)) == (p, d)
    assert decode_event(REST, 0) == Event(None, 1)
    assert decode_event(0, N_DURATION_TOKENS - 1) == Event(PITCH_LOW, 48)


@pytest.mark.parametrize("bad", [Event(PITCH_HIGH + 1, 6), Event(60, 5), Event(60, 0)])
def test_events_outside_the_vocabulary_are_refused(bad):
    with pytest.raises(EncodingError):
        encode_event(bad)
    with pytest.raises(EncodingError):
        decode_event(N_PITCH_TOKENS, 0)


def test_rests_are_split_into_durations_that_add_up():
    for steps in range(1, 400):
        parts = rest_steps(steps)
        assert sum(parts) == steps and all(p in DURATIONS for p in parts)
        assert parts == sorted(parts, reverse=True)


# --------------------------------------------------------------------------- round trip

def test_a_swung_phrase_a_rest_and_a_new_phrase_round_trip_exactly():
    # eighth-note triplet swing (8 + 4 steps), a note held, two beats of silence, a new phrase
    notes = [CorpusNote(12, 7, 60), CorpusNote(20, 4, 62), CorpusNote(24, 7, 64),
             CorpusNote(32, 4, 65), CorpusNote(36, 10, 67), CorpusNote(72, 3, 70),
             CorpusNote(75, 3, 69), CorpusNote(78, 3, 67)]
    events = check_round_trip(notes)
    assert events == [Event(None, 12), Event(60, 8), Event(62, 4), Event(64, 8), Event(65, 4),
                      Event(67, 12), Event(None, 24), Event(70, 3), Event(69, 3), Event(67, 3)]
    assert [n.onset_step for n in decode_events(events, 0)] == [n.onset_step for n in notes]


def test_a_gap_under_a_beat_is_articulation_and_a_gap_of_a_beat_is_a_rest():
    short_gap = encode_notes([CorpusNote(0, 2, 60), CorpusNote(12, 2, 62)])    # 10-step gap
    assert [e.pitch for e in short_gap] == [60, 62] and short_gap[0].steps == 12
    beat_gap = encode_notes([CorpusNote(0, 2, 60), CorpusNote(14, 2, 62)])     # 12-step gap
    assert [e.pitch for e in beat_gap] == [60, None, 62]
    assert beat_gap[0].steps == 2 and beat_gap[1].steps == 12


def test_intervals_missing_from_the_table_move_onsets_by_at_most_two_steps():
    # quintuplet-like 5-step and 7-step inter-onset intervals
    notes = [CorpusNote(s, 2, 60 + i) for i, s in enumerate([0, 5, 12, 19, 24, 29, 34, 36])]
    events = check_round_trip(notes)
    moved = [abs(a.onset_step - b.onset_step) for a, b in zip(decode_events(events), notes)]
    assert max(moved) > 0


def test_chords_struck_together_keep_the_top_note_and_pitches_fold_into_range():
    notes = [CorpusNote(0, 6, 60), CorpusNote(0, 6, 67), CorpusNote(6, 6, 27),
             CorpusNote(12, 6, 100)]
    decoded = decode_events(check_round_trip(notes))
    assert [n.pitch for n in decoded] == [67, 39, 88]


def test_the_last_note_stops_at_the_end_of_the_solo():
    events = encode_notes([CorpusNote(0, 6, 60), CorpusNote(40, 30, 62)], end_step=48)
    assert sum(e.steps for e in events) <= 48
    assert events[-1] == Event(62, 8)


def test_seeded_random_melodies_round_trip():
    rng = random.Random(0)
    for _ in range(300):
        onset, notes = rng.randrange(0, 60), []
        for _ in range(rng.randrange(1, 40)):
            notes.append(CorpusNote(onset, rng.randrange(1, 40), rng.randrange(20, 110)))
            onset += rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 17, 25, 50,
                                 100])
        check_round_trip(notes)


def test_every_shared_wjazzd_solo_round_trips(wjazzd_corpus):
    moved = total = 0
    for solo in wjazzd_corpus.solos:
        events = check_round_trip(list(solo.notes), solo.n_steps)
        assert sum(e.steps for e in events) <= solo.n_steps
        decoded, kept = decode_events(events), melody_notes(solo.notes)
        moved += sum(a.onset_step != b.onset_step for a, b in zip(decoded, kept))
        total += len(kept)
    print(f"\n{total} notes, {moved} ({moved / total:.1%}) moved by 1-2 steps")
    assert moved / total < 0.05


def test_phrases_in_real_solos_are_separated_by_rests_of_a_beat_or_more(wjazzd_corpus):
    encoded = [encode_corpus_solo(s) for s in wjazzd_corpus.solos[:40]]
    rest_beats = []
    for solo in encoded:
        steps = np.array(DURATIONS)[solo.duration.astype(int)]
        run = 0
        for token, s in zip(solo.pitch, steps):
            if token == REST:
                run += s
            elif run:
                rest_beats.append(run / BEAT)
                run = 0
    assert len(rest_beats) > 40 * 10                # phrases: at least ten per solo
    assert np.mean(np.array(rest_beats) >= 1) > 0.7


# --------------------------------------------------------------------------- chords and controls

def test_chord_features_read_symbols_symbol_chords_and_plain_music21_chords():
    assert chord_features(parse_chord_symbol("G-7")) == (7, (7, 10, 2, 5))
    assert chord_features(parse_chord_symbol("NC")) == (None, ())
    blues = parse_progression(PROGRESSIONS["blues"])
    assert chord_features(blues[0][0]) == (5, (5, 9, 0, 3))          # F7 as a SymbolChord
    assert chord_features(parse_progression("N.C. | F7")[0][0]) == (None, ())
    assert chord_features(chord.Chord(["D4", "F4", "A4", "C5"])) == (2, (2, 0, 5, 9))
    assert chord_features(chord.Chord([])) == (None, ())


def test_controls_give_the_chord_now_the_next_change_and_the_place_in_a_waltz_bar():
    timeline = ChordTimeline(onsets=(0, 36, 72), chords=((5, (5, 9, 0, 3)), (5, (5, 9, 0, 3)),
                                                         (10, (10, 2, 5))),
                             bar_starts=(0, 36, 72, 108), qpm=120.0)
    c = control_indices(timeline, [0, 30, 40, 80])
    assert list(c.root) == [5, 5, 5, 10]
    assert list(c.next_root) == [10, 10, 10, -1]          # the repeated F7 is not a change
    assert list(c.change_beats) == [4, 3, 2, -1]          # beats until Bb (capped at 4)
    assert list(c.bar_step) == [0, 30, 4, 8] and list(c.beat) == [0, 2, 0, 0]
    assert list(c.bar_start) == [True, False, False, False]
    m = control_matrix(c)
    assert m.shape == (4, N_CONTROLS) and m.dtype == np.float32
    assert m[0, 5] == 1 and m[0, 12 + 0] == 1 and m[0, 24 + 10] == 1
    up = control_matrix(c, 2)                              # a whole tone up: G7 → C
    assert up[0, 7] == 1 and up[0, 24 + 0] == 1 and up[0, 12 + 2] == 1
    assert np.array_equal(up[:, 48:], m[:, 48:])           # the rest does not move


def test_blues_measures_become_a_timeline_on_the_grid():
    blues = parse_progression(PROGRESSIONS["blues"])
    timeline = timeline_of_measures(blues, [4.0] * 12, qpm=140)
    assert timeline.end_step == 12 * 48 and timeline.bar_starts[:3] == (0, 48, 96)
    assert timeline.chord_at(3 * 48 + 24) == (5, (5, 9, 0, 3))          # F7 in bar 4
    assert timeline.chord_at(3 * 48) == (0, (0, 3, 7, 10))              # Cm7
    waltz = parse_progression("C | F G", time_signature="3/4")
    expected = tuple(round((3 * bar + float(c.offset)) * BEAT)
                     for bar, measure in enumerate(waltz) for c in measure)
    assert timeline_of_measures(waltz, [3.0, 3.0]).onsets == expected
    assert expected[:2] == (0, 36) and 36 < expected[2] < 72


def test_transposition_moves_pitches_and_chords_together(wjazzd_corpus):
    solo = encode_corpus_solo(wjazzd_corpus.solos[0])
    shifts = transpose_range(solo)
    assert shifts == list(range(-6, 7))
    pitch, controls = transpose_encoded(solo, 3)
    notes = solo.pitch != REST
    assert np.array_equal(pitch[notes], solo.pitch[notes] + 3)
    assert np.array_equal(pitch[~notes], solo.pitch[~notes])
    original = control_matrix(solo.controls)
    assert np.array_equal(np.roll(original[:, :12], 3, axis=1), controls[:, :12])
    x = model_inputs(pitch, solo.duration, controls)
    assert x.shape == (len(solo), N_INPUTS) and not x[0, :N_PITCH_TOKENS].any()
    assert x[1, pitch[0]] == 1


def test_encode_solo_starts_at_the_first_bar_line(wjazzd_corpus):
    solo = wjazzd_corpus.solos[0]
    events = encode_solo(solo)
    first = decode_events(events)[0]
    assert first.onset_step == solo.notes[0].onset_step
