"""Notes and chords → a Standard MIDI File (solo track + chord track + tempo), written safely."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import mido

from jazzsolo.errors import InputFileError, OutputExistsError

TICKS_PER_BEAT = 480                   # divisible by 4 and 3: 1/16 notes and triplets are exact
SOLO_PROGRAM = 26                      # General MIDI 27, Electric Guitar (jazz), 0-based
CHORD_PROGRAM = 0                      # General MIDI 1, Acoustic Grand Piano
SOLO_VELOCITY = 100
CHORD_VELOCITY = 64


@dataclass(frozen=True)
class TimedNotes:
    """Notes sounding together from `offset_ql` for `duration_ql` quarter lengths."""

    offset_ql: float
    duration_ql: float
    pitches: tuple[int, ...]           # MIDI note numbers, 0-127


def _ticks(ql: float) -> int:
    return int(round(ql * TICKS_PER_BEAT))


def _track(name: str, channel: int, program: int, notes: Sequence[TimedNotes],
           velocity: int) -> mido.MidiTrack:
    """One named track; note-offs sort before note-ons at the same tick so repeats re-sound."""
    messages = []
    for timed in notes:
        start, end = _ticks(timed.offset_ql), _ticks(timed.offset_ql + timed.duration_ql)
        if end <= start:
            continue
        for p in timed.pitches:
            messages.append((start, 1, mido.Message("note_on", note=p, velocity=velocity,
                                                      channel=channel)))
            messages.append((end, 0, mido.Message("note_off", note=p, velocity=0,
                                                    channel=channel)))
    messages.sort(key=lambda m: (m[0], m[1], m[2].note))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0),
                            mido.Message("program_change", program=program, channel=channel)])
    now = 0
    for tick, _, message in messages:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def build_midi(solo: Sequence[TimedNotes], chords: Sequence[TimedNotes], *, qpm: float = 130.0,
               solo_program: int = SOLO_PROGRAM, chord_program: int = CHORD_PROGRAM) -> mido.MidiFile:
    """A type-1 MIDI file: a tempo track, the solo on channel 1, the chords on channel 2."""
    midi_file = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    conductor = mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm), time=0),
        mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0),
        mido.MetaMessage("end_of_track", time=0)])
    midi_file.tracks.append(conductor)
    midi_file.tracks.append(_track("Solo", 0, solo_program, solo, SOLO_VELOCITY))
    midi_file.tracks.append(_track("Chords", 1, chord_program, chords, CHORD_VELOCITY))
    return midi_file


def write_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write bytes through a temporary file in the same folder, then rename it into place.

    A crash leaves either the old file or the new one, never half a file; an existing file is
    kept unless `overwrite` is set.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a file name to write")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path}: exists already; pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def midi_bytes(midi_file: mido.MidiFile) -> bytes:
    """The bytes of a MIDI file as it would be saved."""
    import io

    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    return buffer.getvalue()


def write_midi(path: str | os.PathLike, midi_file: mido.MidiFile, *, overwrite: bool = False) -> Path:
    """Save a MIDI file atomically, refusing to replace an existing one unless asked."""
    return write_atomic(path, midi_bytes(midi_file), overwrite=overwrite)
