"""The performance: swing measured from real solos, phrase dynamics and articulation, applied
only to the performance MIDI — the solo itself and its MusicXML keep the straight grid."""
from __future__ import annotations

import mido
import numpy as np
import pytest
from music21 import converter, note

from jazzsolo.errors import ConfigError
from jazzsolo.music.notes import Note
from jazzsolo.music.notes import TimedNotes
from jazzsolo.export.midi import TICKS_PER_BEAT
from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir
from jazzsolo.export.solo_midi import write_solo_midi
from jazzsolo.generate.measures import Solo, generate_solo
from jazzsolo.export.musicxml import write_solo_musicxml
from jazzsolo.generate.performance import (SWING_TABLE, Band, articulation, perform, phrases,
                                           solo_velocities, swing, swing_ratio_for)
from jazzsolo.music.progression import get_progression, parse_progression, repeat_choruses

QPM = 160.0                            # a medium tempo: the measured ratio is 1.575
RATIO = 1.575


def line(*events: tuple[int, float, float]) -> list[TimedNotes]:
    """(pitch, onset, length) in quarter lengths as single notes."""
    return [TimedNotes(start, length, (pitch,)) for pitch, start, length in events]


def eighths(pitches, start=0.0) -> list[TimedNotes]:
    return line(*((p, start + 0.5 * i, 0.5) for i, p in enumerate(pitches)))


def eighth_solo(n_bars: int = 4) -> Solo:
    """A solo of eighth-note runs with a rest at every bar's end, over ii-V-I-VI."""
    chords = parse_progression("Dm7 | G7 | Cmaj7 | A7" * 1)[:n_bars]
    notes = [[Note(0.5 * i, 0.5, 60 + (i * 3 + bar) % 14, "C") for i in range(6)]
             + [Note(3.0, 0.5, 72 + bar, "C")] for bar in range(n_bars)]
    return Solo(4.0, [[] for _ in notes], notes, chords, [4.0] * n_bars, ["4/4"] * n_bars)


def solo_notes(path) -> list[tuple[float, float, int, int]]:
    """(onset, length in beats, pitch, velocity) of the "Solo" track of a MIDI file."""
    midi = mido.MidiFile(path)
    track = next(t for t in midi.tracks if t.name == "Solo")
    now, sounding, notes = 0, {}, []
    for message in track:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            sounding[message.note] = (now, message.velocity)
        elif message.type in ("note_on", "note_off") and message.note in sounding:
            start, velocity = sounding.pop(message.note)
            notes.append((start / midi.ticks_per_beat, (now - start) / midi.ticks_per_beat,
                          message.note, velocity))
    return sorted(notes)


# --- swing ---------------------------------------------------------------------------------

def test_the_table_is_the_measured_medians_and_is_interpolated():
    assert SWING_TABLE[2] == (140.0, 1.59)
    assert swing_ratio_for(QPM) == RATIO
    assert swing_ratio_for(30) == 1.32 and swing_ratio_for(500) == 1.04     # held at the ends
    ratios = [swing_ratio_for(q) for q in range(60, 341, 10)]
    assert max(ratios) <= 1.6 and ratios[-1] < ratios[8]                      # straighter when fast


def test_off_beat_eighths_move_to_the_ratio_and_beats_stay():
    played = swing(eighths([60, 62, 64, 65, 67, 69, 71, 72]), 2.0)
    assert [n.offset_ql for n in played] == pytest.approx([0, 2 / 3, 1, 5 / 3, 2, 8 / 3, 3, 11 / 3])
    assert all(a.offset_ql + a.duration_ql == pytest.approx(b.offset_ql)       # still legato
               for a, b in zip(played, played[1:]))
    assert swing(eighths([60, 62]), 1.0) == eighths([60, 62])


