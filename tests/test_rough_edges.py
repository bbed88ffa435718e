"""Rough edges a user meets: `inspect` counts notes as a musician does, a model trained on several
tunes says whose chords it plays, and an output folder that cannot be written is one line."""
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from jazzsolo import files
from jazzsolo.cli import main
from jazzsolo.errors import InputFileError
from jazzsolo.files import write_atomic

from conftest import CMAJ7, DM7, G7, chord_tone_melody, message_lines, write_tiny_midi

C_TRIAD = [48, 52, 55]


def every_file(folder: Path) -> list[str]:
    """Every name under a folder, hidden temporary files included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --------------------------------------------------------------------------- inspect

def tied_tune(path: Path) -> Path:
    """Eight bars: a melody of 24 notes, 7 of them held over a bar line, and 8 three-note
    chords, 7 of them held over a bar line (music21 reads each held note as two tied notes)."""
    melody, chords = [], []
    for bar in range(8):
        start, last = 4 * bar, bar == 7
        melody += [(72 + bar % 5, start + 1, 1), (74, start + 2, 1),
                   (76, start + 3, 1 if last else 2)]
        chords.append((C_TRIAD, start + 2, 2 if last else 4))
    return write_tiny_midi(path, melody, chords=chords, drums=[(42, i, 0.25) for i in range(16)])


def test_inspect_counts_a_held_note_once_and_a_chord_as_its_notes(tmp_path, capsys):
    path = tied_tune(tmp_path / "tied.mid")
    assert main(["inspect", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:5] == ["part", "name", "program", "notes", "range"]
    rows = {int(line.split()[0]): line.split() for line in lines[1:-1]}
    assert int(rows[0][-3]) == 24 and rows[0][-2] == "72-76"    # not 31 tied pieces
    assert int(rows[1][-3]) == 24 and rows[1][-2] == "48-55"    # 8 chords x 3, not 15 chords
    assert int(rows[2][-3]) == 16 and "drums" in rows[2]        # a drum hit is a note
    assert lines[-1] == f"{path}: 4 beats per measure; melody: part 0; chords from parts 1"


def test_inspect_help_says_how_notes_are_counted(capsys):
    with pytest.raises(SystemExit):
        main(["inspect", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "a note tied over a bar line once, a chord as its notes" in help_text


# --------------------------------------------------------------------------- several tunes

def test_a_model_of_two_tunes_says_whose_chords_it_plays(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    two_five = [DM7, G7, CMAJ7, CMAJ7] * 2                           # 8 bars
    in_f = [[p + 5 for p in c] for c in (DM7, G7, CMAJ7, CMAJ7)]     # 4 bars, up a fourth
    for name, progression in (("a.mid", two_five), ("b.mid", in_f)):
        write_tiny_midi(tmp_path / name, chord_tone_melody(len(progression), progression),
                        chords=[(c, 4 * i, 4) for i, c in enumerate(progression)])
    assert main(["train", "--midi", "a.mid", "b.mid", "--epochs", "1", "--windows", "8",
                 "--n_a", "8", "--quiet", "--output_dir", "model"]) == 0
    capsys.readouterr()
    assert main(["generate", "--model", "model", "--seed", "5", "--output_dir", "out"]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip().endswith("over 8 measures to out/a_seed5.mid")
    assert message_lines(printed.err) == [
        "jazzsolo: playing over the chords of a.mid, the first of the 2 tunes the model was "
        "trained on; give --chords_from FILE (another of them: b.mid) or --progression to choose"]
    assert main(["generate", "--model", "model", "--seed", "5", "--chords_from", "b.mid",
                 "--output_dir", "out"]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip().endswith("over 4 measures to out/b_seed5.mid")
    assert message_lines(printed.err) == []                          # chords given: nothing said


def test_a_model_of_one_tune_plays_it_without_a_word(tmp_path, capsys):
    assert main(["generate", "--model", "course", "--seed", "5", "--output_dir",
                 str(tmp_path / "out")]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip().endswith("original_metheny_seed5.mid")
    assert message_lines(printed.err) == []


# --------------------------------------------------------------------------- output folders

def generate_into(folder: Path, capsys) -> tuple[int, list[str]]:
    """`jazzsolo generate` of a short solo into `folder`: (exit status, lines on stderr)."""
    code = main(["generate", "--model", "course", "--backing_chords", "Dm7 G7 | Cmaj7",
                 "--seed", "1", "--output_dir", str(folder)])
    return code, message_lines(capsys.readouterr().err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder all the same")
def test_a_read_only_folder_is_one_line_naming_it(tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, err = generate_into(folder, capsys)
        assert code == 2 and err == [f"jazzsolo: error: {folder}: this directory cannot be "
                                     f"written in (permission denied)"]
        code, err = generate_into(folder / "new", capsys)
        assert code == 2 and err == [f"jazzsolo: error: {folder / 'new'}: cannot be made: "
                                     f"{folder} cannot be written in (permission denied)"]
        assert every_file(folder) == []
    finally:
        folder.chmod(0o755)


def test_a_folder_the_user_may_not_write_in_is_refused_before_any_work(tmp_path, monkeypatch,
                                                                       capsys):
    """The same as for a read-only folder, where the test runs as root: the permission the
    operating system reports (`os.access`) is what is checked, before the solo is played."""
    locked, real_access = tmp_path / "locked", os.access
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == locked
                        else real_access(path, mode, **kw))
    played = []
    monkeypatch.setattr("jazzsolo.export.solo_files.play", lambda *a: played.append(a))
    code, err = generate_into(locked / "new", capsys)
    assert code == 2 and err == [f"jazzsolo: error: {locked / 'new'}: cannot be made: {locked} "
                                 f"cannot be written in (permission denied)"]
    assert played == [] and every_file(locked) == []


def test_a_folder_under_a_file_or_that_is_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a folder")
    code, err = generate_into(tmp_path / "notes.txt" / "out", capsys)
    assert code == 2 and err == [f"jazzsolo: error: {tmp_path / 'notes.txt' / 'out'}: cannot be "
                                 f"made: {tmp_path / 'notes.txt'} is a file, not a directory"]
    code, err = generate_into(tmp_path / "notes.txt", capsys)
    assert code == 2 and err == [f"jazzsolo: error: {tmp_path / 'notes.txt'}: is a file, not a "
                                 f"directory to write in"]
    assert every_file(tmp_path) == ["notes.txt"]


def test_a_missing_folder_is_made(tmp_path, capsys):
    code, err = generate_into(tmp_path / "new" / "deeper", capsys)
    assert code == 0, err
    assert every_file(tmp_path) == ["new", "new/deeper", "new/deeper/chords_seed1.mid"]


def test_a_refusal_only_the_write_meets_names_the_folder_not_the_temporary_file(
        tmp_path, monkeypatch, capsys):
    def refuse(dir, prefix, suffix):                    # as a read-only file system answers
        raise PermissionError(13, "Permission denied", f"{dir}/{prefix}x1y2z3{suffix}")

    monkeypatch.setattr(files, "tempfile", SimpleNamespace(mkstemp=refuse))
    code, err = generate_into(tmp_path / "out", capsys)
    assert code == 2 and err == [f"jazzsolo: error: {tmp_path / 'out'}: this directory cannot be "
                                 f"written in (permission denied)"]
    assert every_file(tmp_path) == ["out"]             # made, but nothing half-written in it


def test_a_write_that_fails_half_way_leaves_nothing_and_names_the_file(tmp_path, monkeypatch):
    def disk_full(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", disk_full)
    with pytest.raises(InputFileError, match=r"solo.mid: cannot be written \(no space left on "
                                             r"device\)$"):
        write_atomic(tmp_path / "solo.mid", b"MThd")
    assert every_file(tmp_path) == []
