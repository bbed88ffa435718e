"""Trading fours: someone plays a few bars, the model answers over the next ones, carrying on
from what it heard.

The phrase heard is put on the note grid (12 steps a beat) from the bar line of the bar it
starts in, fed to the note model as a real solo's events would be (`note_solo.sample_events`'s
primer), and the model then improvises from the bar line of `start_bar` for `n_bars` bars over
the chart's chords there.  Notes come and go as (onset_ql, duration_ql, MIDI) counted from the
chart's first bar line, as the page and the command line count them.
"""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from jazzsolo.config import GRID_PER_BEAT, SamplingOptions
from jazzsolo.errors import ConfigError

NoteTuple = tuple[float, float, int]
MAX_HEARD_BARS = 16                  # bars of the phrase heard that the answer reads back


@runtime_checkable
class Trades(Protocol):
    """A model that answers a phrase it hears (`answer_phrase`)."""

    def answer(self, chord_measures: Sequence, *, measure_lengths_ql: Sequence[float],
               time_signatures: Sequence[str], qpm: float, heard: Sequence[NoteTuple],
               answer_from_ql: float, seed: int, options: SamplingOptions) -> list[NoteTuple]:
        """Notes from `answer_from_ql` to the end of `chord_measures`, carrying on from the
        notes `heard` before it (all counted from the measures' start)."""
        ...


def heard_bars(heard: Sequence[NoteTuple], starts_ql: Sequence[float], start_bar: int
               ) -> int:
    """The first bar the answer reads back: the bar of the earliest note heard before
    `start_bar` (at most `MAX_HEARD_BARS` back), or `start_bar` when none was heard."""
    before = [o for o, _, _ in heard if o < starts_ql[start_bar] - 1e-9]
    if not before:
        return start_bar
    first = max(b for b in range(start_bar) if starts_ql[b] <= min(before) + 1e-9)
    return max(first, start_bar - MAX_HEARD_BARS)


def answer_phrase(model, chord_measures: Sequence, *, measure_lengths_ql: Sequence[float],
                  time_signatures: Sequence[str], qpm: float, heard: Sequence[NoteTuple],
                  start_bar: int, n_bars: int, seed: int,
                  options: SamplingOptions = SamplingOptions()) -> list[NoteTuple]:
    """The model's answer to the notes `heard`: its notes over bars start_bar ..
    start_bar + n_bars - 1 of the chart (0-based), counted from the chart's first bar line."""
    if not isinstance(model, Trades):
        raise ConfigError(f"the {model.family} model {model.name!r} cannot trade phrases; "
                          f"choose a note model (wjazzd)")
    if not (0 <= start_bar and n_bars >= 1 and start_bar + n_bars <= len(chord_measures)):
        raise ConfigError(f"an answer over bars {start_bar + 1}-{start_bar + n_bars} does not "
                          f"fit a chart of {len(chord_measures)} bars")
    lengths = [float(x) for x in measure_lengths_ql]
    starts = [sum(lengths[:i]) for i in range(len(lengths) + 1)]
    first = heard_bars(heard, starts, start_bar)
    origin, answer_at = starts[first], starts[start_bar]
    kept = [(o - origin, min(d, answer_at - o), int(m)) for o, d, m in heard
            if origin - 1e-9 <= o < answer_at - 1e-9]
    bars = slice(first, start_bar + n_bars)
    notes = model.answer(list(chord_measures)[bars], measure_lengths_ql=lengths[bars],
                         time_signatures=list(time_signatures)[bars], qpm=qpm, heard=kept,
                         answer_from_ql=answer_at - origin, seed=seed, options=options)
    return [(round((o + origin) * GRID_PER_BEAT) / GRID_PER_BEAT, d, m) for o, d, m in notes]


__all__ = ["MAX_HEARD_BARS", "Trades", "answer_phrase", "heard_bars"]
