"""Training in progress ⇄ checkpoint files: what `jazzsolo train --resume` needs to go on exactly.

A model directory being trained holds ``checkpoints/``:

* ``run.json`` and ``data.npz`` — the run's settings, vocabulary, chords and the training
  tensors X, Y, written once at the start, so resuming needs no MIDI;
* ``last.npz`` — after every epoch: the weights, the optimiser's variables (Adam's moments and
  step count, which drives the learning-rate decay), and as JSON bytes the NumPy generator
  state that orders the batches and the history so far;
* ``best.npz`` — the same for the epoch with the lowest loss.

Arrays are NumPy ``.npz`` read with ``allow_pickle=False`` and the rest is JSON, as in
`model_dir`; every file is written atomically, and one state is one file.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from jazzsolo.errors import ModelDirError
from jazzsolo.files import write_atomic
from jazzsolo.files import json_bytes, npz_bytes

CHECKPOINT_DIR = "checkpoints"
RUN_FILE = "run.json"
DATA_FILE = "data.npz"
_META = "meta_json"                   # the JSON part of a training state, stored as bytes


@dataclass
class TrainingState:
    """Everything that changes from epoch to epoch in a training run."""

    epoch: int                                    # epochs completed
    weights: list[np.ndarray]                     # the model's weights, in get_weights() order
    optimizer: list[np.ndarray]                   # the optimiser's variables, in order
    rng_state: dict                               # numpy bit generator state (JSON-safe)
    history: dict = field(default_factory=lambda: {"loss": [], "accuracy": []})


def checkpoint_dir(model_dir: str | Path) -> Path:
    """Where a model directory keeps its checkpoints."""
    return Path(model_dir) / CHECKPOINT_DIR


def save_run(model_dir: str | Path, run: dict, X: np.ndarray, Y: np.ndarray) -> None:
    """Record a run's settings and training tensors before its first epoch."""
    directory = checkpoint_dir(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(directory / DATA_FILE, npz_bytes({"X": X, "Y": Y}), overwrite=True)
    write_atomic(directory / RUN_FILE, json_bytes(run), overwrite=True)


def load_run(model_dir: str | Path) -> tuple[dict, np.ndarray, np.ndarray]:
    """The settings and tensors of an interrupted run; a directory without them is refused."""
    directory = checkpoint_dir(model_dir)
    try:
        run = json.loads((directory / RUN_FILE).read_text())
        with np.load(directory / DATA_FILE, allow_pickle=False) as data:
            X, Y = np.asarray(data["X"]), np.asarray(data["Y"])
    except FileNotFoundError:
        raise ModelDirError(f"{model_dir}: nothing to resume (no {CHECKPOINT_DIR}/{RUN_FILE} "
                            f"and {DATA_FILE}); a run has to be started first") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        raise ModelDirError(f"{directory}: unreadable checkpoint ({e})") from e
    if not isinstance(run, dict):
        raise ModelDirError(f"{directory / RUN_FILE}: not a JSON object")
    return run, X, Y


def save_state(model_dir: str | Path, state: TrainingState, name: str = "last") -> None:
    """Write one training state (``last`` or ``best``) atomically, as one file.

    The epoch, history and generator state travel inside the ``.npz`` beside the arrays: two
    files written one after the other could be torn apart by a Ctrl-C or a kill between them
    (weights of one epoch with the batch order of another).
    """
    directory = checkpoint_dir(model_dir)
    arrays = {f"w{i}": w for i, w in enumerate(state.weights)}
    arrays.update({f"o{i}": v for i, v in enumerate(state.optimizer)})
    meta = {"epoch": state.epoch, "n_weights": len(state.weights),
            "n_optimizer": len(state.optimizer), "rng_state": state.rng_state,
            "history": state.history}
    arrays[_META] = np.frombuffer(json_bytes(meta), dtype=np.uint8)
    write_atomic(directory / f"{name}.npz", npz_bytes(arrays), overwrite=True)


def has_state(model_dir: str | Path, name: str = "last") -> bool:
    """Whether a training state called `name` has been written."""
    return (checkpoint_dir(model_dir) / f"{name}.npz").is_file()


def load_state(model_dir: str | Path, name: str = "last") -> TrainingState:
    """Read a training state written by `save_state`."""
    directory = checkpoint_dir(model_dir)
    try:
        with np.load(directory / f"{name}.npz", allow_pickle=False) as arrays:
            meta = json.loads(bytes(arrays[_META]).decode())
            weights = [np.asarray(arrays[f"w{i}"]) for i in range(meta["n_weights"])]
            optimizer = [np.asarray(arrays[f"o{i}"]) for i in range(meta["n_optimizer"])]
        state = TrainingState(int(meta["epoch"]), weights, optimizer, dict(meta["rng_state"]),
                              dict(meta["history"]))
    except FileNotFoundError:
        raise ModelDirError(f"{model_dir}: no '{name}' checkpoint to resume from; the run "
                            f"stopped before its first epoch ended") from None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as e:
        raise ModelDirError(f"{directory}: unreadable '{name}' checkpoint "
                            f"({type(e).__name__}: {e})") from e
    return state
