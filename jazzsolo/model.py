"""Training tensors → trained LSTM: the course's shared-layer `djmodel`, built and trained in Keras 3."""
from __future__ import annotations

import math

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


def compile_djmodel(model: keras.Model, config: TrainConfig = TrainConfig()) -> None:
    """Adam with the course's settings; Keras 2's ``decay=0.01`` as an InverseTimeDecay schedule."""
    schedule = keras.optimizers.schedules.InverseTimeDecay(
        config.learning_rate, decay_steps=1, decay_rate=config.decay)
    optimizer = keras.optimizers.Adam(learning_rate=schedule, beta_1=config.beta_1,
                                      beta_2=config.beta_2)
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
    keras.utils.set_random_seed(config.seed)
    m, Tx, n_values = X.shape
    reshaper, LSTM_cell, densor = make_shared_layers(n_values, n_a)
    model = djmodel(Tx, LSTM_cell, densor, reshaper)
    compile_djmodel(model, config)
    a0 = np.zeros((m, n_a), dtype=np.float32)
    c0 = np.zeros((m, n_a), dtype=np.float32)
    report = EpochReport(config.epochs, progress)
    model.fit([X, a0, c0], list(Y), epochs=config.epochs, batch_size=config.batch_size,
              verbose=0, callbacks=[report])
    if not all(math.isfinite(v) for v in report.history["loss"]):
        raise FloatingPointError("training diverged: the loss is not finite")
    return model, LSTM_cell, densor, report.history
