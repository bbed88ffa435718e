"""Weimar Jazz Database solos (per-solo CSV export or ``wjazzd.db``) → notes and chords on a grid.

The Weimar Jazz Database (WJazzD, Jazzomat Research Project, HfM Weimar; ODbL 1.0) annotates
each note with its metrical position: ``bar``, ``beat`` (from 1), and ``tatum`` of ``division``
equal parts of the beat (from 1).  Positions here come from those columns, never from seconds:

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
chord); symbols are read by :mod:`jazzsolo.music.chord_symbols`, and an unreadable one is an error that
names the symbol and the file.  Notes before a solo's first chord symbol have no chord.

The database file itself is read by `jazzsolo.ingest.corpus_db`, into the same solos.

Bad input: a file or database that is not what it should be raises one ``JazzsoloError`` (one
line, naming the file); a solo that reads but holds no notes or no chords is skipped and listed
in ``Corpus.skipped``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jazzsolo.music.chord_symbols import ChordSymbol, parse_chord_symbols
from jazzsolo.errors import ConfigError, InputFileError, MidiContentError, NoChordsError

GRID_PER_BEAT = 12                   # steps per beat: sixteenths = 3, eighth triplets = 4
MAX_CSV_BYTES = 20 * 1024 * 1024     # one melody or beats CSV (the largest WJazzD one: 400 KB)
MAX_BARS = 10_000                    # bars one solo may span (WJazzD's most: 795, of 1/4)
MAX_BEATS_PER_BAR = 64               # period limit
MAX_DIVISION = 256                   # tatums per beat (WJazzD uses at most 36)
MAX_NOTE_BEATS = 1_000               # a longer note is refused (WJazzD's longest is ~30 beats)

MELODY_COLUMNS = ("bar", "beat", "tatum", "division", "duration", "beatdur", "pitch", "period",
                  "num", "denom")                       # needed, in the order rows are read
BEATS_COLUMNS = ("bar", "beat", "chord", "onset")       # needed
_OPTIONAL = {"melody": ("velocity",), "beats": ("signature",)}


@dataclass(frozen=True)
class CorpusNote:
    """One note: grid position from the solo's first bar line, length in steps, MIDI pitch."""

    onset_step: int              # steps of 1/GRID_PER_BEAT beat from the start of bar 0
    duration_steps: int          # sounding length in steps, >= 1 (may reach past the next onset)
    pitch: int                   # MIDI 0-127
    velocity: int | None = None  # MIDI 1-127 where the source has a velocity column (WJazzD: none)


@dataclass(frozen=True)
class CorpusChord:
    """A chord symbol starting on a beat; it holds until the next one (``NC`` = no chord)."""

    onset_step: int
    symbol: ChordSymbol


@dataclass(frozen=True)
class CorpusSolo:
    """One solo on the grid: notes, chord changes, the metre of every bar, metadata."""

    name: str                                        # CSV file stem, or the database's file name
    performer: str
    title: str
    instrument: str | None                           # from solo_info (e.g. 'ts'); None for CSV
    time_signatures: tuple[tuple[int, int, int], ...]  # (bar, numerator, denominator) per change
    bar_steps: tuple[int, ...]                       # grid steps of each bar, bar 0 first
    notes: tuple[CorpusNote, ...]                    # by onset_step
    chords: tuple[CorpusChord, ...]                  # by onset_step
    qpm: float                                       # average tempo, quarter notes per minute
    source: str                                      # path of the melody CSV or the .db file
    first_bar: int = 0                               # the database's number of bar 0
    melid: int | None = None                         # the database's solo id (None for CSV)

    def __post_init__(self) -> None:
        if not self.bar_steps or min(self.bar_steps) < 1 or not self.time_signatures:
            raise MidiContentError(f"{self.name}: a solo needs at least one bar and a metre")

    @property
    def n_bars(self) -> int:
        """Number of bars, the pickup bar included."""
        return len(self.bar_steps)

    @property
    def beats_per_bar(self) -> int:
        """Beats in bar 0 (later bars may differ: see `time_signatures` and `bar_steps`)."""
        return self.bar_steps[0] // GRID_PER_BEAT

    @property
    def n_steps(self) -> int:
        """Grid steps from the start of bar 0 to the end of the last bar."""
        return sum(self.bar_steps)

    def steps_per_bar(self, bar: int) -> int:
        """Grid steps in `bar` (0 = the solo's first bar)."""
        return self.bar_steps[bar]

    def bar_start_step(self, bar: int) -> int:
        """Grid step where `bar` starts; `n_bars` gives the end of the solo."""
        return sum(self.bar_steps[:bar])

    def __repr__(self) -> str:
        return (f"CorpusSolo(name={self.name!r}, performer={self.performer!r}, "
                f"title={self.title!r}, instrument={self.instrument!r}, "
                f"time_signatures={self.time_signatures!r}, n_bars={self.n_bars}, "
                f"notes=<{len(self.notes)} notes>, chords=<{len(self.chords)} chords>, "
                f"qpm={self.qpm:.1f}, source={self.source!r}, first_bar={self.first_bar}, "
                f"melid={self.melid!r})")


