"""Killed at any moment, `generate --wav` and `train` leave no partial file and no broken model.

Each run is killed with SIGKILL, which nothing can catch.  The moments are drawn from a seeded
generator: at the k-th file put in place (from inside the process, just before the rename that
publishes a finished temporary file, the most delicate moment) and, for good measure, after a
seeded delay.  What must hold does not depend on when the kill lands: every visible output file
is complete (byte for byte what an unbroken run writes), and every model directory either loads,
or resumes to a model that loads, or says in one line that it has nothing to resume.
"""
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jazzsolo.models.model_dir import CONFIG_FILE, load_model_dir

from conftest import message_lines, write_tiny_midi
from test_parts import CMAJ7, DM7, G7, chord_tone_melody

# Runs the CLI with os.replace patched to SIGKILL the process at its k-th call (k = argv[1]).
KILL_AT_REPLACE = """
import os, signal, sys
k, calls, replace = int(sys.argv[1]), [0], os.replace
def replace_or_die(*args, **kwargs):
    calls[0] += 1
    if calls[0] == k:
        os.kill(os.getpid(), signal.SIGKILL)
    return replace(*args, **kwargs)
os.replace = replace_or_die
from jazzsolo.cli import main
sys.exit(main(sys.argv[2:]))
"""
GENERATE = ["generate", "--progression", "blues", "--seed", "7", "--num_outputs", "2", "--wav"]
PROGRESSION = [DM7, G7, CMAJ7, CMAJ7] * 4


def run(args, cwd, *, kill_at=None):
    program = ["-c", KILL_AT_REPLACE, str(kill_at)] if kill_at else ["-m", "jazzsolo.cli"]
    return subprocess.run([sys.executable, *program, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def run_killed_after(args, cwd, delay_s):
    """Start the CLI and SIGKILL it after `delay_s` (or let it finish first)."""
    process = subprocess.Popen([sys.executable, "-m", "jazzsolo.cli", *args], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay_s)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def visible_files(folder: Path) -> dict[str, bytes]:
    """The files a user sees (temporary files are hidden dot files)."""
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def unbroken_outputs(tmp_path_factory):
    """What `generate --wav` writes when nothing stops it."""
    where = tmp_path_factory.mktemp("unbroken")
    result = run(GENERATE + ["--output_dir", "out"], where)
    assert result.returncode == 0, result.stderr
    files = visible_files(where / "out")
    assert sorted(files) == ["solo_seed7.mid", "solo_seed7.wav", "solo_seed8.mid",
                             "solo_seed8.wav"]
    return files


@pytest.mark.parametrize("kill_at", sorted(random.Random(11).sample(range(1, 5), 3)))
def test_generate_killed_while_writing_leaves_only_whole_files(tmp_path, unbroken_outputs,
                                                              kill_at):
    result = run(GENERATE + ["--output_dir", "out"], tmp_path, kill_at=kill_at)
    assert result.returncode == -signal.SIGKILL, "the run was never killed"
    files = visible_files(tmp_path / "out")
    assert len(files) == kill_at - 1                   # the k-th file was never put in place
    for name, data in files.items():
        assert data == unbroken_outputs[name], f"{name} is not the whole file"


@pytest.mark.parametrize("delay_s", [round(random.Random(12).uniform(0.5, 4.0), 2)
                                     for _ in range(2)])
def test_generate_killed_at_a_seeded_moment_leaves_only_whole_files(tmp_path, unbroken_outputs,
                                                                   delay_s):
    run_killed_after(GENERATE + ["--output_dir", "out"], tmp_path, delay_s)
    for name, data in visible_files(tmp_path / "out").items():
        assert data == unbroken_outputs[name], f"{name} is not the whole file"


def check_model_dir(tmp_path, model="model"):
    """A killed training run left a model that loads, a run that resumes to one, or nothing."""
    directory = tmp_path / model
    if not directory.exists():
        return "nothing"
    if (directory / CONFIG_FILE).exists():
        load_model_dir(directory)
        return "model"
    resumed = run(["train", "--quiet", "--resume", model], tmp_path)
    if resumed.returncode == 0:
        load_model_dir(directory)
        return "resumed"
    lines = message_lines(resumed.stderr)
    assert resumed.returncode == 2 and len(lines) == 1, resumed.stderr
    assert "nothing to resume" in lines[0] or "before its first epoch" in lines[0]
    return "not started"


TRAIN = ["train", "--quiet", "--midi", "tune.mid", "--epochs", "3", "--output_dir", "model"]
# os.replace calls of a 3-epoch run: run.json and data.npz, 1-2 checkpoints per epoch, then
# model.keras and the model's 5 files (config.json last).
TRAIN_KILL_POINTS = sorted(random.Random(13).sample(range(1, 16), 5))


@pytest.mark.parametrize("kill_at", TRAIN_KILL_POINTS)
def test_training_killed_while_writing_leaves_a_model_that_loads_or_resumes(tmp_path, kill_at):
    write_tiny_midi(tmp_path / "tune.mid", chord_tone_melody(16, PROGRESSION),
                    chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])
    result = run(TRAIN, tmp_path, kill_at=kill_at)
    assert result.returncode == -signal.SIGKILL, "the run was never killed"
    assert check_model_dir(tmp_path) in ("nothing", "model", "resumed", "not started")


def test_retraining_killed_while_saving_never_leaves_a_mixed_model(tmp_path):
    write_tiny_midi(tmp_path / "tune.mid", chord_tone_melody(16, PROGRESSION),
                    chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])
    assert run(TRAIN, tmp_path).returncode == 0
    # Retrain over it: the 4th replace from the end is inside the model's own files.
    result = run(TRAIN + ["--overwrite", "--seed", "3"], tmp_path, kill_at=13)
    assert result.returncode == -signal.SIGKILL
    assert not (tmp_path / "model" / CONFIG_FILE).exists()
    assert check_model_dir(tmp_path) == "resumed"


@pytest.mark.parametrize("delay_s", [round(random.Random(14).uniform(2.0, 9.0), 2)
                                     for _ in range(2)])
def test_training_killed_at_a_seeded_moment_leaves_a_model_that_loads_or_resumes(tmp_path,
                                                                                 delay_s):
    write_tiny_midi(tmp_path / "tune.mid", chord_tone_melody(16, PROGRESSION),
                    chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])
    run_killed_after(TRAIN, tmp_path, delay_s)
    check_model_dir(tmp_path)
