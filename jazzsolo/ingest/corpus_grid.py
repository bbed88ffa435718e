"""One solo's melody and beats tables (`SoloTable`s) → a `CorpusSolo` on the grid.

WJazzD annotates each note with its metrical position: ``bar``, ``beat`` (from 1), and
``tatum`` of ``division`` equal parts of the beat (from 1).  Positions here come from those
columns, never from seconds:

- the grid has ``GRID_PER_BEAT`` = 12 steps per beat (sixteenths are 3 steps, eighth triplets 4);
  a tatum falls on ``round((tatum - 1) / division * 12)``, halves rounded up (quintuplets and
  finer divisions are rounded to the grid);
- bar 0 of a solo is its first annotated bar (the database's ``first_bar``, which can be negative
  for a pickup); a pickup bar keeps its full length, so its notes start after step 0;
- each bar is ``period`` beats long (from the melody's ``period``/``num``/``denom`` where the bar
  has notes, else from the beat track's ``signature``, carried forward), so metre changes move
  every later bar's start;
- a duration is its sounding length in seconds over the local beat length (``beatdur``) times 12,
  rounded, at least 1 step; it is not cut at the next onset.

Chords: each beat whose ``chord`` cell is not empty starts that chord on the beat (``NC`` = no
chord); symbols are read by :mod:`jazzsolo.music.chord_symbols`, and an unreadable one is an
error that names the symbol and the file.  Notes before a solo's first chord symbol have no chord.

A bad value is an InputFileError naming the file and the line (or event id); a solo without
notes or chords raises `UnusableSolo`.
"""
from __future__ import annotations

import math
import re

from jazzsolo.errors import InputFileError, NoChordsError
from jazzsolo.ingest.corpus_tables import (GRID_PER_BEAT, MAX_BARS, MAX_BEATS_PER_BAR,
                                           MAX_DIVISION, MAX_NOTE_BEATS, CorpusChord, CorpusNote,
                                           CorpusSolo, SoloTable, UnusableSolo, shown_value)
from jazzsolo.music.chord_symbols import ChordSymbol, parse_chord_symbols


def metrical_step(bar_start_step: int, beat: int, tatum: int, division: int) -> int:
    """Grid step of a WJazzD position: beat and tatum count from 1; halves of a step round up.

    >>> metrical_step(0, 1, 1, 1), metrical_step(48, 2, 2, 2), metrical_step(0, 1, 3, 4)
    (0, 66, 6)
    >>> metrical_step(0, 1, 2, 3), metrical_step(0, 1, 2, 5), metrical_step(0, 1, 2, 24)
    (4, 2, 1)
    """
    tatum_step = (2 * (tatum - 1) * GRID_PER_BEAT + division) // (2 * division)
    return bar_start_step + (beat - 1) * GRID_PER_BEAT + tatum_step


def duration_steps(duration_s: float, beatdur_s: float) -> int:
    """Sounding length in grid steps: seconds over the beat's length in seconds, at least 1.

    >>> duration_steps(0.25, 0.5), duration_steps(0.01, 0.5), duration_steps(1.5, 0.5)
    (6, 1, 36)
    """
    return max(1, math.floor(duration_s / beatdur_s * GRID_PER_BEAT + 0.5))


# --------------------------------------------------------------------------- one solo

