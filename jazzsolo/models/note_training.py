"""Encoded corpus solos → a trained note LSTM: the Keras model, its training run, checkpoints.

The Keras model (`build_note_model`) is the one `note_lstm.NoteStepModel` runs in NumPy: it
reads at each event the previous event and the controls at the event's onset, runs
`NoteModelConfig.n_layers` LSTM layers, and predicts the pitch token and the duration token.

Training (`train_note_model`) cuts each solo, moved into a random key within ±6 semitones each
epoch, into windows of `window` events; Adam on the summed cross-entropy of both heads; early
stopping on the validation loss, restoring the best epoch; every run setting is one field of
`NoteModelConfig`, and the same seed on the same machine gives the same weights, resumed or not.
`train_on_corpus` is `jazzsolo train --corpus`: a corpus in, a model directory out.
TensorFlow is imported only when a model is built.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from jazzsolo.encodings.note_events import (N_DURATION_TOKENS, N_INPUTS, N_INTERVALS,
                                            N_PITCH_TOKENS, N_PITCHES, REST, EncodedSolo,
                                            encode_corpus_solo, encoded_profile, model_inputs,
                                            pitch_indices, token_steps, transpose_encoded,
                                            transpose_range)
from jazzsolo.encodings.note_controls import TEMPO_ANCHORS
from jazzsolo.encodings.phrase_plan import PhraseLengths
from jazzsolo.encodings.voice import VoiceProfile, VoiceVocabulary, measured_touch
from jazzsolo.errors import ConfigError, ModelDirError, OutputExistsError, TrainingError
from jazzsolo.files import json_bytes, write_atomic
from jazzsolo.models.checkpoint import (TrainingState, checkpoint_dir, has_state, load_state,
                                        save_state)
from jazzsolo.models.note_lstm import (CONFIG_FILE, RUN_FILE, WJAZZD_SOURCE, NoteModelConfig,
                                       NoteStepModel, NoteWeights, get_note_preset,
                                       save_note_model)

VALIDATION_SHARE = 0.1                # of the solos, held out by solo for early stopping
SPLIT_SEED = 0


# --------------------------------------------------------------------------- Keras model

def build_note_model(config: NoteModelConfig, n_voice: int = 0):
    """The Keras model.  Inputs, per window of T events: ``inputs`` (batch, T, N_INPUTS +
    `n_voice`: each event's inputs, then the solo's voice, `encodings.voice`), the
    rest flag of each step's own event (batch, T, 1), and the `pitch_indices` (batch, T,
    N_PITCHES) twice; outputs the pitch and duration logits (batch, T, P) and (batch, T, D)."""
    import keras
    from keras import ops

    x = keras.Input(shape=(None, N_INPUTS + n_voice), name="inputs")
    rest = keras.Input(shape=(None, 1), name="is_rest")
    relative = keras.Input(shape=(None, N_PITCHES), dtype="int32", name="relative_index")
    interval = keras.Input(shape=(None, N_PITCHES), dtype="int32", name="interval_index")
    h = x
    for i in range(config.n_layers):
        h = keras.layers.LSTM(config.n_units, return_sequences=True, name=f"lstm{i}")(h)
        h = keras.layers.Dropout(config.dropout, seed=config.seed + i, name=f"dropout{i}")(h)
    pitch = keras.layers.Dense(N_PITCH_TOKENS, name="pitch")(h)                  # (B, T, P)
    by_class = keras.layers.Dense(12, name="pitch_relative")(h)                  # (B, T, 12)
    by_interval = keras.layers.Dense(N_INTERVALS, name="pitch_interval")(h)      # (B, T, I)
    pad = [[0, 0], [0, 0], [0, 1]]                  # index 12 / N_INTERVALS: no chord / note
    added = (ops.take_along_axis(ops.pad(by_class, pad), relative, axis=-1)
             + ops.take_along_axis(ops.pad(by_interval, pad), interval, axis=-1))  # (B, T, 61)
    pitch = pitch + ops.pad(added, pad)                                          # rest: + 0
    both = keras.layers.Concatenate(name="with_rest_flag")([h, rest])
    duration = keras.layers.Dense(N_DURATION_TOKENS, name="duration")(both)       # (B, T, D)
    return keras.Model([x, rest, relative, interval], [pitch, duration], name="note_lstm")


def keras_probabilities(model, pitch: np.ndarray, duration: np.ndarray, controls: np.ndarray,
                        voice: np.ndarray | None = None):
    """The Keras model's (pitch_probs, duration_probs) over one sequence told `voice` (the
    voice inputs, if it reads them), as `NoteStepModel.sequence_probabilities` gives them
    (both rest-flag rows)."""
    import keras

    x = model_inputs(pitch, duration, controls)                               # (n, N_INPUTS)
    if voice is not None:
        x = np.concatenate([x, np.broadcast_to(voice, (len(x), len(voice)))], axis=1)
    x = x[None].astype(np.float32)
    relative, interval = (a[None] for a in pitch_indices(pitch, controls))
    outputs = [model([x, np.full((1, len(pitch), 1), v, dtype=np.float32), relative, interval],
                     training=False) for v in (0.0, 1.0)]
    pitch_probs = np.asarray(keras.ops.softmax(outputs[0][0], axis=-1))[0]
    duration_probs = np.stack([np.asarray(keras.ops.softmax(o[1], axis=-1))[0]
                               for o in outputs], axis=1)
    return pitch_probs, duration_probs


def _cut(length: int, window: int, offset: int) -> list[tuple[int, int]]:
    """[start, end) pieces of a sequence: the first ends at `offset` (if > 0), then `window`
    events each."""
    cuts = [0] + list(range(offset if offset > 0 else window, length, window)) + [length]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _epoch_windows(solos: Sequence[EncodedSolo], config: NoteModelConfig,
                   rng: np.random.Generator | None) -> list[tuple]:
    """Windows of an epoch: each solo in a random key and cut at a random offset (training),
    or as it is, cut from its start (validation, rng None); shuffled for training.  Each is
    (solo index, shift, start, end, which voice labels are told): in training each label is
    dropped with `label_dropout` per window, in validation all are told."""
    items = []
    for index, solo in enumerate(solos):
        if rng is None:
            shift, offset = 0, 0
        else:
            shifts = transpose_range(solo, config.max_transpose)
            shift = int(shifts[rng.integers(len(shifts))])
            offset = int(rng.integers(config.window))
        items += [(index, shift, a, b) for a, b in _cut(len(solo), config.window, offset)]
    if rng is None:
        return [item + ((True, True, True),) for item in items]
    told = rng.random((len(items), 3)) >= config.label_dropout
    items = [item + (tuple(bool(t) for t in keep),) for item, keep in zip(items, told)]
    items = [items[i] for i in rng.permutation(len(items))]
    return items


_LOOK_BACK = 16                        # events before a window read for its first inputs


@dataclass(frozen=True)
class _Voices:
    """The voice labels and profiles of the solos being trained on, and their vocabulary."""

    vocabulary: VoiceVocabulary
    profiles: tuple[VoiceProfile, ...]

    @classmethod
    def of(cls, solos: Sequence[EncodedSolo], labels, vocabulary=None) -> "_Voices":
        profiles = tuple(encoded_profile(s, labels.get(s.name, (None, None, None)))
                         if np.any(s.pitch != REST) else VoiceProfile(*labels.get(s.name, ()))
                         for s in solos)
        touches = measured_touch([s.sounding for s in solos])
        profiles = tuple(dataclasses.replace(p, touch=t) for p, t in zip(profiles, touches))
        return cls(vocabulary or VoiceVocabulary.of_profiles(profiles), profiles)


def _batch(solos: Sequence[EncodedSolo], items, window: int, voices: _Voices):
    """Arrays of one batch: inputs (B, T, N_INPUTS + voice inputs), rest flags (B, T, 1),
    pitch indices (B, T, N_PITCHES) twice, pitch and duration targets (B, T) and weights
    (B, T), 0 on padding."""
    n = len(items)
    x = np.zeros((n, window, N_INPUTS + voices.vocabulary.n_inputs), dtype=np.float32)
    flags = np.zeros((n, window, 1), dtype=np.float32)
    relative = np.zeros((n, window, N_PITCHES), dtype=np.int32)
    interval = np.zeros((n, window, N_PITCHES), dtype=np.int32)
    pitch_y = np.zeros((n, window), dtype=np.int32)
    duration_y = np.zeros((n, window), dtype=np.int32)
    weight = np.zeros((n, window), dtype=np.float32)
    for row, (index, shift, a, b, told) in enumerate(items):
        solo = solos[index]
        start = max(a - _LOOK_BACK, 0)        # events before the window feed its first inputs
        pitch, controls = transpose_encoded(solo.slice(start, b), shift)
        inputs = model_inputs(pitch, solo.duration[start:b], controls,
                              solo.plan[start:b])[a - start:]       # the whole solo's phrases
        length = b - a
        x[row, :length, :N_INPUTS] = inputs
        x[row, :length, N_INPUTS:] = voices.vocabulary.features(voices.profiles[index], told,
                                                                shift)
        by_class, by_interval = pitch_indices(pitch, controls)
        relative[row, :length] = by_class[a - start:]
        interval[row, :length] = by_interval[a - start:]
        pitch_y[row, :length] = pitch[a - start:]
        duration_y[row, :length] = solo.duration[a:b]
        flags[row, :length, 0] = pitch[a - start:] == REST
        weight[row, :length] = 1.0
    return (x, flags, relative, interval), pitch_y, duration_y, weight


def _train_step(model, optimizer):
    """A compiled gradient step returning the summed (pitch + duration) loss and the count."""
    import tensorflow as tf

    def loss_of(inputs, pitch_y, duration_y, weight, training):
        pitch_logits, duration_logits = model(list(inputs), training=training)
        pitch_ce = tf.nn.sparse_softmax_cross_entropy_with_logits(pitch_y, pitch_logits)
        duration_ce = tf.nn.sparse_softmax_cross_entropy_with_logits(duration_y, duration_logits)
        total = tf.reduce_sum(weight)
        return (tf.reduce_sum((pitch_ce + duration_ce) * weight), total,
                tf.reduce_sum(pitch_ce * weight), tf.reduce_sum(duration_ce * weight))

    @tf.function(reduce_retracing=True)
    def train(inputs, pitch_y, duration_y, weight):
        with tf.GradientTape() as tape:
            loss_sum, total, _, _ = loss_of(inputs, pitch_y, duration_y, weight, True)
            loss = loss_sum / tf.maximum(total, 1.0)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss_sum, total

    @tf.function(reduce_retracing=True)
    def evaluate(inputs, pitch_y, duration_y, weight):
        return loss_of(inputs, pitch_y, duration_y, weight, False)

    return train, evaluate


def _deterministic(seed: int) -> None:
    """Seed every generator and ask TensorFlow for deterministic kernels."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def _validation_loss(evaluate, solos, config, voices: _Voices) -> dict[str, float]:
    items = _epoch_windows(solos, config, None)
    sums = np.zeros(3)
    count = 0.0
    for start in range(0, len(items), config.batch_size):
        batch = _batch(solos, items[start:start + config.batch_size], config.window, voices)
        loss, total, pitch, duration = (float(v) for v in evaluate(*batch))
        sums += (loss, pitch, duration)
        count += total
    loss, pitch, duration = (float(v) for v in sums / max(count, 1.0))
    return {"val_loss": loss, "val_pitch_loss": pitch, "val_duration_loss": duration}


