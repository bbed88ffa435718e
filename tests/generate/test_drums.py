"""The drummer: ride, hi-hat and feathered bass drum in each metre, fills where the form says,
and the drum track of a written solo read back from its MIDI file."""
from __future__ import annotations

import mido
import numpy as np
import pytest

from jazzsolo.generate.drums import (CRASH, HAT_PEDAL, KICK, RIDE, SNARE, bar_pattern, count_off,
                                     drum_track)
from jazzsolo.export.midi import DRUM_CHANNEL
from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir
from jazzsolo.export.solo_midi import write_solo_midi
from jazzsolo.generate.measures import generate_solo
from jazzsolo.music.progression import get_progression, parse_progression, repeat_choruses

QPM = 160.0


def hits(notes, drum):
    """Onsets (quarter lengths) of one drum."""
    return [round(n.offset_ql, 6) for n in notes if n.pitches == (drum,)]


def test_four_four_rides_every_beat_with_the_skip_on_two_and_four():
    pattern = bar_pattern("4/4")
    assert [o for o, d, _ in pattern if d == RIDE] == [0.0, 1.0, 1.5, 2.0, 3.0, 3.5]
    assert [o for o, d, _ in pattern if d == HAT_PEDAL] == [1.0, 3.0]
    assert [o for o, d, _ in pattern if d == KICK] == [0.0, 1.0, 2.0, 3.0]
    assert all(v < 30 for _, d, v in pattern if d == KICK)           # feathered, felt not heard
    backbeat = {o: v for o, d, v in pattern if d == RIDE}
    assert backbeat[1.0] > backbeat[0.0] > backbeat[1.5]


def test_other_metres():
    assert [o for o, d, _ in bar_pattern("3/4") if d == RIDE] == [0.0, 1.0, 1.5, 2.0]
    assert [o for o, d, _ in bar_pattern("3/4") if d == HAT_PEDAL] == [1.0, 2.0]
    assert [o for o, d, _ in bar_pattern("6/8") if d == RIDE] == [0.0, 1.0, 1.5, 2.5]
    assert [o for o, d, _ in bar_pattern("6/8") if d == HAT_PEDAL] == [1.5]
    assert [o for o, d, _ in bar_pattern("5/4") if d == HAT_PEDAL] == [1.0, 3.0]


