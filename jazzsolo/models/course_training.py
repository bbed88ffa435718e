"""Training MIDI files → a trained course model directory (`jazzsolo train` without a corpus).

The tunes are preprocessed into grammar values and training windows (`prepare_course_run`),
the course model is trained on them (the fast path with a checkpoint after every epoch, or the
course's unrolled model), and the model directory is written with config.json last.  A run
interrupted by Ctrl-C keeps its checkpoint and raises `TrainingInterrupted`; resuming it gives
the model an unbroken run gives.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from jazzsolo.config import (ModelConfig, TrainConfig, check_setting, config_from_dict,
                             config_to_dict)
from jazzsolo.errors import ConfigError, OutputExistsError, TrainingError
from jazzsolo.models.checkpoint import has_state, load_run, load_state, save_run, save_state
from jazzsolo.models.course_step import LSTMWeights
from jazzsolo.models.model_dir import (CONFIG_FILE, WEIGHTS_FILE, TrainedModel, chords_from_json,
                                       chords_to_json, save_model_dir)


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped by Ctrl-C after `epoch` of `epochs` epochs; the checkpoint of the last
    finished epoch is saved in `directory`, and resuming there goes on from it."""

    def __init__(self, directory: str | Path, epoch: int, epochs: int):
        super().__init__(f"interrupted after epoch {epoch} of {epochs}; the checkpoint in "
                         f"{directory} is saved")
        self.directory, self.epoch, self.epochs = Path(directory), epoch, epochs


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def prepare_course_run(*, midi=None, preset: str | None = None, melody_part: int | None = None,
                       chord_parts: list[int] | None = None, windows: int | None = None,
                       epochs: int = TrainConfig.epochs, seed: int = TrainConfig.seed,
                       n_a: int = ModelConfig.n_a, course_path: bool = False,
                       log: Callable[[str], None] = print,
                       warn: Callable[[str], None] = _to_stderr
                       ) -> tuple[dict, np.ndarray, np.ndarray]:
    """Preprocess the training MIDI into a run description and the tensors X, Y.

    `midi` lists files or folders of them (None: `find_training_midi`'s default tune); a file
    that cannot be used is skipped and `warn`ed about; `log` gets one line on the corpus.
    """
    from jazzsolo.encodings.course_data import get_corpus_data, load_training_corpus
    from jazzsolo.encodings.tensors import data_processing
    from jazzsolo.ingest.preprocess import find_training_midi, preset_for

    for name, value in (("epochs", epochs), ("seed", seed), ("n_a", n_a),
                        ("melody_part", melody_part), ("windows", windows)):
        check_setting(name, value)
    for index in chord_parts or []:
        check_setting("chord_parts", index)
    midi_paths = midi or [find_training_midi(None)]
    if len(midi_paths) == 1 and not Path(midi_paths[0]).is_dir():
        midi_paths = [find_training_midi(midi_paths[0])]
    started = time.perf_counter()
    training = load_training_corpus(midi_paths, preset=preset, melody_part=melody_part,
                                    chord_parts=chord_parts)
    for path, reason in training.skipped:
        warn(f"skipped: {reason}" if str(path) in reason else f"skipped {path}: {reason}")
    corpus, values, values_indices, _ = get_corpus_data(training.abstract_grammars)
    course = [preset_for(p) for p in training.sources] == ["course"] and preset in (None, "course")
    # The course's 60 random windows fit its one 193-value tune; any other corpus gets a window
    # at every position (or `windows` random ones), so none of it goes unseen.
    m = windows or (ModelConfig.m if course else None)
    model_config = ModelConfig(n_a=n_a, m=m or max(len(corpus) - ModelConfig.Tx, 0))
    X, Y, _ = data_processing(corpus, values_indices, m, model_config.Tx, model_config.data_seed)
    n_measures = sum(len(d.measures) for d in training.data)
    skipped = f", {len(training.skipped)} skipped" if training.skipped else ""
    log(f"{len(training.sources)} file(s){skipped}: {len(corpus)} values, {len(values)} unique, "
        f"{n_measures} measures, {len(X)} windows of {model_config.Tx} "
        f"({time.perf_counter() - started:.1f} s)")
    data = training.data[0]
    settings = {"model": config_to_dict(model_config),
                "train": config_to_dict(TrainConfig(epochs=epochs, seed=seed)),
                "preset": preset or ("auto" if melody_part is not None or chord_parts
                                     else preset_for(training.sources[0])),
                "measure_ql": data.measure_ql,
                "source_midi": [p.name for p in training.sources]}
    run = {"settings": settings, "values": values, "chords": chords_to_json(data.chords),
           "corpus": corpus, "course_path": bool(course_path)}
    return run, X, Y


