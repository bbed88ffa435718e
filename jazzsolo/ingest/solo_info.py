"""WJazzD's ``solo_info.csv`` → who played each solo: performer, style and instrument by name.

The per-solo CSV export names a solo's files after it (``CharlieParker_DonnaLee_Solo``) but
says nothing of its style or instrument; ``solo_info.csv`` beside ``melody/`` and ``beats/``
does (columns solo, performer, title, instrument, style, rhythmfeel, avgtempo, ...; see the
corpus README).  The note model learns its voices from these labels.
"""
from __future__ import annotations

import csv
from pathlib import Path

from jazzsolo.errors import InputFileError

SOLO_INFO_FILE = "solo_info.csv"
LABEL_COLUMNS = ("solo", "performer", "style", "instrument")


def read_solo_labels(path: str | Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Solo name → (performer, style, instrument code) from ``solo_info.csv`` (or the WJazzD
    folder holding it); an empty cell is None, a style is upper-case (``BEBOP``)."""
    path = Path(path)
    if path.is_dir():
        path = path / SOLO_INFO_FILE
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise InputFileError(f"{path}: cannot read ({e.strerror or e})") from e
    if rows and not set(LABEL_COLUMNS) <= set(rows[0]):
        raise InputFileError(f"{path}: needs the columns {', '.join(LABEL_COLUMNS)}")

    def cell(row, column):
        value = (row.get(column) or "").strip()
        return value or None

    return {r["solo"]: (cell(r, "performer"), (cell(r, "style") or "").upper() or None,
                        cell(r, "instrument")) for r in rows}


def labels_beside(corpus_path: str | Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    """The labels of a WJazzD folder's solos when ``solo_info.csv`` lies in it, else none."""
    path = Path(corpus_path)
    return read_solo_labels(path) if (path / SOLO_INFO_FILE).is_file() else {}


__all__ = ["SOLO_INFO_FILE", "labels_beside", "read_solo_labels"]
