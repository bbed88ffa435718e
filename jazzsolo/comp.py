"""Chord measures → an accompaniment: piano voicings in a comping rhythm and a walking bass line.

Chords made from a symbol (`grammar.SymbolChord`) are played from the symbol: the bass takes
the written root (or slash bass) and the voicings keep the third and seventh as written; N.C.
is silent.  Chords read from MIDI are played from music21's root.
"""
from __future__ import annotations

from itertools import accumulate
from typing import Sequence

from music21 import chord

from jazzsolo.chord_symbols import ChordSymbol
from jazzsolo.midi import TimedNotes

VOICING_LOW, VOICING_HIGH = 52, 72       # E3-C5: piano comping register, below the solo
BASS_LOW, BASS_HIGH = 31, 50             # G1-D3: the double bass's walking register
COMP_HITS_QL = ((0.0, 1.5), (1.5, 2.5))  # Charleston rhythm per 4 beats: (offset, length)
MAX_VOICING_NOTES = 4                    # a rootless voicing: guide tones plus two colours


def _symbol(c: chord.Chord) -> ChordSymbol | None:
    """The chord symbol a chord was made from, if any."""
    return getattr(c, "symbol", None)


def is_silent(c: chord.Chord) -> bool:
    """True for N.C. (or any chord without pitches): nothing is played over it."""
    symbol = _symbol(c)
    return (symbol is not None and symbol.is_no_chord) or not c.pitches


def bass_pitch_class(c: chord.Chord) -> int:
    """The pitch class the bass plays on the chord's downbeat: the slash bass, else the root.

    >>> from jazzsolo.progression import parse_chord_symbol
    >>> bass_pitch_class(parse_chord_symbol("Bb7")), bass_pitch_class(parse_chord_symbol("C7/E"))
    (10, 4)
    """
    symbol = _symbol(c)
    return symbol.bass_pc if symbol is not None else c.root().midi % 12


def _pitch_classes(c: chord.Chord) -> list[int]:
    """The chord's pitch classes, root first, then by interval above the root."""
    symbol = _symbol(c)
    root = symbol.root_pc if symbol is not None else c.root().midi % 12
    pcs = symbol.pitch_classes if symbol is not None else {p.midi % 12 for p in c.pitches}
    return sorted(set(pcs), key=lambda pc: (pc - root) % 12)


def voicing_classes(c: chord.Chord) -> list[int]:
    """The pitch classes a voicing holds, by interval above the root.

    Three notes or fewer: all.  Otherwise rootless: the guide tones (3rd, or the 4th/2nd of a
    sus chord; 7th, or the 6th of a 6 chord, else the 5th) and colour tones up to four notes:
    the highest tensions first (13 before 11 before 9), an unaltered fifth last.

    >>> from jazzsolo.progression import parse_chord_symbol
    >>> voicing_classes(parse_chord_symbol("Bb7")), voicing_classes(parse_chord_symbol("C13"))
    ([2, 5, 8], [2, 4, 9, 10])
    """
    symbol = _symbol(c)
    classes = _pitch_classes(c)
    if len(classes) <= 3:
        return classes
    if symbol is None or len(symbol.degrees) != len(symbol.pitch_classes):
        return classes[1:]
    tones = list(zip(symbol.degrees, symbol.pitch_classes))[1:]
    guides = [_first(tones, (3,), (4, 2)), _first(tones, (7,), (6, 13), (5,))]
    colours = sorted((t for t in tones if t not in guides),
                     key=lambda t: (t[0] == 5 and (t[1] - symbol.root_pc) % 12 == 7, -t[0]))
    chosen = [t for t in guides if t is not None]
    chosen += colours[:max(0, MAX_VOICING_NOTES - len(chosen))]
    root = symbol.root_pc
    return sorted({pc for _, pc in chosen}, key=lambda pc: (pc - root) % 12)


def _first(tones: list[tuple[int, int]], *choices: tuple[int, ...]) -> tuple[int, int] | None:
    """The first (degree, pitch class) whose degree is in the first choice that has one."""
    for degrees in choices:
        found = [t for t in tones if t[0] in degrees]
        if found:
            return found[0]
    return None