@dataclass
class Corpus:
    """Solos read from one folder or database, and the solos skipped with the reason why."""

    solos: list[CorpusSolo]
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (name, reason)
    source: str = ""

    @property
    def names(self) -> list[str]:
        """Solo names in reading order."""
        return [solo.name for solo in self.solos]

    def __len__(self) -> int:
        return len(self.solos)


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


# --------------------------------------------------------------------------- reading a corpus

def read_corpus(path: str | Path, *, limit: int | None = None, progress: bool = False) -> Corpus:
    """Read every solo of a WJazzD folder (``melody/`` and ``beats/`` CSVs) or ``wjazzd.db``.

    Solos are read in name order (CSV) or melid order (database); `limit` keeps the first ones.
    Unusable solos (no notes, no chords) are skipped and listed in ``Corpus.skipped``; a file
    that cannot be read raises a JazzsoloError naming it.
    """
    path = Path(path)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigError(f"limit must be a whole number >= 1 or None, not {limit!r}")
    if path.is_dir():
        return _read_csv_folder(path, limit=limit, progress=progress)
    if path.is_file():
        from jazzsolo.ingest.corpus_db import is_sqlite, read_db

        if path.suffix.lower() in (".db", ".sqlite", ".sqlite3") or is_sqlite(path):
            return read_db(path, melids=None, limit=limit, progress=progress)
        raise InputFileError(f"{path}: not a WJazzD folder (melody/ and beats/) nor a .db file")
    raise InputFileError(f"{path}: no such folder or database file")


def _read_csv_folder(folder: Path, *, limit: int | None, progress: bool) -> Corpus:
    melody_dir, beats_dir = folder / "melody", folder / "beats"
    if not melody_dir.is_dir():
        raise InputFileError(f"{folder}: no melody/ folder of WJazzD solo CSVs")
    melody_files = sorted(p for p in melody_dir.iterdir() if p.suffix.lower() == ".csv")
    if not melody_files:
        raise InputFileError(f"{melody_dir}: no melody CSV files")
    missing = [p.name for p in melody_files if not (beats_dir / p.name).is_file()]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise InputFileError(f"{melody_dir / missing[0]}: no beats CSV beside it "
                             f"({beats_dir / missing[0]} is missing){more}")
    corpus = Corpus([], [], str(folder))
    for melody_csv in _progress(melody_files[:limit], progress):
        try:
            corpus.solos.append(_solo_from_csv(melody_csv, beats_dir / melody_csv.name))
        except _UnusableSolo as e:
            corpus.skipped.append((melody_csv.stem, e.reason))
    return corpus


def _progress(items: Sequence, show: bool):
    if not show:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc="reading solos", unit="solo")


class _UnusableSolo(Exception):
    """A solo that reads but cannot be used: skipped in a corpus, an error when read alone."""

    def __init__(self, where: str, reason: str, public: type[MidiContentError] = MidiContentError):
        super().__init__(f"{where}: {reason}")
        self.reason, self.public = reason, public

    def as_error(self) -> MidiContentError:
        return self.public(str(self))


