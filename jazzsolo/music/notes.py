"""The note types every stage shares, placed in quarter lengths: a melody note or rest (`Note`),
and pitches sounding together with a velocity (`TimedNotes`: a chord, a bass note, a drum hit),
as the accompaniment and the MIDI writer take them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One melody note or rest: read from a MIDI file, measured, sampled, cleaned, written.

    `offset_ql` counts quarter lengths from the start of what holds the note (the solo, or the
    measure in a solo's measures); `note_class` is the grammar's class over the chord under it
    (``C`` chord, ``S`` scale, ``A`` approach, ``X`` other, ``R`` rest), empty where unclassed.
    """

    offset_ql: float
    duration_ql: float
    midi: int | None                  # MIDI pitch 0-127; None for a rest
    note_class: str = ""


@dataclass(frozen=True)
class TimedNotes:
    """Notes sounding together from `offset_ql` for `duration_ql` quarter lengths."""

    offset_ql: float
    duration_ql: float
    pitches: tuple[int, ...]           # MIDI note numbers, 0-127
    velocity: int | None = None        # 1-127; None: the track's own velocity


__all__ = ["Note", "TimedNotes"]
