"""A solo over its chords → the jazz figures players are known by (phrases and breaths, chord
tones by metric position, approaches, enclosures, trills, runs, intervals, articulation, motif
repetition), and the copy check of a solo against training solos.

Conventions, shared by every figure of `FIGURES`:

- notes are a `SoloOverChords`' notes in onset order; one beat = one quarter note; positions are
  read on `against_figures`' grid of ``GRID_PER_QL`` = 12 steps per beat, from each bar line;
- a *phrase* is a run of notes in which every silence (a note's onset minus the latest end of the
  notes before it) is shorter than ``PHRASE_GAP_QL`` = 1 beat (`phrases`); the silence before a
  phrase is its *breath*.  The figures that join neighbouring notes (approach, enclosure, trill,
  alternation and repeated-pitch runs, articulation) never reach across a phrase break;
  interval shares and n-gram repetition use every pair of consecutive notes;
- a *chord tone* is a note classed 'C' over the chord sounding at its onset, as in
  `against_figures` (`classify_note`); a note over N.C. is neither a chord tone nor not one and
  is left out of every chord-tone share;
- metric strength of an onset, counted from its bar line: 3 on beats 1, 3, 5, ... (the strong
  beats 1 and 3 of 4/4), 2 on another beat, 1 on the second eighth of a beat (straight, 6/12,
  or swung, 8/12), 0 elsewhere;
- an interval is the pitch difference in semitones from one note to the next; a step is 1-2
  semitones, a third 3-4, a leap 5 or more.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from jazzsolo.errors import ConfigError
from jazzsolo.evaluate.against_figures import (GRID_PER_QL, PHRASE_GAP_QL, NoteTuple,
                                               SoloOverChords, _grid, _steps)

FIGURES: dict[str, str] = {   # name: meaning, with its unit (see the module docstring)
    "phrase_notes_median": "median notes per phrase (notes)",
    "phrase_notes_p90": "90th percentile of notes per phrase (notes)",
    "breath_beats_median": "median silence before a phrase, after the first (beats)",
    "phrase_end_chord_tone_share": "share of phrases whose last note is a chord tone (0-1)",
    "strong_beat_chord_tone_share": "share of chord tones among notes on beats 1 and 3 (0-1)",
    "offbeat_chord_tone_share": "share of chord tones among notes off the beat (0-1)",
    "chromatic_approach_rate": "share of note pairs where a non-chord tone moves by a semitone "
                               "to a chord tone on a stronger position (0-1)",
    "enclosure_rate": "share of note triples x y t where x and y lie 1-2 semitones on opposite "
                      "sides of t, a chord tone (0-1)",
    "trill_rate": "share of note triples x y x with y 1-2 semitones from x (0-1)",
    "longest_alternation_notes": "longest x y x y ... run of two pitches, 0 without x y x (notes)",
    "longest_repeat_notes": "longest run of one repeated pitch (notes)",
    "repeated_pitch_share": "share of intervals of 0 semitones (0-1)",
    "step_share": "share of intervals of 1-2 semitones (0-1)",
    "third_share": "share of intervals of 3-4 semitones (0-1)",
    "leap_share": "share of intervals of 5 semitones or more (0-1)",
    "mean_abs_interval": "mean absolute interval (semitones)",
    "articulation_median": "median duration / inter-onset interval within phrases (ratio)",
    "repeat_4gram_share": "share of 4-interval patterns played earlier in the solo (0-1)",
    "repeat_5gram_share": "share of 5-interval patterns played earlier in the solo (0-1)",
}

EPS_QL = 1e-6                        # onsets and ends closer than this (quarter lengths) are equal
MAX_STEP = 2                         # semitones: steps are 1-2, thirds 3-4, leaps 5 or more
MAX_THIRD = 4
REPEAT_GRAMS = (4, 5)                # intervals per pattern in the repetition figures
IOI_TOKEN_STEPS = 4096               # a copy-check token's inter-onset part: steps, clipped below
HASH_SEED = 20240501                 # fixed: the copy check hashes the same way in every process
MAX_CACHED_LENGTHS = 64              # run lengths whose training hashes `SharedRuns` keeps
MAX_HASH_TOKENS = 100_000            # longest run (tokens) the copy check can hash


# --------------------------------------------------------------------------- phrases

def _phrase_starts(notes: Sequence[NoteTuple], gap_ql: float) -> tuple[list[int], list[float]]:
    """Index of each phrase's first note, and the silence before each phrase but the first (ql)."""
    starts, breaths, reach = [], [], -math.inf
    for k, (onset, duration, _) in enumerate(notes):
        if k == 0 or onset - reach >= gap_ql - EPS_QL:
            starts.append(k)
            if k:
                breaths.append(onset - reach)
        reach = max(reach, onset + duration)
    return starts, breaths


