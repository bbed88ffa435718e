"""Grammar values → value models and their held-out likelihood: the LSTM and Markov baselines.

Each model predicts the next value from those fed so far, so the LSTM and the uniform, unigram,
bigram and trigram chains are sampled (`improvise`) and scored (`heldout_cross_entropy`) alike.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
from music21 import chord

from jazzsolo.errors import ConfigError
from jazzsolo.generate.sampling import LSTMWeights, ValueSampler, sample
from jazzsolo.generate.measures import CopyGuard, Solo, generate_solo
from jazzsolo.encodings.course_data import get_corpus_data

BASELINE_ORDERS = {"uniform": 0, "unigram": 1, "bigram": 2, "trigram": 3}


# --- Value models: the LSTM and Markov-chain baselines -------------------------------------------

class ValueModel(Protocol):
    """Predicts the next value index from those fed so far; call `probabilities` once per step."""

    def reset(self) -> None: ...
    def probabilities(self) -> np.ndarray: ...
    def feed(self, index: int) -> None: ...
    def step(self, temperature: float, rng: np.random.Generator,
             top_k: int | None = None, exclude=()) -> int: ...


class LSTMValueModel(ValueSampler):
    """The course LSTM as a value model: a ValueSampler that can also be fed known values."""

    def feed(self, index: int) -> None:
        """Make value `index` the next input, as `step` does with the value it samples."""
        self.x = np.zeros_like(self.x)
        self.x[index] = 1.0


class MarkovChain:
    """An order-n Markov chain over value indices with add-k smoothing; order 0 is uniform.

    The next value is drawn from the counts after the longest suffix of the last n − 1 values
    that occurs in the corpus (down to no context, the unigram counts), plus k for every value.
    Without that back-off a trigram over 193 values wanders into unseen contexts after a few
    steps and from then on samples uniformly.
    """

    def __init__(self, order: int, corpus: Sequence[int], n_values: int, *, add_k: float = 0.1):
        if order < 0 or add_k <= 0:
            raise ConfigError(f"a Markov chain needs order ≥ 0 and add_k > 0, "
                              f"got order {order}, add_k {add_k}")
        self.order, self.n_values, self.add_k = order, n_values, add_k
        self.counts: dict[tuple[int, ...], np.ndarray] = {}
        for length in range(order):                       # context lengths 0 … order − 1
            for position in range(length, len(corpus)):
                context = tuple(corpus[position - length:position])
                self.counts.setdefault(context, np.zeros(n_values))[corpus[position]] += 1
        self.reset()

    def reset(self) -> None:
        """Forget the values fed so far."""
        self.history: list[int] = []

    def probabilities(self) -> np.ndarray:
        """(counts of each value after the context + k) / (context count + k · n_values)."""
        if self.order == 0:
            return np.full(self.n_values, 1.0 / self.n_values)
        for length in range(min(self.order - 1, len(self.history)), -1, -1):
            counts = self.counts.get(tuple(self.history[len(self.history) - length:]))
            if counts is not None:
                return (counts + self.add_k) / (counts.sum() + self.add_k * self.n_values)
        return np.full(self.n_values, 1.0 / self.n_values)     # an empty corpus

    def feed(self, index: int) -> None:
        """Append a value to the context."""
        self.history.append(index)

    def step(self, temperature: float, rng: np.random.Generator, top_k: int | None = None,
             exclude=()) -> int:
        """Sample the next value index with the LSTM's sampling rule and feed it back."""
        index = sample(self.probabilities(), temperature, rng, top_k, exclude)
        self.feed(index)
        return index


def improvise(model: ValueModel, indices_values: dict[int, str],
              chords: Sequence[Sequence[chord.Chord]], *, temperature: float = 1.0,
              seed: int | None = None, measure_ql: float = 4.0, top_k: int | None = None,
              copy_guard: CopyGuard | None = None) -> Solo:
    """`generate_solo` for any value model: fill each chord measure with values, then notes."""
    model.reset()
    return generate_solo(None, indices_values, chords, temperature=temperature, seed=seed,
                         measure_ql=measure_ql, top_k=top_k, sampler=model,
                         copy_guard=copy_guard)


# --- Held-out likelihood --------------------------------------------------------------------------

@dataclass
class HeldOutSplit:
    """The tune's values split into training measures and the last, held-out measures."""

    train: list[str]
    heldout: list[str]
    values_indices: dict[str, int]              # vocabulary of the whole tune, sorted
    n_heldout_measures: int

    @property
    def unseen_share(self) -> float:
        """Share of held-out values that never occur in the training measures."""
        seen = set(self.train)
        return sum(v not in seen for v in self.heldout) / len(self.heldout)