def _resume_states(resume) -> tuple[TrainingState, TrainingState]:
    if isinstance(resume, (str, os.PathLike)):
        best = "best" if has_state(resume, "best") else "last"
        return load_state(resume, "last"), load_state(resume, best)
    if isinstance(resume, tuple) and len(resume) == 2:
        return resume
    if isinstance(resume, TrainingState):
        return resume, resume
    raise ConfigError("resume must be a model directory with checkpoints, a TrainingState or "
                      "a (last, best) pair of them")


def _restore(model, optimizer, rng, state: TrainingState) -> None:
    """Put a checkpointed run back, as the course model's training does."""
    from jazzsolo.models.course_lstm import restore_training_state

    restore_training_state(model, optimizer, rng, state)


# --------------------------------------------------------------------------- training run

@dataclass
class _Run:
    """A training run in progress: the Keras model and optimiser, the compiled steps, the
    generator of keys, cuts and batch order, the history so far and the best epoch's weights."""

    config: NoteModelConfig
    model: object
    optimizer: object
    train_step: Callable
    evaluate: Callable
    rng: np.random.Generator
    history: dict[str, list[float]]
    first_epoch: int = 0
    best_weights: list | None = None

    def state(self, epoch: int, weights) -> TrainingState:
        """The checkpoint of the run after `epoch` epochs, holding `weights`."""
        return TrainingState(epoch, weights, [np.asarray(v) for v in self.optimizer.variables],
                             self.rng.bit_generator.state,
                             {k: list(v) for k, v in self.history.items()})


