"""Chord measures → an accompaniment: piano voicings in a comping rhythm and a walking bass line."""
from __future__ import annotations

from typing import Sequence

from music21 import chord

from jazzsolo.midi import TimedNotes

VOICING_LOW, VOICING_HIGH = 52, 72       # E3-C5: piano comping register, below the solo
BASS_LOW, BASS_HIGH = 31, 50             # G1-D3: the double bass's walking register
COMP_HITS_QL = ((0.0, 1.5), (1.5, 2.5))  # Charleston rhythm per 4 beats: (offset, length)


def _pitch_classes(c: chord.Chord) -> list[int]:
    root = c.root().midi % 12
    classes = sorted({p.midi % 12 for p in c.pitches}, key=lambda pc: (pc - root) % 12)
    return classes


def voice_chord(c: chord.Chord, previous: Sequence[int] | None = None) -> tuple[int, ...]:
    """A close voicing of the chord in the comping register, nearest to the previous voicing.

    With four or more notes the root is left out (the bass plays it), as jazz pianists do.

    >>> voice_chord(chord.Chord(["D3", "F3", "A3", "C4"]))
    (53, 57, 60)
    """
    classes = _pitch_classes(c)
    if len(classes) >= 4:
        classes = classes[1:]
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


def comp_track(measures: Sequence[Sequence[chord.Chord]], measure_ql: float = 4.0) -> list[TimedNotes]:
    """Piano comping: each chord voiced and struck in a Charleston rhythm within its length."""
    notes: list[TimedNotes] = []
    previous = None
    for number, measure in enumerate(measures):
        for c in measure:
            voicing = voice_chord(c, previous)
            previous = voicing
            start, length = float(c.offset), float(c.quarterLength)
            hits = [(o * length / 4.0, d * length / 4.0) for o, d in COMP_HITS_QL] if length >= 2 \
                else [(0.0, length)]
            for offset, duration in hits:
                notes.append(TimedNotes(number * measure_ql + start + offset, duration * 0.9, voicing))
    return notes


def _bass_note(pc: int, near: int) -> int:
    """The pitch of class `pc` in the bass register nearest to `near`."""
    options = [m for m in range(BASS_LOW, BASS_HIGH + 1) if m % 12 == pc]
    return min(options, key=lambda m: (abs(m - near), m))


def bass_track(measures: Sequence[Sequence[chord.Chord]], measure_ql: float = 4.0) -> list[TimedNotes]:
    """A walking bass in quarter notes: the root on each chord's first beat, chord tones after,
    and a chromatic approach into the next chord's root on the last beat."""
    chords = [(n * measure_ql + float(c.offset), float(c.quarterLength), c)
              for n, measure in enumerate(measures) for c in measure]
    notes: list[TimedNotes] = []
    current = 40                                     # E2, somewhere in the middle
    for i, (start, length, c) in enumerate(chords):
        classes = _pitch_classes(c)
        next_root = chords[i + 1][2].root().midi % 12 if i + 1 < len(chords) else classes[0]
        beats = max(1, int(round(length)))
        for beat in range(beats):
            if beat == 0:
                current = _bass_note(classes[0], current)
            elif beat == beats - 1:
                target = _bass_note(next_root, current)
                current = target - 1 if target - 1 >= BASS_LOW else target + 1
            else:
                current = _bass_note(classes[min(beat, len(classes) - 1) % len(classes)], current)
            duration = min(1.0, length - beat)
            notes.append(TimedNotes(start + beat, duration * 0.95, (current,)))
    return notes
