"""Training tensors → trained LSTM: the course's shared-layer `djmodel`, and a fast path that
trains the same weights through one sequence layer (`train_fast`)."""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import keras
import numpy as np

from jazzsolo.config import TrainConfig


def make_shared_layers(n_values: int, n_a: int = 64):
    """The three layers the course shares across time steps: ``reshaper, LSTM_cell, densor``."""
    reshaper = keras.layers.Reshape((1, n_values), name="reshaper")      # (batch, 1, n_values)
    LSTM_cell = keras.layers.LSTM(n_a, return_state=True, name="LSTM_cell")
    densor = keras.layers.Dense(n_values, activation="softmax", name="densor")
    return reshaper, LSTM_cell, densor


def djmodel(Tx: int, LSTM_cell, densor, reshaper) -> keras.Model:
    """The course model: one LSTM cell and one Dense layer applied at each of Tx time steps.

    Inputs ``[X (Tx, n_values), a0 (n_a,), c0 (n_a,)]``; outputs a list of Tx softmax tensors
    (batch, n_values).  Each step slices X directly (a ``Lambda`` here is silently wrong in
    Keras 3 and cannot be loaded safely).
    """
    n_values, n_a = densor.units, LSTM_cell.units
    X = keras.Input(shape=(Tx, n_values), name="X")
    a0 = keras.Input(shape=(n_a,), name="a0")
    c0 = keras.Input(shape=(n_a,), name="c0")
    a, c = a0, c0
    outputs = []
    for t in range(Tx):
        x = reshaper(X[:, t, :])                            # (batch, 1, n_values)
        a, _, c = LSTM_cell(x, initial_state=[a, c])        # (batch, n_a)
        outputs.append(densor(a))                           # (batch, n_values)
    return keras.Model(inputs=[X, a0, c0], outputs=outputs, name="djmodel")


def course_optimizer(config: TrainConfig = TrainConfig()) -> keras.optimizers.Adam:
    """Adam with the course's settings; Keras 2's ``decay=0.01`` as an InverseTimeDecay schedule."""
    schedule = keras.optimizers.schedules.InverseTimeDecay(
        config.learning_rate, decay_steps=1, decay_rate=config.decay)
    return keras.optimizers.Adam(learning_rate=schedule, beta_1=config.beta_1,
                                 beta_2=config.beta_2)


def compile_djmodel(model: keras.Model, config: TrainConfig = TrainConfig()) -> None:
    """Compile the course model: `course_optimizer`, one crossentropy and accuracy per output."""
    optimizer = course_optimizer(config)
    n_outputs = len(model.outputs)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy",
                  metrics=[["accuracy"]] * n_outputs)


class EpochReport(keras.callbacks.Callback):
    """Collects the summed loss and the mean accuracy over the Tx outputs after each epoch."""

    def __init__(self, epochs: int, progress: bool = True):
        super().__init__()
        self.epochs = epochs
        self.history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        self.bar = None
        if progress:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=epochs, desc="training", unit="epoch")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        accuracies = [v for k, v in logs.items() if "accuracy" in k]   # one per output
        loss, accuracy = float(logs["loss"]), float(np.mean(accuracies))
        self.history["loss"].append(loss)
        self.history["accuracy"].append(accuracy)
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.3f}", accuracy=f"{accuracy:.3f}")
            self.bar.update(1)

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()


def train_djmodel(X: np.ndarray, Y: np.ndarray, *, n_a: int = 64,
                  config: TrainConfig = TrainConfig(), progress: bool = True):
    """Build and train the course model on X (m, Tx, n_values), Y (Tx, m, n_values).

    Returns ``(model, LSTM_cell, densor, history)``; `history` has one summed loss and one mean
    accuracy per epoch.
    """
    _deterministic(config.seed)
    m, Tx, n_values = X.shape
    reshaper, LSTM_cell, densor = make_shared_layers(n_values, n_a)
    model = djmodel(Tx, LSTM_cell, densor, reshaper)
    compile_djmodel(model, config)
    a0 = np.zeros((m, n_a), dtype=np.float32)
    c0 = np.zeros((m, n_a), dtype=np.float32)
    report = EpochReport(config.epochs, progress)
    model.fit([X, a0, c0], list(Y), epochs=config.epochs, batch_size=config.batch_size,
              verbose=0, callbacks=[report])
    _check_finite(report.history["loss"])
    return model, LSTM_cell, densor, report.history


# The fast path.  djmodel unrolled over Tx steps is one LSTM over the sequence: the same cell,
# the same Dense layer at every step, zero initial state.  Training that sequence layer gives the
# same gradients without building (and tracing) a 30-step graph; the arrays are then copied into
# the course's shared layers so `djmodel`, `music_inference_model` and `predict_and_sample` work.

