"""The solo files are named after the tune: `<tune>_seed<S>.mid`, so two tunes played with one
seed into one folder never collide, and an existing file is kept unless --overwrite."""
from pathlib import Path

import pytest
from music21 import harmony, metadata, note, stream

from jazzsolo.cli import main
from jazzsolo.export.solo_files import MAX_STEM_CHARS, file_stem
from jazzsolo.ingest.ireal import make_ireal_link

from conftest import CMAJ7, DM7, G7, chord_tone_melody, write_tiny_midi

# Charts written for these tests (no real tune's changes), under real tunes' titles.
SWING_CHART = "T44A-6 |x |E7 |x |A-6 |x |E7 |A-6 Z"


def lead_sheet(path: Path, title: str, bars: list[str]) -> Path:
    """A MusicXML lead sheet of chord symbols over whole-bar rests, titled `title`."""
    part = stream.Part()
    for bar in bars:
        measure = stream.Measure([note.Rest(quarterLength=4)])
        for offset, figure in zip((0, 2), bar.split()):
            measure.insert(offset, harmony.ChordSymbol(figure))
        part.append(measure)
    score = stream.Score([part])
    score.insert(0, metadata.Metadata(title=title))
    score.write("musicxml", fp=path)
    return path


def generate(capsys, *args: str, seed: int = 5, output_dir: str = "out") -> tuple[int, str, str]:
    """`jazzsolo generate` with the course model (exit status, stdout, stderr)."""
    code = main(["generate", "--model", "course", "--seed", str(seed), "--output_dir",
                 output_dir, *args])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


@pytest.mark.parametrize("title, stem", [
    ("Minor Swing", "minor_swing"), ("Nefertiti", "nefertiti"),
    ("Girl From Ipanema, The", "girl_from_ipanema_the"), ("Don't Explain", "dont_explain"),
    ("Águas de Março", "aguas_de_marco"), ("  ii-V-I / in 3/4!  ", "ii_v_i_in_3_4"),
    ("", "chords"), ("???", "chords")])
def test_a_title_becomes_lowercase_ascii_words_joined_by_underscores(title, stem):
    assert file_stem(title) == stem


def test_a_long_title_is_cut_and_never_ends_in_an_underscore():
    stem = file_stem("A Very Long Title " * 10)
    assert len(stem) <= MAX_STEM_CHARS and not stem.endswith("_")
    assert stem.startswith("a_very_long_title_a_very")


def test_two_tunes_with_one_seed_in_one_folder_keep_their_own_files(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.chdir(tmp_path)
    Path("swing.txt").write_text(make_ireal_link([("Minor Swing", "Me", "Swing", "A-",
                                                   SWING_CHART)]) + "\n")
    lead_sheet(tmp_path / "sheet.musicxml", "Nefertiti", ["Dm7 G7", "Cmaj7", "Fm7 B-7", "E-maj7"])
    progression = [DM7, G7, CMAJ7, CMAJ7]
    write_tiny_midi(tmp_path / "Band Take 2.mid", chord_tone_melody(4, progression),
                    chords=[(c, 4 * i, 4) for i, c in enumerate(progression)])
    sources = [(["--chords_from", "swing.txt"], "minor_swing", 8),
               (["--chords_from", "sheet.musicxml"], "nefertiti", 4),
               (["--chords_from", "Band Take 2.mid"], "band_take_2", 4),
               (["--progression", "minor-blues"], "minor_blues", 12),
               (["--backing_chords", "Dm7 G7 | Cmaj7"], "chords", 2),
               ([], "original_metheny", 18)]                 # the course model's own tune
    for args, stem, n_measures in sources:
        code, out, err = generate(capsys, *args)
        assert code == 0, err
        assert out.strip().endswith(f"over {n_measures} measures to out/{stem}_seed5.mid"), out
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(
        f"{stem}_seed5.mid" for _, stem, _ in sources)
    assert len({p.read_bytes() for p in Path("out").iterdir()}) == len(sources)


def test_the_files_beside_the_midi_carry_the_same_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = generate(capsys, "--progression", "blues", "--musicxml", "--num_outputs",
                              "2")
    assert code == 0, err
    assert sorted(p.name for p in Path("out").iterdir()) == [
        "blues_seed5.mid", "blues_seed5.musicxml", "blues_seed6.mid", "blues_seed6.musicxml"]
    assert "to 2 files in out/" in out


def test_an_existing_file_is_kept_unless_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert generate(capsys, "--progression", "blues", "--temperature", "1")[0] == 0
    first = Path("out/blues_seed5.mid").read_bytes()
    code, _, err = generate(capsys, "--progression", "blues", "--temperature", "0")
    assert code == 2 and err.strip().splitlines() == [
        "jazzsolo: error: out/blues_seed5.mid: exists already; pass --overwrite to replace it"]
    assert Path("out/blues_seed5.mid").read_bytes() == first
    code, _, err = generate(capsys, "--progression", "blues", "--temperature", "0", "--overwrite")
    assert code == 0, err
    assert Path("out/blues_seed5.mid").read_bytes() != first
    assert sorted(p.name for p in Path("out").iterdir()) == ["blues_seed5.mid"]   # no temp file


def test_a_file_beside_the_midi_is_checked_before_any_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("out").mkdir()
    Path("out/blues_seed5.musicxml").write_text("mine")
    code, _, err = generate(capsys, "--progression", "blues", "--musicxml")
    assert code == 2 and "out/blues_seed5.musicxml: exists already" in err
    assert sorted(p.name for p in Path("out").iterdir()) == ["blues_seed5.musicxml"]


def test_an_output_name_taken_by_a_directory_is_one_line_even_with_overwrite(tmp_path,
                                                                            monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("out/blues_seed5.mid").mkdir(parents=True)
    for extra in ([], ["--overwrite"]):
        code, _, err = generate(capsys, "--progression", "blues", *extra)
        assert code == 2 and err.strip().splitlines() == [
            "jazzsolo: error: out/blues_seed5.mid: is a directory, expected a file name to write"]
    assert [p.name for p in Path("out").iterdir()] == ["blues_seed5.mid"]