def build_solo(name: str, melody: SoloTable, beats: SoloTable, *, source: str, beats_source: str,
               info: dict, melid: int | None = None) -> CorpusSolo:
    """Check the values of one solo's rows and place its notes and chords on the grid."""
    if not len(melody):
        raise UnusableSolo(source, "no notes")
    if not len(beats):
        raise UnusableSolo(beats_source, "no beats (and so no chords)", NoChordsError)
    notes, beat_rows = _melody_values(melody), _beat_values(beats)
    first_bar, metres = _bar_metres(notes, beat_rows, melody, beats)
    bar_steps = [period * GRID_PER_BEAT for period, _, _ in metres]
    starts = [0] * len(metres)
    for i in range(1, len(metres)):
        starts[i] = starts[i - 1] + bar_steps[i - 1]
    bar, beat, tatum, division, dur, beatdur, pitch = notes[:7]
    _check_beats(bar, beat, first_bar, metres, melody)
    placed = [CorpusNote(metrical_step(starts[b - first_bar], bt, t, d),
                         int(s / bd * GRID_PER_BEAT + 0.5) or 1, p, v)   # = duration_steps(s, bd)
              for b, bt, t, d, s, bd, p, v in zip(bar, beat, tatum, division, dur, beatdur, pitch,
                                                    notes[10])]
    placed.sort(key=lambda n: n.onset_step)
    chords = _place_chords(beat_rows, first_bar, starts, beats_source)
    signatures = [(i, num, den) for i, (_, num, den) in enumerate(metres)
                  if i == 0 or (num, den) != metres[i - 1][1:]]
    return CorpusSolo(name=name, performer=info.get("performer") or "",
                      title=info.get("title") or "", instrument=info.get("instrument") or None,
                      time_signatures=tuple(signatures), bar_steps=tuple(bar_steps),
                      notes=tuple(placed), chords=chords,
                      qpm=_qpm(beat_rows, beatdur, first_bar, metres),
                      source=source, first_bar=first_bar, melid=melid)


def _melody_values(table: SoloTable) -> list[list]:
    """Columns bar, beat, tatum, division, duration s, beatdur s, pitch, period, num, denom,
    velocity (None where absent), checked."""
    bar = _wholes(table, "bar", -10**6, 10**6)
    beat = _wholes(table, "beat", 1, MAX_BEATS_PER_BAR)
    tatum = _wholes(table, "tatum", 1, MAX_DIVISION)
    division = _wholes(table, "division", 1, MAX_DIVISION)
    _check_rows(table, [t > d for t, d in zip(tatum, division)],
                lambda r: f"tatum {tatum[r]} is past its division {division[r]}")
    dur, beatdur = _reals(table, "duration"), _reals(table, "beatdur")
    _check_rows(table, [b <= 0 for b in beatdur],
                lambda r: f"beatdur {beatdur[r]:g} s is not a positive beat length")
    _check_rows(table, [not 0 <= s <= MAX_NOTE_BEATS * b for s, b in zip(dur, beatdur)],
                lambda r: f"duration {dur[r]:g} s is not 0 to {MAX_NOTE_BEATS} beats of "
                          f"{beatdur[r]:g} s")
    columns = [bar, beat, tatum, division, dur, beatdur, _wholes(table, "pitch", 0, 127)]
    columns += [_wholes(table, c, 1, MAX_BEATS_PER_BAR) for c in ("period", "num", "denom")]
    velocity = table.columns.get("velocity") or [None] * len(table)
    columns.append([None if _blank(v) else _whole(table, "velocity", r, v, 1, 127)
                    for r, v in enumerate(velocity)])
    return columns


def _beat_values(table: SoloTable) -> list[list]:
    """Columns bar, beat, chord text, onset s, (num, denom) or None, checked."""
    signature = table.columns.get("signature") or [None] * len(table)
    return [_wholes(table, "bar", -10**6, 10**6), _wholes(table, "beat", 1, MAX_BEATS_PER_BAR),
            ["" if c is None else str(c).strip() for c in table.columns["chord"]],
            _reals(table, "onset"),
            [None if _blank(s) else _signature(table, r, s) for r, s in enumerate(signature)]]