def sequence_model(Tx: int, n_values: int, n_a: int = 64) -> keras.Model:
    """The course model as one sequence layer: X (batch, Tx, n_values) → (batch, Tx, n_values).

    Its LSTM and Dense layers hold the same arrays as `djmodel`'s LSTM_cell and densor (see
    `shared_layers_from`), and step t of its output is djmodel's output t.
    """
    X = keras.Input(shape=(Tx, n_values), name="X")
    a = keras.layers.LSTM(n_a, return_sequences=True, name="LSTM")(X)            # (batch, Tx, n_a)
    probs = keras.layers.Dense(n_values, activation="softmax", name="densor")(a)  # (batch, Tx, n_values)
    return keras.Model(X, probs, name="djmodel_sequence")


def summed_crossentropy(y_true, y_pred):
    """The course's loss on (batch, Tx, n_values): crossentropy summed over steps, batch mean.

    djmodel reports the sum of Tx per-output losses, each a batch mean: the same number.
    """
    per_step = keras.losses.categorical_crossentropy(y_true, y_pred)     # (batch, Tx)
    return keras.ops.mean(keras.ops.sum(per_step, axis=1))


def shared_layers_from(model: keras.Model):
    """The course's shared layers (`make_shared_layers`) holding a sequence model's weights.

    Returns ``(reshaper, LSTM_cell, densor)``, built and ready for `djmodel` or
    `music_inference_model`.
    """
    lstm, dense = model.get_layer("LSTM"), model.get_layer("densor")
    n_values, n_a = dense.units, lstm.units
    reshaper, LSTM_cell, densor = make_shared_layers(n_values, n_a)
    LSTM_cell.build((None, 1, n_values))
    densor.build((None, n_a))
    LSTM_cell.set_weights(lstm.get_weights())
    densor.set_weights(dense.get_weights())
    return reshaper, LSTM_cell, densor


def _tensorflow_train_step(model: keras.Model, optimizer):
    """One compiled gradient step on TensorFlow: returns (summed loss, correct predictions)."""
    import tensorflow as tf

    spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)   # any batch: one trace
    @tf.function(input_signature=[spec, spec])
    def step(x, y):                                             # (batch, Tx, n_values) each
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = summed_crossentropy(y, probs)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        hits = tf.equal(tf.argmax(probs, axis=-1), tf.argmax(y, axis=-1))
        return loss, tf.reduce_sum(tf.cast(hits, tf.float32))
    return step


def _keras_train_step(model: keras.Model, optimizer):
    """The same step through Keras's own `train_on_batch`, for backends other than TensorFlow."""
    model.compile(optimizer=optimizer, loss=summed_crossentropy, metrics=["accuracy"])

    def step(x, y):
        model.reset_metrics()
        logs = model.train_on_batch(x, y, return_dict=True)
        return logs["loss"], logs["accuracy"] * x.shape[0] * x.shape[1]
    return step


def _deterministic(seed: int) -> None:
    """Seed every generator and ask TensorFlow for deterministic kernels.

    Without op determinism, oneDNN's multi-threaded reductions sum in an order that depends on
    the load of the machine, and 300 epochs turn that last-bit noise into a different loss.
    """
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def _check_finite(losses) -> None:
    """Refuse a run whose loss has become NaN or infinite (bad inputs or a learning rate too high)."""
    from jazzsolo.errors import TrainingError

    if not all(math.isfinite(v) for v in losses):
        epoch = next(i for i, v in enumerate(losses) if not math.isfinite(v)) + 1
        raise TrainingError(f"training diverged: the loss is not finite at epoch {epoch}")


def restore_training_state(model: keras.Model, optimizer, rng: np.random.Generator,
                           state) -> None:
    """Put a checkpointed run back: weights, optimiser variables, batch-order generator."""
    from jazzsolo.errors import ModelDirError

    try:
        model.set_weights(state.weights)
        optimizer.build(model.trainable_variables)
        if len(optimizer.variables) != len(state.optimizer):
            raise ValueError(f"{len(state.optimizer)} optimiser arrays for a model that has "
                             f"{len(optimizer.variables)}")
        for variable, value in zip(optimizer.variables, state.optimizer):
            if tuple(variable.shape) != tuple(np.shape(value)):
                raise ValueError(f"an optimiser array of shape {np.shape(value)} for "
                                 f"{tuple(variable.shape)}")
            variable.assign(value)
        rng.bit_generator.state = state.rng_state
    except (ValueError, TypeError, KeyError) as e:
        raise ModelDirError(f"the checkpoint does not fit this model ({e})") from e


