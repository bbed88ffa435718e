"""WJazzD phrase and idea annotations (``annotations/<solo>.csv``) → per-note phrase, chorus,
idea and loudness of one solo, checked row for row against the solo's ``melody/`` file.

The file has one row per row of the melody file, in the same order (not re-sorted: where a
melody file is out of time order, `jazzsolo.ingest.corpus` sorts its notes by onset and row k
here is the melody file's row k).  Columns: ``phrase_id`` (1, 2, ...: the transcribers'
phrases), ``phrase_begin`` (1 on a phrase's first note), ``chorus_id`` (-1 or 0 before the first
chorus), ``idea`` (the midlevel unit: ``line_w``, ``lick_bebop``, ...; a ``#`` before the type,
as in ``#lick``, ``#3lick``, ``##line_w`` or ``~#-lick``, marks a repeat or variant of an
earlier idea; empty where none is annotated) and ``loud_median`` (median loudness in dB, empty
where not measured).  7 of the 410 shared solos have no annotation file: `read_annotations`
returns None for them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from jazzsolo.errors import InputFileError, JazzsoloError
from jazzsolo.ingest.corpus_grid import _wholes
from jazzsolo.ingest.corpus_tables import (MELODY_COLUMNS, CorpusSolo, SoloTable, read_csv_table,
                                           shown_value)

ANNOTATION_COLUMNS = ("phrase_id", "phrase_begin", "chorus_id", "idea", "loud_median")
MAX_ID = 10**6                       # phrase and chorus numbers beyond this are refused
REPEAT_MARK = "#"                    # in an idea label: a back-reference to an earlier idea


@dataclass(frozen=True)
class SoloAnnotations:
    """One solo's annotations, one entry per melody note in the melody file's row order."""

    name: str                             # the solo: the CSV file stem
    phrase_id: tuple[int, ...]            # annotated phrase of each note (1, 2, ...)
    phrase_begin: tuple[bool, ...]        # True on the first note of a phrase
    chorus_id: tuple[int, ...]            # chorus of each note (-1 or 0 before the first)
    idea: tuple[str, ...]                 # midlevel unit label ('' where none is annotated)
    loudness_db: tuple[float, ...]        # median loudness in dB, NaN where not measured
    source: str = ""                      # path of the annotation file

    def __post_init__(self) -> None:
        lengths = {len(self.phrase_id), len(self.phrase_begin), len(self.chorus_id),
                   len(self.idea), len(self.loudness_db)}
        if len(lengths) != 1:
            raise JazzsoloError(f"{self.name}: annotation columns of different lengths "
                                f"{sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.phrase_id)

    def __repr__(self) -> str:
        return (f"SoloAnnotations(name={self.name!r}, notes={len(self)}, "
                f"phrases={len(phrase_lengths(self))}, "
                f"choruses={len(set(self.chorus_id))}, source={self.source!r})")


def read_annotations(corpus_dir: str | Path, name: str,
                     melody: int | SoloTable | CorpusSolo | None = None
                     ) -> SoloAnnotations | None:
    """The annotations of solo `name` in a WJazzD folder, or None when it has no annotation
    file.  Their row count is checked against `melody` (a note count, the melody table or the
    solo read from it; None: ``melody/<name>.csv`` is read); a mismatch, a missing column or
    a bad value is an InputFileError of one line naming the file."""
    corpus_dir, name = Path(corpus_dir), name.removesuffix(".csv")
    path = corpus_dir / "annotations" / f"{name}.csv"
    if not path.is_file():
        return None
    table = read_csv_table(path, ANNOTATION_COLUMNS, ())
    n_notes, melody_source = _melody_notes(corpus_dir, name, melody)
    if len(table) != n_notes:
        raise InputFileError(f"{path}: {len(table)} rows, but {melody_source} has "
                             f"{n_notes} notes")
    return SoloAnnotations(name, tuple(_wholes(table, "phrase_id", 0, MAX_ID)),
                           tuple(b == 1 for b in _wholes(table, "phrase_begin", 0, 1)),
                           tuple(_wholes(table, "chorus_id", -1, MAX_ID)),
                           tuple(str(i).strip() for i in table.columns["idea"]),
                           _loudness(table), str(path))


def _melody_notes(corpus_dir: Path, name: str, melody) -> tuple[int, str]:
    """The number of melody notes to match, and what holds them, for the message."""
    if melody is None:
        melody = read_csv_table(corpus_dir / "melody" / f"{name}.csv", MELODY_COLUMNS, ())
    if isinstance(melody, SoloTable):
        return len(melody), melody.source
    if isinstance(melody, CorpusSolo):
        return len(melody.notes), melody.source
    if isinstance(melody, bool) or not isinstance(melody, int) or melody < 0:
        raise JazzsoloError(f"melody must be a note count, a melody table or a solo, "
                            f"not {melody!r}")
    return melody, "the melody"


def _loudness(table: SoloTable) -> tuple[float, ...]:
    """The loud_median column in dB, NaN for an empty cell; a non-number is an error."""
    values = []
    for row, cell in enumerate(table.columns["loud_median"]):
        try:
            values.append(float(cell) if cell.strip() else math.nan)
        except ValueError:
            raise InputFileError(f"{table.where(row)}: loud_median {shown_value(cell)} is not "
                                 f"a number of dB") from None
        if math.isinf(values[-1]):
            raise InputFileError(f"{table.where(row)}: loud_median {cell.strip()} is not finite")
    return tuple(values)


def phrase_lengths(ann: SoloAnnotations) -> list[int]:
    """Notes in each annotated phrase, in order: a phrase starts where phrase_begin is set or
    phrase_id changes.

    >>> phrase_lengths(SoloAnnotations("x", (1, 1, 2, 2, 2), (True, False, True, False, False),
    ...                                (1,) * 5, ("lick",) * 5, (60.0,) * 5))
    [2, 3]
    """
    lengths: list[int] = []
    for k, (phrase, begins) in enumerate(zip(ann.phrase_id, ann.phrase_begin)):
        if k == 0 or begins or phrase != ann.phrase_id[k - 1]:
            lengths.append(0)
        lengths[-1] += 1
    return lengths


def idea_units(ann: SoloAnnotations) -> list[str]:
    """The label of each idea unit, in order: a unit is a run of consecutive notes with the
    same non-empty label (two units of one label that follow each other count as one)."""
    return [label for k, label in enumerate(ann.idea)
            if label and (k == 0 or label != ann.idea[k - 1])]


def idea_repeat_share(ann: SoloAnnotations) -> float | None:
    """Share of the idea units whose label holds a ``#`` back-reference to an earlier idea
    (``#lick``, ``#3lick``, ``~#-line_w`` ...); None without units.

    >>> idea_repeat_share(SoloAnnotations("x", (1,) * 4, (True, False, False, False), (1,) * 4,
    ...                                   ("lick", "lick", "#lick", "line_w"), (60.0,) * 4))
    0.3333333333333333
    """
    units = idea_units(ann)
    return sum(REPEAT_MARK in u for u in units) / len(units) if units else None


__all__ = ["ANNOTATION_COLUMNS", "SoloAnnotations", "idea_repeat_share", "idea_units",
           "phrase_lengths", "read_annotations"]