def test_sixteenths_triplets_and_six_eight_are_not_swung():
    sixteenths = line((60, 0.0, 0.25), (62, 0.25, 0.25), (64, 0.5, 0.25), (65, 0.75, 0.25))
    assert swing(sixteenths, 2.0) == sixteenths
    triplets = line((60, 0.0, 1 / 3), (62, 1 / 3, 1 / 3), (64, 2 / 3, 1 / 3))
    assert [n.offset_ql for n in swing(triplets, 2.0)] == [n.offset_ql for n in triplets]
    in_six_eight = eighths([60, 62, 64, 65, 67, 69])
    assert swing(in_six_eight, 2.0, time_signatures=[(0.0, "6/8")]) == in_six_eight
    after_a_pickup = swing(eighths([60, 62], start=0.5), 2.0,
                           time_signatures=[(0.0, "3/8"), (1.5, "4/4")])
    assert [n.offset_ql for n in after_a_pickup] == [0.5, 1.0]               # 3/8 bar: eighths even


def test_bad_ratios_are_refused():
    for bad in (0.2, 5, "fast", float("nan")):
        with pytest.raises(ConfigError, match="swing ratio"):
            swing(eighths([60]), bad)
    with pytest.raises(ConfigError, match="seed"):
        Band(seed=-1)


def test_written_midi_swings_at_the_ratio_and_the_musicxml_stays_straight(tmp_path):
    solo = eighth_solo()
    swung = solo_notes(write_solo_midi(solo, tmp_path / "swing.mid", qpm=QPM))
    s = RATIO / (1 + RATIO)
    off_beats = [onset for onset, *_ in swung if onset % 1]
    assert len(off_beats) == 4 * 3
    assert all(abs(onset % 1 - s) <= 1 / TICKS_PER_BEAT for onset in off_beats)
    assert all(onset % 1 in (0.0, pytest.approx(s, abs=1 / TICKS_PER_BEAT)) for onset, *_ in swung)

    straight = solo_notes(write_solo_midi(solo, tmp_path / "straight.mid", qpm=QPM, swing_ratio=1.0))
    assert [onset for onset, *_ in straight] == [t.offset_ql for t in solo.timed_notes()]

    xml = converter.parse(write_solo_musicxml(solo, tmp_path / "solo.musicxml", qpm=QPM))
    written = [float(n.offset) for n in xml.parts[0].flatten().getElementsByClass(note.Note)]
    assert written == [t.offset_ql for t in solo.timed_notes()]
    assert solo.notes == eighth_solo().notes                                 # the solo is untouched


def test_the_rhythm_section_swings_with_the_solo(tmp_path):
    chords = repeat_choruses(parse_progression(get_progression("blues")), 2)
    solo = generate_solo(load_model_dir(PRETRAINED_MODEL_DIR).weights,
                         load_model_dir(PRETRAINED_MODEL_DIR).indices_values, chords, seed=2)
    midi = mido.MidiFile(write_solo_midi(solo, tmp_path / "band.mid", qpm=QPM, accompaniment="comp",
                                         seed=2))
    s = RATIO / (1 + RATIO)
    for track in midi.tracks[2:]:                                            # chords, bass, drums
        now, fractions = 0, set()
        for message in track:
            now += message.time
            if message.type == "note_on" and message.velocity > 0:
                fractions.add(round((now / TICKS_PER_BEAT) % 1, 3))
        assert fractions <= {0.0, round(s, 3), round(s, 3) + 0.001, 0.333, 0.667}, track.name


# --- dynamics and articulation ------------------------------------------------------------

def test_phrases_split_at_rests():
    notes = eighths([60, 62, 64]) + eighths([65, 67], start=2.0) + eighths([69], start=2.75)
    assert phrases(notes) == [[0, 1, 2], [3, 4, 5]]


class Steady:
    """A stand-in generator without human variation: the rules alone."""

    def normal(self, loc=0.0, scale=1.0):
        return loc


