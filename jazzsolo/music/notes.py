"""The one note type every stage shares: a melody note (or rest) placed in quarter lengths."""
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


__all__ = ["Note"]