def train_fast(X: np.ndarray, Y: np.ndarray, *, n_a: int = 64,
               config: TrainConfig = TrainConfig(), progress: bool = True,
               on_epoch_end=None, resume=None):
    """Train the course model's weights through `sequence_model`; `train_djmodel`'s contract.

    X is (m, Tx, n_values), Y (Tx, m, n_values).  The initial weights are those `train_djmodel`
    draws for the same seed (the layers are made in the same order), and the loss, optimiser,
    learning-rate schedule and batch size are the course's; the batch order is shuffled each
    epoch by a NumPy generator seeded with `config.seed`, so the two paths end close, not equal.

    `on_epoch_end` is called with a `checkpoint.TrainingState` after every epoch (to save it);
    `resume` is such a state to continue from, which gives the same result as not stopping.

    Returns ``(model, LSTM_cell, densor, history)``: `model` is the trained sequence model,
    `LSTM_cell` and `densor` the course's shared layers holding its weights; `history` has one
    summed loss and one mean accuracy per epoch, as Keras reports them (batch-size-weighted
    means of the values before each update).
    """
    _deterministic(config.seed)
    m, Tx, n_values = X.shape
    model = sequence_model(Tx, n_values, n_a)
    optimizer = course_optimizer(config)
    make_step = _tensorflow_train_step if keras.backend.backend() == "tensorflow" \
        else _keras_train_step
    step = make_step(model, optimizer)
    X = np.asarray(X, dtype=np.float32)
    Y_seq = np.ascontiguousarray(np.swapaxes(Y, 0, 1), dtype=np.float32)   # (m, Tx, n_values)
    rng = np.random.default_rng(config.seed)
    report = EpochReport(config.epochs, progress)
    first_epoch = 0
    if resume is not None:
        restore_training_state(model, optimizer, rng, resume)
        first_epoch = resume.epoch
        report.history = {k: list(v) for k, v in resume.history.items()}
        if report.bar is not None:
            report.bar.update(first_epoch)
    for epoch in range(first_epoch, config.epochs):
        order = rng.permutation(m)
        loss_sum, hits = 0.0, 0.0
        for start in range(0, m, config.batch_size):
            index = order[start:start + config.batch_size]
            loss, batch_hits = step(X[index], Y_seq[index])
            loss_sum += float(loss) * len(index)
            hits += float(batch_hits)
        report.on_epoch_end(epoch, {"loss": loss_sum / m, "accuracy": hits / (m * Tx)})
        if not math.isfinite(loss_sum):
            report.on_train_end()
            _check_finite(report.history["loss"])      # stop now: later epochs cannot recover
        if on_epoch_end is not None:
            from jazzsolo.models.checkpoint import TrainingState

            on_epoch_end(TrainingState(
                epoch + 1, model.get_weights(),
                [np.asarray(v) for v in optimizer.variables], rng.bit_generator.state,
                {k: list(v) for k, v in report.history.items()}))
    report.on_train_end()
    _check_finite(report.history["loss"])
    _, LSTM_cell, densor = shared_layers_from(model)
    return model, LSTM_cell, densor, report.history


KERAS_FILE = "model.keras"                    # the trained weights as a Keras model file
_SAFE_LAYERS = ("InputLayer", "LSTM", "Dense")


def save_keras_model(directory, LSTM_cell, densor) -> Path:
    """Save the trained cell as a Keras sequence model (`model.keras`), written atomically."""
    directory = Path(directory)
    n_values, n_a = densor.units, LSTM_cell.units
    model = sequence_model(1, n_values, n_a)
    model.get_layer("LSTM").set_weights(LSTM_cell.get_weights())
    model.get_layer("densor").set_weights(densor.get_weights())
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".model.", suffix=".keras")
    os.close(fd)
    try:
        model.save(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, directory / KERAS_FILE)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return directory / KERAS_FILE


def load_keras_layers(directory):
    """The course's shared layers from a model directory's `model.keras`, loaded safely.

    Keras' safe mode refuses code (``Lambda`` layers, pickled functions); anything but an
    input, an LSTM and a Dense layer is refused too.  Returns ``(reshaper, LSTM_cell, densor)``.
    """
    from jazzsolo.errors import ModelDirError

    path = Path(directory) / KERAS_FILE
    if not path.is_file():
        raise ModelDirError(f"{directory}: no {KERAS_FILE} in the model directory")
    try:
        model = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as e:  # Keras raises ValueError, TypeError and its own errors
        raise ModelDirError(f"{path}: refused, not a safe jazzsolo model "
                            f"({type(e).__name__}: {str(e).splitlines()[0][:120]})") from e
    kinds = [type(layer).__name__ for layer in model.layers]
    if sorted(set(kinds) - {"InputLayer"}) != ["Dense", "LSTM"] or \
            any(kind not in _SAFE_LAYERS for kind in kinds):
        raise ModelDirError(f"{path}: refused, unexpected layers {kinds} (a jazzsolo model is "
                            f"one LSTM and one Dense layer)")
    try:
        model.get_layer("LSTM"), model.get_layer("densor")
    except ValueError as e:
        raise ModelDirError(f"{path}: refused, layers are not named LSTM and densor") from e
    return shared_layers_from(model)
