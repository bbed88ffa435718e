"""The value language: notes over chords → grammar values (parse), and values → notes (unparse).

A value describes one melody note relative to the chord sounding under it, after Keller &
Morrison's jazz grammars as the course uses them::

    C,0.250,<M-2,m-6>
    │ │     └ interval window to the next pitch: (interval from the previous note) ± a minor third
    │ └ duration in quarter lengths, three decimals
    └ note class: C chord tone, S scale tone, A approach tone, X other, R rest

The first note of a measure carries no window (``C,0.500``).

Chords made from a chord symbol (`SymbolChord`, via `chord_from_symbol`) are classified from
their root and pitch classes, so a progression moved to another key keeps every class; chords
read from MIDI (`chord_from_midi`) keep the course's comparison of note names.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from music21 import chord, interval, note, pitch, scale, stream

from jazzsolo.music.chord_symbols import ChordSymbol
from jazzsolo.music.chords import SymbolChord
from jazzsolo.music.notes import Note
from jazzsolo.errors import GrammarError

NOTE_CLASSES = ("C", "S", "A", "X", "R")      # chord, scale, approach, other, rest
_VALUE_RE = re.compile(r"^([CSAXR]),(\d+(?:\.\d+)?)(?:,<([^<>,]+),([^<>,]+)>)?$")
_EPS_QL = 1e-6                                  # offset comparisons in quarter lengths


@dataclass(frozen=True)
class Value:
    """One grammar value: note class, duration (quarter lengths), optional interval window."""

    note_class: str
    duration_ql: float
    window: tuple[str, str] | None = None      # (upper, lower) music21 directed interval names

    def __str__(self) -> str:
        return format_value(self)


def parse_value(text: str) -> Value:
    """Read one value such as ``"S,0.250,<m3,d-2>"``; malformed text raises GrammarError.

    >>> parse_value("S,0.250,<m3,d-2>")
    Value(note_class='S', duration_ql=0.25, window=('m3', 'd-2'))
    """
    match = _VALUE_RE.match(text.strip())
    if match is None:
        raise GrammarError(f"malformed grammar value {text!r}; expected e.g. 'C,0.250,<M2,m-2>'")
    note_class, duration, upper, lower = match.groups()
    window = None
    if upper is not None:
        for name in (upper, lower):
            _interval_semitones(name)           # validates the interval name
        window = (upper, lower)
    return Value(note_class, float(duration), window)


def format_value(value: Value) -> str:
    """Write a value in the course's text form; the inverse of `parse_value`.

    >>> format_value(Value("C", 0.5))
    'C,0.500'
    """
    text = f"{value.note_class},{value.duration_ql:.3f}"
    if value.window is not None:
        text += f",<{value.window[0]},{value.window[1]}>"
    return text


@functools.lru_cache(maxsize=None)
def _interval_semitones(name: str) -> int:
    """Semitones of a music21 directed interval name such as ``"M-2"`` (-2)."""
    try:
        return int(interval.Interval(name).semitones)
    except Exception as e:  # music21 raises several types for bad names
        raise GrammarError(f"malformed interval {name!r} in a grammar value") from e


@functools.lru_cache(maxsize=None)
def _pitch_name(midi: int) -> str:
    """music21's default spelling of a MIDI pitch class (e.g. 63 → 'E-'), as its importer uses."""
    return pitch.Pitch(midi=midi).name


@dataclass(frozen=True)
class _ChordTones:
    """The note names that count as chord, scale and approach tones over one chord."""

    chord_names: frozenset[str]
    scale_names: frozenset[str]
    approach_names: frozenset[str]


@functools.lru_cache(maxsize=None)
def _chord_tones(chord_names: tuple[str, ...], quality: str) -> _ChordTones:
    """Classify note names over a chord, as the course does (cached: music21's derive is slow).

    Scale tones come from the major scale that best fits a major chord, otherwise the dorian
    scale; approach tones lie a semitone above or below a chord tone.
    """
    chord_obj = chord.Chord(list(chord_names))
    scale_type = scale.MajorScale() if quality == "major" else scale.DorianScale()
    derived = scale_type.derive(chord_obj)
    scale_names = frozenset(p.name for p in derived.getPitches())
    approach = set()
    for p in chord_obj.pitches:
        for step in (1, -1):
            moved = p.transpose(step)
            approach.add(moved.name)
            approach.add(moved.getEnharmonic().name)
    return _ChordTones(frozenset(chord_names), scale_names, frozenset(approach))


