"""MIDI file → note messages, metre, tempo and track names: the one Standard MIDI File reader
(`read_midi`), and from it the solo window's melody notes and block chords, read without
music21's importer.

Every stage that reads a MIDI file's notes, metre or tempo (preprocessing, chords from an
accompaniment, the metrics of a solo, `evaluate --against`) reads it through `read_midi`; only
the course's own score import (`preprocess.parse_midi_file`, music21) parses the file again.

music21's MIDI import builds a whole score (measures, voices, ties, rests) for ~30,000 events;
preprocessing needs two parts of one window.  This module reads the file's note events with
mido (0.13 s for the tune, against ~1.5 s warm and ~9-14 s cold for music21's importer) and
reproduces, step by step, what `preprocess` gets through music21 for the window
(``quantizePost=False``, then `stripTies` and quantisation on the window, see PORTING-NOTES):

1. parts are the tracks holding at least one note-on, in file order;
2. each note-on is paired with the next note-off of the same pitch and channel (music21's
   `getNotesFromEvents`);
3. notes starting less than 1/16 quarter apart whose ends are also within 1/16 quarter merge
   into a chord, which starts with its first note and lasts as long as its last one
   (music21's `midiTrackToStream`, quirk included);
4. the window keeps what starts within ``[solo_start - margin, solo_end + margin]``; a note
   crossing the window's edges is cut at the barlines there (the pieces music21's measures and
   `stripTies` leave);
5. offsets, then durations, are snapped to the nearest multiple of 1/d for d in the divisors
   (music21's `Stream.quantize`, in two passes).

Only the last step builds music21 objects (notes and chords, for the grammar's theory).
Barlines are taken from the file's first time signature (4/4 when it has none).

The course preset gives music21's values exactly (tests/test_fast.py).  Where a part has
overlapping notes that music21 puts into voices, music21 10's measures, ties and `stripTies`
can shift or split notes (seen in 21 of 266 part/window pairs of the Metheny tune, none of
them the course's); this reader keeps the notes as the file has them.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import mido

from jazzsolo.config import TunePreset
from jazzsolo.errors import InputFileError, MidiContentError

PERCUSSION_CHANNEL = 9                 # 0-based: General MIDI channel 10, read as unpitched
CHORD_WINDOW_DIVISOR = 16              # notes < 1/16 quarter apart merge (quantizePost=False)


MAX_MIDI_BYTES = 4_000_000             # a long jazz tune is ~100 KB; 4 MB is far beyond any


def check_midi_file(path: Path) -> Path:
    """Refuse a path that is missing, a directory, too large, or not a Standard MIDI File."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a MIDI file")
    size = path.stat().st_size
    if size > MAX_MIDI_BYTES:
        raise InputFileError(f"{path}: {size / 1e6:.1f} MB is larger than the "
                             f"{MAX_MIDI_BYTES / 1e6:.0f} MB limit for one tune")
    try:
        with open(path, "rb") as f:
            header = f.read(4)
    except OSError as e:
        raise InputFileError(f"{path}: cannot be read ({e.strerror})") from e
    if header != b"MThd":
        raise InputFileError(f"{path}: not a MIDI file (no 'MThd' header)")
    return path


@dataclass(frozen=True)
class NoteMessage:
    """A note-on or note-off in one track: absolute tick, MIDI pitch, 0-based channel."""

    tick: int
    is_on: bool                        # note-on with velocity > 0
    pitch: int
    channel: int


@dataclass(frozen=True)
class MidiNotes:
    """What the reader keeps of a MIDI file: the note events of each part and the meter."""

    ticks_per_quarter: int
    parts: list[list[NoteMessage]]     # tracks with at least one note-on, in file order
    time_signatures: list[tuple[int, int, int]]   # (tick, numerator, denominator)
    tempos: list[tuple[int, float]] = field(default_factory=list)   # (tick, quarter notes/min)
    track_names: list[str] = field(default_factory=list)   # each part's track name ("" if none)
    end_ticks: list[int] = field(default_factory=list)     # each part's last tick (end of track)

    @property
    def measure_ticks(self) -> int:
        """Ticks per measure under the first time signature (4/4 when there is none)."""
        numerator, denominator = (self.time_signatures[0][1:] if self.time_signatures
                                  else (4, 4))
        return self.ticks_per_quarter * 4 * numerator // denominator


@dataclass(frozen=True)
class ImportedNote:
    """A note or chord as music21's importer makes it: start and end in ticks, its pitches."""

    start_tick: int
    end_tick: int
    pitches: tuple[int, ...]           # one pitch for a note, several for a chord
    percussion: bool = False           # channel 10: music21 makes Unpitched / PercussionChord


