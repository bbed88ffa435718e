"""Chord charts as written → bars: the one shape every chart reader returns (lead sheets, iReal).

A chart is a list of bars in playing order (repeats, endings and jumps already expanded): one
chorus, and the last chorus's own bars where it ends sooner (an iReal Pro END, an outro coda);
`Chart.played` gives them for any number of choruses.  Each bar has its own time signature and length (a pickup bar is shorter than its metre), and the
chord symbols written in it, as text, at their offsets.  A bar with no symbol keeps the chord
sounding before it, as on paper; ``"N.C."`` is written silence.  Symbols stay text here so the
one chord-symbol reader turns them into roots and pitch classes, whatever the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jazzsolo.errors import ConfigError

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
    bars: tuple[ChartBar, ...] = ()                   # one chorus, as every chorus but the last
    qpm: float | None = None                          # quarter notes per minute, if the chart says
    key: str | None = None                            # e.g. "Bb", "C-" as the chart writes it
    composer: str = ""
    extra: dict = field(default_factory=dict, compare=False)   # source-specific notes (style, ...)
    last_chorus_bars: tuple[ChartBar, ...] | None = None       # the last chorus; None: as `bars`

    def played(self, choruses: int = 1) -> tuple[ChartBar, ...]:
        """Every bar of `choruses` choruses in a row, the last one ending where the chart ends.

        >>> chart = Chart(bars=(ChartBar(chords=((0.0, "C"),)), ChartBar(chords=((0.0, "G7"),))),
        ...               last_chorus_bars=(ChartBar(chords=((0.0, "C"),)),))
        >>> [bar.chords[0][1] for bar in chart.played(2)]
        ['C', 'G7', 'C']
        """
        if choruses < 1:
            raise ConfigError(f"the number of choruses must be at least 1, got {choruses}")
        last = self.bars if self.last_chorus_bars is None else self.last_chorus_bars
        return self.bars * (choruses - 1) + last
