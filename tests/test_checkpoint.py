"""Training survives Ctrl-C: checkpoints every epoch, and --resume ends where an unbroken run ends."""
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from jazzsolo.checkpoint import load_state
from jazzsolo.model_dir import load_model_dir

EPOCHS = 300


def train(args, cwd):
    return subprocess.Popen([sys.executable, "-m", "jazzsolo.cli", "train", "--quiet"] + args,
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_interrupt_and_resume_gives_the_uninterrupted_result(metheny_midi, tmp_path):
    common = ["--midi", str(metheny_midi), "--epochs", str(EPOCHS), "--seed", "5"]
    straight = train(common + ["--output_dir", "straight"], tmp_path)
    broken = train(common + ["--output_dir", "broken"], tmp_path)
    last = tmp_path / "broken" / "checkpoints" / "last.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if last.exists() and json.loads(last.read_text())["epoch"] >= 20:
            break
        time.sleep(0.05)
    broken.send_signal(signal.SIGINT)
    _, err = broken.communicate(timeout=120)
    assert broken.returncode == 130, err
    assert "continue with: jazzsolo train --resume" in err and "Traceback" not in err
    stopped_at = load_state(tmp_path / "broken").epoch
    assert 20 <= stopped_at < EPOCHS, "the run was interrupted part way"
    assert not (tmp_path / "broken" / "weights.npz").exists()
    assert load_state(tmp_path / "broken", "best").epoch <= stopped_at

    resumed = train(["--resume", "broken"], tmp_path)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"resumed at epoch {stopped_at}" in out
    straight.communicate(timeout=300)
    assert straight.returncode == 0

    a, b = load_model_dir(tmp_path / "straight"), load_model_dir(tmp_path / "broken")
    assert len(b.history["loss"]) == EPOCHS
    assert b.history["loss"][-1] == pytest.approx(a.history["loss"][-1], rel=1e-5)
    np.testing.assert_allclose(b.weights.kernel, a.weights.kernel, atol=1e-5)


def test_resume_without_a_checkpoint_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jazzsolo.cli", "train", "--resume", "nothing"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nothing to resume" in result.stderr


def test_training_does_not_start_over_an_existing_model(metheny_midi, tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "weights.npz").write_bytes(b"precious")
    result = subprocess.run([sys.executable, "-m", "jazzsolo.cli", "train", "--midi",
                             str(metheny_midi), "--output_dir", "model"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--overwrite" in result.stderr
    assert (tmp_path / "model" / "weights.npz").read_bytes() == b"precious"
