"""The Weimar Jazz Database's own SQLite file (``wjazzd.db``: tables ``melody``, ``beats``,
``solo_info``) → solos on the grid, read exactly as the per-solo CSV export is read (the same
tables of `jazzsolo.ingest.corpus_tables`, placed by `jazzsolo.ingest.corpus_grid`); and a small
``.db`` written from CSV solos, for tests.

The file is opened read-only, queries take parameters only, and table and column names come
from an allow-list, so a hostile database can neither write nor inject.
"""
from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from jazzsolo.errors import ConfigError, InputFileError, OutputExistsError
from jazzsolo.ingest.corpus_grid import build_solo
from jazzsolo.ingest.corpus_tables import (BEATS_COLUMNS, MELODY_COLUMNS, OPTIONAL_COLUMNS,
                                           Corpus, CorpusSolo, SoloTable, UnusableSolo,
                                           check_columns, performer_and_title, read_csv_table,
                                           shown_value, with_progress)

MAX_DB_BYTES = 500 * 1024 * 1024     # one wjazzd.db-like SQLite file
_SOLO_INFO = ("performer", "title", "instrument")       # read from solo_info where present
_SQLITE_MAGIC = b"SQLite format 3\x00"


def read_solo_db(db_path: str | Path, melid: int) -> CorpusSolo:
    """Read the solo with id `melid` from a ``wjazzd.db`` (tables melody, beats, solo_info)."""
    if isinstance(melid, bool) or not isinstance(melid, int):
        raise ConfigError(f"melid must be a whole number, not {melid!r}")
    corpus = read_db(Path(db_path), melids=[melid], limit=None, progress=False,
                      raise_unusable=True)
    if not corpus.solos:
        raise InputFileError(f"{db_path}: no solo with melid {melid} in table melody")
    return corpus.solos[0]


def read_db(path: Path, *, melids: list[int] | None, limit: int | None, progress: bool,
             raise_unusable: bool = False) -> Corpus:
    with _open_db(path) as conn:
        melody = _select(conn, path, "melody", MELODY_COLUMNS, OPTIONAL_COLUMNS["melody"], melids)
        beats = _select(conn, path, "beats", BEATS_COLUMNS, OPTIONAL_COLUMNS["beats"], melids)
        info = _solo_info(conn)
        names = _solo_names(conn, sorted(melody))
    if not melody:
        if melids is not None:
            return Corpus([], [], str(path))
        raise InputFileError(f"{path}: table melody has no rows")
    corpus = Corpus([], [], str(path))
    for melid in with_progress(sorted(melody)[:limit], progress):
        empty = SoloTable(f"{path} table beats melid {melid}", {}, [])
        try:
            corpus.solos.append(build_solo(
                names[melid], melody[melid], beats.get(melid, empty), source=str(path),
                beats_source=f"{path} (melid {melid})", info=info.get(melid, {}), melid=melid))
        except UnusableSolo as e:
            if raise_unusable:
                raise e.as_error() from None
            corpus.skipped.append((names[melid], e.reason))
    return corpus