def _track_events(track: mido.MidiTrack, time_signatures: list, tempos: list
                  ) -> tuple[list[NoteMessage], int]:
    """One track's note messages at absolute ticks and its last tick; its time signatures and
    tempos go to `time_signatures` and `tempos`."""
    events: list[NoteMessage] = []
    tick = 0
    for message in track:
        tick += message.time
        if message.type == "note_on":
            events.append(NoteMessage(tick, message.velocity > 0, message.note, message.channel))
        elif message.type == "note_off":
            events.append(NoteMessage(tick, False, message.note, message.channel))
        elif message.type == "time_signature":
            time_signatures.append((tick, message.numerator, message.denominator))
        elif message.type == "set_tempo":
            tempos.append((tick, mido.tempo2bpm(message.tempo)))
    return events, tick


def read_midi(path: str | os.PathLike) -> MidiNotes:
    """Read a Standard MIDI File: the note messages of each part, its track names and ends,
    and the file's time signatures and tempos; a bad file is one `InputFileError`."""
    path = check_midi_file(Path(path))
    try:
        midi_file = mido.MidiFile(path, clip=True)
    except OSError as e:
        if e.strerror:
            raise InputFileError(f"{path}: cannot be read ({e.strerror})") from e
        raise InputFileError(f"{path}: not a readable MIDI file ({e})") from e
    except Exception as e:  # mido raises EOFError, ValueError, KeyError… on corrupt data
        raise InputFileError(f"{path}: not a readable MIDI file ({type(e).__name__}: {e})") from e
    if midi_file.type == 2 or not midi_file.ticks_per_beat or midi_file.ticks_per_beat < 0:
        raise InputFileError(f"{path}: not a readable MIDI file (unsupported time division)")
    midi = MidiNotes(midi_file.ticks_per_beat, [], [])
    for track in midi_file.tracks:
        events, end_tick = _track_events(track, midi.time_signatures, midi.tempos)
        if any(e.is_on for e in events):
            midi.parts.append(events)
            midi.track_names.append(track.name)
            midi.end_ticks.append(end_tick)
    midi.time_signatures.sort(key=lambda ts: ts[0])
    midi.tempos.sort(key=lambda t: t[0])
    return midi


def pair_notes(events: list[NoteMessage]) -> list[tuple[int, int, NoteMessage]]:
    """``(on_tick, off_tick, note_on)`` per note-on, in note-on order, as music21 pairs them.

    Read backwards, a note-on takes the time of the closest later note-off of its pitch and
    channel (several note-ons may share one); a note-on never switched off is dropped.
    """
    awaiting: dict[tuple[int, int], int] = {}
    notes = []
    for event in reversed(events):
        key = (event.pitch, event.channel)
        if not event.is_on:
            awaiting[key] = event.tick
        elif key in awaiting:
            notes.append((event.tick, awaiting[key], event))
    notes.reverse()
    return notes


def merge_chords(notes: list[tuple[int, int, NoteMessage]], ticks_per_quarter: int) -> list[ImportedNote]:
    """Group notes that start (and end) within 1/16 quarter of each other into chords.

    As music21 does: a later note that starts in the window but ends elsewhere stays a note of
    its own, and a chord lasts from its first note's start for its *last* note's duration.
    """
    tolerance = ticks_per_quarter / CHORD_WINDOW_DIVISOR
    gathered = [False] * len(notes)
    merged = []
    for i, (start, end, first) in enumerate(notes):
        if gathered[i]:
            continue
        members = [notes[i]]
        for j in range(i + 1, len(notes)):
            other_start, other_end, _ = notes[j]
            if abs(other_start - start) >= tolerance:
                break
            if abs(other_end - end) > tolerance:
                continue
            members.append(notes[j])
            gathered[j] = True
        last_start, last_end, _ = members[-1]
        merged.append(ImportedNote(start, start + (last_end - last_start),
                                   tuple(event.pitch for _, _, event in members),
                                   any(event.channel == PERCUSSION_CHANNEL
                                       for _, _, event in members)))
    return merged


def _nearest_multiple(n: float, unit: float) -> tuple[float, float]:
    """music21's `common.nearestMultiple`: the closest multiple of `unit` and its error."""
    low = unit * math.floor(n / unit)
    if low <= n <= low + unit / 2.0:
        return low, round(n - low, 7)
    high = low + unit
    return high, round(high - n, 7)