def voice_chord(c: chord.Chord, previous: Sequence[int] | None = None) -> tuple[int, ...]:
    """A close voicing of the chord in the comping register, nearest to the previous voicing.

    With four or more notes the root is left out (the bass plays it), as jazz pianists do.

    >>> voice_chord(chord.Chord(["D3", "F3", "A3", "C4"]))
    (53, 57, 60)
    """
    classes = voicing_classes(c)
    candidates = []
    for bottom in range(VOICING_LOW, VOICING_LOW + 12):
        if bottom % 12 not in classes:
            continue
        voicing = [bottom]
        for pc in classes[classes.index(bottom % 12) + 1:] + classes[:classes.index(bottom % 12)]:
            voicing.append(voicing[-1] + (pc - voicing[-1]) % 12)
        if voicing[-1] <= VOICING_HIGH:
            candidates.append(tuple(voicing))
    if not candidates:
        return tuple(sorted(VOICING_LOW + (pc - VOICING_LOW) % 12 for pc in classes))
    if previous:
        centre = sum(previous) / len(previous)
        return min(candidates, key=lambda v: (abs(sum(v) / len(v) - centre), v))
    return candidates[0]


def measure_starts(measures: Sequence[Sequence[chord.Chord]],
                   measure_ql: float | Sequence[float] = 4.0) -> list[float]:
    """Where each measure starts, in quarter lengths: `measure_ql` is one length or one per measure.

    >>> measure_starts([[], [], []], [3.0, 4.0, 4.0])
    [0.0, 3.0, 7.0]
    """
    lengths = [float(measure_ql)] * len(measures) if isinstance(measure_ql, (int, float)) \
        else [float(q) for q in measure_ql]
    return [0.0] + list(accumulate(lengths[:len(measures) - 1]))


def _timed_chords(measures, measure_ql) -> list[tuple[float, float, chord.Chord]]:
    """(start from the piece's start, length, chord) for every chord in order."""
    starts = measure_starts(measures, measure_ql)
    return [(start + float(c.offset), float(c.quarterLength), c)
            for start, measure in zip(starts, measures) for c in measure]


def comp_track(measures: Sequence[Sequence[chord.Chord]],
               measure_ql: float | Sequence[float] = 4.0) -> list[TimedNotes]:
    """Piano comping: each chord voiced and struck in a Charleston rhythm within its length.

    `measure_ql` is the length of every measure, or a list of each measure's length.
    """
    notes: list[TimedNotes] = []
    previous = None
    for start, length, c in _timed_chords(measures, measure_ql):
        if is_silent(c):
            continue
        voicing = previous = voice_chord(c, previous)
        hits = [(o * length / 4.0, d * length / 4.0) for o, d in COMP_HITS_QL] if length >= 2 \
            else [(0.0, length)]
        for offset, duration in hits:
            notes.append(TimedNotes(start + offset, duration * 0.9, voicing))
    return notes


def _bass_note(pc: int, near: int) -> int:
    """The pitch of class `pc` in the bass register nearest to `near`."""
    options = [m for m in range(BASS_LOW, BASS_HIGH + 1) if m % 12 == pc]
    return min(options, key=lambda m: (abs(m - near), m))


def bass_track(measures: Sequence[Sequence[chord.Chord]],
               measure_ql: float | Sequence[float] = 4.0) -> list[TimedNotes]:
    """A walking bass in quarter notes: the root (or slash bass) on each chord's first beat,
    chord tones after, and a chromatic approach into the next chord's bass on the last beat.

    N.C. is silent; before it the last beat is a chord tone, at the end an approach to the
    chord's own bass.
    """
    chords = _timed_chords(measures, measure_ql)
    notes: list[TimedNotes] = []
    current = 40                                     # E2, somewhere in the middle
    for i, (start, length, c) in enumerate(chords):
        if is_silent(c):
            continue
        classes = _pitch_classes(c)
        following = chords[i + 1][2] if i + 1 < len(chords) else None
        target = None if following is not None and is_silent(following) else \
            bass_pitch_class(c if following is None else following)
        beats = max(1, int(round(length)))
        for beat in range(beats):
            if beat == 0:
                current = _bass_note(bass_pitch_class(c), current)
            elif beat == beats - 1 and target is not None:
                aim = _bass_note(target, current)
                current = aim - 1 if aim - 1 >= BASS_LOW else aim + 1
            else:
                current = _bass_note(classes[min(beat, len(classes) - 1)], current)
            duration = min(1.0, length - beat)
            notes.append(TimedNotes(start + beat, duration * 0.95, (current,)))
    return notes