class _open_db:
    """A read-only SQLite connection (``mode=ro`` URI) to a file under the size limit."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            size = self.path.stat().st_size
        except OSError as e:
            raise InputFileError(f"{self.path}: cannot read ({e.strerror or e})") from None
        if size > MAX_DB_BYTES:
            raise InputFileError(f"{self.path}: {size} bytes is over the {MAX_DB_BYTES}-byte "
                                 f"limit for a WJazzD database")
        self.conn = None
        try:
            self.conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
            self.conn.execute("PRAGMA query_only = ON")
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            if self.conn is not None:
                self.conn.close()
            raise InputFileError(f"{self.path}: not a readable SQLite database ({e})") from None
        return self.conn

    def __exit__(self, kind, error, trace) -> None:
        self.conn.close()
        if isinstance(error, sqlite3.Error):
            raise InputFileError(f"{self.path}: cannot read the database ({error})") from None


def _table_columns(conn: sqlite3.Connection, table: str) -> list[str] | None:
    """Column names of a table (not a view) named `table`, or None when there is none."""
    found = conn.execute("SELECT type FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if found is None or found[0] != "table":
        return None
    return [row[0] for row in conn.execute("SELECT name FROM pragma_table_info(?)", (table,))]


# The only SQL text this module runs besides fixed strings: names from MELODY_COLUMNS,
# BEATS_COLUMNS, OPTIONAL_COLUMNS and _SOLO_INFO and the table names "melody", "beats" and
# "solo_info", all constants (of this module or corpus_tables); melids go in as parameters.
_ALLOWED_NAMES = frozenset((*MELODY_COLUMNS, *BEATS_COLUMNS, *OPTIONAL_COLUMNS["melody"],
                            *OPTIONAL_COLUMNS["beats"], *_SOLO_INFO,
                            "melody", "beats", "solo_info",
                            "melid", "eventid", "beatid", "rowid"))


def _select(conn: sqlite3.Connection, path: Path, table: str, needed: Sequence[str],
            optional: Sequence[str], melids: list[int] | None) -> dict[int, SoloTable]:
    """Rows of `table` grouped by melid, in the table's event order."""
    present = _table_columns(conn, table)
    if present is None:
        raise InputFileError(f"{path}: no table {table!r}, not a WJazzD database")
    check_columns(f"{path} table {table}", ("melid", *needed), present)
    columns = [*needed, *(c for c in optional if c in present)]
    order = {"melody": "eventid", "beats": "beatid"}[table]
    order = order if order in present else "rowid"
    assert _ALLOWED_NAMES.issuperset((table, order, *columns))
    sql = f"SELECT melid, {order}, {', '.join(columns)} FROM {table}"
    if melids is not None:
        sql += f" WHERE melid IN ({', '.join('?' * len(melids))})"
    grouped: dict[int, SoloTable] = {}
    for melid, event, *values in conn.execute(sql + f" ORDER BY melid, {order}", melids or ()):
        if isinstance(melid, bool) or not isinstance(melid, int):
            raise InputFileError(f"{path}: table {table}: melid {shown_value(melid)} is not a "
                                 f"whole number")
        if melid not in grouped:
            grouped[melid] = SoloTable(f"{path} table {table} melid {melid}",
                                       {c: [] for c in columns}, [], order)
        solo = grouped[melid]
        for column, value in zip(columns, values):
            solo.columns[column].append(value)
        solo.places.append(event)
    return grouped


def _solo_info(conn: sqlite3.Connection) -> dict[int, dict]:
    """performer, title, instrument per melid from solo_info, where the table has them."""
    present = _table_columns(conn, "solo_info")
    if present is None or "melid" not in present:
        return {}
    columns = [c for c in _SOLO_INFO if c in present]
    if not columns:
        return {}
    info = {}
    for melid, *values in conn.execute(f"SELECT melid, {', '.join(columns)} FROM solo_info"):
        if isinstance(melid, int) and not isinstance(melid, bool):
            info[melid] = {c: _text(v) for c, v in zip(columns, values)}
    return info


def _text(value) -> str | None:
    if value is None or isinstance(value, bytes):
        return None
    return str(value).strip()[:200] or None


def _solo_names(conn: sqlite3.Connection, melids: list[int]) -> dict[int, str]:
    """Each solo's name: the stem of transcription_info.filename_sv, else 'melid<N>'."""
    files: dict[int, str] = {}
    present = _table_columns(conn, "transcription_info") or []
    if {"melid", "filename_sv"} <= set(present):
        for melid, filename in conn.execute("SELECT melid, filename_sv FROM transcription_info"):
            stem = _text(filename)
            if isinstance(melid, int) and stem:
                files[melid] = re.split(r"[\\/]", stem)[-1].rsplit(".", 1)[0] or stem
    names, used = {}, set()
    for melid in melids:
        name = files.get(melid) or f"melid{melid}"
        if name in used:
            name = f"{name}_melid{melid}"
        names[melid] = name
        used.add(name)
    return names