def _start_run(config: NoteModelConfig, resume, n_voice: int) -> _Run:
    """A fresh run seeded with `config.seed`, or one put back from the `resume` checkpoints."""
    import keras

    _deterministic(config.seed)
    model = build_note_model(config, n_voice)
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate,
                                      clipnorm=config.clipnorm)
    train_step, evaluate = _train_step(model, optimizer)
    history: dict[str, list[float]] = {"loss": [], "val_loss": [], "val_pitch_loss": [],
                                       "val_duration_loss": [], "learning_rate": [],
                                       "seconds": []}
    run = _Run(config, model, optimizer, train_step, evaluate,
               np.random.default_rng(config.seed), history)
    if resume is not None:
        last, best = _resume_states(resume)
        _restore(model, optimizer, run.rng, last)
        run.first_epoch = last.epoch
        run.history = {k: list(v) for k, v in last.history.items()}
        run.best_weights = [np.asarray(w) for w in best.weights]
    return run


def _train_epoch(run: _Run, epoch: int, train: Sequence[EncodedSolo],
                 val: Sequence[EncodedSolo], voices: tuple[_Voices, _Voices], *, bar) -> list:
    """One pass over the training windows, then the validation loss; returns the weights."""
    import keras

    config, history, optimizer = run.config, run.history, run.optimizer
    started = time.perf_counter()
    optimizer.learning_rate.assign(_learning_rate(history["val_loss"], config))
    dropouts = [layer for layer in run.model.layers if isinstance(layer, keras.layers.Dropout)]
    for i, layer in enumerate(dropouts):                  # dropout masks depend on the epoch only
        layer.seed_generator.state.assign(
            np.array([config.seed + 1000 * (epoch + 1) + i, 0], dtype="int64"))
    items = _epoch_windows(train, config, run.rng)
    loss_sum, count = 0.0, 0.0
    for start in range(0, len(items), config.batch_size):
        batch = _batch(train, items[start:start + config.batch_size], config.window, voices[0])
        batch_loss, batch_count = run.train_step(*batch)
        loss_sum, count = loss_sum + float(batch_loss), count + float(batch_count)
        if bar is not None and (start // config.batch_size) % 10 == 0:
            bar.set_postfix(loss=f"{loss_sum / max(count, 1):.3f}", refresh=False)
    if not math.isfinite(loss_sum):
        raise TrainingError(f"training diverged: the loss is not finite at epoch {epoch + 1}")
    history["loss"].append(loss_sum / max(count, 1.0))
    history["learning_rate"].append(float(optimizer.learning_rate.numpy()))
    for key, value in _validation_loss(run.evaluate, val, config, voices[1]).items():
        history[key].append(value)
    history["seconds"].append(round(time.perf_counter() - started, 2))
    weights = run.model.get_weights()
    if history["val_loss"][-1] <= min(history["val_loss"]):
        run.best_weights = weights
    if bar is not None:
        bar.set_postfix(loss=f"{history['loss'][-1]:.3f}",
                        val_loss=f"{history['val_loss'][-1]:.3f}")
        bar.update(1)
    return weights


def train_note_model(train_solos, val_solos, config: NoteModelConfig = NoteModelConfig(), *,
                     labels: dict | None = None,
                     on_epoch_end: Callable[[TrainingState], None] | None = None, resume=None,
                     progress: bool = True):
    """Train the note LSTM on corpus solos; returns ``(keras_model, step_model, history)``.

    `train_solos` and `val_solos` are `CorpusSolo`s (or `EncodedSolo`s).  Each epoch moves every
    training solo into a random key (`max_transpose`), cuts it into windows of `window` events
    from a random offset and shuffles them; after the epoch the loss on the validation solos
    (as played, cut from their start) decides early stopping, and the best epoch's weights are
    the result.  `labels` maps solo names to (player, style, instrument) (`ingest.solo_info`):
    the voices the model learns to play as (`encodings.voice`).  `on_epoch_end` receives a `checkpoint.TrainingState` after every epoch (its
    history has ``val_loss`` per epoch: the best epoch is the one with the lowest); `resume` is
    a model directory whose ``checkpoints/`` hold ``last`` and ``best`` states (see
    `checkpoint_saver`) or a ``(last, best)`` pair of states, and the run then ends as an
    unbroken one would.
    """
    train = [s if isinstance(s, EncodedSolo) else encode_corpus_solo(s) for s in train_solos]
    val = [s if isinstance(s, EncodedSolo) else encode_corpus_solo(s) for s in val_solos]
    if not train or not val:
        raise ConfigError(f"training needs at least one training and one validation solo, got "
                          f"{len(train)} and {len(val)}")
    train_voices = _Voices.of(train, labels or {})
    voices = (train_voices, _Voices.of(val, labels or {}, train_voices.vocabulary))
    run = _start_run(config, resume, train_voices.vocabulary.n_inputs)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=config.max_epochs, initial=run.first_epoch, desc="training",
                   unit="epoch")
    try:
        for epoch in range(run.first_epoch, config.max_epochs):
            if _stopped(run.history["val_loss"], config.patience):
                break
            weights = _train_epoch(run, epoch, train, val, voices, bar=bar)
            if on_epoch_end is not None:
                on_epoch_end(run.state(epoch + 1, weights))
    finally:
        if bar is not None:
            bar.close()
    if run.best_weights is not None:
        run.model.set_weights(run.best_weights)
    history = run.history
    history["best_epoch"] = int(np.argmin(history["val_loss"])) + 1 if history["val_loss"] else 0
    phrases = phrase_lengths(train)
    kept = [p for s, p in zip(train, train_voices.profiles) if np.any(s.pitch != REST)]
    step_model = NoteStepModel(NoteWeights.from_keras(run.model), config, {}, history,
                               phrases=phrases, voices=train_voices.vocabulary,
                               profiles=tuple(kept))
    return run.model, step_model, history