def _tones_of(chord_obj: chord.Chord) -> _ChordTones:
    names = tuple(p.name for p in chord_obj.pitches)
    return _chord_tones(names, chord_obj.quality)


def classify_note(note_name: str, chord_obj: chord.Chord) -> str:
    """Return the class of a note name over a chord: 'C', 'S', 'A' or 'X'.

    A chord made from a symbol is read by pitch class from its root; any other chord by the
    course's note names.

    >>> classify_note("E", chord.Chord(["C4", "E4", "G4"]))
    'C'
    >>> classify_note("D", chord.Chord(["C4", "E4", "G4"]))
    'S'
    """
    if isinstance(chord_obj, SymbolChord):
        return _class_of_pc(_name_pc(note_name), chord_obj.solo_symbol)
    tones = _tones_of(chord_obj)
    if note_name in tones.chord_names:
        return "C"
    if note_name in tones.scale_names:
        return "S"
    if note_name in tones.approach_names:
        return "A"
    return "X"


@functools.lru_cache(maxsize=None)
def _name_pc(note_name: str) -> int:
    """Pitch class of a music21 note name ('B-' → 10)."""
    return pitch.Pitch(note_name).pitchClass


@functools.lru_cache(maxsize=None)
def _relative_tones(intervals: tuple[int, ...], degrees: tuple[int, ...],
                    bass_interval: int) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """Chord, scale and approach pitch classes above the root, by the course's rule at root C.

    The chord is spelled on C and classified as `_chord_tones` classifies MIDI chords (major
    scale that fits a major chord, else dorian; a semitone from a chord tone is an approach),
    so every key gets the same classes relative to its root.
    """
    names = [_name_on_c(i, d) for i, d in zip(intervals, degrees or (0,) * len(intervals))]
    on_c = chord.Chord(names + [_name_on_c(bass_interval, 0)])
    on_c.root(on_c.pitches[0])
    scale_type = scale.MajorScale() if on_c.quality == "major" else scale.DorianScale()
    scale_pcs = frozenset(p.pitchClass for p in scale_type.derive(on_c).getPitches())
    chord_pcs = frozenset(intervals) | {bass_interval}
    approach = frozenset((pc + step) % 12 for pc in chord_pcs for step in (1, -1))
    return chord_pcs, scale_pcs, approach


def _name_on_c(semitones: int, degree: int) -> str:
    """The music21 name of a chord tone `semitones` above C, spelled as its degree (0: plain).

    >>> _name_on_c(10, 7), _name_on_c(3, 9), _name_on_c(6, 0)
    ('B-', 'D#', 'F#')
    """
    if not degree:
        return _pitch_name(60 + semitones)
    letter = "CDEFGAB"[(degree - 1) % 7]
    alter = (semitones - pitch.Pitch(letter).pitchClass + 6) % 12 - 6
    return letter + ("#" * alter if alter > 0 else "-" * -alter)


def _class_of_pc(pc: int, symbol: ChordSymbol | None) -> str:
    """The class of pitch class `pc` over a chord symbol; everything is 'X' over no chord."""
    if symbol is None or symbol.is_no_chord:
        return "X"
    root = symbol.root_pc
    tones = _relative_tones(symbol.intervals, symbol.degrees, (symbol.bass_pc - root) % 12)
    above = (pc - root) % 12
    return next((name for name, pcs in zip("CSA", tones) if above in pcs), "X")


def chord_at(chords: Sequence[chord.Chord], offset_ql: float) -> chord.Chord:
    """The chord sounding at `offset_ql` in a measure: the last one started, else the first."""
    if not chords:
        raise GrammarError("a measure has no chord to relate its notes to")
    started = [c for c in chords if c.offset <= offset_ql + _EPS_QL]
    return started[-1] if started else chords[0]


@functools.lru_cache(maxsize=None)
def _window_names(prev_name: str, next_name: str) -> tuple[str, str]:
    """Interval window between two pitches: (interval + m3, interval - m3) as directed names."""
    distance = interval.Interval(noteStart=note.Note(prev_name), noteEnd=note.Note(next_name))
    upper = interval.add([distance, "m3"])
    lower = interval.subtract([distance, "m3"])
    return upper.directedName, lower.directedName


