"""Encoded corpus solos → a chord-conditioned note LSTM: Keras training, a NumPy step model, files.

The model (family ``note-lstm``) reads at each event the previous event (pitch token and
duration token, one-hot) and the controls at the event's onset (`encodings.note_events`), runs
`NoteModelConfig.n_layers` LSTM layers, and predicts two softmax heads from the last layer:

* the event's pitch token (61 MIDI pitches or a rest), from the LSTM output as the sum of
  three scores: one per pitch token, one per pitch class above the chord root sounding now
  (12), and one per interval from the last note played (`note_events.interval_bucket`, 27),
  so what the model learns about chord tones and steps holds in every key and register;
* the event's duration token, from the LSTM output and one flag saying whether the event is a
  rest (in training the real event's, in generation the sampled pitch's), since a rest's length
  is distributed very differently from a note's.

Training (`train_note_model`) cuts each solo, moved into a random key within ±6 semitones each
epoch, into windows of `window` events; Adam on the summed cross-entropy of both heads; early
stopping on the validation loss, restoring the best epoch; every run setting is one field of
`NoteModelConfig`, and the same seed on the same machine gives the same weights, resumed or not.

Generation never needs TensorFlow: `load_note_model` reads arrays and JSON into a
`NoteStepModel`, which runs the same LSTM in NumPy one event at a time.
"""
from __future__ import annotations

import json
import math
import os
import time
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from jazzsolo.models.solo_cache import CacheConfig
from jazzsolo.models.checkpoint import TrainingState, checkpoint_dir, has_state, load_state, save_state
from jazzsolo.errors import ConfigError, ModelDirError, OutputExistsError, TrainingError
from jazzsolo.files import write_atomic
from jazzsolo.files import json_bytes, npz_bytes
from jazzsolo.encodings.note_events import (N_DURATION_TOKENS, N_INPUTS, N_INTERVALS, N_PITCH_TOKENS,
                                            N_PITCHES, REST, EncodedSolo, encode_corpus_solo,
                                            model_inputs, pitch_indices, step_input, step_pitch_indices,
                                            transpose_encoded, transpose_range, vocabularies)

FAMILY = "note-lstm"
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
HISTORY_FILE = "history.json"
RUN_FILE = "note_run.json"                 # inside checkpoints/: what a resumed run trains on
PRETRAINED_WJAZZD_DIR = Path(__file__).resolve().parents[1] / "pretrained" / "wjazzd"
WJAZZD_SOURCE = "Weimar Jazz Database (Jazzomat Research Project, HfM Weimar), ODbL 1.0"


