"""The `jazzsolo` command: train, generate in a fresh process, and one-line errors."""
import os
import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest

JAZZSOLO = [sys.executable, "-m", "jazzsolo.cli"]


def run(args, cwd, env_extra=None):
    """Run the CLI in a fresh process with no training tune reachable unless given."""
    env = dict(os.environ, JAZZSOLO_MIDI=str(Path(cwd) / "no-such-tune.mid"))
    env.update(env_extra or {})
    return subprocess.run(JAZZSOLO + list(args), cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_train_then_generate_in_a_fresh_process(metheny_midi, tmp_path):
    trained = run(["train", "--midi", str(metheny_midi), "--epochs", "2", "--seed", "1",
                   "--output_dir", "model", "--quiet"], tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "193 values, 78 unique" in trained.stdout
    for name in ("weights.npz", "vocabulary.json", "config.json", "chords.json"):
        assert (tmp_path / "model" / name).is_file()
    generated = run(["generate", "--model", "model", "--seed", "4", "--output_dir", "out"],
                    tmp_path)
    assert generated.returncode == 0, generated.stderr
    midi = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "original_metheny_seed4.mid"))
    assert [i.name for i in midi.instruments] == ["Solo", "Chords", "Bass", "Drums"]
    assert generated.stdout.strip().splitlines()[-1].startswith("Wrote ")