# --------------------------------------------------------------------------- CSV files

def read_solo_csv(melody_csv: str | Path, beats_csv: str | Path) -> CorpusSolo:
    """Read one solo from its WJazzD melody and beats CSV files (the name is the file stem).

    Raises InputFileError for an unreadable file, ChordSymbolError for an unreadable chord
    symbol, and MidiContentError (NoChordsError) for a solo without notes (chords).
    """
    try:
        return _solo_from_csv(Path(melody_csv), Path(beats_csv))
    except _UnusableSolo as e:
        raise e.as_error() from None


def _solo_from_csv(melody_csv: Path, beats_csv: Path) -> CorpusSolo:
    melody = _read_table(melody_csv, MELODY_COLUMNS, _OPTIONAL["melody"])
    beats = _read_table(beats_csv, BEATS_COLUMNS, _OPTIONAL["beats"])
    stem = melody_csv.stem
    performer, _, title = stem.removesuffix("_Solo").partition("_")
    return _build_solo(stem, melody, beats, source=str(melody_csv), beats_source=str(beats_csv),
                       info={"performer": performer, "title": title or stem})


def _read_table(path: Path, needed: Sequence[str], optional: Sequence[str]) -> _Table:
    """The needed (and present optional) columns of a CSV file, as text, with line numbers."""
    text = _read_text(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InputFileError(f"{path}: not a readable CSV file ({e})") from None
    if not rows:
        raise InputFileError(f"{path}: empty file, expected a header with {', '.join(needed)}")
    header = [name.strip().lstrip("\ufeff") for name in rows[0]]
    _check_columns(path, needed, header)
    lines = [line for line, row in enumerate(rows[1:], start=2) if row]   # blank lines dropped
    rows = [row for row in rows[1:] if row]
    for line, row in zip(lines, rows):
        if len(row) != len(header):
            raise InputFileError(f"{path}: line {line} has {len(row)} fields, "
                                 f"the header has {len(header)}")
    by_column = list(zip(*rows)) if rows else [()] * len(header)
    columns = {c: list(by_column[header.index(c)]) for c in (*needed, *optional) if c in header}
    return _Table(str(path), columns, lines)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InputFileError(f"{path}: {size} bytes is over the {MAX_CSV_BYTES}-byte limit "
                                 f"for a WJazzD CSV file")
        with open(path, "rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)
    except OSError as e:
        raise InputFileError(f"{path}: cannot read ({e.strerror or e})") from None
    if len(data) > MAX_CSV_BYTES:
        raise InputFileError(f"{path}: over the {MAX_CSV_BYTES}-byte limit for a WJazzD CSV file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path}: not UTF-8 text (byte {e.start})") from None


def _check_columns(where: str | Path, needed: Sequence[str], present: Sequence[str]) -> None:
    missing = [c for c in needed if c not in present]
    if missing:
        shown = ", ".join(repr(c) for c in missing)
        raise InputFileError(f"{where}: missing column{'s' if len(missing) > 1 else ''} {shown} "
                             f"(needs {', '.join(needed)})")


@dataclass
class _Table:
    """One solo's rows of one table, by column: values as read (text or SQLite values)."""

    source: str                  # file, or database and table, for messages
    columns: dict[str, list]     # column name -> one value per row
    places: list[int]            # line number (CSV) or event id (database) of each row
    place: str = "line"          # what `places` count: 'line', 'eventid', 'beatid' or 'rowid'

    def __len__(self) -> int:
        return len(self.places)

    def where(self, row: int) -> str:
        return f"{self.source}: {self.place} {self.places[row]}"


# --------------------------------------------------------------------------- one solo

def _build_solo(name: str, melody: _Table, beats: _Table, *, source: str, beats_source: str,
                info: dict, melid: int | None = None) -> CorpusSolo:
    """Check the values of one solo's rows and place its notes and chords on the grid."""
    if not len(melody):
        raise _UnusableSolo(source, "no notes")
    if not len(beats):
        raise _UnusableSolo(beats_source, "no beats (and so no chords)", NoChordsError)
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


def _melody_values(table: _Table) -> list[list]:
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


def _beat_values(table: _Table) -> list[list]:
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


def _wholes(table: _Table, column: str, low: int, high: int) -> list[int]:
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


def _whole(table: _Table, column: str, row: int, value, low: int, high: int) -> int:
    try:
        number = _as_whole(value)
    except (TypeError, ValueError, OverflowError):
        raise InputFileError(f"{table.where(row)}: {column} {_shown(value)} is not a whole "
                             f"number") from None
    if not low <= number <= high:
        raise InputFileError(f"{table.where(row)}: {column} {number} is outside {low}..{high}")
    return number


def _reals(table: _Table, column: str) -> list[float]:
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
                raise InputFileError(f"{table.where(row)}: {column} {_shown(value)} is not a "
                                     f"finite number")
    return numbers


def _check_rows(table: _Table, bad: list[bool], message) -> None:
    """Raise InputFileError at the first row where `bad` holds, with message(row)."""
    if any(bad):
        row = bad.index(True)
        raise InputFileError(f"{table.where(row)}: {message(row)}")


def _signature(table: _Table, row: int, value) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,3})\s*", str(value))
    if not match or not (1 <= int(match[1]) <= MAX_BEATS_PER_BAR
                         and 1 <= int(match[2]) <= MAX_BEATS_PER_BAR):
        raise InputFileError(f"{table.where(row)}: signature {_shown(value)} is not a time "
                             f"signature such as '4/4'")
    return int(match[1]), int(match[2])