def phrases(notes: Sequence[NoteTuple], gap_ql: float = PHRASE_GAP_QL) -> list[list[NoteTuple]]:
    """The notes (sorted by onset) cut into phrases at every silence of `gap_ql` or more.

    >>> [len(p) for p in phrases([(0, 1, 60), (1, 0.5, 62), (2.5, 1, 64), (3.5, 1, 65)])]
    [2, 2]
    """
    if not gap_ql > 0:
        raise ConfigError(f"gap_ql must be a positive number of quarter lengths, not {gap_ql!r}")
    ordered = sorted(notes)
    starts, _ = _phrase_starts(ordered, gap_ql)
    return [ordered[a:b] for a, b in zip(starts, [*starts[1:], len(ordered)])]


# --------------------------------------------------------------------------- the figures

def jazz_figures(solo: SoloOverChords) -> dict[str, float | None]:
    """Every figure of `FIGURES` for one solo, in order; None where it is undefined (too few
    notes, no note over a chord, no interval)."""
    view = _note_view(solo)
    found = {**_phrase_figures(view), **_harmony_figures(view), **_gesture_figures(view),
             **_interval_figures(view)}
    return {name: found[name] for name in FIGURES}


def figure_vector(solo: SoloOverChords) -> np.ndarray:
    """`jazz_figures` as a float vector in `FIGURES` order, NaN where a figure is None."""
    return np.array([math.nan if v is None else float(v) for v in jazz_figures(solo).values()],
                    dtype=float)


def _note_view(solo: SoloOverChords) -> dict:
    """Pitches, tone classes, metric strengths and phrases of the solo's notes."""
    g = _grid(solo)
    onsets, bars = g["onsets"], g["bars"]
    bar_of = np.clip(np.searchsorted(bars, onsets, side="right") - 1, 0, max(len(bars) - 2, 0))
    in_bar = onsets - bars[bar_of]
    in_beat = in_bar % GRID_PER_QL
    strength = np.where(in_bar % (2 * GRID_PER_QL) == 0, 3,
                        np.where(in_beat == 0, 2, np.where(np.isin(in_beat, (6, 8)), 1, 0)))
    starts, breaths = _phrase_starts(solo.notes, PHRASE_GAP_QL)
    joined = np.ones(len(onsets), dtype=bool)        # joined[k]: note k continues k - 1's phrase
    joined[starts] = False
    return {"pitches": g["pitches"], "tones": g["tones"], "strength": strength,
            "offbeat": in_beat != 0, "starts": starts, "breaths": breaths, "joined": joined,
            "onsets_ql": np.array([o for o, _, _ in solo.notes]),
            "durations_ql": np.array([d for _, d, _ in solo.notes])}


def _share(hits: int, total: int) -> float | None:
    return hits / total if total > 0 else None


def _chord_tone_share(tones: Sequence[str | None]) -> float | None:
    over_chord = [t for t in tones if t is not None]
    return _share(over_chord.count("C"), len(over_chord))


def _phrase_figures(v: dict) -> dict[str, float | None]:
    n, starts = len(v["pitches"]), v["starts"]
    lengths = np.diff([*starts, n])
    last_tones = [v["tones"][k - 1] for k in [*starts[1:], n]] if n else []
    return {"phrase_notes_median": float(np.median(lengths)) if n else None,
            "phrase_notes_p90": float(np.percentile(lengths, 90)) if n else None,
            "breath_beats_median": float(np.median(v["breaths"])) if v["breaths"] else None,
            "phrase_end_chord_tone_share": _chord_tone_share(last_tones)}


def _harmony_figures(v: dict) -> dict[str, float | None]:
    tones, strength, offbeat = v["tones"], v["strength"], v["offbeat"]
    return {"strong_beat_chord_tone_share":
            _chord_tone_share([t for t, s in zip(tones, strength) if s == 3]),
            "offbeat_chord_tone_share":
            _chord_tone_share([t for t, off in zip(tones, offbeat) if off])}


