"""Chords, bar lines and tempo on the 12-per-beat grid → the note model's control vectors.

**Controls** (``N_CONTROLS`` = 123 numbers per event, the model's input besides the previous
event, `jazzsolo.encodings.note_events`), all at the event's onset, with absolute pitch classes
(C = 0):

====  =====  ===========================================================================
from  size   meaning
====  =====  ===========================================================================
0     12     the chord sounding now: its root pitch class, one-hot (N.C. or none: zeros)
12    12     the chord sounding now: its pitch classes, many-hot (N.C. or none: zeros)
24    12     the next different chord after this onset: root, one-hot (none: zeros)
36    12     the next different chord: pitch classes, many-hot
48    5      beats until that chord change: 0 (< 1 beat), 1, 2, 3, 4 or more (none: zeros)
53    48     step within the bar, modulo 48, one-hot (a 4/4 bar is 48 steps)
101   8      beat within the bar, one-hot (beats 8 and later share the last)
109   1      1 when the event starts on a bar line
110   13     tempo: quarter notes per minute, linearly interpolated between ``TEMPO_ANCHORS``
====  =====  ===========================================================================

A chord is read as its root and pitch classes (`chord_features`); a solo's chords and bar lines
become a `ChordTimeline`, the controls at any onsets `ControlIndices`, and those the vectors of
any transposition (`control_matrix`).
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jazzsolo.config import GRID_PER_BEAT
from jazzsolo.ingest.corpus import CorpusSolo
from jazzsolo.music.chord_symbols import ChordSymbol

BAR_POSITIONS = 4 * GRID_PER_BEAT         # steps within a bar are counted modulo 48
MAX_BEATS = 8                             # beat-in-bar one-hot size
CHANGE_BEATS = 5                          # beats-to-next-change one-hot size (0 .. 4 or more)
TEMPO_ANCHORS = (40, 55, 70, 85, 100, 120, 140, 160, 185, 210, 240, 280, 340)   # qpm
N_CONTROLS = 12 * 4 + CHANGE_BEATS + BAR_POSITIONS + MAX_BEATS + 1 + len(TEMPO_ANCHORS)

_ROOT, _PCS, _NEXT_ROOT, _NEXT_PCS = 0, 12, 24, 36
_CHANGE = 48
_STEP = _CHANGE + CHANGE_BEATS
_BEAT = _STEP + BAR_POSITIONS
_BAR_START = _BEAT + MAX_BEATS
_TEMPO = _BAR_START + 1


# --------------------------------------------------------------------------- chords

def chord_features(c) -> tuple[int | None, tuple[int, ...]]:
    """(root pitch class or None, pitch classes root first) of a chord, for the controls.

    Accepts a `ChordSymbol`, or a music21 chord that carries one as ``.symbol`` (a chord made
    by `jazzsolo.music.progression`) or else is read from ``root()`` and its pitches.  N.C. and a
    chord without pitches give ``(None, ())``.

    >>> from jazzsolo.music.chord_symbols import parse_chord_symbol
    >>> chord_features(parse_chord_symbol("Bb7")), chord_features(parse_chord_symbol("NC"))
    ((10, (10, 2, 5, 8)), (None, ()))
    >>> from music21 import chord
    >>> chord_features(chord.Chord(["E4", "G4", "C5"]))
    (0, (0, 4, 7))
    """
    symbol = c if isinstance(c, ChordSymbol) else getattr(c, "symbol", None)
    if isinstance(symbol, ChordSymbol):
        return (None, ()) if symbol.is_no_chord else (symbol.root_pc, tuple(symbol.pitch_classes))
    pitches = list(getattr(c, "pitches", ()))
    if not pitches:
        return None, ()
    root = c.root().pitchClass
    others = sorted({p.pitchClass for p in pitches} - {root})
    return root, (root, *others)


@dataclass(frozen=True)
class ChordTimeline:
    """Chord changes and bar lines of a solo on the grid, for the controls at any step."""

    onsets: tuple[int, ...]                        # step of each chord, increasing
    chords: tuple[tuple[int | None, tuple[int, ...]], ...]   # chord_features of each
    bar_starts: tuple[int, ...]                    # step of each bar line, then the end
    qpm: float = 120.0                             # tempo, quarter notes per minute

    @property
    def end_step(self) -> int:
        return self.bar_starts[-1]

    def chord_at(self, step: int) -> tuple[int | None, tuple[int, ...]]:
        """The chord sounding at `step` (the last started; none before the first)."""
        i = bisect.bisect_right(self.onsets, step) - 1
        return self.chords[i] if i >= 0 else (None, ())

    def next_change(self, step: int) -> tuple[int | None, tuple[int | None, tuple[int, ...]]]:
        """(step, chord) of the first chord after `step` that differs from the one sounding."""
        now = self.chord_at(step)
        for i in range(bisect.bisect_right(self.onsets, step), len(self.onsets)):
            if self.chords[i] != now:
                return self.onsets[i], self.chords[i]
        return None, (None, ())


def timeline_of_solo(solo: CorpusSolo) -> ChordTimeline:
    """A corpus solo's chords, bar lines and tempo as a `ChordTimeline`."""
    starts = np.concatenate([[0], np.cumsum(solo.bar_steps)]).astype(int)
    return ChordTimeline(tuple(c.onset_step for c in solo.chords),
                         tuple(chord_features(c.symbol) for c in solo.chords),
                         tuple(int(s) for s in starts), float(solo.qpm))