def phrase_lengths(solos: Sequence[EncodedSolo]) -> PhraseLengths:
    """The phrase lengths of the training solos by tempo band, for generation to draw from;
    each solo's tempo is read back from its tempo controls (exact inside `TEMPO_ANCHORS`)."""
    log_anchors = np.log(np.asarray(TEMPO_ANCHORS, dtype=float))
    return PhraseLengths.from_solos(
        [(s.pitch, token_steps(s.duration), float(np.exp(s.controls.tempo @ log_anchors)))
         for s in solos], REST)


def _learning_rate(val_losses: Sequence[float], config: NoteModelConfig) -> float:
    """The step size for the next epoch: `lr_decay` times less for each epoch so far whose
    validation loss was not the lowest yet (a function of the history, so resuming keeps it)."""
    worse = sum(1 for i, v in enumerate(val_losses) if v > min(val_losses[:i + 1]))
    return config.learning_rate * config.lr_decay ** worse


def _stopped(val_losses: Sequence[float], patience: int) -> bool:
    """Whether `patience` epochs have passed since the lowest validation loss."""
    if not val_losses:
        return False
    return len(val_losses) - 1 - int(np.argmin(val_losses)) >= patience


def checkpoint_saver(directory: str | os.PathLike) -> Callable[[TrainingState], None]:
    """An `on_epoch_end` that saves every epoch's state as ``last`` and the best as ``best``
    in ``directory/checkpoints/`` (`jazzsolo.models.checkpoint` files)."""
    def save(state: TrainingState) -> None:
        losses = state.history.get("val_loss", [])
        if losses and losses[-1] <= min(losses):
            save_state(directory, state, "best")
        save_state(directory, state, "last")
    return save