def _shown(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 42 else shown[:40] + "..."


def _check_beats(bars: list[int], beats: list[int], first_bar: int, metres: list,
                 table: _Table) -> None:
    """Every beat number within its bar's period."""
    _check_rows(table, [bt > metres[b - first_bar][0] for b, bt in zip(bars, beats)],
                lambda r: f"beat {beats[r]} is past the {metres[bars[r] - first_bar][0]} beats "
                          f"of bar {bars[r]}")


def _bar_metres(notes: list[list], beat_rows: list[list], melody: _Table,
                beats: _Table) -> tuple[int, list[tuple[int, int, int]]]:
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
        raise _UnusableSolo(source, "only NC symbols" if texts else "no chord symbols",
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


# --------------------------------------------------------------------------- splitting

def split_by_solo(corpus: Corpus | Iterable[str], *, validation_share: float = 0.1,
                  seed: int = 0) -> tuple[list[str], list[str]]:
    """Split solo names into (train, validation), whole solos only, the same on every machine.

    Each name is ranked by the SHA-256 of ``"<seed>:<name>"``; the first
    ``round(share * n)`` (at least 1 where there are two or more solos) are validation.  A hash
    rather than a random permutation keeps the split independent of NumPy versions and
    platforms, and adding or removing a solo leaves the others' ranking as it was.

    >>> split_by_solo(["a", "b", "c", "d", "e"], validation_share=0.4)
    (['b', 'c', 'e'], ['a', 'd'])
    """
    names = sorted(set(corpus.names if isinstance(corpus, Corpus) else corpus))
    if not (isinstance(validation_share, (int, float)) and 0 <= validation_share < 1):
        raise ConfigError(f"validation_share must be in [0, 1), not {validation_share!r}")
    n_validation = round(validation_share * len(names))
    if validation_share > 0 and len(names) >= 2:
        n_validation = min(max(n_validation, 1), len(names) - 1)
    ranked = sorted(names, key=lambda n: hashlib.sha256(f"{seed}:{n}".encode()).hexdigest())
    validation = set(ranked[:n_validation])
    return [n for n in names if n not in validation], sorted(validation)


__all__ = ["GRID_PER_BEAT", "Corpus", "CorpusChord", "CorpusNote", "CorpusSolo", "duration_steps",
           "metrical_step", "read_corpus", "read_solo_csv", "split_by_solo"]