@dataclass(frozen=True)
class NoteModelConfig:
    """The note LSTM's shape and its training run; every default is written here only."""

    n_units: int = 256               # LSTM units per layer
    n_layers: int = 2                # stacked LSTM layers
    dropout: float = 0.2             # dropout after each LSTM layer, 0-0.9
    window: int = 64                 # events per training window
    batch_size: int = 32             # windows per gradient step
    learning_rate: float = 2e-3      # Adam step size at the start
    lr_decay: float = 0.5            # step size factor after each epoch that is not the best
    clipnorm: float = 1.0            # gradient norm limit per step
    max_epochs: int = 40             # passes over the training solos, at most
    patience: int = 4                # epochs without a better validation loss before stopping
    max_transpose: int = 6           # semitones either way each solo is moved per epoch
    seed: int = 0                    # weights, dropout, keys, window cuts and batch order

    def __post_init__(self) -> None:
        for name, low, high in (("n_units", 1, 4096), ("n_layers", 1, 8), ("window", 2, 100_000),
                                ("batch_size", 1, 100_000), ("max_epochs", 1, 100_000),
                                ("patience", 1, 100_000), ("max_transpose", 0, 11),
                                ("seed", 0, 2**31 - 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name} must be a whole number in {low}-{high}, got {value!r}")
        for name, low, high in (("dropout", 0.0, 0.9), ("learning_rate", 1e-7, 1.0),
                                ("lr_decay", 0.01, 1.0), ("clipnorm", 1e-6, 1e6)):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not low <= value <= high:
                raise ConfigError(f"{name} must be a number in {low}-{high}, got {value!r}")

    @classmethod
    def from_dict(cls, data: dict) -> "NoteModelConfig":
        """Settings from a dict, refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) - known:
            unknown = sorted(set(data) - known) if isinstance(data, dict) else data
            raise ConfigError(f"unknown NoteModelConfig settings: {unknown}")
        return cls(**data)


# Named presets: the shipped model's settings, and a tiny one for tests and smoke runs.
NOTE_MODEL_PRESETS = {
    "wjazzd": NoteModelConfig(),
    "tiny": NoteModelConfig(n_units=32, n_layers=1, window=32, batch_size=8, max_epochs=1),
}


def get_note_preset(name: str) -> NoteModelConfig:
    """The note-model preset called `name`; an unknown name lists the valid ones."""
    try:
        return NOTE_MODEL_PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown note-model preset {name!r}; valid presets: "
                          f"{', '.join(sorted(NOTE_MODEL_PRESETS))}") from None


# --------------------------------------------------------------------------- NumPy model

def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))            # = 1 / (1 + exp(-z)), without overflow


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


_HEAD_ARRAYS = ("pitch_kernel", "pitch_bias", "relative_kernel", "relative_bias",
                "interval_kernel", "interval_bias", "duration_kernel", "duration_bias")


@dataclass
class NoteWeights:
    """The trained arrays in Keras layouts (LSTM gates in the order i, f, c, o)."""

    lstm: list[tuple[np.ndarray, np.ndarray, np.ndarray]]   # (kernel, recurrent, bias) per layer
    pitch_kernel: np.ndarray         # (n_units, N_PITCH_TOKENS)
    pitch_bias: np.ndarray           # (N_PITCH_TOKENS,)
    relative_kernel: np.ndarray      # (n_units, 12): pitch class above the chord root
    relative_bias: np.ndarray        # (12,)
    interval_kernel: np.ndarray      # (n_units, N_INTERVALS): interval from the last note
    interval_bias: np.ndarray        # (N_INTERVALS,)
    duration_kernel: np.ndarray      # (n_units + 1, N_DURATION_TOKENS): last row = rest flag
    duration_bias: np.ndarray        # (N_DURATION_TOKENS,)

    def arrays(self) -> dict[str, np.ndarray]:
        """Named arrays, as saved in ``weights.npz``."""
        out = {}
        for i, (kernel, recurrent, bias) in enumerate(self.lstm):
            out[f"lstm{i}_kernel"], out[f"lstm{i}_recurrent_kernel"] = kernel, recurrent
            out[f"lstm{i}_bias"] = bias
        out.update({name: getattr(self, name) for name in _HEAD_ARRAYS})
        return out

    @classmethod
    def from_arrays(cls, arrays, n_layers: int) -> "NoteWeights":
        lstm = [tuple(np.asarray(arrays[f"lstm{i}_{name}"], dtype=np.float64)
                      for name in ("kernel", "recurrent_kernel", "bias"))
                for i in range(n_layers)]
        return cls(lstm, *(np.asarray(arrays[name], dtype=np.float64) for name in _HEAD_ARRAYS))

    @classmethod
    def from_keras(cls, model) -> "NoteWeights":
        """Copy the arrays out of the Keras model `build_note_model` makes."""
        n_layers = sum(1 for layer in model.layers if layer.name.startswith("lstm"))
        lstm = [tuple(np.asarray(w) for w in model.get_layer(f"lstm{i}").get_weights())
                for i in range(n_layers)]
        heads = [np.asarray(w) for name in ("pitch", "pitch_relative", "pitch_interval",
                                             "duration")
                 for w in model.get_layer(name).get_weights()]
        return cls(lstm, *heads)

    def check(self, where: str) -> None:
        """Refuse arrays whose shapes do not fit each other and the encoding."""
        n_in = N_INPUTS
        for i, (kernel, recurrent, bias) in enumerate(self.lstm):
            units = recurrent.shape[0]
            expected = [(n_in, 4 * units), (units, 4 * units), (4 * units,)]
            if [kernel.shape, recurrent.shape, bias.shape] != expected:
                raise ModelDirError(f"{where}: LSTM layer {i} has shapes {kernel.shape}, "
                                    f"{recurrent.shape}, {bias.shape}; expected {expected}")
            n_in = units
        expected = {"pitch_kernel": (n_in, N_PITCH_TOKENS), "pitch_bias": (N_PITCH_TOKENS,),
                    "relative_kernel": (n_in, 12), "relative_bias": (12,),
                    "interval_kernel": (n_in, N_INTERVALS), "interval_bias": (N_INTERVALS,),
                    "duration_kernel": (n_in + 1, N_DURATION_TOKENS),
                    "duration_bias": (N_DURATION_TOKENS,)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ModelDirError(f"{where}: {name} is {getattr(self, name).shape}, expected "
                                    f"{shape}")
        if not all(np.isfinite(a).all() for a in self.arrays().values()):
            raise ModelDirError(f"{where}: weights must be finite numbers")


@dataclass
class NoteState:
    """Where the step model is: each LSTM layer's (h, c), and the last two notes' pitch tokens
    (-1: none yet), which the inputs and the pitch head read."""

    layers: list[tuple[np.ndarray, np.ndarray]]
    last: int = -1
    last2: int = -1


@dataclass
class NoteStepModel:
    """The note LSTM in NumPy: one event at a time, the state passed in and out."""

    weights: NoteWeights
    config: NoteModelConfig = field(default_factory=NoteModelConfig)
    meta: dict = field(default_factory=dict)         # what the model was trained on
    history: dict = field(default_factory=dict)      # per-epoch losses
    cache: CacheConfig | None = field(default_factory=CacheConfig)   # the solo's own licks
                                                     # mixed in (`solo_cache`); None: off

    def initial_state(self) -> NoteState:
        """Zero state and no notes yet, as every training window starts."""
        return NoteState([(np.zeros(r.shape[0]), np.zeros(r.shape[0]))
                          for _, r, _ in self.weights.lstm])

    def probabilities(self, state: NoteState, event: tuple[int, int] | None,
                      control: np.ndarray):
        """Advance one event: returns ``(pitch_probs, duration_probs, state)``.

        `event` is the previous event's (pitch token, duration token), None at the start;
        `control` (N_CONTROLS,) the controls at this event's onset.  `pitch_probs` is
        (N_PITCH_TOKENS,); `duration_probs` is (2, N_DURATION_TOKENS): row 0 the duration if a
        note is played here, row 1 if a rest is.
        """
        last, last2 = state.last, state.last2
        if event is not None and event[0] != REST:
            last, last2 = int(event[0]), last
        x = step_input(event, control, last, last2)
        layers = []
        for (kernel, recurrent, bias), (h, c) in zip(self.weights.lstm, state.layers):
            z = x @ kernel + h @ recurrent + bias                  # (4 n_units,)
            i, f, g, o = np.split(z, 4)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            layers.append((h, c))
            x = h
        relative, interval = step_pitch_indices(control, last)
        pitch, duration = self._heads(x[None], relative[None], interval[None])
        return pitch[0], duration[0], NoteState(layers, last, last2)

    def _heads(self, h: np.ndarray, relative: np.ndarray, interval: np.ndarray):
        """Pitch probabilities (n, P) and duration probabilities (n, 2, D) from the last
        layer's outputs h (n, n_units) and the `pitch_indices` (n, N_PITCHES) each."""
        w = self.weights
        logits = h @ w.pitch_kernel + w.pitch_bias                             # (n, P)
        by_class = np.pad(h @ w.relative_kernel + w.relative_bias, ((0, 0), (0, 1)))
        by_interval = np.pad(h @ w.interval_kernel + w.interval_bias, ((0, 0), (0, 1)))
        logits[:, :N_PITCHES] += (np.take_along_axis(by_class, relative, axis=1)
                                  + np.take_along_axis(by_interval, interval, axis=1))
        note = h @ w.duration_kernel[:-1] + w.duration_bias                    # (n, D)
        duration = _softmax(np.stack([note, note + w.duration_kernel[-1]], axis=-2))
        return _softmax(logits), duration

    def sequence_probabilities(self, pitch: np.ndarray, duration: np.ndarray,
                               controls: np.ndarray):
        """Probabilities at every event of one sequence fed with its real events.

        Returns ``(pitch_probs (n, P), duration_probs (n, 2, D))``: step t predicts event t
        from events 0..t-1 and the controls (n, N_CONTROLS) up to t.
        """
        x = model_inputs(pitch, duration, controls).astype(np.float64)     # (n, N_INPUTS)
        for kernel, recurrent, bias in self.weights.lstm:
            projected = x @ kernel + bias                                    # (n, 4 units)
            units = recurrent.shape[0]
            h, c = np.zeros(units), np.zeros(units)
            out = np.empty((len(x), units))
            for t in range(len(x)):
                i, f, g, o = np.split(projected[t] + h @ recurrent, 4)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
                out[t] = h
            x = out
        return self._heads(x, *pitch_indices(pitch, controls))


# --------------------------------------------------------------------------- Keras model

def build_note_model(config: NoteModelConfig):
    """The Keras model.  Inputs, per window of T events: ``inputs`` (batch, T, N_INPUTS), the
    rest flag of each step's own event (batch, T, 1), and the `pitch_indices` (batch, T,
    N_PITCHES) twice; outputs the pitch and duration logits (batch, T, P) and (batch, T, D)."""
    import keras
    from keras import ops

    x = keras.Input(shape=(None, N_INPUTS), name="inputs")
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


def keras_probabilities(model, pitch: np.ndarray, duration: np.ndarray, controls: np.ndarray):
    """The Keras model's (pitch_probs, duration_probs) over one sequence, as
    `NoteStepModel.sequence_probabilities` gives them (both rest-flag rows)."""
    import keras

    x = model_inputs(pitch, duration, controls)[None]                        # (1, n, N_INPUTS)
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
                   rng: np.random.Generator | None) -> list[tuple[int, int, int, int]]:
    """Windows of an epoch: each solo in a random key and cut at a random offset (training),
    or as it is, cut from its start (validation, rng None); shuffled for training."""
    items = []
    for index, solo in enumerate(solos):
        if rng is None:
            shift, offset = 0, 0
        else:
            shifts = transpose_range(solo, config.max_transpose)
            shift = int(shifts[rng.integers(len(shifts))])
            offset = int(rng.integers(config.window))
        items += [(index, shift, a, b) for a, b in _cut(len(solo), config.window, offset)]
    if rng is not None:
        items = [items[i] for i in rng.permutation(len(items))]
    return items