def timeline_of_measures(chord_measures, measure_lengths_ql: Sequence[float], *,
                         qpm: float = 120.0) -> ChordTimeline:
    """Measures of music21 chords (offsets within each measure) as a `ChordTimeline`.

    Quarter lengths become grid steps (1 quarter = 1 beat = 12 steps), rounded to the grid.
    """
    onsets, chords, bar_starts, start = [], [], [0], 0.0
    for measure, length in zip(chord_measures, measure_lengths_ql):
        for c in sorted(measure, key=lambda c: float(c.offset)):
            step = round((start + float(c.offset)) * GRID_PER_BEAT)
            if onsets and step <= onsets[-1]:
                onsets.pop(), chords.pop()
            onsets.append(step)
            chords.append(chord_features(c))
        start += float(length)
        bar_starts.append(round(start * GRID_PER_BEAT))
    return ChordTimeline(tuple(onsets), tuple(chords), tuple(bar_starts), float(qpm))


# --------------------------------------------------------------------------- controls

def tempo_features(qpm: float) -> np.ndarray:
    """Tempo as weights on the two nearest `TEMPO_ANCHORS` (log scale), summing to 1.

    >>> weights = tempo_features(120.0), tempo_features(20.0), tempo_features(130.0)
    >>> float(weights[0][5]), float(weights[1][0]), float(weights[2].sum())
    (1.0, 1.0, 1.0)
    """
    x = np.log(np.clip(qpm, TEMPO_ANCHORS[0], TEMPO_ANCHORS[-1]))
    anchors = np.log(TEMPO_ANCHORS)
    i = min(int(np.searchsorted(anchors, x, side="right")) - 1, len(anchors) - 2)
    w = (x - anchors[i]) / (anchors[i + 1] - anchors[i])
    out = np.zeros(len(TEMPO_ANCHORS))
    out[i], out[i + 1] = 1.0 - w, w
    return out


@dataclass
class ControlIndices:
    """The controls of a sequence of onsets as small integer arrays (-1 = none), from which
    `control_matrix` builds the vectors of any transposition."""

    root: np.ndarray           # (n,) root pc now, -1 for none
    pcs: np.ndarray            # (n, 12) bool, chord tones now
    next_root: np.ndarray      # (n,)
    next_pcs: np.ndarray       # (n, 12) bool
    change_beats: np.ndarray   # (n,) 0..4, -1 for no further change
    bar_step: np.ndarray       # (n,) step within the bar modulo 48
    beat: np.ndarray           # (n,) beat within the bar, capped at MAX_BEATS - 1
    bar_start: np.ndarray      # (n,) bool, the event starts on a bar line
    tempo: np.ndarray          # (len(TEMPO_ANCHORS),)

    def __len__(self) -> int:
        return len(self.root)