def parse_melody(measure_notes: Iterable[note.GeneralNote],
                 measure_chords: Iterable[chord.Chord]) -> str:
    """Turn one measure of melody over its chords into a space-separated string of values.

    Offsets of notes and chords must be measured from the same origin (a measure start or the
    piece start).  Rests become ``R`` values; each note after the first gets an interval window.
    """
    notes = sorted((n for n in measure_notes if isinstance(n, (note.Note, note.Rest))),
                   key=lambda n: n.offset)
    chords = sorted((c for c in measure_chords if isinstance(c, chord.Chord)),
                    key=lambda c: c.offset)
    values = []
    prev_note = None
    for element in notes:
        duration = float(element.quarterLength)
        if isinstance(element, note.Rest):
            values.append(Value("R", duration))
            continue
        note_class = classify_note(element.name, chord_at(chords, element.offset))
        window = None
        if prev_note is not None:
            window = _window_names(prev_note.nameWithOctave, element.nameWithOctave)
        values.append(Value(note_class, duration, window))
        prev_note = element
    return " ".join(format_value(v) for v in values)


@dataclass(frozen=True)
class PitchRange:
    """The lowest and highest MIDI pitch a rendered solo may use (inclusive)."""

    low: int = 55                     # G3, a guitar's comfortable solo range starts here
    high: int = 84                    # C6

    def fold(self, midi: int) -> int:
        """Move a pitch by octaves into the range."""
        while midi < self.low:
            midi += 12
        while midi > self.high:
            midi -= 12
        return midi


def _class_of_midi(midi: int, chord_obj: chord.Chord) -> str:
    if isinstance(chord_obj, SymbolChord):
        return _class_of_pc(midi % 12, chord_obj.solo_symbol)
    return classify_note(_pitch_name(midi % 12 + 60), chord_obj)


def choose_pitch(value: Value, chord_obj: chord.Chord, prev_midi: int | None,
                 rng: np.random.Generator, pitch_range: PitchRange = PitchRange()) -> int:
    """Pick a MIDI pitch of the value's class over the chord, inside its interval window.

    Without a window (or previous pitch) the window is an octave either side of the previous
    pitch (or of the range's middle).  When the window holds no pitch of the class inside the
    range, the pitches of the class nearest to the window are the choices, so the class is
    kept whenever the range holds it at all.  Exactly one number is drawn from `rng` per call,
    however many choices there are, so the values sampled from the same generator never
    depend on the chords' key.
    """
    draw = rng.random()
    centre = prev_midi if prev_midi is not None else (pitch_range.low + pitch_range.high) // 2
    if value.window is not None and prev_midi is not None:
        bounds = sorted(_interval_semitones(name) for name in value.window)
        low, high = prev_midi + bounds[0], prev_midi + bounds[1]
    else:
        low, high = centre - 12, centre + 12
    of_class = [m for m in range(pitch_range.low, pitch_range.high + 1)
                if _class_of_midi(m, chord_obj) == value.note_class]
    if not of_class:
        return pitch_range.fold(centre)
    distance = {m: max(low - m, m - high, 0) for m in of_class}
    nearest = min(distance.values())
    candidates = [m for m in of_class if distance[m] == nearest]
    if len(candidates) > 1 and prev_midi in candidates:
        candidates.remove(prev_midi)          # the course avoids repeating a chord tone
    return int(candidates[int(draw * len(candidates))])


def realise_values(values: Sequence[Value], chords: Sequence[chord.Chord], *,
                   rng: np.random.Generator, prev_midi: int | None = None,
                   pitch_range: PitchRange = PitchRange()) -> list[Note]:
    """Turn values into notes placed back to back from offset 0 over a measure's chords.

    Each note starts where the previous one ended (the course added the duration first, which
    made every onset late by its own duration).
    """
    events = []
    offset = 0.0
    for value in values:
        if value.note_class == "R":
            events.append(Note(offset, value.duration_ql, None, "R"))
        else:
            midi = choose_pitch(value, chord_at(chords, offset), prev_midi, rng, pitch_range)
            events.append(Note(offset, value.duration_ql, midi, value.note_class))
            prev_midi = midi
        offset += value.duration_ql
    return events


def unparse_grammar(grammar: str, chords: Sequence[chord.Chord], *,
                    rng: np.random.Generator | None = None,
                    pitch_range: PitchRange = PitchRange()) -> stream.Voice:
    """Turn a string of values into a music21 Voice of notes over a measure's chords."""
    rng = rng if rng is not None else np.random.default_rng()
    values = [parse_value(text) for text in grammar.split()]
    voice = stream.Voice()
    for event in realise_values(values, chords, rng=rng, pitch_range=pitch_range):
        if event.midi is None:
            element = note.Rest(quarterLength=event.duration_ql)
        else:
            element = note.Note(event.midi, quarterLength=event.duration_ql)
        voice.insert(event.offset_ql, element)
    return voice
