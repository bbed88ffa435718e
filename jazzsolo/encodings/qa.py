"""Generated values and notes → cleaned values and notes: snapped durations, no overlaps."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from jazzsolo.music.notes import Note

from jazzsolo.encodings.grammar import Value, format_value, parse_value

GRID_DIVISORS = (4, 3)                 # durations snap to 1/16 notes and 1/8-note triplets
_EPS_QL = 1e-6


def snap_duration(duration_ql: float) -> float:
    """The nearest duration on the 1/4 or 1/3 quarter-length grid, at least one grid step.

    >>> snap_duration(0.333), snap_duration(0.27), snap_duration(0.01)
    (0.3333333333333333, 0.25, 0.25)
    """
    candidates = []
    for divisor in GRID_DIVISORS:
        steps = max(1, round(duration_ql * divisor))
        candidates.append(Fraction(steps, divisor))
    best = min(candidates, key=lambda d: (abs(float(d) - duration_ql), d))
    return float(best)


def prune_value(value: Value) -> Value:
    """One value with its duration snapped to the grid (the course's three decimals undone)."""
    return replace(value, duration_ql=snap_duration(value.duration_ql))


def prune_grammar(curr_grammar: str) -> str:
    """Snap every value's duration in a grammar string to the grid.

    The course rounded each duration up or down at random to a 1/4 grid, which destroyed
    triplets and stretched 1/4 to 1/2 half the time; snapping to the nearest grid step keeps
    the rhythm the model chose.
    """
    values = [prune_value(parse_value(text)) for text in curr_grammar.split()]
    return " ".join(format_value(v) for v in values)


def prune_notes(curr_notes: list[Note]) -> list[Note]:
    """Merge a note into the previous one when both have the same pitch and touch.

    The course dropped the second note of such a pair and left a hole; merging keeps the
    measure filled.
    """
    pruned: list[Note] = []
    for event in curr_notes:
        if pruned and event.midi is not None and pruned[-1].midi == event.midi and \
                abs(pruned[-1].offset_ql + pruned[-1].duration_ql - event.offset_ql) < _EPS_QL:
            last = pruned.pop()
            event = replace(last, duration_ql=last.duration_ql + event.duration_ql)
        pruned.append(event)
    return pruned


def clean_up_notes(curr_notes: list[Note], measure_ql: float | None = None) -> list[Note]:
    """Make notes playable as one line: no zero lengths, no shared onsets, no overlaps.

    Notes are sorted by onset; a note starting with the one before is dropped, a note running
    into the next is shortened, and with `measure_ql` nothing sounds past the measure's end.
    """
    notes = sorted(curr_notes, key=lambda n: n.offset_ql)
    cleaned: list[Note] = []
    for event in notes:
        if measure_ql is not None and event.offset_ql >= measure_ql - _EPS_QL:
            break
        if cleaned and abs(cleaned[-1].offset_ql - event.offset_ql) < _EPS_QL:
            continue
        if cleaned:
            previous = cleaned[-1]
            gap = event.offset_ql - previous.offset_ql
            cleaned[-1] = replace(previous, duration_ql=min(previous.duration_ql, gap))
        cleaned.append(event)
    if cleaned and measure_ql is not None:
        last = cleaned[-1]
        cleaned[-1] = replace(last, duration_ql=min(last.duration_ql, measure_ql - last.offset_ql))
    return [n for n in cleaned if n.duration_ql > _EPS_QL]