def control_indices(timeline: ChordTimeline, onsets: Sequence[int]) -> ControlIndices:
    """The controls at each onset step (see the module docstring's table)."""
    n = len(onsets)
    root = np.full(n, -1, dtype=np.int8)
    next_root = np.full(n, -1, dtype=np.int8)
    pcs = np.zeros((n, 12), dtype=bool)
    next_pcs = np.zeros((n, 12), dtype=bool)
    change = np.full(n, -1, dtype=np.int8)
    bar_step = np.zeros(n, dtype=np.int16)
    beat = np.zeros(n, dtype=np.int8)
    bar_start = np.zeros(n, dtype=bool)
    for i, step in enumerate(onsets):
        step = int(step)
        now_root, now_pcs = timeline.chord_at(step)
        change_step, (then_root, then_pcs) = timeline.next_change(step)
        if now_root is not None:
            root[i] = now_root
            pcs[i, list(now_pcs)] = True
        if then_root is not None:
            next_root[i] = then_root
            next_pcs[i, list(then_pcs)] = True
        if change_step is not None:
            change[i] = min((change_step - step) // GRID_PER_BEAT, CHANGE_BEATS - 1)
        bar = max(0, bisect.bisect_right(timeline.bar_starts, step) - 1)
        within = step - timeline.bar_starts[min(bar, len(timeline.bar_starts) - 1)]
        bar_step[i] = within % BAR_POSITIONS
        beat[i] = min(within // GRID_PER_BEAT, MAX_BEATS - 1)
        bar_start[i] = within == 0
    return ControlIndices(root, pcs, next_root, next_pcs, change, bar_step, beat, bar_start,
                          tempo_features(timeline.qpm))


def control_matrix(c: ControlIndices, transpose: int = 0) -> np.ndarray:
    """The control vectors (n, N_CONTROLS) float32, chords moved up `transpose` semitones."""
    n = len(c)
    out = np.zeros((n, N_CONTROLS), dtype=np.float32)
    rows = np.arange(n)
    for offset, roots in ((_ROOT, c.root), (_NEXT_ROOT, c.next_root)):
        has = roots >= 0
        out[rows[has], offset + (roots[has].astype(int) + transpose) % 12] = 1.0
    out[:, _PCS:_PCS + 12] = np.roll(c.pcs, transpose, axis=1)
    out[:, _NEXT_PCS:_NEXT_PCS + 12] = np.roll(c.next_pcs, transpose, axis=1)
    has = c.change_beats >= 0
    out[rows[has], _CHANGE + c.change_beats[has].astype(int)] = 1.0
    out[rows, _STEP + c.bar_step.astype(int)] = 1.0
    out[rows, _BEAT + c.beat.astype(int)] = 1.0
    out[:, _BAR_START] = c.bar_start
    out[:, _TEMPO:_TEMPO + len(TEMPO_ANCHORS)] = c.tempo
    return out


def control_roots(controls: np.ndarray) -> np.ndarray:
    """Root pitch class of the chord in each control row (n, N_CONTROLS), -1 for none, (n,)."""
    block = controls[:, _ROOT:_ROOT + 12]
    return np.where(block.any(axis=1), block.argmax(axis=1), -1)


__all__ = ["BAR_POSITIONS", "CHANGE_BEATS", "MAX_BEATS", "N_CONTROLS", "TEMPO_ANCHORS",
           "ChordTimeline", "ControlIndices", "chord_features", "control_indices",
           "control_matrix", "control_roots", "tempo_features", "timeline_of_measures",
           "timeline_of_solo"]