def test_fills_at_phrase_and_section_ends_and_a_crash_after_each_chorus():
    notes = drum_track([4.0] * 24, ["4/4"] * 24, chorus=(0, 12))
    snare = hits(notes, SNARE)
    assert {int(o // 4) for o in snare} == {3, 7, 11, 15, 19}         # bars 4, 8, 12, 16, 20
    assert min(o for o in snare if 44 <= o < 48) == 46.0               # a two-beat chorus fill
    assert min(o for o in snare if 28 <= o < 32) == 31.0               # a one-beat fill at bar 8
    assert hits(notes, CRASH) == [48.0]                                # the second chorus's downbeat
    assert 48.0 not in hits(notes, RIDE)
    assert [o for o in hits(notes, RIDE) if o % 1 == 0] == [b for b in range(96) if b != 48]
    assert max(n.offset_ql + n.duration_ql for n in notes) <= 96.0     # nothing after the end


def test_a_pickup_plays_the_end_of_the_bar_and_the_form_counts_from_after_it():
    notes = drum_track([1.0] + [4.0] * 8, ["4/4"] * 9, chorus=(1, 4))
    assert hits(notes, HAT_PEDAL)[:2] == [0.0, 2.0]                    # the pickup is beat 4
    assert hits(notes, CRASH) == [17.0]                                # bar 1 of the second chorus


def test_seeded_comping_is_sparse_soft_and_repeatable():
    lengths, signatures = [4.0] * 32, ["4/4"] * 32
    a = drum_track(lengths, signatures, rng=np.random.default_rng(5))
    assert a == drum_track(lengths, signatures, rng=np.random.default_rng(5))
    assert a != drum_track(lengths, signatures, rng=np.random.default_rng(6))
    comping = [n for n in a if n.pitches == (SNARE,) and int(n.offset_ql // 4) % 4 != 3]
    assert 4 <= len(comping) <= 40 and all(n.velocity <= 55 for n in comping)
    assert all(n.offset_ql % 1 == 0.5 for n in comping)                # on the "and"s


def test_count_off_is_one_bar_of_clicks():
    assert [n.offset_ql for n in count_off("4/4")][::2] == [0.0, 1.0, 2.0, 3.0]
    assert [n.offset_ql for n in count_off("6/8")][::2] == [0.0, 1.5]


# --- read back from a written MIDI file ------------------------------------------------------

@pytest.fixture(scope="module")
def model():
    return load_model_dir(PRETRAINED_MODEL_DIR)


def drum_onsets(path) -> dict[int, list[float]]:
    """Drum key → onsets in beats, from the channel-10 notes of a MIDI file."""
    midi = mido.MidiFile(path)
    found: dict[int, list[float]] = {}
    for track in midi.tracks:
        now = 0
        for message in track:
            now += message.time
            if message.type == "note_on" and message.velocity > 0:
                if message.channel == DRUM_CHANNEL:
                    found.setdefault(message.note, []).append(now / midi.ticks_per_beat)
                else:
                    assert track.name != "Drums"
    return found


def test_the_drum_track_of_a_blues_is_on_channel_ten(model, tmp_path):
    chords = repeat_choruses(parse_progression(get_progression("blues")), 2)
    solo = generate_solo(model.weights, model.indices_values, chords, seed=1)
    path = write_solo_midi(solo, tmp_path / "blues.mid", qpm=QPM, accompaniment="comp", seed=1)
    tracks = {t.name: t for t in mido.MidiFile(path).tracks}
    assert {m.channel for m in tracks["Drums"] if m.type == "note_on"} == {DRUM_CHANNEL}
    drums = drum_onsets(path)
    ride_or_crash = set(drums[RIDE]) | set(drums[CRASH])
    assert all(float(beat) in ride_or_crash for beat in range(24 * 4))   # every beat, swing or not
    assert sorted(b for b in drums[HAT_PEDAL]) == [4 * bar + b for bar in range(24) for b in (1, 3)]
    assert drums[CRASH] == [48.0]
    s = 1.575 / 2.575                                                    # the swung "and", at 160 qpm
    skips = [b % 1 for b in drums[RIDE] if b % 1]
    assert skips and all(abs(f - s) <= 1 / 480 for f in skips)


def test_the_waltz_pattern_in_a_written_file(model, tmp_path):
    chords = parse_progression("Dm7 | G7 | Cmaj7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7", measure_ql=3.0)
    solo = generate_solo(model.weights, model.indices_values, chords, seed=0,
                         time_signatures=["3/4"] * 8)
    path = write_solo_midi(solo, tmp_path / "waltz.mid", qpm=QPM, accompaniment="comp",
                           swing_ratio=1.0)
    drums = drum_onsets(path)
    assert sorted(drums[HAT_PEDAL]) == [3 * bar + b for bar in range(8) for b in (1, 2)]
    ride = [b for b in drums[RIDE] if b < 3 * 3]                         # before the first fill
    assert ride == [3 * bar + b for bar in range(3) for b in (0, 1, 1.5, 2)]


def test_no_drums_and_a_count_off(model, tmp_path):
    chords = parse_progression("Dm7 | G7 | Cmaj7 | Cmaj7")
    solo = generate_solo(model.weights, model.indices_values, chords, seed=0)
    plain = mido.MidiFile(write_solo_midi(solo, tmp_path / "plain.mid", drums=False))
    assert [t.name for t in plain.tracks[1:]] == ["Solo", "Chords"]
    counted = write_solo_midi(solo, tmp_path / "counted.mid", drums=False, count_off=True)
    midi = mido.MidiFile(counted)
    assert [t.name for t in midi.tracks[1:]] == ["Solo", "Chords", "Drums"]
    assert sorted(set(drum_onsets(counted)[42])) == [0.0, 1.0, 2.0, 3.0]
    first_solo_note = next(m for m in midi.tracks[1] if m.type == "note_on")
    first_plain_note = next(m for m in plain.tracks[1] if m.type == "note_on")
    assert first_solo_note.time == first_plain_note.time + 4 * 480       # the band starts a bar later
    assert midi.length == pytest.approx(plain.length + 4 * 60 / 130)