_LOOK_BACK = 16                        # events before a window read for its first inputs


def _batch(solos: Sequence[EncodedSolo], items, window: int):
    """Arrays of one batch: inputs (B, T, N_INPUTS), rest flags (B, T, 1), pitch indices
    (B, T, N_PITCHES) twice, pitch and duration targets (B, T) and weights (B, T), 0 on
    padding."""
    n = len(items)
    x = np.zeros((n, window, N_INPUTS), dtype=np.float32)
    flags = np.zeros((n, window, 1), dtype=np.float32)
    relative = np.zeros((n, window, N_PITCHES), dtype=np.int32)
    interval = np.zeros((n, window, N_PITCHES), dtype=np.int32)
    pitch_y = np.zeros((n, window), dtype=np.int32)
    duration_y = np.zeros((n, window), dtype=np.int32)
    weight = np.zeros((n, window), dtype=np.float32)
    for row, (index, shift, a, b) in enumerate(items):
        solo = solos[index]
        start = max(a - _LOOK_BACK, 0)        # events before the window feed its first inputs
        pitch, controls = transpose_encoded(solo.slice(start, b), shift)
        inputs = model_inputs(pitch, solo.duration[start:b], controls)[a - start:]
        length = b - a
        x[row, :length] = inputs
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


def _validation_loss(evaluate, solos, config) -> dict[str, float]:
    items = _epoch_windows(solos, config, None)
    sums = np.zeros(3)
    count = 0.0
    for start in range(0, len(items), config.batch_size):
        batch = _batch(solos, items[start:start + config.batch_size], config.window)
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