def quantize_ql(value_ql: float, divisors: tuple[int, ...], *, zero_allowed: bool = True) -> float:
    """Snap a quarter length to the nearest 1/d grid over `divisors`; ties go to the finer grid.

    >>> quantize_ql(0.3, (4, 3)), quantize_ql(0.1, (4, 3), zero_allowed=False)
    (0.3333333333333333, 0.25)
    """
    best = None
    for divisor in divisors:
        unit = 1 / divisor
        match, error = _nearest_multiple(value_ql, unit)
        if not zero_allowed and match == 0.0:
            match, error = unit, abs(round(value_ql - unit, 7))
        candidate = (error, unit, match)
        best = candidate if best is None or candidate < best else best
    return best[2]


def _clip_to_window(note: ImportedNote, low_tick: int, high_tick: int,
                    measure_ticks: int) -> tuple[int, int] | None:
    """The start and end of what is left of a note after measures, the window and stripTies.

    A note is split at barlines; the pieces starting within ``[low, high]`` are joined again.
    """
    start, end = note.start_tick, note.end_tick
    if start > high_tick:
        return None
    if start < low_tick:
        start = -(-low_tick // measure_ticks) * measure_ticks       # first barline ≥ low
        if start >= end:
            return None
    last_bar = (high_tick // measure_ticks + 1) * measure_ticks     # first barline > high
    return start, min(end, last_bar)


@dataclass(frozen=True)
class WindowNote:
    """A note or chord of the solo window after quantisation, in quarter lengths from the start."""

    offset_ql: float
    duration_ql: float
    pitches: tuple[int, ...]
    percussion: bool = False
    grace: bool = False                # zero length before quantisation (music21 grace note)


def window_notes(notes: list[ImportedNote], preset: TunePreset, *, ticks_per_quarter: int,
                 measure_ticks: int, margin_ql: float) -> list[WindowNote]:
    """The part's notes around the solo window, offsets then durations quantised, sorted."""
    low = (preset.solo_start_ql - margin_ql) * ticks_per_quarter
    high = (preset.solo_end_ql + margin_ql) * ticks_per_quarter
    kept = []
    for index, note in enumerate(notes):
        span = _clip_to_window(note, low, high, measure_ticks)
        if span is None:
            continue
        start, end = span
        grace = end == start
        offset = quantize_ql(start / ticks_per_quarter, preset.quantize_divisors)
        duration = quantize_ql((end - start) / ticks_per_quarter, preset.quantize_divisors,
                               zero_allowed=grace)
        sort_key = (offset, not grace, start, index)          # music21's order after quantize
        kept.append((sort_key, WindowNote(offset, duration, note.pitches, note.percussion, grace)))
    kept.sort(key=lambda item: item[0])
    return [window_note for _, window_note in kept]


def _to_music21(window_note: WindowNote):
    """A music21 Note (one pitch) or Chord, spelled as music21's importer spells MIDI pitches."""
    from music21 import chord, note, pitch

    if len(window_note.pitches) == 1:
        element = note.Note()
        element.pitch.midi = window_note.pitches[0]
    else:
        pitches = []
        for midi in window_note.pitches:
            p = pitch.Pitch()
            p.midi = midi
            pitches.append(p)
        element = chord.Chord(pitches)
    if window_note.grace:
        element.getGrace(inPlace=True)
    element.duration.quarterLength = window_note.duration_ql
    element.offset = window_note.offset_ql
    return element


def read_solo_window(path: str | os.PathLike, preset: TunePreset):
    """Melody notes and block chords of the preset's solo window, as music21 objects.

    Returns ``(melody_notes, block_chords)`` with offsets from the start of the piece, as
    `preprocess.extract_measures` finds them through music21's importer: melody chords and
    percussion are dropped from the melody, single notes from the chords.
    """
    midi = read_midi(path)
    parts = midi.parts
    for index, role in ((preset.melody_part, "melody"), (preset.chord_part, "chord")):
        if index >= len(parts):
            raise MidiContentError(
                f"preset {preset.name!r} wants {role} part {index}, the file has {len(parts)} parts")
    margin = float(preset.beats_per_measure)

    def window(part_index: int) -> list[WindowNote]:
        merged = merge_chords(pair_notes(parts[part_index]), midi.ticks_per_quarter)
        return window_notes(merged, preset, ticks_per_quarter=midi.ticks_per_quarter,
                            measure_ticks=midi.measure_ticks, margin_ql=margin)

    melody = [_to_music21(n) for n in window(preset.melody_part)
              if len(n.pitches) == 1 and not n.percussion]
    chords = [_to_music21(n) for n in window(preset.chord_part)
              if len(n.pitches) > 1 and not n.percussion]
    return melody, chords