def _gesture_figures(v: dict) -> dict[str, float | None]:
    p, tones, strength, joined = v["pitches"].tolist(), v["tones"], v["strength"], v["joined"]
    n = len(p)
    approaches = sum(joined[k + 1] and abs(p[k + 1] - p[k]) == 1 and tones[k] != "C"
                     and tones[k + 1] == "C" and strength[k + 1] > strength[k]
                     for k in range(n - 1))
    enclosures = sum(joined[k + 1] and joined[k + 2] and tones[k + 2] == "C"
                     and _encloses(p[k] - p[k + 2], p[k + 1] - p[k + 2]) for k in range(n - 2))
    trills = sum(joined[k - 1] and joined[k] and p[k] == p[k - 2]
                 and 1 <= abs(p[k] - p[k - 1]) <= MAX_STEP for k in range(2, n))
    return {"chromatic_approach_rate": _share(approaches, n - 1),
            "enclosure_rate": _share(enclosures, n - 2),
            "trill_rate": _share(trills, n - 2),
            "longest_alternation_notes": float(longest_alternation(p, joined)) if n else None,
            "longest_repeat_notes": float(longest_repeat(p, joined)) if n else None}


def _encloses(above: int, below: int) -> bool:
    """Two notes 1-2 semitones from a target, on opposite sides of it."""
    return 1 <= abs(above) <= MAX_STEP and 1 <= abs(below) <= MAX_STEP and above * below < 0


def longest_alternation(pitches: Sequence[int], joined: Sequence[bool] | None = None) -> int:
    """Notes in the longest x y x y ... run of two pitches (x ≠ y), 0 if there is no x y x;
    `joined[k]` False breaks a run before note k (a phrase start).

    >>> longest_alternation([60, 62, 60, 62, 60, 65, 60]), longest_alternation([60, 60, 62])
    (5, 0)
    """
    best = run = 0
    for k, midi in enumerate(pitches):
        if k and (joined is None or joined[k]) and midi != pitches[k - 1]:
            run = run + 1 if run >= 2 and midi == pitches[k - 2] else 2
        else:
            run = 1
        best = max(best, run if run >= 3 else 0)
    return best


def longest_repeat(pitches: Sequence[int], joined: Sequence[bool] | None = None) -> int:
    """Notes in the longest run of one repeated pitch (1 without repeats, 0 without notes).

    >>> longest_repeat([60, 60, 62, 62, 62, 60])
    3
    """
    best = run = 0
    for k, midi in enumerate(pitches):
        run = run + 1 if k and (joined is None or joined[k]) and midi == pitches[k - 1] else 1
        best = max(best, run)
    return best


def _interval_figures(v: dict) -> dict[str, float | None]:
    sizes = np.abs(np.diff(v["pitches"]))
    m = len(sizes)
    joined = v["joined"][1:]
    iois = np.diff(v["onsets_ql"])[joined]
    held = v["durations_ql"][:-1][joined]
    ratios = held[iois > EPS_QL] / iois[iois > EPS_QL]
    intervals = np.diff(v["pitches"]).tolist()
    return {"repeated_pitch_share": _share(int(np.sum(sizes == 0)), m),
            "step_share": _share(int(np.sum((sizes >= 1) & (sizes <= MAX_STEP))), m),
            "third_share": _share(int(np.sum((sizes > MAX_STEP) & (sizes <= MAX_THIRD))), m),
            "leap_share": _share(int(np.sum(sizes > MAX_THIRD)), m),
            "mean_abs_interval": float(sizes.mean()) if m else None,
            "articulation_median": float(np.median(ratios)) if len(ratios) else None,
            **{f"repeat_{size}gram_share": repeated_gram_share(intervals, size)
               for size in REPEAT_GRAMS}}


def repeated_gram_share(tokens: Sequence, size: int) -> float | None:
    """Share of the `size`-grams of `tokens` that occur at an earlier position (overlaps
    count); None when there is none.

    >>> repeated_gram_share([2, 2, -4, 2, 2, -4, 2], 3)
    0.4
    """
    grams = [tuple(tokens[k:k + size]) for k in range(len(tokens) - size + 1)]
    seen: set = set()
    repeats = 0
    for gram in grams:
        repeats += gram in seen
        seen.add(gram)
    return _share(repeats, len(grams))


# --------------------------------------------------------------------------- the copy check

