"""Chord charts as written → bars: the one shape every chart reader returns (lead sheets, iReal).

A chart is a list of bars in playing order (repeats, endings and jumps already expanded).  Each
bar has its own time signature and length (a pickup bar is shorter than its metre), and the
chord symbols written in it, as text, at their offsets.  A bar with no symbol keeps the chord
sounding before it, as on paper; ``"N.C."`` is written silence.  Symbols stay text here so the
one chord-symbol reader turns them into roots and pitch classes, whatever the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field

NO_CHORD = "N.C."


@dataclass(frozen=True)
class ChartBar:
    """One bar of a chart: its metre, length and the chord symbols written in it."""

    time_signature: str = "4/4"                       # e.g. "3/4", "6/8"
    length_ql: float = 4.0                            # quarter lengths; shorter for a pickup
    chords: tuple[tuple[float, str], ...] = ()        # (offset_ql in the bar, symbol as written)

    @property
    def beats_per_bar(self) -> int:
        """The time signature's numerator (3 in 3/4, 6 in 6/8)."""
        return int(self.time_signature.split("/")[0])


@dataclass(frozen=True)
class Chart:
    """A tune's harmony as written: title, bars in playing order, and tempo/key when known."""

    title: str = ""
    bars: tuple[ChartBar, ...] = ()
    qpm: float | None = None                          # quarter notes per minute, if the chart says
    key: str | None = None                            # e.g. "Bb", "C-" as the chart writes it
    composer: str = ""
    extra: dict = field(default_factory=dict, compare=False)   # source-specific notes (style, ...)
