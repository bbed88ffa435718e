"""Training survives Ctrl-C: checkpoints every epoch, and --resume ends where an unbroken run ends.

The interrupt is raised from inside the training process at a fixed epoch (a SIGINT sent to
itself right after that epoch's checkpoint is written), so the test does not depend on how busy
the machine is; the unbroken reference run starts only after the interrupted one has ended.
"""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from jazzsolo.models.checkpoint import load_state
from jazzsolo.models.model_dir import load_model_dir

from conftest import message_lines

EPOCHS = 60
INTERRUPT_AFTER = 20

# Runs `jazzsolo train` with the checkpoint writer patched to send SIGINT to its own process
# once the checkpoint of epoch INTERRUPT_AFTER is on disk, exactly as a Ctrl-C there would.
INTERRUPTING_TRAIN = f"""
import os, signal, sys
import jazzsolo.models.checkpoint as checkpoint
from jazzsolo.cli import main
save_state = checkpoint.save_state
def save_then_interrupt(model_dir, state, name="last"):
    save_state(model_dir, state, name)
    if name == "last" and state.epoch == {INTERRUPT_AFTER}:
        os.kill(os.getpid(), signal.SIGINT)
checkpoint.save_state = save_then_interrupt
# A test run started in the background of a non-interactive shell inherits SIGINT ignored,
# and Python then installs no KeyboardInterrupt handler: put Ctrl-C's usual effect back.
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.exit(main(sys.argv[1:]))
"""


def train(args, cwd, *, interrupt=False):
    program = ["-c", INTERRUPTING_TRAIN] if interrupt else ["-m", "jazzsolo.cli"]
    return subprocess.run([sys.executable, *program, "train", "--quiet"] + args,
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_interrupt_and_resume_gives_the_uninterrupted_result(metheny_midi, tmp_path):
    common = ["--midi", str(metheny_midi), "--epochs", str(EPOCHS), "--seed", "5"]
    broken = train(common + ["--output_dir", "broken"], tmp_path, interrupt=True)
    assert broken.returncode == 130, "the run was never interrupted: " + broken.stdout + broken.stderr
    assert "continue with: jazzsolo train --resume" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert load_state(tmp_path / "broken").epoch == INTERRUPT_AFTER
    assert not (tmp_path / "broken" / "weights.npz").exists()
    assert load_state(tmp_path / "broken", "best").epoch <= INTERRUPT_AFTER

    resumed = train(["--resume", "broken"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed at epoch {INTERRUPT_AFTER}" in resumed.stdout

    straight = train(common + ["--output_dir", "straight"], tmp_path)
    assert straight.returncode == 0, straight.stderr
    a, b = load_model_dir(tmp_path / "straight"), load_model_dir(tmp_path / "broken")
    assert len(b.history["loss"]) == EPOCHS
    assert b.history["loss"][-1] == pytest.approx(a.history["loss"][-1], rel=1e-5)
    np.testing.assert_allclose(b.weights.kernel, a.weights.kernel, atol=1e-5)

    again = train(["--resume", "broken"], tmp_path)
    assert again.returncode == 2 and len(message_lines(again.stderr)) == 1
    assert f"finished all {EPOCHS} epochs" in again.stderr and "Traceback" not in again.stderr


def test_resume_without_a_checkpoint_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jazzsolo.cli", "train", "--resume", "nothing"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nothing to resume" in result.stderr


@pytest.fixture(scope="module")
def interrupted_run(metheny_midi, tmp_path_factory):
    """A model directory whose training was interrupted after epoch INTERRUPT_AFTER."""
    where = tmp_path_factory.mktemp("interrupted")
    run = train(["--midi", str(metheny_midi), "--epochs", "30", "--output_dir", "run"], where,
                interrupt=True)
    assert run.returncode == 130, run.stderr
    return where / "run"


@pytest.mark.parametrize("damage", ["truncated weights", "wrong optimiser state", "garbage"])
def test_a_damaged_checkpoint_is_one_line(interrupted_run, tmp_path, damage):
    shutil.copytree(interrupted_run, tmp_path / "run")
    checkpoints = tmp_path / "run" / "checkpoints"
    last = checkpoints / "last.npz"
    if damage == "truncated weights":
        last.write_bytes(last.read_bytes()[:len(last.read_bytes()) // 2])
    elif damage == "wrong optimiser state":
        with np.load(last) as arrays:
            kept = {k: arrays[k] for k in arrays.files}
        meta = json.loads(bytes(kept["meta_json"]).decode())
        meta["n_optimizer"] -= 2                           # Adam's state of one layer lost
        kept["meta_json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        np.savez(last, **kept)
    else:
        last.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    result = train(["--resume", "run"], tmp_path)
    assert result.returncode == 2, result.stderr
    lines = message_lines(result.stderr)
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("jazzsolo: error: ") and "checkpoint" in lines[0]
    assert not (tmp_path / "run" / "weights.npz").exists()


def test_training_that_diverges_is_one_line(tmp_path, monkeypatch):
    from jazzsolo.errors import TrainingError
    from jazzsolo.models.course_lstm import train_fast

    X = np.zeros((4, 5, 3), dtype=np.float32)
    X[:, 1:, 0] = np.nan                                   # non-finite inputs: non-finite loss
    Y = np.zeros((5, 4, 3), dtype=np.float32)
    Y[:, :, 1] = 1
    from jazzsolo.config import TrainConfig
    with pytest.raises(TrainingError, match="not finite"):
        train_fast(X, Y, n_a=4, config=TrainConfig(epochs=1), progress=False)


def test_training_does_not_start_over_an_existing_model(metheny_midi, tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "weights.npz").write_bytes(b"precious")
    result = subprocess.run([sys.executable, "-m", "jazzsolo.cli", "train", "--midi",
                             str(metheny_midi), "--output_dir", "model"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--overwrite" in result.stderr
    assert (tmp_path / "model" / "weights.npz").read_bytes() == b"precious"
