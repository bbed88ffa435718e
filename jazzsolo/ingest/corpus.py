"""Weimar Jazz Database solos (per-solo CSV export or ``wjazzd.db``) → notes and chords on a grid.

The Weimar Jazz Database (WJazzD, Jazzomat Research Project, HfM Weimar; ODbL 1.0) annotates
each note with its metrical position (bar, beat, tatum of a division of the beat); solos are
placed on a grid of ``GRID_PER_BEAT`` = 12 steps per beat from those columns, never from seconds,
as `jazzsolo.ingest.corpus_grid` describes.  The modules of the corpus, by concern:

- `jazzsolo.ingest.corpus_tables`: the columns each table needs, the records (`CorpusNote`,
  `CorpusChord`, `CorpusSolo`, `Corpus`) and reading a CSV table;
- `jazzsolo.ingest.corpus_grid`: one solo's tables → a `CorpusSolo` on the grid;
- this module: a folder of CSV files, or a database, → a `Corpus`;
- `jazzsolo.ingest.corpus_db`: the database file itself (``wjazzd.db``), into the same solos;
- `jazzsolo.ingest.corpus_split`: training and validation solos, and ``split.json``.

Bad input: a file or database that is not what it should be raises one ``JazzsoloError`` (one
line, naming the file); a solo that reads but holds no notes or no chords is skipped and listed
in ``Corpus.skipped``.
"""
from __future__ import annotations

from pathlib import Path

from jazzsolo.errors import ConfigError, InputFileError
from jazzsolo.ingest.corpus_db import is_sqlite, read_db
from jazzsolo.ingest.corpus_grid import build_solo, duration_steps, metrical_step
from jazzsolo.ingest.corpus_split import Split, read_split, split_by_solo, split_corpus
from jazzsolo.ingest.corpus_tables import (BEATS_COLUMNS, GRID_PER_BEAT, MELODY_COLUMNS,
                                           OPTIONAL_COLUMNS, Corpus, CorpusChord, CorpusNote,
                                           CorpusSolo, UnusableSolo, performer_and_title,
                                           read_csv_table, with_progress)


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
    for melody_csv in with_progress(melody_files[:limit], progress):
        try:
            corpus.solos.append(_solo_from_csv(melody_csv, beats_dir / melody_csv.name))
        except UnusableSolo as e:
            corpus.skipped.append((melody_csv.stem, e.reason))
    return corpus


def read_solo_csv(melody_csv: str | Path, beats_csv: str | Path) -> CorpusSolo:
    """Read one solo from its WJazzD melody and beats CSV files (the name is the file stem).

    Raises InputFileError for an unreadable file, ChordSymbolError for an unreadable chord
    symbol, and MidiContentError (NoChordsError) for a solo without notes (chords).
    """
    try:
        return _solo_from_csv(Path(melody_csv), Path(beats_csv))
    except UnusableSolo as e:
        raise e.as_error() from None


def _solo_from_csv(melody_csv: Path, beats_csv: Path) -> CorpusSolo:
    melody = read_csv_table(melody_csv, MELODY_COLUMNS, OPTIONAL_COLUMNS["melody"])
    beats = read_csv_table(beats_csv, BEATS_COLUMNS, OPTIONAL_COLUMNS["beats"])
    stem = melody_csv.stem
    performer, title = performer_and_title(stem)
    return build_solo(stem, melody, beats, source=str(melody_csv), beats_source=str(beats_csv),
                      info={"performer": performer, "title": title})


__all__ = ["GRID_PER_BEAT", "Corpus", "CorpusChord", "CorpusNote", "CorpusSolo", "Split",
           "duration_steps", "metrical_step", "read_corpus", "read_solo_csv", "read_split",
           "split_by_solo", "split_corpus"]