def _resumed_run(output_dir: Path):
    """The run, tensors and last state of an interrupted run in `output_dir`."""
    run, X, Y = load_run(output_dir)
    state = load_state(output_dir, "last")
    epochs = run["settings"]["train"]["epochs"]
    if state.epoch >= epochs and (output_dir / CONFIG_FILE).exists():
        raise TrainingError(f"{output_dir}: the run finished all {epochs} epochs already; "
                            f"nothing to resume")
    # (all epochs done but the model never saved: resuming saves it from the checkpoint)
    return run, X, Y, state


def _train_checkpointed(output_dir: Path, run: dict, X, Y, *, n_a: int, config: TrainConfig,
                        state, progress: bool):
    """The fast path, saving ``last`` after every epoch and ``best`` at each lowest loss."""
    from jazzsolo.models.course_lstm import train_fast

    if state is None:
        save_run(output_dir, run, X, Y)
    best = [min(state.history["loss"])] if state is not None else [float("inf")]

    def checkpoint(epoch_state):
        save_state(output_dir, epoch_state, "last")
        if epoch_state.history["loss"][-1] < best[0]:
            best[0] = epoch_state.history["loss"][-1]
            save_state(output_dir, epoch_state, "best")

    try:
        _, LSTM_cell, densor, history = train_fast(X, Y, n_a=n_a, config=config,
                                                   progress=progress, on_epoch_end=checkpoint,
                                                   resume=state)
    except KeyboardInterrupt:
        done = load_state(output_dir, "last").epoch if has_state(output_dir) else 0
        raise TrainingInterrupted(output_dir, done, config.epochs) from None
    return LSTM_cell, densor, history


def train_course_model(output_dir, *, midi=None, preset: str | None = None,
                       melody_part: int | None = None, chord_parts: list[int] | None = None,
                       windows: int | None = None, epochs: int | None = None,
                       seed: int | None = None, n_a: int | None = None, overwrite: bool = False,
                       resume: bool = False, course_path: bool = False, progress: bool = True,
                       log: Callable[[str], None] = print,
                       warn: Callable[[str], None] = _to_stderr) -> str:
    """Train the course model on MIDI tunes and save it in `output_dir`; returns the summary line.

    Settings left None take their defaults (`TrainConfig.epochs`, `TrainConfig.seed`,
    `ModelConfig.n_a`); `windows` defaults to the course's 60 for its tune, else one at every
    position.  With `resume`, the interrupted run in `output_dir` goes on with the settings it
    started with (the other settings are not used).  `course_path` trains the course's
    unrolled model instead of the fast path (no checkpoints, so it cannot be resumed).
    Ctrl-C during the fast path raises `TrainingInterrupted` once the checkpoint is saved.
    """
    output_dir = Path(output_dir)
    if resume:
        run, X, Y, state = _resumed_run(output_dir)
    else:
        if (output_dir / WEIGHTS_FILE).exists() and not overwrite:
            raise OutputExistsError(f"{output_dir}: holds a model already")
        run, X, Y = prepare_course_run(
            midi=midi, preset=preset, melody_part=melody_part, chord_parts=chord_parts,
            windows=windows, epochs=TrainConfig.epochs if epochs is None else epochs,
            seed=TrainConfig.seed if seed is None else seed,
            n_a=ModelConfig.n_a if n_a is None else n_a, course_path=course_path, log=log,
            warn=warn)
        state = None
    from jazzsolo.models.course_lstm import save_keras_model, train_djmodel   # Keras: ~3.5 s

    settings = run["settings"]
    config = config_from_dict(TrainConfig, settings["train"])
    n_a = settings["model"]["n_a"]
    if run.get("course_path"):
        if state is not None:
            raise ConfigError("resuming continues runs of the default training path only; runs "
                              "trained on the course path cannot be resumed")
        _, LSTM_cell, densor, history = train_djmodel(X, Y, n_a=n_a, config=config,
                                                      progress=progress)
    else:
        LSTM_cell, densor, history = _train_checkpointed(output_dir, run, X, Y, n_a=n_a,
                                                         config=config, state=state,
                                                         progress=progress)
    trained = TrainedModel(LSTMWeights.from_layers(LSTM_cell, densor), run["values"],
                           chords_from_json(run["chords"]), settings, history,
                           run.get("corpus", []))
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / CONFIG_FILE).unlink(missing_ok=True)   # the model is complete again only
    save_keras_model(output_dir, LSTM_cell, densor)      # when save_model_dir writes it last
    save_model_dir(output_dir, trained, overwrite=True)
    loss, accuracy = history["loss"], history["accuracy"]
    resumed = f"resumed at epoch {state.epoch}, " if state is not None else ""
    return (f"Trained {config.epochs} epochs ({resumed}loss {loss[0]:.2f} → {loss[-1]:.2f}, "
            f"accuracy {accuracy[-1]:.3f}); model saved to {output_dir}/")


__all__ = ["TrainingInterrupted", "prepare_course_run", "train_course_model"]
