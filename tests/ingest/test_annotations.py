"""WJazzD phrase and idea annotations (`jazzsolo.ingest.annotations`): tiny CSVs written in
tmp_path (rows, phrases, ideas, loudness, mismatches, bad values), and one real solo."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from jazzsolo.errors import InputFileError, JazzsoloError
from jazzsolo.ingest.annotations import (SoloAnnotations, idea_repeat_share, idea_units,
                                         phrase_lengths, read_annotations)
from jazzsolo.ingest.corpus import read_solo_csv
from jazzsolo.ingest.corpus_tables import MELODY_COLUMNS, read_csv_table

from conftest import wjazzd_folder

NAME = "Tiny_Tune_Solo"
HEADER = "phrase_id,phrase_begin,chorus_id,idea,loud_median"
ROWS = ["1,1,-1,lick,67.5", "1,0,1,lick,", "2,1,1,#lick,60.25", "2,0,1,#lick,61",
        "2,0,1,line_w,62"]


def write_solo(folder: Path, n_notes: int, rows: list[str], header: str = HEADER) -> Path:
    """A melody file of `n_notes` eighths and an annotation file of `rows` (CRLF, as WJazzD)."""
    (folder / "melody").mkdir(exist_ok=True)
    (folder / "annotations").mkdir(exist_ok=True)
    melody = [",".join(MELODY_COLUMNS)] + [f"0,{1 + k // 2},{1 + k % 2},2,0.2,0.5,{60 + k},4,4,4"
                                           for k in range(n_notes)]
    (folder / "melody" / f"{NAME}.csv").write_text("\n".join(melody) + "\n")
    path = folder / "annotations" / f"{NAME}.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode())
    return path


def test_reads_every_column_per_note(tmp_path):
    path = write_solo(tmp_path, 5, ROWS)
    ann = read_annotations(tmp_path, NAME)
    assert len(ann) == 5 and ann.name == NAME and ann.source == str(path)
    assert ann.phrase_id == (1, 1, 2, 2, 2)
    assert ann.phrase_begin == (True, False, True, False, False)
    assert ann.chorus_id == (-1, 1, 1, 1, 1)
    assert ann.idea == ("lick", "lick", "#lick", "#lick", "line_w")
    assert ann.loudness_db[0] == 67.5 and math.isnan(ann.loudness_db[1])
    assert ann.loudness_db[2:] == (60.25, 61.0, 62.0)
    assert read_annotations(tmp_path, NAME + ".csv") == ann
    assert "notes=5" in repr(ann) and "phrases=2" in repr(ann)


def test_phrase_lengths_and_idea_repeats(tmp_path):
    write_solo(tmp_path, 5, ROWS)
    ann = read_annotations(tmp_path, NAME)
    assert phrase_lengths(ann) == [2, 3]
    assert idea_units(ann) == ["lick", "#lick", "line_w"]
    assert idea_repeat_share(ann) == pytest.approx(1 / 3)
    empty = SoloAnnotations("x", (1, 1), (True, False), (1, 1), ("", ""), (60.0, 61.0))
    assert idea_units(empty) == [] and idea_repeat_share(empty) is None
    assert phrase_lengths(SoloAnnotations("x", (), (), (), (), ())) == []


def test_a_phrase_begin_splits_even_within_one_phrase_id():
    ann = SoloAnnotations("x", (3, 3, 3), (True, False, True), (1,) * 3, ("lick",) * 3,
                          (1.0,) * 3)
    assert phrase_lengths(ann) == [2, 1]


def test_a_row_count_mismatch_is_one_line_naming_both_files(tmp_path):
    path = write_solo(tmp_path, 6, ROWS)
    with pytest.raises(InputFileError) as e:
        read_annotations(tmp_path, NAME)
    melody = tmp_path / "melody" / f"{NAME}.csv"
    assert str(e.value) == f"{path}: 5 rows, but {melody} has 6 notes"
    assert "\n" not in str(e.value)


def test_the_melody_may_be_given_as_a_count_a_table_or_a_solo(tmp_path):
    path = write_solo(tmp_path, 5, ROWS)
    table = read_csv_table(tmp_path / "melody" / f"{NAME}.csv", MELODY_COLUMNS, ())
    assert read_annotations(tmp_path, NAME, 5) == read_annotations(tmp_path, NAME, table)
    with pytest.raises(InputFileError, match=r"^.*annotations/Tiny_Tune_Solo\.csv: 5 rows, "
                                             r"but the melody has 7 notes$"):
        read_annotations(tmp_path, NAME, 7)
    assert str(path).endswith("annotations/Tiny_Tune_Solo.csv")
    with pytest.raises(JazzsoloError, match="note count"):
        read_annotations(tmp_path, NAME, -1)


def test_a_solo_without_annotations_gives_none(tmp_path):
    write_solo(tmp_path, 5, ROWS)
    assert read_annotations(tmp_path, "Other_Tune_Solo", 5) is None
    assert read_annotations(tmp_path / "nowhere", NAME) is None


@pytest.mark.parametrize("rows, header, found", [
    (["1,1,-1,lick,67.5", "x,0,1,lick,60"], HEADER, "line 3: phrase_id 'x' is not a whole"),
    (["1,2,-1,lick,67.5", "1,0,1,lick,60"], HEADER, "line 2: phrase_begin 2 is outside 0..1"),
    (["1,1,-1,lick,loud", "1,0,1,lick,60"], HEADER, "line 2: loud_median 'loud' is not a num"),
    (["1,1,-1,lick", "1,0,1,lick"], "phrase_id,phrase_begin,chorus_id,idea",
     "missing column 'loud_median'"),
])
def test_bad_files_raise_one_line_naming_the_file(tmp_path, rows, header, found):
    path = write_solo(tmp_path, 2, rows, header)
    with pytest.raises(InputFileError) as e:
        read_annotations(tmp_path, NAME)
    assert str(e.value).startswith(str(path)) and found in str(e.value)
    assert "\n" not in str(e.value)


def test_a_missing_melody_file_is_an_error_naming_it(tmp_path):
    write_solo(tmp_path, 5, ROWS)
    (tmp_path / "melody" / f"{NAME}.csv").unlink()
    with pytest.raises(InputFileError, match="melody"):
        read_annotations(tmp_path, NAME)


def test_a_real_solo_matches_its_melody_and_its_transcribed_phrases():
    folder = wjazzd_folder()                 # fails in CI without the data, skips elsewhere
    if not (folder / "annotations").is_dir():
        pytest.fail(f"the shared WJazzD copy has no annotations/ folder at {folder}")
    name = "ArtPepper_Desafinado_Solo"
    solo = read_solo_csv(folder / "melody" / f"{name}.csv", folder / "beats" / f"{name}.csv")
    ann = read_annotations(folder, name, solo)
    assert len(ann) == len(solo.notes) == 373
    assert phrase_lengths(ann)[:3] == [12, 5, 9]
    assert ann.idea[12:17] == ("lick",) * 5 and ann.idea[17] == "#lick"
    assert sum(phrase_lengths(ann)) == len(ann)
    assert read_annotations(folder, "ChrisPotter_Arjuna_Solo") is None   # one of the 7