def run_tokens(notes: Sequence[NoteTuple], *, rhythm: bool = False) -> np.ndarray:
    """One token per pair of consecutive notes (by onset): the interval in semitones, or with
    `rhythm` the interval and the inter-onset interval in grid steps together."""
    ordered = sorted(notes)
    intervals = np.diff(np.array([m for _, _, m in ordered], dtype=np.int64))
    if not rhythm:
        return intervals
    onsets = np.array([_steps(o) for o, _, _ in ordered], dtype=np.int64)
    return intervals * IOI_TOKEN_STEPS + np.minimum(np.diff(onsets), IOI_TOKEN_STEPS - 1)


@dataclass
class SharedRuns:
    """Training solos' tokens (`run_tokens`), hashed run length by run length: the copy check.

    `longest` finds, by binary search over the run length L, the longest run of consecutive
    tokens of a solo that some training solo also plays: every L-token window is hashed as a
    dot product with fixed random odd 64-bit weights (mod 2**64; two different windows of small
    intervals collide with probability below 2**-55), and the sorted hashes of the training
    windows of each length asked for are kept (`MAX_CACHED_LENGTHS` lengths at most).  A run
    never crosses from one training solo into the next.
    """

    sequences: list[np.ndarray]              # tokens of each training solo
    rhythm: bool = False                     # tokens hold the inter-onset interval too
    _hashes: dict = field(default_factory=dict, repr=False)   # run length -> sorted hashes

    @classmethod
    def from_notes(cls, training: Sequence[Sequence[NoteTuple]], *,
                   rhythm: bool = False) -> "SharedRuns":
        """The index of some training solos' notes, each a sequence of (onset, duration, midi)."""
        return cls([run_tokens(notes, rhythm=rhythm) for notes in training], rhythm)

    @property
    def max_length(self) -> int:
        """Tokens in the longest training solo."""
        return max((len(s) for s in self.sequences), default=0)

    def longest(self, notes: Sequence[NoteTuple]) -> int:
        """Tokens (intervals) in the longest run of `notes` that a training solo also plays."""
        tokens = run_tokens(notes, rhythm=self.rhythm)
        low, high = 0, min(len(tokens), self.max_length)
        while low < high:
            mid = (low + high + 1) // 2
            if self._shares(tokens, mid):
                low = mid
            else:
                high = mid - 1
        return low

    def _shares(self, tokens: np.ndarray, length: int) -> bool:
        known = self._training_hashes(length)
        mine = _window_hashes(tokens, length)
        at = np.minimum(np.searchsorted(known, mine), max(len(known) - 1, 0))
        return bool(len(known) and np.any(known[at] == mine))

    def _training_hashes(self, length: int) -> np.ndarray:
        if length not in self._hashes:
            if len(self._hashes) >= MAX_CACHED_LENGTHS:
                self._hashes.pop(next(iter(self._hashes)))
            parts = [_window_hashes(s, length) for s in self.sequences if len(s) >= length]
            self._hashes[length] = np.unique(np.concatenate(parts)) if parts else \
                np.zeros(0, dtype=np.uint64)
        return self._hashes[length]


@functools.lru_cache(maxsize=1)
def _weights() -> np.ndarray:
    """Random odd 64-bit weights, one per token of a window; a fixed seed, a fixed hash."""
    rng = np.random.default_rng(HASH_SEED)
    return rng.integers(0, 2**64, size=MAX_HASH_TOKENS, dtype=np.uint64, endpoint=False) | 1


def _window_hashes(tokens: np.ndarray, length: int) -> np.ndarray:
    """The hash of every window of `length` tokens, (len(tokens) - length + 1,) uint64."""
    if length > MAX_HASH_TOKENS:
        raise ConfigError(f"runs of up to {MAX_HASH_TOKENS} tokens can be hashed, not {length}")
    if len(tokens) < length:
        return np.zeros(0, dtype=np.uint64)
    windows = sliding_window_view(tokens.astype(np.uint64), length)     # (n_windows, length)
    return windows @ _weights()[:length]


def longest_shared_run(notes: Sequence[NoteTuple], training_index: SharedRuns) -> int:
    """Intervals in the longest run of `notes` that a solo of `training_index` also plays.

    >>> index = SharedRuns.from_notes([[(k, 1, m) for k, m in enumerate([60, 62, 64, 65, 67])]])
    >>> longest_shared_run([(k, 1, m) for k, m in enumerate([70, 72, 74, 75, 70])], index)
    3
    """
    return training_index.longest(notes)


__all__ = ["FIGURES", "SharedRuns", "figure_vector", "jazz_figures", "longest_alternation",
           "longest_repeat", "longest_shared_run", "phrases", "repeated_gram_share",
           "run_tokens"]