def split_heldout(grammars: Sequence[str], n_heldout_measures: int = 3) -> HeldOutSplit:
    """Hold out the last measures; the vocabulary covers the whole tune so every loss is finite."""
    if not 1 <= n_heldout_measures < len(grammars):
        raise ConfigError(f"held-out measures must be between 1 and {len(grammars) - 1}, "
                          f"got {n_heldout_measures}")
    _, _, values_indices, _ = get_corpus_data(list(grammars))
    train = [v for g in grammars[:-n_heldout_measures] for v in g.split()]
    heldout = [v for g in grammars[-n_heldout_measures:] for v in g.split()]
    return HeldOutSplit(train, heldout, values_indices, n_heldout_measures)


def value_losses_nats(model: ValueModel, sequence: Sequence[int], first: int, *,
                      context_values: int = 29) -> np.ndarray:
    """−ln p of each value from position `first` on, each predicted from a fresh start.

    Each value is predicted after feeding the `context_values` true values before it, which
    for the LSTM is exactly a training window's condition (Tx − 1 = 29 values seen at most).
    """
    losses = []
    for position in range(first, len(sequence)):
        model.reset()
        for index in sequence[max(0, position - context_values):position]:
            model.probabilities()
            model.feed(index)
        losses.append(-math.log(max(float(model.probabilities()[sequence[position]]), 1e-300)))
    return np.array(losses)


def train_value_lstm(corpus: Sequence[str], values_indices: dict[str, int], *, epochs: int = 100,
                     n_a: int = 64, seed: int = 0, snapshots: dict | None = None) -> LSTMWeights:
    """Train the course model on a corpus (course windows and optimiser, the fast path).

    With `snapshots`, the weights after every epoch are stored in it by epoch number.
    """
    from jazzsolo.config import ModelConfig, TrainConfig
    from jazzsolo.encodings.tensors import data_processing
    from jazzsolo.models.course_lstm import train_fast

    config = ModelConfig(n_a=n_a)
    X, Y, _ = data_processing(list(corpus), values_indices, config.m, config.Tx, config.data_seed)
    record = None
    if snapshots is not None:
        def record(state):
            kernel, recurrent, bias, dense_kernel, dense_bias = state.weights
            snapshots[state.epoch] = LSTMWeights(kernel, recurrent, bias, dense_kernel, dense_bias)
    _, LSTM_cell, densor, _ = train_fast(X, Y, n_a=n_a, progress=False, on_epoch_end=record,
                                         config=TrainConfig(epochs=epochs, seed=seed))
    return LSTMWeights.from_layers(LSTM_cell, densor)


def early_stopped_lstm(split: HeldOutSplit, grammars: Sequence[str], *, max_epochs: int = 30,
                       n_a: int = 64, seed: int = 0) -> tuple[LSTMWeights, int]:
    """An LSTM trained for the number of epochs that does best on unseen music.

    The epoch count is chosen on a validation split — the measures just before the held-out
    ones, never the held-out values themselves — then the model is trained on all training
    measures for that many epochs.  Returns the weights and the epoch count.
    """
    n_train = len(grammars) - split.n_heldout_measures
    n_validation = max(1, min(split.n_heldout_measures, n_train // 4))
    train_grammars = grammars[:n_train - n_validation]
    validation = HeldOutSplit([v for g in train_grammars for v in g.split()],
                              [v for g in grammars[n_train - n_validation:n_train] for v in g.split()],
                              split.values_indices, n_validation)
    snapshots: dict[int, LSTMWeights] = {}
    train_value_lstm(validation.train, split.values_indices, epochs=max_epochs, n_a=n_a,
                     seed=seed, snapshots=snapshots)
    losses = heldout_cross_entropy(validation, {e: LSTMValueModel(w) for e, w in snapshots.items()})
    best = min(losses, key=lambda e: (losses[e]["cross_entropy_nats"], e))
    return train_value_lstm(split.train, split.values_indices, epochs=best, n_a=n_a,
                            seed=seed), best


def baseline_models(corpus: Sequence[str], values_indices: dict[str, int], *,
                    add_k: float = 0.1) -> dict[str, MarkovChain]:
    """Uniform, unigram, bigram and trigram chains trained on a corpus of values."""
    indices = [values_indices[v] for v in corpus]
    return {name: MarkovChain(order, indices, len(values_indices), add_k=add_k)
            for name, order in BASELINE_ORDERS.items()}


def heldout_cross_entropy(split: HeldOutSplit, models: dict[str, ValueModel], *,
                          context_values: int = 29) -> dict[str, dict]:
    """Cross-entropy (nats per value) and perplexity of each model on the held-out values.

    ``seen_cross_entropy_nats`` averages over the held-out values that occur in the training
    measures only.
    """
    sequence = [split.values_indices[v] for v in split.train + split.heldout]
    seen = np.array([v in set(split.train) for v in split.heldout])
    results = {}
    for name, model in models.items():
        losses = value_losses_nats(model, sequence, len(split.train), context_values=context_values)
        results[name] = {"cross_entropy_nats": float(losses.mean()),
                         "perplexity": float(np.exp(losses.mean())),
                         "seen_cross_entropy_nats": float(losses[seen].mean())}
    return results
