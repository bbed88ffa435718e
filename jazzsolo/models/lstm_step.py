"""LSTM weights and inputs → the next state, in NumPy: the one step every NumPy model runs.

Keras layouts: ``kernel`` (n_in, 4 units), ``recurrent_kernel`` (units, 4 units), ``bias``
(4 units,), the gates in the order i (input), f (forget), c (cell candidate), o (output).
Generation never needs TensorFlow: the course sampler (`course_step`) and the note model
(`note_lstm`) both advance through `lstm_cell`.
"""
from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``, written with tanh so no z overflows.

    >>> float(sigmoid(np.array(0.0))), float(sigmoid(np.array(-1000.0)))
    (0.5, 0.0)
    """
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis; the largest logit is subtracted first.

    >>> softmax(np.array([0.0, np.log(3.0)])).round(3).tolist()
    [0.25, 0.75]
    """
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def lstm_cell(z: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gates of one step: pre-activations ``z`` (..., 4 units) and the cell state ``c``
    (..., units) → ``(h, c)``, the output and the new cell state, (..., units) each."""
    i, f, g, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, c


def lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, kernel: np.ndarray,
              recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step: input ``x`` (n_in,), state ``h``, ``c`` (units,) → the new ``(h, c)``."""
    return lstm_cell(x @ kernel + h @ recurrent_kernel + bias, c)


def lstm_sequence(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                  bias: np.ndarray) -> np.ndarray:
    """The outputs h (n, units) of an LSTM run over inputs x (n, n_in) from zero state."""
    projected = x @ kernel + bias                                    # (n, 4 units)
    units = recurrent_kernel.shape[0]
    h, c = np.zeros(units), np.zeros(units)
    out = np.empty((len(x), units))
    for t in range(len(x)):
        h, c = lstm_cell(projected[t] + h @ recurrent_kernel, c)
        out[t] = h
    return out


__all__ = ["lstm_cell", "lstm_sequence", "lstm_step", "sigmoid", "softmax"]
