"""Notes and rests on the 1/12-quarter grid → the values a reader expects (`rhythm_pieces`).

Plain 16ths and 8ths where a beat is straight; a beat that holds a triplet written as one 3:2
triplet over the beat (triplet 8ths, 16ths or 32nds, nothing nested); notes tied over the beat
where a single value would hide it; one rest per beat where one will do, whole beats of rest
joined, an empty bar one bar rest.  Hand-written: music21 writes any duration it is given (7/12
of a quarter as a 12:7 tuplet) and has no notion of showing the beat; MuseScore does this on
import, music21 does not.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Collection, Sequence

from music21 import duration, meter, note

GRID_PER_QUARTER = 12        # offsets and durations are written on 1/12 quarter: 16ths, triplets
STRAIGHT_STEP = 3            # twelfths of a 16th: the grid of a beat written without a triplet
EIGHTH = 6                   # twelfths of an 8th: a syncopated note may cross a beat from here


@dataclass(frozen=True)
class Units:
    """How a bar of one metre is read, in twelfths: the span a triplet bracket covers (a
    quarter in x/4, an 8th in x/8) and the beat whole rests are joined in."""

    unit: int = GRID_PER_QUARTER
    beat: int = GRID_PER_QUARTER


@dataclass(frozen=True)
class Piece:
    """One written note or rest: [start, end) in twelfths of the measure; `triplet` when it is
    written in the 3:2 triplet over its unit; `bar_rest` for a rest filling an empty bar."""

    start: int
    end: int
    triplet: bool = False
    bar_rest: bool = False


@functools.lru_cache(maxsize=None)
def metre_units(signature: str) -> Units:
    """The triplet unit and the beat of a time signature (beat: music21's; a beat that is not
    whole units, as in 5/8, is read unit by unit)."""
    denominator = int(signature.split("/")[1])
    unit = GRID_PER_QUARTER if denominator <= 4 else max(STRAIGHT_STEP, 48 // denominator)
    beat = round(meter.TimeSignature(signature).beatDuration.quarterLength * GRID_PER_QUARTER)
    return Units(unit, beat if beat % unit == 0 else unit)


@functools.lru_cache(maxsize=None)
def _is_plain(written: Fraction) -> bool:
    """True when `written` quarter lengths are one note value with at most one dot."""
    value = duration.Duration(written)
    return value.type not in ("complex", "inexpressible") and not value.tuplets \
        and value.dots <= 1


def rhythm_pieces(events: Sequence[tuple[int, int, bool]], length: int, *, phase: int = 0,
                  units: Units = Units(), anchors: Collection[int] = ()) -> list[list[Piece]]:
    """The written pieces of each (start, end, is_rest) event of a measure, in twelfths; the
    events cover the measure [0, length) one after another, a pickup's beat 1 lying `phase`
    before its start.  `anchors` are where a piece must start (the chord changes).

    A unit (beat) holding any start or end off the 16th grid is a triplet: all of it is written
    in 3:2, its events cut into triplet values.  Elsewhere a note is one value when it can be
    (crossing a beat only from an 8th, an off-beat one crossing one beat line at most), else
    tied pieces cut at the beats; a rest is one value per beat, whole beats joined in pairs
    from an odd beat, an empty bar one bar rest.

    >>> events = [(0, 18, False), (18, 28, False), (28, 32, False), (32, 48, True)]
    >>> pieces = rhythm_pieces(events, 48)
    >>> [[(p.start, p.end) + ("3",) * p.triplet for p in ps] for ps in pieces]
    [[(0, 18)], [(18, 24), (24, 28, '3')], [(28, 32, '3')], [(32, 36, '3'), (36, 48)]]
    """
    bounds = {p for start, end, _ in events for p in (start, end)} | set(anchors)
    triplets = {p - (p + phase) % units.unit for p in bounds
                if (p + phase) % units.unit % STRAIGHT_STEP}
    out = []
    for start, end, is_rest in events:
        if is_rest and (start, end) == (0, length) and phase == 0 and not set(anchors) - {0}:
            out.append([Piece(0, length, bar_rest=True)])
            continue
        cuts = sorted({start, end} | {u - phase for u in range(0, end + phase, units.unit)
                                      if start < u - phase < end}
                      | {a for a in anchors if start < a < end})
        pieces: list[Piece] = []
        for a, b in zip(cuts, cuts[1:]):
            unit_start = a - (a + phase) % units.unit
            pieces += _triplet_pieces(a, b, unit_start) if unit_start in triplets else [Piece(a, b)]
        out.append(_joined(pieces, is_rest=is_rest, phase=phase, units=units, anchors=anchors))
    return out


def _triplet_pieces(a: int, b: int, unit_start: int) -> list[Piece]:
    """A span inside a triplet unit cut into triplet values: one if it is one, else cut first
    at the unit's triplet 8ths (4, 8), then its 16ths (2, 6, 10), then anywhere."""
    if _is_plain(Fraction(3 * (b - a), 2 * GRID_PER_QUARTER)):
        return [Piece(a, b, triplet=True)]
    for step in (4, 2, 1):
        for p in range(a + 1, b):
            if (p - unit_start) % step == 0 and \
                    _is_plain(Fraction(3 * (p - a), 2 * GRID_PER_QUARTER)):
                return [Piece(a, p, triplet=True)] + _triplet_pieces(p, b, unit_start)
    raise AssertionError(f"no triplet value for {a}-{b}")      # a single twelfth always is one