def train_note_model(train_solos, val_solos, config: NoteModelConfig = NoteModelConfig(), *,
                     on_epoch_end: Callable[[TrainingState], None] | None = None, resume=None,
                     progress: bool = True):
    """Train the note LSTM on corpus solos; returns ``(keras_model, step_model, history)``.

    `train_solos` and `val_solos` are `CorpusSolo`s (or `EncodedSolo`s).  Each epoch moves every
    training solo into a random key (`max_transpose`), cuts it into windows of `window` events
    from a random offset and shuffles them; after the epoch the loss on the validation solos
    (as played, cut from their start) decides early stopping, and the best epoch's weights are
    the result.  `on_epoch_end` receives a `checkpoint.TrainingState` after every epoch (its
    history has ``val_loss`` per epoch: the best epoch is the one with the lowest); `resume` is
    a model directory whose ``checkpoints/`` hold ``last`` and ``best`` states (see
    `checkpoint_saver`) or a ``(last, best)`` pair of states, and the run then ends as an
    unbroken one would.
    """
    import keras

    train = [s if isinstance(s, EncodedSolo) else encode_corpus_solo(s) for s in train_solos]
    val = [s if isinstance(s, EncodedSolo) else encode_corpus_solo(s) for s in val_solos]
    if not train or not val:
        raise ConfigError(f"training needs at least one training and one validation solo, got "
                          f"{len(train)} and {len(val)}")
    _deterministic(config.seed)
    model = build_note_model(config)
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate,
                                      clipnorm=config.clipnorm)
    train_step, evaluate = _train_step(model, optimizer)
    rng = np.random.default_rng(config.seed)
    history: dict[str, list[float]] = {"loss": [], "val_loss": [], "val_pitch_loss": [],
                                       "val_duration_loss": [], "learning_rate": [],
                                       "seconds": []}
    first_epoch, best_weights = 0, None
    if resume is not None:
        last, best = _resume_states(resume)
        _restore(model, optimizer, rng, last)
        first_epoch = last.epoch
        history = {k: list(v) for k, v in last.history.items()}
        best_weights = [np.asarray(w) for w in best.weights]
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=config.max_epochs, initial=first_epoch, desc="training", unit="epoch")
    try:
        for epoch in range(first_epoch, config.max_epochs):
            if _stopped(history["val_loss"], config.patience):
                break
            started = time.perf_counter()
            optimizer.learning_rate.assign(_learning_rate(history["val_loss"], config))
            for i, layer in enumerate(dropouts):          # dropout masks depend on the epoch only
                layer.seed_generator.state.assign(
                    np.array([config.seed + 1000 * (epoch + 1) + i, 0], dtype="int64"))
            items = _epoch_windows(train, config, rng)
            loss_sum, count = 0.0, 0.0
            for start in range(0, len(items), config.batch_size):
                batch = _batch(train, items[start:start + config.batch_size], config.window)
                batch_loss, batch_count = train_step(*batch)
                loss_sum, count = loss_sum + float(batch_loss), count + float(batch_count)
                if bar is not None and (start // config.batch_size) % 10 == 0:
                    bar.set_postfix(loss=f"{loss_sum / max(count, 1):.3f}", refresh=False)
            if not math.isfinite(loss_sum):
                raise TrainingError(f"training diverged: the loss is not finite at epoch "
                                    f"{epoch + 1}")
            history["loss"].append(loss_sum / max(count, 1.0))
            history["learning_rate"].append(float(optimizer.learning_rate.numpy()))
            for key, value in _validation_loss(evaluate, val, config).items():
                history[key].append(value)
            history["seconds"].append(round(time.perf_counter() - started, 2))
            weights = model.get_weights()
            if history["val_loss"][-1] <= min(history["val_loss"]):
                best_weights = weights
            if bar is not None:
                bar.set_postfix(loss=f"{history['loss'][-1]:.3f}",
                                val_loss=f"{history['val_loss'][-1]:.3f}")
                bar.update(1)
            if on_epoch_end is not None:
                on_epoch_end(TrainingState(epoch + 1, weights,
                                           [np.asarray(v) for v in optimizer.variables],
                                           rng.bit_generator.state,
                                           {k: list(v) for k, v in history.items()}))
    finally:
        if bar is not None:
            bar.close()
    if best_weights is not None:
        model.set_weights(best_weights)
    best_epoch = int(np.argmin(history["val_loss"])) + 1 if history["val_loss"] else 0
    history["best_epoch"] = best_epoch
    step_model = NoteStepModel(NoteWeights.from_keras(model), config, {}, history)
    return model, step_model, history


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


# --------------------------------------------------------------------------- model directory

def save_note_model(directory: str | os.PathLike, model, config: NoteModelConfig,
                    meta: dict | None = None, *, history: dict | None = None,
                    overwrite: bool = False) -> Path:
    """Write a model directory: weights.npz, vocabulary.json, history.json, then config.json.

    `model` is a Keras model from `build_note_model` (saved with the default `CacheConfig`) or
    a `NoteStepModel` (with its own).  config.json is removed first and written last, so a
    directory with one always holds a complete model.
    """
    directory = Path(directory)
    weights = model.weights if isinstance(model, NoteStepModel) else NoteWeights.from_keras(model)
    if history is None:
        history = model.history if isinstance(model, NoteStepModel) else {}
    cache = model.cache if isinstance(model, NoteStepModel) else CacheConfig()
    settings = {"family": FAMILY, "format_version": FORMAT_VERSION, "model": asdict(config),
                "meta": dict(meta or {})}
    if cache is not None:
        settings["cache"] = cache.to_dict()
    files = {WEIGHTS_FILE: npz_bytes({k: np.asarray(v, dtype=np.float32)
                                      for k, v in weights.arrays().items()}),
             VOCABULARY_FILE: json_bytes(vocabularies()),
             HISTORY_FILE: json_bytes(history)}
    if not overwrite and (directory / CONFIG_FILE).exists():
        raise OutputExistsError(f"{directory}: holds a model already")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).unlink(missing_ok=True)
    for name, data in files.items():
        write_atomic(directory / name, data, overwrite=True)
    write_atomic(directory / CONFIG_FILE, json_bytes(settings), overwrite=True)
    return directory


