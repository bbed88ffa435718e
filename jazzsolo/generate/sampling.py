"""Trained LSTM → sampled values: the course's inference model and a NumPy step sampler.

Both draw with the same rule, so one seed gives the same values on either path: the choice at
each step is ``argmax(log p + temperature * g)`` with Gumbel noise ``g`` from a NumPy generator,
which samples from ``p ** (1 / temperature)`` renormalised, and is argmax at temperature 0.
"""
from __future__ import annotations

import numpy as np

# LSTMWeights lives in models/; the course imports it from here (`jazzsolo.inference_code`).
from jazzsolo.models.course_step import CourseStepModel, LSTMWeights

_LOG_FLOOR = 1e-12                   # keeps log(p) finite for zero probabilities


def sample(probs: np.ndarray, temperature: float, rng: np.random.Generator,
           top_k: int | None = None, exclude=()) -> int:
    """Draw one index from `probs` sharpened (T < 1) or flattened (T > 1) by temperature.

    With `top_k`, only the k most likely values can be drawn; indices in `exclude` are not
    drawn unless nothing else is left.
    """
    noise = rng.gumbel(size=probs.shape[-1])
    scores = np.log(probs + _LOG_FLOOR) + temperature * noise
    if top_k is not None and top_k < probs.shape[-1]:
        cutoff = np.partition(probs, -top_k)[-top_k]
        scores = np.where(probs >= cutoff, scores, -np.inf)
    if exclude:
        allowed = scores.copy()
        allowed[list(exclude)] = -np.inf
        if np.isfinite(allowed).any():
            scores = allowed
    return int(np.argmax(scores))


def music_inference_model(LSTM_cell, densor, Ty: int = 50):
    """The course's inference model: Ty steps, each step's choice fed back as the next input.

    Inputs ``[x0 (1, n_values), a0 (n_a,), c0 (n_a,), noise (Ty, n_values)]``; ``noise`` is
    Gumbel noise already scaled by the temperature (zeros → argmax).  Outputs the per-step
    probabilities and the chosen one-hot values, each (batch, Ty, n_values).
    """
    import keras                      # Keras takes ~3.5 s to import; only this path needs it
    from keras import ops

    n_values, n_a = densor.units, LSTM_cell.units
    x0 = keras.Input(shape=(1, n_values), name="x0")
    a0 = keras.Input(shape=(n_a,), name="a0")
    c0 = keras.Input(shape=(n_a,), name="c0")
    noise = keras.Input(shape=(Ty, n_values), name="noise")
    a, c, x = a0, c0, x0
    probs, choices = [], []
    for t in range(Ty):
        a, _, c = LSTM_cell(x, initial_state=[a, c])        # (batch, n_a)
        out = densor(a)                                     # (batch, n_values)
        index = ops.argmax(ops.log(out + _LOG_FLOOR) + noise[:, t, :], axis=-1)
        choice = ops.one_hot(index, n_values)               # (batch, n_values)
        probs.append(out)
        choices.append(choice)
        x = ops.expand_dims(choice, 1)                      # (batch, 1, n_values)
    return keras.Model(inputs=[x0, a0, c0, noise],
                       outputs=[ops.stack(probs, axis=1), ops.stack(choices, axis=1)])


def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer, *,
                       temperature: float = 1.0, rng: np.random.Generator | None = None):
    """Sample Ty values with the inference model; returns ``(results, indices)``.

    `results` is (Ty, n_values) one-hot, `indices` (Ty, 1) the chosen vocabulary indices.
    """
    rng = rng if rng is not None else np.random.default_rng()
    Ty, n_values = inference_model.inputs[3].shape[1:]
    noise = temperature * rng.gumbel(size=(1, Ty, n_values))
    _, choices = inference_model.predict(
        [x_initializer, a_initializer, c_initializer, noise.astype(np.float32)], verbose=0)
    results = np.asarray(choices[0])                        # (Ty, n_values)
    indices = np.argmax(results, axis=-1).reshape(Ty, 1)    # (Ty, 1)
    return results, indices


class ValueSampler(CourseStepModel):
    """The course LSTM in NumPy (`CourseStepModel`) that draws each value with `sample` and
    feeds it back as the next input, keeping its state across measures."""

    def step(self, temperature: float, rng: np.random.Generator, top_k: int | None = None,
             exclude=()) -> int:
        """Sample the next value index and feed it back as the next input."""
        index = sample(self.probabilities(), temperature, rng, top_k, exclude)
        self.feed(index)
        return index


__all__ = ["LSTMWeights", "ValueSampler", "music_inference_model", "predict_and_sample", "sample"]