def save_note_run(directory: str | os.PathLike, run: dict) -> Path:
    """Record what a run trains on (corpus path, split, config) before its first epoch."""
    path = checkpoint_dir(directory) / RUN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, json_bytes(run), overwrite=True)


def load_note_run(directory: str | os.PathLike) -> dict:
    """The run recorded by `save_note_run`; a directory without one is refused."""
    path = checkpoint_dir(directory) / RUN_FILE
    try:
        run = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelDirError(f"{directory}: nothing to resume (no {path.name})") from None
    except (OSError, ValueError) as e:
        raise ModelDirError(f"{path}: unreadable ({e})") from e
    if not isinstance(run, dict):
        raise ModelDirError(f"{path}: not a JSON object")
    return run


# --------------------------------------------------------------------------- corpus → model dir

def train_on_corpus(corpus_path, output_dir, *, preset: str = "wjazzd",
                    max_epochs: int | None = None, seed: int | None = None,
                    resume: bool = False, overwrite: bool = False, progress: bool = True) -> str:
    """Read a WJazzD-style corpus, split it by solo, train the note LSTM with early stopping and
    save the best epoch; checkpoints go to ``output_dir/checkpoints`` every epoch, and with
    `resume` the run goes on from them as if it had not stopped.  Returns the summary line."""
    from jazzsolo.ingest.corpus import read_corpus
    from jazzsolo.ingest.corpus_split import split_corpus, write_split
    from jazzsolo.ingest.solo_info import labels_beside

    output_dir = Path(output_dir)
    if resume:
        run = load_note_run(output_dir)
        if (output_dir / CONFIG_FILE).exists():
            raise ConfigError(f"{output_dir}: the run finished already; nothing to resume")
        corpus_path, config = run["corpus"], _config(run["config"])
    else:
        if (output_dir / CONFIG_FILE).exists() and not overwrite:
            raise OutputExistsError(f"{output_dir}: holds a model already")
        overrides = {k: v for k, v in (("max_epochs", max_epochs), ("seed", seed)) if v is not None}
        config = dataclasses.replace(get_note_preset(preset), **overrides)
    corpus = read_corpus(corpus_path, progress=progress)
    source = WJAZZD_SOURCE if "wjazzd" in str(corpus_path).lower() else str(corpus_path)
    split = split_corpus(corpus, source=source, validation_share=VALIDATION_SHARE,
                         seed=SPLIT_SEED)
    train_names, val_names = list(split.training), list(split.validation)
    if not train_names or not val_names:
        raise ConfigError(f"{corpus_path}: {len(corpus.solos)} usable solos are too few to hold "
                          f"some out for validation; give at least 2")
    by_name = {s.name: s for s in corpus.solos}
    if not resume:
        save_note_run(output_dir, {"corpus": str(corpus_path), "validation": val_names,
                                   "config": dataclasses.asdict(config)})
    started = time.perf_counter()
    _, step_model, history = train_note_model(
        [by_name[n] for n in train_names], [by_name[n] for n in val_names], config,
        labels=labels_beside(corpus_path) if Path(corpus_path).is_dir() else {},
        on_epoch_end=checkpoint_saver(output_dir), resume=output_dir if resume else None,
        progress=progress)
    meta = {"data": source, "corpus_solos": len(corpus.solos), "training_solos": len(train_names),
            "validation_solos": val_names,
            "split": f"jazzsolo.ingest.corpus.split_by_solo(validation_share={VALIDATION_SHARE}, "
                     f"seed={SPLIT_SEED})",
            "epochs": len(history["val_loss"]), "best_epoch": history["best_epoch"],
            "training_seconds": round(time.perf_counter() - started, 1)}
    # split.json before the model files; config.json, written last, marks the directory complete
    (output_dir / CONFIG_FILE).unlink(missing_ok=True)
    write_split(output_dir, split, overwrite=True)
    save_note_model(output_dir, step_model, config, meta, history=history, overwrite=True)
    skipped = f", {len(corpus.skipped)} skipped" if corpus.skipped else ""
    return (f"Trained on {len(train_names)} solos ({len(val_names)} for validation{skipped}): "
            f"{meta['epochs']} epochs, best {meta['best_epoch']} (validation loss "
            f"{min(history['val_loss']):.3f}); model saved to {output_dir}/")


def _config(data: dict) -> NoteModelConfig:
    return NoteModelConfig.from_dict(data)


__all__ = ["build_note_model", "checkpoint_saver", "keras_probabilities", "load_note_run",
           "save_note_run", "train_note_model", "train_on_corpus"]
