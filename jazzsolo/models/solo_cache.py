"""Pitches played so far in one solo → a cache that mixes the player's own licks, at their own
pitch or moved to another, into the note LSTM's next-pitch probabilities.

Players come back to their own figures within a solo: after the same two or three pitches, the
same next pitch is far likelier than a corpus-wide model says, and after the same two or three
intervals the same next interval, the motif moved to a new pitch.  An LSTM of 256 units carries
little of a solo's whole past, so, as in cache language models (Kuhn & De Mori 1990), the
next-pitch distribution is mixed with n-gram counts kept over the notes of this solo only, of
two kinds:

* a **pitch context** of k pitches (k = 1 .. len(weights)) counts the pitch tokens that followed
  those k pitches;
* an **interval context** of k intervals (k = 1 .. len(interval_weights)), the last k + 1
  notes' steps in semitones, counts the intervals that followed them, each read as a pitch
  from the last note played: interval d after pitch token t is token t + d.  A pitch token is
  its MIDI pitch less `note_events.PITCH_LOW`, one token a semitone, so the shift is exact;
  an interval that would leave the tokens' range gets nothing.

Each context that has been followed before mixes in as

    p ← (1 − w) · p + w · counts(· | context) / c,   w = weight · c / (c + beta),

c being how often the context was followed (for an interval context: by a pitch in range).
The contexts are applied from the shortest span of notes to the longest, an interval context
just before the pitch context of the same notes (k intervals span k + 1 pitches; the pitch
context, which also asks for the same pitches, is applied after, so it weighs more):
pitch 1, interval 1, pitch 2, interval 2, pitch 3, ...  A context never seen leaves p as it is;
the rest's probability is kept and only the note pitches are mixed.  Nothing is learnt by
gradient: the weights were chosen on training solos (`scripts/train_wjazzd.py`, by pitch
perplexity).  On the 40 validation solos the pitch cache takes the shipped model's pitch
perplexity from 8.20 to 7.49, and the interval contexts to 7.42; generating over their chords,
the interval 4-grams a solo repeats go from 0.08 to 0.10 and the 5-grams from 0.03 to 0.04
(medians; the players' 0.12 and 0.05).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from jazzsolo.errors import ConfigError

MAX_CONTEXTS = 8                         # context lengths a cache kind may weigh, at most
WEIGHT_KEYS = ("weights", "interval_weights")


@dataclass(frozen=True)
class CacheConfig:
    """How much the notes already played in a solo weigh; every default is written here only."""

    weights: tuple[float, ...] = (0.05, 0.3, 0.5, 0.6)  # largest weight of the cache whose context
                                                       # is the last 1, 2, 3, 4 pitches; 0-1 each
    beta: float = 5.0                                  # contexts seen c times weigh c / (c + beta)
    interval_weights: tuple[float, ...] = ()           # the same for the last 1, 2, 3 ...
                                                       # intervals; () none, as caches saved
                                                       # before interval contexts

    def __post_init__(self) -> None:
        for key in WEIGHT_KEYS:
            object.__setattr__(self, key, _checked_weights(key, getattr(self, key)))
        if not isinstance(self.beta, (int, float)) or not 0.0 < self.beta <= 1e6:
            raise ConfigError(f"cache beta must be a number above 0, got {self.beta!r}")

    def to_dict(self) -> dict:
        """The settings as JSON-ready values."""
        return {"weights": list(self.weights), "beta": self.beta,
                "interval_weights": list(self.interval_weights)}

    @classmethod
    def from_dict(cls, data: dict) -> "CacheConfig":
        """Settings from a dict, refusing unknown keys; a key left out takes its default."""
        known = set(asdict(cls()))
        if not isinstance(data, dict) or set(data) - known:
            raise ConfigError(f"unknown cache settings: {data!r}")
        return cls(**data)


def _checked_weights(key: str, weights) -> tuple[float, ...]:
    """`weights` as a tuple, or a ConfigError naming `key` unless they are at most
    MAX_CONTEXTS numbers in 0-1."""
    numbers = tuple(weights) if isinstance(weights, (list, tuple)) else None
    if numbers is None or len(numbers) > MAX_CONTEXTS or not all(
            isinstance(w, (int, float)) and not isinstance(w, bool) and 0.0 <= w <= 1.0
            for w in numbers):
        raise ConfigError(f"cache {key.replace('_', ' ')} must be at most {MAX_CONTEXTS} "
                          f"numbers in 0-1, got {weights!r}")
    return numbers


class SoloCache:
    """The pitch and interval n-gram counts of one solo's pitch tokens (0 .. n_pitches − 1, a
    semitone apart), mixed into next-pitch probabilities."""

    def __init__(self, config: CacheConfig, n_pitches: int):
        self.config, self.n_pitches = config, n_pitches
        self.tables: list[dict[tuple[int, ...], np.ndarray]] = [{} for _ in config.weights]
        # interval context -> counts of the next interval d at index d + n_pitches - 1
        self.interval_tables: list[dict[tuple[int, ...], np.ndarray]] = \
            [{} for _ in config.interval_weights]
        self.played: list[int] = []
        self.intervals: list[int] = []

    def mix(self, note_probs: np.ndarray) -> np.ndarray:
        """`note_probs` (n_pitches,), summing to 1 over the pitches, mixed with the counts."""
        mixed = note_probs
        for weight, counts in self._followed():
            seen = counts.sum()
            if seen == 0.0:                   # every interval seen would leave the range
                continue
            w = weight * seen / (seen + self.config.beta)
            mixed = (1.0 - w) * mixed + w * counts / seen
        return mixed

    def _followed(self):
        """(weight, counts over the next pitch token) of each weighed context that the notes
        played end with and that was followed before, in mixing order."""
        pitch_weights, interval_weights = self.config.weights, self.config.interval_weights
        for span in range(1, max(len(pitch_weights), len(interval_weights) + 1) + 1):
            k = span - 1                                  # intervals over `span` notes
            if 1 <= k <= len(interval_weights) and interval_weights[k - 1] > 0.0 \
                    and len(self.intervals) >= k:
                counts = self.interval_tables[k - 1].get(tuple(self.intervals[-k:]))
                if counts is not None:
                    start = self.n_pitches - 1 - self.played[-1]   # interval of token 0
                    yield interval_weights[k - 1], counts[start:start + self.n_pitches]
            if span <= len(pitch_weights) and pitch_weights[span - 1] > 0.0 \
                    and len(self.played) >= span:
                counts = self.tables[span - 1].get(tuple(self.played[-span:]))
                if counts is not None:
                    yield pitch_weights[span - 1], counts

    def add(self, pitch_token: int) -> None:
        """Count `pitch_token` as played after each of its contexts."""
        pitch_token = int(pitch_token)
        for k, table in enumerate(self.tables, start=1):
            if len(self.played) >= k:
                row = table.setdefault(tuple(self.played[-k:]), np.zeros(self.n_pitches))
                row[pitch_token] += 1.0
        if self.played:
            interval = pitch_token - self.played[-1]
            for k, table in enumerate(self.interval_tables, start=1):
                if len(self.intervals) >= k:
                    row = table.setdefault(tuple(self.intervals[-k:]),
                                           np.zeros(2 * self.n_pitches - 1))
                    row[interval + self.n_pitches - 1] += 1.0
            self.intervals.append(interval)
        self.played.append(pitch_token)

    def mix_with_rest(self, probs: np.ndarray, rest: int) -> np.ndarray:
        """Probabilities over the pitch tokens and the rest (index `rest`, the last): the notes
        mixed, the rest's probability kept."""
        p_rest = probs[rest]
        if p_rest >= 1.0 or not self.played:
            return probs
        notes = self.mix(probs[:rest] / (1.0 - p_rest)) * (1.0 - p_rest)
        return np.concatenate([notes, probs[rest:]])


def cached_note_probabilities(note_probs: np.ndarray, tokens: np.ndarray,
                              config: CacheConfig | None) -> np.ndarray:
    """Each note's probability of its own pitch token after mixing, fed the solo's notes in
    order: `note_probs` (n, n_pitches) the model's next-pitch probabilities given a note,
    `tokens` (n,) the pitch tokens played.  Without a config, the model's own."""
    rows = np.arange(len(tokens))
    if config is None:
        return note_probs[rows, tokens]
    cache = SoloCache(config, note_probs.shape[1])
    out = np.empty(len(tokens))
    for i, token in enumerate(tokens):
        out[i] = cache.mix(note_probs[i])[token]
        cache.add(int(token))
    return out


__all__ = ["CacheConfig", "SoloCache", "cached_note_probabilities"]