def _joined(pieces: list[Piece], *, is_rest: bool, phase: int, units: Units,
            anchors: Collection[int]) -> list[Piece]:
    """Straight pieces of one event joined into longer values where a reader expects one."""
    joined: list[Piece] = []
    for piece in pieces:
        last = joined[-1] if joined else None
        if last is not None and not (last.triplet or piece.triplet) and piece.start not in anchors \
                and _joinable(last.start, piece.end, is_rest=is_rest, phase=phase, units=units):
            joined[-1] = Piece(last.start, piece.end)
        else:
            joined.append(piece)
    return joined


def _joinable(start: int, end: int, *, is_rest: bool, phase: int, units: Units) -> bool:
    """Whether [start, end) (crossing a unit line) may be written as one value."""
    if not _is_plain(Fraction(end - start, GRID_PER_QUARTER)):
        return False
    at, beat = start + phase, units.beat
    if is_rest:                          # whole units within a beat, or two beats from an odd one
        return at % units.unit == 0 and (end + phase) % units.unit == 0 and (
            at // beat == (end + phase - 1) // beat
            or (at % beat == 0 and end - start == 2 * beat and (at // beat) % 2 == 0))
    if at % EIGHTH or (end + phase) % EIGHTH:
        return False
    beat_lines = sum(1 for u in range(start + 1, end) if (u + phase) % beat == 0)
    return at % beat == 0 or beat_lines <= 1


def written_duration(piece: Piece, unit: int) -> duration.Duration:
    """The music21 duration of one piece: a plain value, or a triplet value of its unit."""
    if not piece.triplet:
        return duration.Duration(Fraction(piece.end - piece.start, GRID_PER_QUARTER))
    written = duration.Duration(Fraction(3 * (piece.end - piece.start), 2 * GRID_PER_QUARTER))
    normal = duration.Duration(Fraction(unit, 2 * GRID_PER_QUARTER)).type
    written.appendTuplet(duration.Tuplet(3, 2, durationActual=normal, durationNormal=normal))
    return written


def bracket_triplets(placed: list[tuple[Piece, note.GeneralNote]], units: Units,
                      phase: int) -> None:
    """One bracket per triplet unit: the first piece in it starts the bracket, the last ends it."""
    by_unit: dict[int, list[note.GeneralNote]] = {}
    for piece, element in placed:
        if piece.triplet:
            by_unit.setdefault(piece.start - (piece.start + phase) % units.unit, []).append(element)
    for elements in by_unit.values():
        for i, element in enumerate(elements):
            t = element.duration.tuplets[0]
            t.type = "startStop" if len(elements) == 1 else "start" if i == 0 else \
                "stop" if i == len(elements) - 1 else None
            t.bracket = True


__all__ = ["GRID_PER_QUARTER", "Piece", "Units", "bracket_triplets", "metre_units",
           "rhythm_pieces", "written_duration"]