def _blank(value) -> bool:
    """An empty cell: None (SQL NULL) or text of only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _as_whole(value) -> int:
    """A whole number from text ('3', '64.0') or a SQLite int/float; ValueError otherwise."""
    kind = type(value)
    if kind is int:
        return value
    if kind is str:
        try:
            return int(value)
        except ValueError:
            value, kind = float(value), float
    if kind is float and value.is_integer():
        return int(value)
    raise ValueError(value)


def _wholes(table: SoloTable, column: str, low: int, high: int) -> list[int]:
    """A column of whole numbers in [low, high]; the first bad value is an InputFileError."""
    values = table.columns[column]
    try:
        numbers = _fast_wholes(values)
    except (TypeError, ValueError, OverflowError):
        numbers = [_whole(table, column, row, v, low, high) for row, v in enumerate(values)]
    if numbers and (min(numbers) < low or max(numbers) > high):
        numbers = [_whole(table, column, row, v, low, high) for row, v in enumerate(values)]
    return numbers


def _fast_wholes(values: list) -> list[int]:
    """Whole numbers from a column of text ('3', '64.0') or of SQLite ints; ValueError if not."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return list(values)
    if kinds == {str}:
        try:
            return list(map(int, values))
        except ValueError:
            reals = list(map(float, values))
            if all(map(float.is_integer, reals)):
                return list(map(int, reals))
    return [_as_whole(v) for v in values]


def _whole(table: SoloTable, column: str, row: int, value, low: int, high: int) -> int:
    try:
        number = _as_whole(value)
    except (TypeError, ValueError, OverflowError):
        raise InputFileError(f"{table.where(row)}: {column} {shown_value(value)} is not a whole "
                             f"number") from None
    if not low <= number <= high:
        raise InputFileError(f"{table.where(row)}: {column} {number} is outside {low}..{high}")
    return number


def _reals(table: SoloTable, column: str) -> list[float]:
    """A column of finite numbers; the first bad value is an InputFileError."""
    values = table.columns[column]
    try:
        numbers = (list(map(float, values)) if set(map(type, values)) <= {str, float, int}
                   else [math.nan])
    except (ValueError, OverflowError):
        numbers = None
    if numbers is None or not all(map(math.isfinite, numbers)):
        for row, value in enumerate(values):
            try:
                ok = type(value) in (str, float, int) and math.isfinite(float(value))
            except (ValueError, OverflowError):
                ok = False
            if not ok:
                raise InputFileError(f"{table.where(row)}: {column} {shown_value(value)} is not a "
                                     f"finite number")
    return numbers


def _check_rows(table: SoloTable, bad: list[bool], message) -> None:
    """Raise InputFileError at the first row where `bad` holds, with message(row)."""
    if any(bad):
        row = bad.index(True)
        raise InputFileError(f"{table.where(row)}: {message(row)}")


def _signature(table: SoloTable, row: int, value) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,3})\s*", str(value))
    if not match or not (1 <= int(match[1]) <= MAX_BEATS_PER_BAR
                         and 1 <= int(match[2]) <= MAX_BEATS_PER_BAR):
        raise InputFileError(f"{table.where(row)}: signature {shown_value(value)} is not a time "
                             f"signature such as '4/4'")
    return int(match[1]), int(match[2])


def _check_beats(bars: list[int], beats: list[int], first_bar: int, metres: list,
                 table: SoloTable) -> None:
    """Every beat number within its bar's period."""
    _check_rows(table, [bt > metres[b - first_bar][0] for b, bt in zip(bars, beats)],
                lambda r: f"beat {beats[r]} is past the {metres[bars[r] - first_bar][0]} beats "
                          f"of bar {bars[r]}")


def _bar_metres(notes: list[list], beat_rows: list[list], melody: SoloTable,
                beats: SoloTable) -> tuple[int, list[tuple[int, int, int]]]:
    """The first bar's number and (period, num, denom) of every bar from it to the last."""
    first, last = min(min(notes[0]), min(beat_rows[0])), max(max(notes[0]), max(beat_rows[0]))
    if last - first + 1 > MAX_BARS:
        raise InputFileError(f"{melody.source}: bars {first} to {last} are over the "
                             f"{MAX_BARS}-bar limit for one solo")
    from_melody: dict[int, tuple[int, int, int]] = {}
    for row, (bar, *metre) in enumerate(zip(notes[0], notes[7], notes[8], notes[9])):
        metre = tuple(metre)
        if from_melody.setdefault(bar, metre) != metre:
            raise InputFileError(f"{melody.where(row)}: bar {bar} has two metres, "
                                 f"{_metre_text(from_melody[bar])} and {_metre_text(metre)}")
    periods = {(num, den): period for period, num, den in from_melody.values()}
    signed = {bar: s for bar, s in zip(beat_rows[0], beat_rows[4]) if s is not None}
    metres, current = [], None
    for bar in range(first, last + 1):
        if bar in from_melody:
            current = from_melody[bar]
        elif bar in signed or current is None:
            num, den = signed.get(bar) or _first_metre(bar, from_melody, signed)
            current = (periods.get((num, den), num), num, den)
        metres.append(current)
    _check_beats(beat_rows[0], beat_rows[1], first, metres, beats)
    return first, metres


