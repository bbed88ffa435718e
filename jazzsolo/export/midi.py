"""Notes and chords → a Standard MIDI File (solo, chord, bass and drum tracks, tempo and metre),
written safely.  Rendering a MIDI file to WAV and MP3 is `jazzsolo.export.audio`."""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Sequence

import mido

from jazzsolo.config import DEFAULT_QPM
from jazzsolo.errors import ConfigError
from jazzsolo.files import write_atomic
from jazzsolo.music.metre import parse_time_signature
from jazzsolo.music.notes import TimedNotes

TICKS_PER_BEAT = 480                   # divisible by 4 and 3: 1/16 notes and triplets are exact
SOLO_PROGRAM = 26                      # General MIDI 27, Electric Guitar (jazz), 0-based
CHORD_PROGRAM = 0                      # General MIDI 1, Acoustic Grand Piano
SOLO_VELOCITY = 100
CHORD_VELOCITY = 64
BASS_PROGRAM = 32                      # General MIDI 33, Acoustic Bass
BASS_VELOCITY = 80
DRUM_CHANNEL = 9                       # General MIDI channel 10, 0-based: the drum kit
DRUM_VELOCITY = 70
PAN_CC, REVERB_CC = 10, 91             # controllers: pan (0 left, 64 centre, 127 right), reverb
# Where each part sits in a jazz recording's stereo picture: (pan, reverb send), each 0-127:
# bass in the middle, drums just right of centre, piano left, the soloist right.
BAND_MIX = {"Solo": (90, 40), "Chords": (40, 36), "Bass": (64, 24), "Drums": (74, 34)}


MIDI_CLOCKS_PER_QUARTER = 24           # MIDI's timing clock, fixed by the standard


def _ticks(ql: float) -> int:
    return int(round(ql * TICKS_PER_BEAT))


def _time_signature_message(text: str, tick: int) -> mido.MetaMessage:
    """A time_signature meta event; the metronome clicks once per beat (a dotted one in 6/8)."""
    numerator, denominator = parse_time_signature(text)
    compound = denominator >= 8 and numerator > 3 and numerator % 3 == 0
    clocks = MIDI_CLOCKS_PER_QUARTER * 4 // denominator * (3 if compound else 1)
    return mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator,
                            clocks_per_click=clocks, time=tick)


def _track(name: str, channel: int, program: int, notes: Sequence[TimedNotes],
           velocity: int, mix: tuple[int, int] | None = None,
           end_tick: int | None = None) -> mido.MidiTrack:
    """One named track; note-offs sort before note-ons at the same tick so repeats re-sound.

    A note's own velocity wins over the track's; `mix` (pan, reverb send), each 0-127, adds
    controllers 10 and 91 after the program change; the track ends at `end_tick` at the
    earliest.
    """
    messages = []
    for timed in notes:
        start, end = _ticks(timed.offset_ql), _ticks(timed.offset_ql + timed.duration_ql)
        if end <= start:
            continue
        on_velocity = velocity if timed.velocity is None else min(127, max(1, int(timed.velocity)))
        for p in timed.pitches:
            messages.append((start, 1, mido.Message("note_on", note=p, velocity=on_velocity,
                                                      channel=channel)))
            messages.append((end, 0, mido.Message("note_off", note=p, velocity=0,
                                                    channel=channel)))
    messages.sort(key=lambda m: (m[0], m[1], m[2].note))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0),
                            mido.Message("program_change", program=program, channel=channel)])
    if mix is not None:
        track.append(mido.Message("control_change", control=PAN_CC, value=mix[0], channel=channel))
        track.append(mido.Message("control_change", control=REVERB_CC, value=mix[1],
                                  channel=channel))
    now = 0
    for tick, _, message in messages:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, (end_tick or 0) - now)))
    return track


def _conductor(qpm: float, time_signatures: Sequence[tuple[float, str]],
               end_tick: int | None = None) -> mido.MidiTrack:
    """The tempo track: the tempo, then each time signature at its offset (quarter lengths)."""
    changes = sorted(time_signatures, key=lambda change: change[0])
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0.0, "4/4"))               # a MIDI file without one is read as 4/4
    if changes[0][0] < 0:
        raise ConfigError(f"a time signature starts before the piece, at {changes[0][0]:g} QL")
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm), time=0)])
    now = 0
    for offset_ql, text in changes:
        tick = _ticks(offset_ql)
        track.append(_time_signature_message(text, tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, (end_tick or 0) - now)))
    return track


def build_midi(solo: Sequence[TimedNotes], chords: Sequence[TimedNotes], *,
               qpm: float = DEFAULT_QPM, solo_program: int = SOLO_PROGRAM,
               chord_program: int = CHORD_PROGRAM,
               bass: Sequence[TimedNotes] = (), bass_program: int = BASS_PROGRAM,
               drums: Sequence[TimedNotes] = (),
               time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),),
               mix: dict[str, tuple[int, int]] | None = None,
               end_ql: float | None = None) -> mido.MidiFile:
    """A type-1 MIDI file: a tempo track, the solo on channel 1, the chords on channel 2, a bass
    line on channel 3 and drums on channel 10 (General MIDI percussion) when they are given.

    `time_signatures` lists (offset in quarter lengths, e.g. "3/4") at the start and at every
    change of metre; each becomes a time_signature event in the tempo track.  Notes carry their
    own velocity or play at the part's default.  `mix` maps track names ("Solo", "Chords",
    "Bass", "Drums") to (pan, reverb send) controller values, e.g. `BAND_MIX`.  `end_ql`, the
    piece's end, makes every track last at least that long (the file's length is whole bars
    even when the last notes are played short).
    """
    mix = mix or {}
    end = None if end_ql is None else _ticks(end_ql)
    midi_file = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    midi_file.tracks.append(_conductor(qpm, time_signatures, end))
    midi_file.tracks.append(_track("Solo", 0, solo_program, solo, SOLO_VELOCITY, mix.get("Solo"),
                                   end))
    midi_file.tracks.append(_track("Chords", 1, chord_program, chords, CHORD_VELOCITY,
                                   mix.get("Chords"), end))
    if bass:
        midi_file.tracks.append(_track("Bass", 2, bass_program, bass, BASS_VELOCITY,
                                       mix.get("Bass"), end))
    if drums:
        midi_file.tracks.append(_track("Drums", DRUM_CHANNEL, 0, drums, DRUM_VELOCITY,
                                       mix.get("Drums"), end))
    return midi_file


def midi_bytes(midi_file: mido.MidiFile) -> bytes:
    """The bytes of a MIDI file as it would be saved."""
    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    return buffer.getvalue()


def write_midi(path: str | os.PathLike, midi_file: mido.MidiFile, *, overwrite: bool = False) -> Path:
    """Save a MIDI file atomically, refusing to replace an existing one unless asked."""
    return write_atomic(path, midi_bytes(midi_file), overwrite=overwrite)
