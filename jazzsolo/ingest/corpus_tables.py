"""WJazzD tables (a per-solo CSV file, or rows of ``wjazzd.db``) → columns of text, and the
records a corpus is read into: what `jazzsolo.ingest.corpus` and `jazzsolo.ingest.corpus_db`
share.

- the columns each table needs (`MELODY_COLUMNS`, `BEATS_COLUMNS`) and may have
  (`OPTIONAL_COLUMNS`), and the limits on what one solo may hold;
- `SoloTable`: one solo's rows of one table, column by column, with the line (CSV) or event id
  (database) of each row for messages; `read_csv_table` reads one from a CSV file;
- the records: `CorpusNote`, `CorpusChord`, `CorpusSolo` on a grid of `GRID_PER_BEAT` steps per
  beat, and `Corpus`, the solos read and the solos skipped;
- `UnusableSolo`: a solo that reads but cannot be used (skipped in a corpus).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jazzsolo.errors import InputFileError, MidiContentError
from jazzsolo.music.chord_symbols import ChordSymbol

GRID_PER_BEAT = 12                   # steps per beat: sixteenths = 3, eighth triplets = 4
MAX_CSV_BYTES = 20 * 1024 * 1024     # one melody or beats CSV (the largest WJazzD one: 400 KB)
MAX_BARS = 10_000                    # bars one solo may span (WJazzD's most: 795, of 1/4)
MAX_BEATS_PER_BAR = 64               # period limit
MAX_DIVISION = 256                   # tatums per beat (WJazzD uses at most 36)
MAX_NOTE_BEATS = 1_000               # a longer note is refused (WJazzD's longest is ~30 beats)

MELODY_COLUMNS = ("bar", "beat", "tatum", "division", "duration", "beatdur", "pitch", "period",
                  "num", "denom")                       # needed, in the order rows are read
BEATS_COLUMNS = ("bar", "beat", "chord", "onset")       # needed
OPTIONAL_COLUMNS = {"melody": ("velocity",), "beats": ("signature",)}   # read where present


# --------------------------------------------------------------------------- records

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


class UnusableSolo(Exception):
    """A solo that reads but cannot be used: skipped in a corpus, an error when read alone.

    Not a JazzsoloError: the readers catch it, and `as_error` gives the public error.
    """

    def __init__(self, where: str, reason: str, public: type[MidiContentError] = MidiContentError):
        super().__init__(f"{where}: {reason}")
        self.reason, self.public = reason, public

    def as_error(self) -> MidiContentError:
        return self.public(str(self))


# --------------------------------------------------------------------------- tables

@dataclass
class SoloTable:
    """One solo's rows of one table, by column: values as read (text or SQLite values)."""

    source: str                  # file, or database and table, for messages
    columns: dict[str, list]     # column name -> one value per row
    places: list[int]            # line number (CSV) or event id (database) of each row
    place: str = "line"          # what `places` count: 'line', 'eventid', 'beatid' or 'rowid'

    def __len__(self) -> int:
        return len(self.places)

    def where(self, row: int) -> str:
        """`source` and the place of `row`, to begin a message about it."""
        return f"{self.source}: {self.place} {self.places[row]}"


def read_csv_table(path: Path, needed: Sequence[str], optional: Sequence[str]) -> SoloTable:
    """The needed (and present optional) columns of a CSV file, as text, with line numbers."""
    text = _read_text(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InputFileError(f"{path}: not a readable CSV file ({e})") from None
    if not rows:
        raise InputFileError(f"{path}: empty file, expected a header with {', '.join(needed)}")
    header = [name.strip().lstrip("\ufeff") for name in rows[0]]
    check_columns(path, needed, header)
    lines = [line for line, row in enumerate(rows[1:], start=2) if row]   # blank lines dropped
    rows = [row for row in rows[1:] if row]
    for line, row in zip(lines, rows):
        if len(row) != len(header):
            raise InputFileError(f"{path}: line {line} has {len(row)} fields, "
                                 f"the header has {len(header)}")
    by_column = list(zip(*rows)) if rows else [()] * len(header)
    columns = {c: list(by_column[header.index(c)]) for c in (*needed, *optional) if c in header}
    return SoloTable(str(path), columns, lines)


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


def check_columns(where: str | Path, needed: Sequence[str], present: Sequence[str]) -> None:
    """InputFileError naming `where` and every needed column that is not `present`."""
    missing = [c for c in needed if c not in present]
    if missing:
        shown = ", ".join(repr(c) for c in missing)
        raise InputFileError(f"{where}: missing column{'s' if len(missing) > 1 else ''} {shown} "
                             f"(needs {', '.join(needed)})")


def shown_value(value) -> str:
    """A value from a file as a message shows it: its repr, cut to about 40 characters.

    >>> shown_value("D4"), shown_value("x" * 50)[-5:]
    ("'D4'", 'xx...')
    """
    shown = repr(value)
    return shown if len(shown) <= 42 else shown[:40] + "..."


def with_progress(items: Sequence, show: bool):
    """`items`, behind a tqdm progress bar of solos read when `show` is set."""
    if not show:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc="reading solos", unit="solo")


def performer_and_title(name: str) -> tuple[str, str]:
    """(performer, title) of a WJazzD solo name ``Performer_Title_Solo``; a name without an
    underscore is its own title.

    >>> performer_and_title("ArtPepper_Stardust-1_Solo"), performer_and_title("take")
    (('ArtPepper', 'Stardust-1'), ('take', 'take'))
    """
    performer, _, title = name.removesuffix("_Solo").partition("_")
    return performer, title or name


__all__ = ["BEATS_COLUMNS", "GRID_PER_BEAT", "MAX_BARS", "MAX_BEATS_PER_BAR", "MAX_CSV_BYTES",
           "MAX_DIVISION", "MAX_NOTE_BEATS", "MELODY_COLUMNS", "OPTIONAL_COLUMNS", "Corpus",
           "CorpusChord", "CorpusNote", "CorpusSolo", "SoloTable", "UnusableSolo",
           "check_columns", "performer_and_title", "read_csv_table", "shown_value", "with_progress"]