def test_generate_same_seed_same_bytes_and_no_silent_overwrite(trained, tmp_path):
    args = ["generate", "--model", str(trained["model_dir"]), "--seed", "9", "--temperature", "1"]
    first = run(args + ["--output_dir", "a"], tmp_path)
    second = run(args + ["--output_dir", "b"], tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    a = (tmp_path / "a" / "chords_seed9.mid").read_bytes()          # a model without a tune name
    assert a == (tmp_path / "b" / "chords_seed9.mid").read_bytes()
    again = run(args + ["--output_dir", "a"], tmp_path)
    assert_one_line_error(again, "exists already", "--overwrite")
    assert (tmp_path / "a" / "chords_seed9.mid").read_bytes() == a
    assert run(args + ["--output_dir", "a", "--overwrite"], tmp_path).returncode == 0


def test_missing_tune_is_one_line(tmp_path):
    result = run(["train", "--output_dir", "model"], tmp_path)
    assert_one_line_error(result, "no-such-tune.mid", "no such file")
    assert not (tmp_path / "model").exists()


def test_missing_tune_without_environment_says_where_to_put_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "JAZZSOLO_MIDI"}
    result = subprocess.run(JAZZSOLO + ["train"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert_one_line_error(result, "--midi", "JAZZSOLO_MIDI", "data/")


def test_non_midi_file_is_one_line(tmp_path):
    (tmp_path / "song.mid").write_bytes(b"RIFF....WAVEfmt not a midi file")
    result = run(["train", "--midi", "song.mid", "--output_dir", "model"], tmp_path)
    assert_one_line_error(result, "song.mid", "not a MIDI file")
    assert not (tmp_path / "model").exists()


def test_unknown_preset_is_one_line(metheny_midi, tmp_path):
    result = run(["train", "--midi", str(metheny_midi), "--preset", "bebop"], tmp_path)
    assert_one_line_error(result, "unknown preset 'bebop'", "course")


def test_missing_model_directory_is_one_line(tmp_path):
    result = run(["generate", "--model", "nowhere"], tmp_path)
    assert_one_line_error(result, "nowhere", "jazzsolo train")


@pytest.mark.parametrize("args, fragment", [
    (["generate", "--temperature", "-1"], "--temperature"),
    (["generate", "--qpm", "0"], "--qpm"),
    (["generate", "--seed", "-5"], "--seed"),
    (["train", "--epochs", "0"], "--epochs"),
    (["generate", "--temperature", "hot"], "invalid float value"),
    (["generate", "--temperature", "nan"], "--temperature"),
    (["generate", "--top_k", "0"], "--top_k"),
    (["generate", "--num_outputs", "0"], "--num_outputs"),
    (["generate", "--choruses", "0"], "--choruses"),
    (["generate", "--beats_per_chord", "0", "--backing_chords", "C7"], "--beats_per_chord"),
    (["generate", "--qpm", "1e9"], "--qpm"),
    (["generate", "--max_copy", "-1"], "--max_copy"),
    (["train", "--n_a", "0"], "--n_a"),
    (["train", "--seed", "-1"], "--seed"),
    (["train", "--melody_part", "-1"], "--melody_part"),
    (["train", "--epochs", "ten"], "invalid int value"),
])
def test_invalid_numbers_are_one_line(args, fragment, tmp_path):
    assert_one_line_error(run(args, tmp_path), fragment)


def test_generate_over_a_named_progression_with_comp_and_bass(trained, tmp_path):
    result = run(["generate", "--model", str(trained["model_dir"]), "--progression", "blues",
                  "--choruses", "2", "--seed", "1", "--output_dir", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    midi = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "blues_seed1.mid"))
    tracks = {i.name: i for i in midi.instruments}
    assert set(tracks) == {"Solo", "Chords", "Bass", "Drums"}
    assert tracks["Bass"].program == 32 and tracks["Drums"].is_drum
    end_beats = midi.time_to_tick(max(n.end for n in tracks["Solo"].notes)) / midi.resolution
    assert abs(end_beats - 24 * 4) <= 1.0
    on_beats = {round(midi.time_to_tick(n.start) / midi.resolution, 3) for n in tracks["Bass"].notes}
    assert set(range(24 * 4)) <= on_beats                  # a walking bass: every beat


def test_generate_over_backing_chords_several_outputs_and_instrument(trained, tmp_path):
    result = run(["generate", "--model", str(trained["model_dir"]), "--backing_chords",
                  "Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7", "--seed", "5", "--num_outputs", "3",
                  "--top_k", "3", "--solo_instrument", "Vibraphone", "--no-render_chords",
                  "--output_dir", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["chords_seed5.mid", "chords_seed6.mid", "chords_seed7.mid"]
    contents = {(tmp_path / "out" / f).read_bytes() for f in files}
    assert len(contents) == 3, "each output is a different solo"
    midi = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "chords_seed5.mid"))
    assert [(i.name, i.program) for i in midi.instruments] == [("Solo", 11)]   # no band


@pytest.mark.parametrize("args, fragment", [
    (["--backing_chords", "Dm7 Xq7 | C7 H7"], "unreadable chord symbols: 'Xq7', 'H7'"),
    (["--progression", "bossa"], "valid progressions"),
    (["--progression", "blues", "--backing_chords", "C7"], "only one of"),
    (["--solo_instrument", "kazoo"], "unknown General MIDI instrument"),
    (["--chords_from", "missing.xml"], "missing.xml: no such file"),
    (["--primer_midi", "missing.mid"], "missing.mid: no such file"),
    (["--backing_chords", "H7"], "unreadable chord symbol: 'H7'"),
    (["--backing_chords", ""], "progression is empty"),
    (["--backing_chords", "C7 | | F7"], "empty bar"),
])
def test_bad_backing_is_one_line(trained, tmp_path, args, fragment):
    result = run(["generate", "--model", str(trained["model_dir"]), "--output_dir", "out"] + args,
                 tmp_path)
    assert_one_line_error(result, fragment)
    assert not (tmp_path / "out").exists()


def test_inspect_lists_parts_and_the_choice(tmp_path):
    from conftest import DM7, G7, chord_tone_melody

    from conftest import write_tiny_midi

    write_tiny_midi(tmp_path / "tune.mid", chord_tone_melody(4, [DM7, G7] * 2),
                    chords=[(c, 4 * i, 4) for i, c in enumerate([DM7, G7] * 2)],
                    drums=[(42, i, 0.5) for i in range(16)])
    result = run(["inspect", "tune.mid"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 + 3 + 1
    assert "drums" in lines[3]
    assert "melody: part 0; chords from parts 1" in lines[-1]


def test_train_on_your_own_waltzes_then_generate_in_three_four(tmp_path):
    from conftest import CMAJ7, DM7, G7, chord_tone_melody

    from conftest import write_tiny_midi

    progression = [DM7, G7, CMAJ7, CMAJ7] * 4                         # 16 bars of 3/4
    tunes = tmp_path / "tunes"
    tunes.mkdir()
    write_tiny_midi(tunes / "waltz.mid", chord_tone_melody(16, progression, beats=3),
                    chords=[(c, 3 * i, 3) for i, c in enumerate(progression)],
                    time_signature=(3, 4))
    (tunes / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01")
    trained = run(["train", "--midi", "tunes", "--epochs", "1", "--output_dir", "model",
                   "--quiet"], tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "1 file(s), 1 skipped: 96 values" in trained.stdout
    assert "broken.mid" in trained.stderr
    generated = run(["generate", "--model", "model", "--seed", "1", "--output_dir", "out"], tmp_path)
    assert generated.returncode == 0, generated.stderr
    midi = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "waltz_seed1.mid"))
    solo = midi.instruments[0]
    end_beats = midi.time_to_tick(max(n.end for n in solo.notes)) / midi.resolution
    assert abs(end_beats - 16 * 3) <= 1.0


def test_the_shipped_model_plays_the_blues_without_any_midi(tmp_path):
    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir

    size = sum(p.stat().st_size for p in PRETRAINED_MODEL_DIR.iterdir())
    assert size < 1_000_000
    assert len(load_model_dir(PRETRAINED_MODEL_DIR).values) == 78
    result = run(["generate", "--progression", "blues", "--seed", "2", "--output_dir", "out"],
                 tmp_path)
    assert result.returncode == 0, result.stderr
    midi = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "blues_seed2.mid"))
    assert {i.name for i in midi.instruments} == {"Solo", "Chords", "Bass", "Drums"}


def test_running_twice_never_overwrites(trained, tmp_path):
    args = ["generate", "--model", str(trained["model_dir"]), "--seed", "1", "--num_outputs", "3",
            "--output_dir", "out"]
    assert run(args, tmp_path).returncode == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert len(before) == 3 and len(set(before.values())) == 3
    assert_one_line_error(run(args[:-4] + ["--seed", "3", "--num_outputs", "2", "--output_dir",
                                           "out"], tmp_path), "chords_seed3.mid", "exists already")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


def test_a_directory_without_midi_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run(["train", "--midi", "empty", "--output_dir", "model"], tmp_path),
                          "no .mid or .midi files")


@pytest.mark.parametrize("damage, fragment", [
    (lambda d: (d / "weights.npz").unlink(), "weights.npz is missing"),
    (lambda d: (d / "vocabulary.json").write_text('["C,0.250"]'), "do not match the vocabulary"),
    (lambda d: (d / "config.json").write_text('{"format_version": 7}'), "upgrade jazzsolo"),
    (lambda d: (d / "config.json").write_text(
        '{"format_version": 1, "layers": [{"class_name": "Lambda"}]}'), "refused"),
])
def test_a_damaged_model_directory_is_one_line(tmp_path, damage, fragment):
    import shutil

    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR

    shutil.copytree(PRETRAINED_MODEL_DIR, tmp_path / "model")
    damage(tmp_path / "model")
    result = run(["generate", "--model", "model", "--output_dir", "out"], tmp_path)
    assert_one_line_error(result, fragment)
    assert not (tmp_path / "out").exists()


def test_info_describes_the_shipped_course_model(tmp_path):
    result = run(["info", "course"], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "model        course (shipped in the package: pretrained/metheny)" in out
    assert "family       course-lstm" in out
    assert "trained on   original_metheny.mid (preset course)" in out
    assert "vocabulary   78 values; n_a 64" in out
    assert "100 epochs, seed 0" in out and "model.keras" in out


def test_info_describes_the_default_corpus_model_and_its_solo_cache(tmp_path):
    result = run(["info"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("model        wjazzd (shipped in the package")
    assert "2 x 256 LSTM units" in result.stdout and "361 solos, 40 for validation" in result.stdout
    assert "solo cache   weights 0.05, 0.3, 0.5, 0.6 for contexts of 1-4 notes, beta 5" \
        in result.stdout


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run(["generate", "--progression", "blues", "--output_dir", "taken/solos"], tmp_path)
    assert_one_line_error(result, "taken")
    assert (tmp_path / "taken").read_text() == "a file, not a folder"