def is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def write_test_db(csv_dir: str | Path, db_path: str | Path, names: Iterable[str]) -> Path:
    """Write a small ``wjazzd.db``-like SQLite file from some solos of a WJazzD CSV folder.

    For tests, and for users who want their CSV solos in one database file: tables ``melody``
    and ``beats`` (the CSV columns plus ``melid``, ``eventid``/``beatid``), ``solo_info``
    (melid, performer, title, instrument) and ``transcription_info`` (melid, filename_sv =
    ``<name>.sv``), as in the MeloSpy schema.  Solos get melids 1, 2, ... in the order given.
    An existing `db_path` is never overwritten (OutputExistsError).
    """
    csv_dir, db_path = Path(csv_dir), Path(db_path)
    if db_path.exists():
        raise OutputExistsError(f"{db_path} exists already; choose another path")
    tables = []
    for melid, name in enumerate(names, start=1):
        melody = read_csv_table(csv_dir / "melody" / f"{name}.csv", MELODY_COLUMNS,
                             sorted(_WRITABLE["melody"] - {"melid", *MELODY_COLUMNS}))
        beats = read_csv_table(csv_dir / "beats" / f"{name}.csv", BEATS_COLUMNS,
                            sorted(_WRITABLE["beats"] - {"melid", *BEATS_COLUMNS}))
        tables.append((melid, name, melody, beats))
    handle, tmp = tempfile.mkstemp(suffix=".db.tmp", dir=db_path.parent)
    os.close(handle)
    try:
        conn = sqlite3.connect(tmp)
        with conn:
            _write_tables(conn, tables)
        conn.close()
        os.replace(tmp, db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return db_path


_DB_SCHEMA = """
CREATE TABLE melody (eventid INTEGER PRIMARY KEY AUTOINCREMENT, melid INTEGER, onset REAL,
    pitch REAL, duration REAL, period INTEGER, division INTEGER, bar INTEGER, beat INTEGER,
    tatum INTEGER, subtatum INTEGER, num INTEGER, denom INTEGER, beatdur REAL, velocity INTEGER);
CREATE TABLE beats (beatid INTEGER PRIMARY KEY AUTOINCREMENT, melid INTEGER, onset REAL,
    bar INTEGER, beat INTEGER, signature TEXT, chord TEXT, form TEXT, bass_pitch INTEGER,
    chorus_id INTEGER);
CREATE TABLE solo_info (melid INTEGER, performer TEXT, title TEXT, instrument TEXT);
CREATE TABLE transcription_info (melid INTEGER, filename_sv TEXT);
"""


_WRITABLE = {"melody": frozenset(("melid", *MELODY_COLUMNS, "onset", "subtatum", "velocity")),
             "beats": frozenset(("melid", *BEATS_COLUMNS, "signature", "form", "chorus_id",
                                 "bass_pitch"))}


def _write_tables(conn: sqlite3.Connection, tables: list) -> None:
    conn.executescript(_DB_SCHEMA)
    for melid, name, melody, beats in tables:
        for table_name, table in (("melody", melody), ("beats", beats)):
            columns = ["melid", *table.columns]
            assert _WRITABLE[table_name].issuperset(columns)      # names are constants
            sql = (f"INSERT INTO {table_name} ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})")
            rows = zip(*(map(_sql_value, values) for values in table.columns.values()))
            conn.executemany(sql, ((melid, *row) for row in rows))
        performer, title = performer_and_title(name)
        conn.execute("INSERT INTO solo_info VALUES (?, ?, ?, NULL)", (melid, performer, title))
        conn.execute("INSERT INTO transcription_info VALUES (?, ?)", (melid, f"{name}.sv"))


def _sql_value(text: str):
    """A CSV cell as SQLite holds it: whole numbers as int, other numbers as float, else text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text if text != "" else None


__all__ = ["MAX_DB_BYTES", "is_sqlite", "read_db", "read_solo_db", "write_test_db"]