def _first_metre(bar: int, from_melody: dict, signed: dict) -> tuple[int, int]:
    """(num, denom) for a bar before any metre is known: the nearest one after it."""
    later = [(b, m[1:]) for b, m in from_melody.items() if b > bar]
    later += [(b, s) for b, s in signed.items() if b > bar]
    return min(later)[1]


def _metre_text(metre: tuple[int, int, int]) -> str:
    return f"{metre[1]}/{metre[2]} in {metre[0]} beats"


def _place_chords(beat_rows: list[list], first_bar: int, starts: list[int],
                  source: str) -> tuple[CorpusChord, ...]:
    """A chord on each beat with a symbol; a solo with only NC (or none) is unusable."""
    texts = [(bar, beat, text) for bar, beat, text in zip(*beat_rows[:3]) if text]
    symbols = _parse_symbols([text for _, _, text in texts], source)
    if all(s.is_no_chord for s in symbols):
        raise UnusableSolo(source, "only NC symbols" if texts else "no chord symbols",
                           NoChordsError)
    chords = [CorpusChord(starts[bar - first_bar] + (beat - 1) * GRID_PER_BEAT, symbol)
              for (bar, beat, _), symbol in zip(texts, symbols)]
    chords.sort(key=lambda c: c.onset_step)
    return tuple(chords)


_SYMBOL_CACHE: dict[str, ChordSymbol] = {}


def _parse_symbols(texts: list[str], source: str) -> list[ChordSymbol]:
    """Parse symbols, each distinct one once per process (a corpus has ~400 distinct ones)."""
    new = sorted({t for t in texts if t not in _SYMBOL_CACHE})
    if new:
        for text, symbol in zip(new, parse_chord_symbols(new, source=source)):
            if len(_SYMBOL_CACHE) < 100_000:
                _SYMBOL_CACHE[text] = symbol
    return [_SYMBOL_CACHE.get(t) or parse_chord_symbols([t], source=source)[0] for t in texts]


def _qpm(beat_rows: list[list], beatdurs: list[float], first_bar: int, metres: list) -> float:
    """Quarter notes per minute: the annotated beats' span over their onsets, else beatdur."""
    bar_quarters = [0.0]                             # start of each bar in quarter notes
    for _, num, den in metres:
        bar_quarters.append(bar_quarters[-1] + 4 * num / den)

    def quarters(bar: int, beat: int) -> float:     # position of a beat in quarter notes
        period, num, den = metres[bar - first_bar]
        return bar_quarters[bar - first_bar] + (beat - 1) * 4 * num / den / period

    ordered = sorted(zip(beat_rows[0], beat_rows[1], beat_rows[3]))
    (bar0, beat0, onset0), (bar1, beat1, onset1) = ordered[0], ordered[-1]
    if onset1 > onset0:
        qpm = 60 * (quarters(bar1, beat1) - quarters(bar0, beat0)) / (onset1 - onset0)
        if math.isfinite(qpm) and qpm > 0:
            return qpm
    beatdur = sorted(beatdurs)[len(beatdurs) // 2]     # median, in seconds
    period, num, den = metres[0]
    return 60 / max(beatdur, 1e-3) * 4 * num / den / period


__all__ = ["build_solo", "duration_steps", "metrical_step"]