def is_note_model_dir(directory: str | os.PathLike) -> bool:
    """Whether `directory` holds a model of this family (its config.json says so)."""
    try:
        settings = json.loads((Path(directory) / CONFIG_FILE).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(settings, dict) and settings.get("family") == FAMILY


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelDirError(f"{path.parent}: not a note model directory ({path.name} is "
                            f"missing)") from None
    except (OSError, ValueError) as e:
        raise ModelDirError(f"{path}: unreadable ({e})") from e


_SETTINGS_KEYS = {"family", "format_version", "model", "meta", "cache"}


def load_note_model(directory: str | os.PathLike = PRETRAINED_WJAZZD_DIR) -> NoteStepModel:
    """Read a model directory written by `save_note_model` into a NumPy `NoteStepModel`.

    Reads only JSON and arrays (``allow_pickle=False``) and imports no TensorFlow; refuses a
    directory of another family, format version or encoding.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelDirError(f"{directory}: no such model directory")
    settings = _read_json(directory / CONFIG_FILE)
    if not isinstance(settings, dict) or settings.get("family") != FAMILY:
        family = settings.get("family") if isinstance(settings, dict) else None
        raise ModelDirError(f"{directory}: a {family or 'course'} model, not a {FAMILY} model")
    if settings.get("format_version") != FORMAT_VERSION:
        raise ModelDirError(f"{directory}: {FAMILY} format version "
                            f"{settings.get('format_version')!r}, this jazzsolo reads "
                            f"version {FORMAT_VERSION}")
    unknown = set(settings) - _SETTINGS_KEYS
    if unknown:
        raise ModelDirError(f"{directory / CONFIG_FILE}: refused, unknown settings "
                            f"{', '.join(sorted(unknown))}")
    try:
        config = NoteModelConfig.from_dict(settings.get("model", {}))
        cache = CacheConfig.from_dict(settings["cache"]) if "cache" in settings else None
    except (ConfigError, TypeError) as e:
        raise ModelDirError(f"{directory / CONFIG_FILE}: refused, {e}") from e
    if _read_json(directory / VOCABULARY_FILE) != json.loads(json_bytes(vocabularies())):
        raise ModelDirError(f"{directory / VOCABULARY_FILE}: made with another note encoding "
                            f"than this jazzsolo's")
    try:
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights = NoteWeights.from_arrays(arrays, config.n_layers)
    except FileNotFoundError:
        raise ModelDirError(f"{directory}: {WEIGHTS_FILE} is missing") from None
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ModelDirError(f"{directory / WEIGHTS_FILE}: unreadable weights ({e})") from e
    weights.check(str(directory / WEIGHTS_FILE))
    history_path = directory / HISTORY_FILE
    history = _read_json(history_path) if history_path.exists() else {}
    meta = settings.get("meta", {})
    return NoteStepModel(weights, config, meta if isinstance(meta, dict) else {},
                         history if isinstance(history, dict) else {}, cache)


def model_size_bytes(directory: str | os.PathLike) -> int:
    """Bytes of the files of a model directory (checkpoints not counted)."""
    return sum(p.stat().st_size for p in Path(directory).iterdir() if p.is_file())


__all__ = ["FAMILY", "FORMAT_VERSION", "NOTE_MODEL_PRESETS", "PRETRAINED_WJAZZD_DIR",
           "WJAZZD_SOURCE", "NoteModelConfig", "NoteState", "NoteStepModel", "NoteWeights",
           "build_note_model", "checkpoint_saver", "get_note_preset", "is_note_model_dir",
           "keras_probabilities", "load_note_model", "load_note_run", "model_size_bytes",
           "save_note_model", "save_note_run", "train_note_model"]