def test_the_peak_and_syncopations_are_accented_ghosts_are_soft():
    run = line((60, 0.0, 0.5), (64, 0.5, 0.5), (67, 1.0, 0.5), (72, 1.5, 0.5),   # up to the peak
               (70, 2.0, 0.25), (69, 2.25, 0.25), (67, 2.5, 0.25), (65, 2.75, 0.25),
               (64, 3.0, 0.25), (62, 3.25, 0.25), (60, 3.5, 1.5))                 # tied across 4
    velocities = solo_velocities(run, Steady())
    assert velocities[3] == max(velocities)                                   # the top of the line
    assert velocities[0] < velocities[1] < velocities[2] < velocities[3]      # crescendo to it
    assert velocities[4] > velocities[8]                                      # and a taper after
    assert velocities[5] <= velocities[4] - 10 and velocities[7] <= velocities[6] - 10   # ghosted 16ths
    untied = run[:-1] + line((60, 3.5, 0.25))                 # the same last note, not held over
    assert velocities[10] == solo_velocities(untied, Steady())[10] + 10 - 3    # accent, not lilt
    varied = solo_velocities(run, np.random.default_rng(0))
    assert varied == solo_velocities(run, np.random.default_rng(0)) != velocities
    assert max(varied) - min(varied) >= 15


def test_articulation_as_the_players_tongue_and_staccato_before_rests():
    notes = eighths([60, 62, 64]) + line((65, 2.0, 1.0), (67, 3.0, 0.5), (69, 5.0, 1.0))
    fractions = articulation(notes)
    assert fractions[:2] == [0.84, 0.84]               # eighth runs: the WJazzD players' 84 %
    assert fractions[2] == 0.5                                                # eighth before a rest
    assert fractions[3] == 0.64                        # a quarter followed at once: their 64 %
    assert fractions[4] == 0.5 and fractions[5] == 0.95                       # staccato; the last rings


def test_solo_velocities_vary_and_the_same_seed_writes_the_same_bytes(tmp_path):
    solo = eighth_solo()
    a = write_solo_midi(solo, tmp_path / "a.mid", qpm=QPM, seed=7)
    b = write_solo_midi(solo, tmp_path / "b.mid", qpm=QPM, seed=7)
    c = write_solo_midi(solo, tmp_path / "c.mid", qpm=QPM, seed=8)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    velocities = [v for *_, v in solo_notes(a)]
    assert max(velocities) - min(velocities) >= 15
    flat = [v for *_, v in solo_notes(write_solo_midi(solo, tmp_path / "flat.mid", dynamics=False))]
    assert set(flat) == {100}


def test_perform_keeps_the_notes_in_their_slots():
    chords = parse_progression(get_progression("rhythm-changes"))
    solo = generate_solo(load_model_dir(PRETRAINED_MODEL_DIR).weights,
                         load_model_dir(PRETRAINED_MODEL_DIR).indices_values, chords, seed=5)
    straight = solo.timed_notes()
    played = perform(straight, qpm=200, rng=np.random.default_rng(0))
    assert [n.pitches for n in played] == [n.pitches for n in straight]
    for a, b in zip(played, played[1:]):
        assert a.offset_ql + a.duration_ql <= b.offset_ql + 1e-9                # no overlaps
        assert a.duration_ql > 0
    for n, written in zip(played, straight):
        assert abs(n.offset_ql - written.offset_ql) < 0.5                       # within its beat
        assert int(n.offset_ql // 4) == int(written.offset_ql // 4)            # within its bar


def test_a_solo_is_sounded_with_the_touch_it_is_given(tmp_path):
    notes = eighths([60, 62, 64, 65, 67, 69, 71, 72])
    legato, short = (perform(notes, qpm=QPM, swing_ratio=1.0, rng=np.random.default_rng(3),
                             touch=t) for t in (1.15, 0.85))
    runs = slice(0, len(notes) - 1)                          # the notes followed at once
    assert all(a.duration_ql >= b.duration_ql for a, b in zip(legato[runs], short[runs]))
    assert sum(n.duration_ql for n in legato[runs]) > 1.15 * sum(n.duration_ql for n in short[runs])
    assert [n.offset_ql for n in legato] == [n.offset_ql for n in short]   # same onsets
    solo = eighth_solo()
    solo.touch = 1.15
    held = solo_notes(write_solo_midi(solo, tmp_path / "held.mid", qpm=QPM, seed=7))
    solo.touch = 0.85
    clipped = solo_notes(write_solo_midi(solo, tmp_path / "clipped.mid", qpm=QPM, seed=7))
    assert sum(n[1] for n in held) > 1.2 * sum(n[1] for n in clipped)    # the MIDI sounds it
