"""Note events → the phrase plan the note model reads: how long the phrase being played is meant
to be, and how many of its notes are still to come.

Players think in phrases: a line of 15 notes, a breath of two beats, the next line.  An LSTM
left to itself ends phrases by chance, so its lines are short fragments and, now and then,
endless streams.  The note model is therefore told a plan.  A **phrase** is the notes between
two breaths, a breath being rest events lasting a beat or more together (`BREATH_STEPS`; the
shorter rests the encoding writes where a note's length is not one of its durations stay
inside the phrase); before each event the model reads (``N_PLAN`` = 16 numbers):

====  =====  ==========================================================================
from  size   meaning
====  =====  ==========================================================================
0     9      notes of the phrase still to play, one-hot over `LEFT_BUCKETS` (0: the
             phrase has ended, or none has started: after a breath and at the start)
9     7      the phrase's planned length in notes, one-hot over `LENGTH_BUCKETS`, from
             its first note up to the event after its last (0: after a breath, at
             the start: no phrase under way)
====  =====  ==========================================================================

In training the plan is the phrase as the player played it (`plan_indices` of the whole solo);
in generation a solo takes the phrasing of one training solo at a similar tempo, and each
phrase's length is drawn from that solo's phrases when the phrase starts (`PhraseLengths`), and
then held to: no breath before the planned last note, a breath after it (`generate.note_solo`).
The same plan is what the model learned to play within: where a phrase ends it lands on the
chord, as the players do.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from jazzsolo.config import GRID_PER_BEAT
from jazzsolo.errors import ConfigError

LEFT_BUCKETS = (0, 1, 2, 3, 4, 5, 7, 10, 15)     # lower edges: notes still to play
LENGTH_BUCKETS = (0, 1, 7, 11, 16, 23, 33)       # lower edges: planned notes in the phrase
N_LEFT, N_LENGTH = len(LEFT_BUCKETS), len(LENGTH_BUCKETS)
N_PLAN = N_LEFT + N_LENGTH
BREATH_STEPS = GRID_PER_BEAT                     # grid steps of rest (a beat) that end a phrase
MAX_PHRASE_NOTES = 96                            # longer phrases are counted as this long
TEMPO_EDGES_QPM = (100.0, 140.0, 180.0, 230.0)   # tempo bands the phrase lengths are kept by


def _bucket(edges: tuple[int, ...], values) -> np.ndarray:
    return np.searchsorted(np.asarray(edges), np.asarray(values), side="right") - 1


def breaths(pitch: np.ndarray, steps: np.ndarray, rest: int) -> np.ndarray:
    """Which events are breaths (n,) bool: rests in a run of rests lasting `BREATH_STEPS` or
    more.  A shorter run is inside the phrase (the encoding writes a rest of a step or two
    where a note's length is not one of its durations).

    >>> breaths(np.array([5, 9, 6, 9, 9, 7]), np.array([6, 1, 6, 6, 6, 6]), rest=9).tolist()
    [False, False, False, True, True, False]
    """
    pitch, steps = np.asarray(pitch), np.asarray(steps)
    out = np.zeros(len(pitch), dtype=bool)
    start = 0
    while start < len(pitch):
        end = start
        while end < len(pitch) and pitch[end] == rest:
            end += 1
        if end > start:
            out[start:end] = steps[start:end].sum() >= BREATH_STEPS
        start = end + 1
    return out


def phrase_spans(pitch: np.ndarray, steps: np.ndarray, rest: int) -> list[tuple[int, int, int]]:
    """(first event, one past the last note, notes) of each phrase: the notes between breaths.

    >>> phrase_spans(np.array([9, 5, 9, 6, 9, 9, 7]), np.array([12, 6, 1, 6, 6, 6, 6]), rest=9)
    [(1, 4, 2), (6, 7, 1)]
    """
    pitch = np.asarray(pitch)
    cuts = breaths(pitch, steps, rest)
    spans, start = [], None
    for i in range(len(pitch) + 1):
        if i == len(pitch) or cuts[i]:
            if start is not None:
                last = max(j for j in range(start, i) if pitch[j] != rest) + 1
                spans.append((start, last, int(np.sum(pitch[start:last] != rest))))
            start = None
        elif start is None and pitch[i] != rest:
            start = i
    return spans


def phrase_sizes(pitch: np.ndarray, steps: np.ndarray, rest: int) -> list[int]:
    """Notes in each phrase of a token sequence (`phrase_spans`)."""
    return [notes for _, _, notes in phrase_spans(pitch, steps, rest)]


def plan_indices(pitch: np.ndarray, steps: np.ndarray, rest: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(notes still to play, planned length) before each event of a token sequence, each (n,):
    from the event after a phrase's first note up to the event after its last; else 0, 0.

    >>> left, length = plan_indices(np.array([5, 6, 9, 7, 9, 9, 3, 9]),
    ...                             np.array([6, 6, 1, 6, 12, 6, 6, 12]), rest=9)
    >>> left.tolist(), length.tolist()
    ([0, 2, 1, 1, 0, 0, 0, 0], [0, 3, 3, 3, 3, 0, 0, 1])
    """
    pitch = np.asarray(pitch)
    n = len(pitch)
    left, length = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for start, last, notes in phrase_spans(pitch, steps, rest):
        rows = np.arange(start + 1, min(last + 1, n))
        to_come = np.cumsum((pitch[start:last] != rest)[::-1])[::-1]     # notes at or after
        left[rows] = np.append(to_come, 0)[rows - start]
        length[rows] = notes
    return left, length


def plan_features(left, length) -> np.ndarray:
    """The plan one-hot (n, N_PLAN) float32 from notes still to play and planned lengths."""
    left, length = np.atleast_1d(left), np.atleast_1d(length)
    out = np.zeros((len(left), N_PLAN), dtype=np.float32)
    rows = np.arange(len(left))
    out[rows, _bucket(LEFT_BUCKETS, left)] = 1.0
    out[rows, N_LEFT + _bucket(LENGTH_BUCKETS, np.minimum(length, MAX_PHRASE_NOTES))] = 1.0
    return out


def sequence_plan(pitch: np.ndarray, steps: np.ndarray, rest: int) -> np.ndarray:
    """The plan features (n, N_PLAN) of a whole token sequence (pitch tokens, steps of each
    event), as the player played it."""
    return plan_features(*plan_indices(pitch, steps, rest))


@dataclass(frozen=True)
class PhraseLengths:
    """The phrases of each training solo, in notes, with its tempo.  A generated solo takes the
    phrasing of one of them at a similar tempo and draws each phrase's length from it: players
    differ (one plays 6-note fragments, another 30-note lines), and a pooled draw would give
    every solo the same middling phrases."""

    solos: tuple[tuple[float, tuple[int, ...]], ...]   # (qpm, notes per phrase) per solo

    def __post_init__(self) -> None:
        if not self.solos or any(
                not qpm > 0 or not sizes or not all(1 <= n <= MAX_PHRASE_NOTES for n in sizes)
                for qpm, sizes in self.solos):
            raise ConfigError(f"phrase lengths need one or more solos, each with a tempo and "
                              f"phrases of 1-{MAX_PHRASE_NOTES} notes")

    @classmethod
    def from_solos(cls, solos: list[tuple[np.ndarray, np.ndarray, float]], rest: int
                   ) -> "PhraseLengths":
        """From (pitch tokens, steps of each event, qpm) of solos; solos without a note are
        left out."""
        kept = [(float(qpm), tuple(min(n, MAX_PHRASE_NOTES)
                                   for n in phrase_sizes(pitch, steps, rest)))
                for pitch, steps, qpm in solos]
        return cls(tuple((qpm, sizes) for qpm, sizes in kept if sizes))

    def in_band(self, qpm: float, among=None) -> list[int]:
        """Indices of the solos (of `among`; default all) in `qpm`'s tempo band of
        `TEMPO_EDGES_QPM`; all of `among` when none is."""
        among = list(range(len(self.solos)) if among is None else among)
        band = bisect.bisect_right(TEMPO_EDGES_QPM, qpm)
        return [i for i in among
                if bisect.bisect_right(TEMPO_EDGES_QPM, self.solos[i][0]) == band] or among

    def phrasing(self, qpm: float, rng: np.random.Generator) -> tuple[int, ...]:
        """One training solo's phrase lengths, drawn among the solos in `qpm`'s tempo band
        (`in_band`)."""
        pool = self.in_band(qpm)
        return self.solos[pool[int(rng.integers(len(pool)))]][1]

    def to_dict(self) -> dict:
        """JSON-ready: the tempo edges, and each solo's tempo and phrase lengths."""
        return {"tempo_edges_qpm": list(TEMPO_EDGES_QPM),
                "solos": [{"qpm": qpm, "phrases": list(sizes)} for qpm, sizes in self.solos]}

    @classmethod
    def from_dict(cls, data: dict) -> "PhraseLengths":
        """From `to_dict`'s output; other tempo edges are refused."""
        if not isinstance(data, dict) or set(data) != {"tempo_edges_qpm", "solos"} \
                or list(data["tempo_edges_qpm"]) != list(TEMPO_EDGES_QPM):
            raise ConfigError("phrase lengths: expected tempo_edges_qpm "
                              f"{list(TEMPO_EDGES_QPM)} and solos")
        try:
            return cls(tuple((float(s["qpm"]), tuple(int(n) for n in s["phrases"]))
                             for s in data["solos"]))
        except (TypeError, KeyError, ValueError) as e:
            raise ConfigError(f"phrase lengths: each solo needs qpm and phrases ({e})") from None


__all__ = ["BREATH_STEPS", "LEFT_BUCKETS", "LENGTH_BUCKETS", "MAX_PHRASE_NOTES", "N_PLAN",
           "PhraseLengths", "TEMPO_EDGES_QPM", "breaths", "phrase_sizes", "phrase_spans",
           "plan_features", "plan_indices", "sequence_plan"]
