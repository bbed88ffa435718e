"""The course LSTM's trained arrays → next-value probabilities, one value at a time in NumPy.

`LSTMWeights` holds the shared LSTM cell and Dense layer of the course model (Keras layouts);
`CourseStepModel` runs them one value at a time, keeping the state between calls.  Drawing a
value from the probabilities is sampling's job (`jazzsolo.generate.sampling.ValueSampler`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzsolo.models.lstm_step import lstm_step, softmax


@dataclass
class LSTMWeights:
    """The trained arrays of the shared LSTM cell and Dense layer (Keras layouts)."""

    kernel: np.ndarray               # (n_values, 4 n_a), gates in Keras order i, f, c, o
    recurrent_kernel: np.ndarray     # (n_a, 4 n_a)
    bias: np.ndarray                 # (4 n_a,)
    dense_kernel: np.ndarray         # (n_a, n_values)
    dense_bias: np.ndarray           # (n_values,)

    @property
    def n_a(self) -> int:
        return self.recurrent_kernel.shape[0]

    @property
    def n_values(self) -> int:
        return self.dense_kernel.shape[1]

    @classmethod
    def from_layers(cls, LSTM_cell, densor) -> "LSTMWeights":
        """Copy the arrays out of the course's shared Keras layers."""
        kernel, recurrent_kernel, bias = (np.asarray(w) for w in LSTM_cell.get_weights())
        dense_kernel, dense_bias = (np.asarray(w) for w in densor.get_weights())
        return cls(kernel, recurrent_kernel, bias, dense_kernel, dense_bias)

    @classmethod
    def from_model(cls, model) -> "LSTMWeights":
        """Find the LSTM and Dense layers of a Keras model (e.g. the inference model)."""
        import keras

        lstm = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        if len(lstm) != 1 or len(dense) != 1:
            raise ValueError("expected a model with one shared LSTM layer and one Dense layer")
        return cls.from_layers(lstm[0], dense[0])


class CourseStepModel:
    """Runs the LSTM cell one value at a time in NumPy, keeping its state between calls.

    Written by hand because a 64-unit step is ~85 kFLOP: Keras spends ~60 ms per 50-value
    call on overhead, NumPy ~1 ms, and this keeps the state across measures.
    """

    def __init__(self, weights: LSTMWeights):
        self.weights = weights
        self.reset()

    def reset(self) -> None:
        """Start again from zero state and the all-zero start input, as the course does."""
        n_a, n_values = self.weights.n_a, self.weights.n_values
        self.a = np.zeros(n_a, dtype=np.float64)
        self.c = np.zeros(n_a, dtype=np.float64)
        self.x = np.zeros(n_values, dtype=np.float64)

    def probabilities(self) -> np.ndarray:
        """Advance the cell one step on the current input and return next-value probabilities
        (n_values,)."""
        w = self.weights
        self.a, self.c = lstm_step(self.x, self.a, self.c, w.kernel, w.recurrent_kernel, w.bias)
        return softmax(self.a @ w.dense_kernel + w.dense_bias)            # (n_values,)

    def feed(self, index: int) -> None:
        """Make value `index` (one-hot) the next step's input."""
        self.x = np.zeros_like(self.x)
        self.x[index] = 1.0

    def prime(self, indices: list[int]) -> None:
        """Run the cell through given values (a primer) as if it had sampled them."""
        for index in indices:
            self.probabilities()
            self.feed(index)


__all__ = ["CourseStepModel", "LSTMWeights"]
