"""Real and generated solos over the same chords → 16-bar excerpts → judges that try to tell them
apart, shown beside calibration rows so a number means something.

The judges: logistic regression and gradient-boosted trees (scikit-learn) on the jazz figures of
each excerpt (`jazzsolo.evaluate.jazz_figures.figure_vector` unless another `features` function
is given), and a small 1-D CNN (Keras) over per-note tokens with the chord.  Each is trained
afresh for every evaluation, in grouped K-fold cross-validation, and is never used to train or
choose a generator.

Groups: a real solo's tune and performer are joined by union-find, so a tune and a performer
are each on one side of every split (``"tune+performer"``); when that leaves fewer groups than
folds, tunes alone are the groups (``"tune"``).  A fake or generated excerpt is in the group of
the real solo it was made over; folds also keep each one's share of fakes near the whole
set's (`_folds`).  Scores are balanced accuracy (threshold 0.5) and ROC AUC of the
out-of-fold probabilities, each with a 95 % interval from a bootstrap over groups.

The calibration rows, always printed beside the models: *real vs real* (two halves of the real
solos, split by group: ≈ 0.5 when the judge is honest), *shuffled* (each real solo's intervals in
a random order, `shuffled_intervals`) and *markov* (a note-to-note chain, `NoteMarkov`): a
working judge tells both fakes apart (≈ 0.9).  Beside each row, the Fréchet distance of the
figures at equal sample size, with the real-vs-real distance at that size.
"""
from __future__ import annotations

import bisect
import csv
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from jazzsolo.errors import ConfigError, InputFileError, JazzsoloError
from jazzsolo.ingest.corpus_tables import performer_and_title
from jazzsolo.evaluate.against_figures import GRID_PER_QL, SoloOverChords

EXCERPT_BARS = 16                    # bars per excerpt
MIN_EXCERPT_NOTES = 16               # an excerpt with fewer notes (< 1 a bar) is dropped
LOW_MIDI, HIGH_MIDI = 36, 96         # shuffled intervals are folded by octaves into this range
JUDGES = ("logistic", "boosting", "sequence")
REAL_HALVINGS = 3                    # random halvings of the real solos for "real vs real"
FRECHET_DRAWS = 5                    # random halvings averaged for each Fréchet distance
FeatureFunction = Callable[[SoloOverChords], np.ndarray]


@dataclass(frozen=True)
class JudgeConfig:
    """Cross-validation, bootstrap and the two scikit-learn judges."""

    n_folds: int = 5                 # grouped folds (fewer when there are fewer groups)
    n_bootstrap: int = 500           # resamples of the groups for each interval (>= 200)
    confidence: float = 0.95         # coverage of the intervals
    n_trees: int = 100               # boosting iterations
    tree_depth: int = 3              # depth of each boosted tree


@dataclass(frozen=True)
class SequenceConfig:
    """The sequence judge: a 1-D CNN over note tokens (see `note_tokens`)."""

    embedding: int = 8               # embedding width of each token field
    filters: int = 32                # channels of each convolution
    kernel_notes: int = 5            # notes seen by each convolution step
    dropout: float = 0.2             # before the output unit
    epochs: int = 15                 # fixed number of epochs per fold (no early stopping)
    batch_size: int = 32             # excerpts per step
    learning_rate: float = 3e-3      # Adam
    max_notes: int = 256             # an excerpt's notes after this many are left out


# --------------------------------------------------------------------------- excerpts

def excerpts(solo: SoloOverChords, bars: int = EXCERPT_BARS) -> list[SoloOverChords]:
    """Non-overlapping `bars`-bar excerpts (bars 1-16, 17-32, ...; a last partial one is
    dropped), notes re-based to the excerpt's first bar line and cut at its end; an excerpt
    with fewer than `MIN_EXCERPT_NOTES` notes is dropped.  The same chords give the same bars."""
    if bars < 1:
        raise ConfigError(f"bars must be >= 1, not {bars}", setting="bars")
    starts, found = solo.bar_starts_ql(), []
    for first in range(0, solo.n_bars - bars + 1, bars):
        start, end = starts[first], starts[first + bars]
        notes = [(o - start, min(d, end - o), m) for o, d, m in solo.notes
                 if start - 1e-6 <= o < end - 1e-6]
        if len(notes) < MIN_EXCERPT_NOTES:
            continue
        found.append(replace(solo, name=f"{solo.name} bars {first + 1}-{first + bars}",
                             notes=notes,
                             chord_measures=solo.chord_measures[first:first + bars],
                             measure_lengths_ql=solo.measure_lengths_ql[first:first + bars],
                             time_signatures=solo.time_signatures[first:first + bars],
                             _cache={}))
    return found


def _excerpts_with_groups(solos: Sequence[SoloOverChords], groups: Sequence, bars: int):
    """All excerpts of some solos, and the group of the solo each comes from."""
    found, labels = [], []
    for solo, group in zip(solos, groups):
        cut = excerpts(solo, bars)
        found += cut
        labels += [group] * len(cut)
    return found, np.array(labels, dtype=int)


# --------------------------------------------------------------------------- groups

def parse_solo_name(name: str) -> tuple[str, str]:
    """(tune, performer) from a WJazzD name ``Performer_Tune-2_Solo`` (the take number is
    dropped); a name of another form is its own tune and performer.

    >>> parse_solo_name("ArtPepper_Stardust-1_Solo"), parse_solo_name("take.mid")
    (('Stardust', 'ArtPepper'), ('take.mid', 'take.mid'))
    """
    if not re.fullmatch(r"[^_]+_.+_Solo", name):
        return name, name
    performer, title = performer_and_title(name)
    return re.sub(r"-\d+$", "", title), performer


def read_solo_info(path: str | Path) -> dict[str, tuple[str, str]]:
    """Solo name → (tune, performer) from WJazzD's ``solo_info.csv`` (columns solo, performer,
    title)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise InputFileError(f"{path}: cannot read ({e.strerror or e})") from e
    if rows and not {"solo", "performer", "title"} <= set(rows[0]):
        raise InputFileError(f"{path}: needs the columns solo, performer and title")
    return {r["solo"]: (r["title"], r["performer"]) for r in rows}


def split_groups(solos: Sequence[SoloOverChords], info: Mapping[str, tuple[str, str]] |
                 str | Path | None = None, *, n_folds: int = JudgeConfig.n_folds
                 ) -> tuple[np.ndarray, str]:
    """A split group for each solo and the grouping used: ``"tune+performer"`` (connected
    components of tunes and performers, so each is on one side of every split) or ``"tune"``
    when the components are fewer than `n_folds`.  `info`: name → (tune, performer), the path
    of ``solo_info.csv``, or None to parse the names (`parse_solo_name`)."""
    if isinstance(info, (str, Path)):
        info = read_solo_info(info)
    pairs = [(info or {}).get(s.name) or parse_solo_name(s.name) for s in solos]
    parent: dict[tuple, tuple] = {}

    def root(node: tuple) -> tuple:          # union-find with path halving
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for tune, performer in pairs:
        parent[root(("tune", tune))] = root(("performer", performer))
    joined = _numbered([root(("tune", tune)) for tune, _ in pairs])
    if len(set(joined.tolist())) >= n_folds:
        return joined, "tune+performer"
    return _numbered([tune for tune, _ in pairs]), "tune"


def _numbered(labels: Sequence) -> np.ndarray:
    """Each label as the index of its first appearance."""
    index: dict = {}
    return np.array([index.setdefault(label, len(index)) for label in labels], dtype=int)


# --------------------------------------------------------------------------- calibration fakes

def _fold(midi: int) -> int:
    """A pitch moved by octaves into LOW_MIDI … HIGH_MIDI."""
    while midi > HIGH_MIDI:
        midi -= 12
    while midi < LOW_MIDI:
        midi += 12
    return midi


def shuffled_intervals(solo: SoloOverChords, rng: np.random.Generator) -> SoloOverChords:
    """The solo with its intervals in a random order: the same rhythm and first pitch, each
    pitch folded by octaves into 36-96 as the walk goes (a crude fake)."""
    if not solo.notes:
        return solo.with_notes(f"shuffled {solo.name}", [])
    pitches = [m for _, _, m in solo.notes]
    steps = rng.permutation(np.diff(pitches)).tolist()
    walk = [_fold(pitches[0])]
    for step in steps:
        walk.append(_fold(walk[-1] + int(step)))
    return solo.with_notes(f"shuffled {solo.name}",
                           [(o, d, m) for (o, d, _), m in zip(solo.notes, walk)])


MARKOV_IOI_QL = (1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
MARKOV_LEGATO = 0.9                  # a sampled note sounds for this share of its span ...
MARKOV_LONGEST_QL = 1.0              # ... but at most this long, so a long span ends in a rest


def _markov_states(solo: SoloOverChords) -> list[tuple[int, int]]:
    """(pitch, span bucket) of each note: its span is the time to the next onset (to the end
    of the solo for the last), in the nearest of `MARKOV_IOI_QL` on a log scale."""
    onsets = [o for o, _, _ in solo.notes] + [solo.length_ql]
    logs = np.log(MARKOV_IOI_QL)
    return [(m, int(np.argmin(np.abs(logs - math.log(max(b - a, 1e-3))))))
            for (_, _, m), a, b in zip(solo.notes, onsets, onsets[1:])]


class NoteMarkov:
    """A first-order chain over (pitch, span bucket) notes, fitted on real solos; a fake over
    a real solo is drawn from the *other* solos (its own transitions are left out).

    The span is a note's time to the next onset (rests included), so the chain plays its own
    rhythm and rests; notes are laid end to end from the real solo's first onset, each
    sounding for 0.9 of its span and at most a beat, until the solo's last bar ends.  The first
    note is the real solo's first (pitch, span); a state with no way on restarts from the
    other solos' note frequencies.
    """

    def __init__(self, solos: Sequence[SoloOverChords]):
        self.transitions: dict[tuple, Counter] = {}
        self.own: dict[str, Counter] = {}
        self.unigram: Counter = Counter()
        for solo in solos:
            states = _markov_states(solo)
            own = self.own.setdefault(solo.name, Counter())
            own.update(zip(states, states[1:]))
            own.update((s, None) for s in states)         # (state, None): its unigram count
            self.unigram.update(states)
            for a, b in zip(states, states[1:]):
                self.transitions.setdefault(a, Counter())[b] += 1

    def _draw(self, state, own: Counter, rng: np.random.Generator):
        row = self.transitions.get(state, {})
        options = [(b, n - own[(state, b)]) for b, n in row.items() if n > own[(state, b)]]
        if not options:
            options = [(s, n - own[(s, None)]) for s, n in self.unigram.items()
                       if n > own[(s, None)]]
        weights = np.array([n for _, n in options], dtype=float)
        return options[int(rng.choice(len(options), p=weights / weights.sum()))][0]

    def fake_over(self, solo: SoloOverChords, rng: np.random.Generator) -> SoloOverChords:
        """A chain-drawn solo over `solo`'s chords, metre, tempo and length."""
        if not solo.notes:
            return solo.with_notes(f"markov over {solo.name}", [])
        own = self.own.get(solo.name, Counter())
        onset, state, notes = solo.notes[0][0], _markov_states(solo)[0], []
        while onset < solo.length_ql - 1e-6:
            span = MARKOV_IOI_QL[state[1]]
            notes.append((onset, min(MARKOV_LEGATO * span, MARKOV_LONGEST_QL), state[0]))
            onset += span
            state = self._draw(state, own, rng)
        return solo.with_notes(f"markov over {solo.name}", notes)


def crude_fakes(solos: Sequence[SoloOverChords], *, seed: int = 0
                ) -> dict[str, list[SoloOverChords]]:
    """One shuffled-interval and one Markov fake over each real solo, seeded."""
    rng = np.random.default_rng(seed)
    chain = NoteMarkov(solos)
    return {"shuffled": [shuffled_intervals(s, rng) for s in solos],
            "markov": [chain.fake_over(s, rng) for s in solos]}


# --------------------------------------------------------------------------- what the judges see

def _default_features() -> FeatureFunction:
    """`jazz_figures.figure_vector`, imported only when no other features are given."""
    from jazzsolo.evaluate.jazz_figures import figure_vector

    return figure_vector


def feature_matrix(solos: Sequence[SoloOverChords], features: FeatureFunction | None = None
                   ) -> np.ndarray:
    """The figure vector of each excerpt stacked, (n, n_figures); NaN where undefined."""
    features = features or _default_features()
    rows = [np.asarray(features(s), dtype=float).ravel() for s in solos]
    return np.vstack(rows) if rows else np.zeros((0, 0))


IOI_EDGES_STEPS = (1, 2, 3, 4, 5, 6, 7, 9, 12, 18, 24, 36, 48)   # inter-onset buckets, 1/12 beat
TOKEN_FIELDS = {"interval": 26, "ioi": len(IOI_EDGES_STEPS) + 1,
                "duration": len(IOI_EDGES_STEPS) + 1, "pc_over_root": 13, "chord_tone": 3,
                "beat_position": GRID_PER_QL}


def _chord_timeline(solo: SoloOverChords) -> tuple[list[float], list[tuple]]:
    """Start (ql) of each chord, and its (root pitch class, pitch classes), None for N.C."""
    starts, chords = [], []
    for bar_start, measure in zip(solo.bar_starts_ql(), solo.chord_measures):
        for c in measure:
            symbol = getattr(c, "symbol", None)
            if (symbol is not None and symbol.is_no_chord) or not c.pitches:
                harmony = None
            else:
                root = symbol.root_pc if symbol is not None else c.root().pitchClass
                harmony = (root, {p.pitchClass for p in c.pitches})
            starts.append(bar_start + float(c.offset))
            chords.append(harmony)
    return starts, chords


def note_tokens(solo: SoloOverChords) -> np.ndarray:
    """Per-note tokens (n_notes, 6), each field numbered from 0 as `TOKEN_FIELDS` sizes them:
    interval from the previous note (−12 … +12, 25 = first note), inter-onset and duration
    buckets (`IOI_EDGES_STEPS`; the first note's onset counts from the bar line), pitch class
    above the root of the chord at the onset (12 = N.C.), chord tone (0 no, 1 yes, 2 N.C.),
    onset within the beat (0-11 twelfths)."""
    starts, chords = _chord_timeline(solo)
    bars = solo.bar_starts_ql()
    rows, previous = [], None
    for k, (onset, duration, midi) in enumerate(solo.notes):
        harmony = chords[max(bisect.bisect_right(starts, onset + 1e-6) - 1, 0)]
        bar_start = bars[max(bisect.bisect_right(bars, onset + 1e-6) - 1, 0)]
        gap = onset - (solo.notes[k - 1][0] if k else bar_start)
        rows.append([25 if previous is None else int(np.clip(midi - previous, -12, 12)) + 12,
                     _bucket(gap), _bucket(duration),
                     12 if harmony is None else (midi - harmony[0]) % 12,
                     2 if harmony is None else int(midi % 12 in harmony[1]),
                     int(round((onset - bar_start) * GRID_PER_QL)) % GRID_PER_QL])
        previous = midi
    return np.array(rows, dtype=int).reshape(-1, len(TOKEN_FIELDS))


def _bucket(span_ql: float) -> int:
    """The `IOI_EDGES_STEPS` bucket of a span in quarter lengths (0: no time at all)."""
    return bisect.bisect_right(IOI_EDGES_STEPS, int(round(span_ql * GRID_PER_QL)))


# --------------------------------------------------------------------------- the judges

def _feature_judges(seed: int, config: JudgeConfig) -> dict[str, Callable]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {"logistic": lambda: make_pipeline(
                SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                LogisticRegression(max_iter=2000, class_weight="balanced")),
            "boosting": lambda: HistGradientBoostingClassifier(
                max_iter=config.n_trees, max_depth=config.tree_depth, class_weight="balanced",
                early_stopping=False, random_state=seed)}


def _feature_probabilities(make: Callable, X: np.ndarray, y: np.ndarray, folds) -> np.ndarray:
    """Out-of-fold probabilities of y = 1 from a scikit-learn judge made afresh per fold."""
    p = np.zeros(len(y))
    for train, test in folds:
        p[test] = make().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    return p


def _sequence_model(keras, n_notes: int, config: SequenceConfig, n_classes: int = 2):
    """Embedded tokens → two convolutions → masked mean and max over notes → P(fake), or with
    more than two classes each class's probability (the style judge's players)."""
    ops = keras.ops
    tokens = keras.Input((n_notes, len(TOKEN_FIELDS)), dtype="int32")    # (B, T, 6), 0 = pad
    x = keras.layers.Embedding(sum(TOKEN_FIELDS.values()) + 1, config.embedding)(tokens)
    x = keras.layers.Reshape((n_notes, len(TOKEN_FIELDS) * config.embedding))(x)  # (B, T, 48)
    for dilation in (1, 2):
        x = keras.layers.Conv1D(config.filters, config.kernel_notes, padding="same",
                                dilation_rate=dilation, activation="relu")(x)   # (B, T, F)
    mask = ops.cast(ops.greater(tokens[:, :, :1], 0), "float32")              # (B, T, 1)
    mean = ops.sum(x * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)  # (B, F)
    pooled = keras.layers.Concatenate()([mean, ops.max(x * mask, axis=1)])    # (B, 2F)
    pooled = keras.layers.Dropout(config.dropout)(pooled)
    binary = n_classes == 2
    out = keras.layers.Dense(1 if binary else n_classes,
                             activation="sigmoid" if binary else "softmax")(pooled)
    model = keras.Model(tokens, out)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy")
    return model


def sequence_classes(tokens: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray,
                     seed: int, config: SequenceConfig = SequenceConfig(),
                     weights: np.ndarray | None = None) -> np.ndarray:
    """The CNN trained on rows `train` of `tokens` (`_padded_tokens`) with class labels `y`
    (0 .. k-1) for `config.epochs` epochs, each row weighted by `weights` (one per train row;
    None: each class weighted alike); returns its class probabilities for rows `test` (one
    column per class, and a spare one when k = 2: the softmax head needs three).  Seeded by
    `seed` (initial weights, dropout, batch order), repeating to about 1e-6 on CPU."""
    import keras

    n_classes = int(y.max()) + 1
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = _sequence_model(keras, tokens.shape[1], config, max(n_classes, 3))
    if weights is None:
        counts = np.bincount(y[train], minlength=n_classes).astype(float)
        weights = (len(train) / (n_classes * np.maximum(counts, 1)))[y[train]]
    model.fit(tokens[train], y[train], epochs=config.epochs, batch_size=config.batch_size,
              verbose=0, shuffle=True, sample_weight=np.asarray(weights, dtype=float))
    return keras.ops.convert_to_numpy(model(tokens[test], training=False))


def _padded_tokens(solos: Sequence[SoloOverChords], max_notes: int) -> np.ndarray:
    """Tokens of each excerpt in one index space (field offsets, +1) padded with 0: (n, T, 6)."""
    offsets = 1 + np.concatenate([[0], np.cumsum(list(TOKEN_FIELDS.values()))[:-1]])
    tokens = [note_tokens(s)[:max_notes] + offsets for s in solos]
    width = max([len(t) for t in tokens] + [1])
    out = np.zeros((len(tokens), width, len(TOKEN_FIELDS)), dtype="int32")
    for i, t in enumerate(tokens):
        out[i, :len(t)] = t
    return out


def _balanced_weights(y: np.ndarray) -> np.ndarray:
    """Sample weights giving each class half the total weight (as ``class_weight="balanced"``).

    >>> _balanced_weights(np.array([0, 0, 0, 1])).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    counts = np.bincount(y, minlength=2).astype(float)
    return (len(y) / (2 * np.maximum(counts, 1)))[y]


def _sequence_probabilities(tokens: np.ndarray, y: np.ndarray, folds, seed: int,
                            config: SequenceConfig) -> np.ndarray:
    """Out-of-fold probabilities of the CNN, trained for a fixed number of epochs per fold,
    class-weighted, from the same seeded initial weights with a fresh optimizer each fold.

    One model is built (and traced) per call and reset between folds, which saves TensorFlow's
    tracing, most of a fold's time on CPU.  ``keras.utils.set_random_seed(seed + fold)`` fixes
    the initial weights, dropout and batch order; TensorFlow's threaded CPU kernels may still
    round differently from run to run, so probabilities repeat to about 1e-6, not bit for bit.
    """
    import keras

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = _sequence_model(keras, tokens.shape[1], config)
    model.optimizer.build(model.trainable_variables)
    initial = model.get_weights()
    fresh = [np.asarray(v.value) for v in model.optimizer.variables]   # step 0, zero moments, the rate
    p = np.zeros(len(y))
    for k, (train, test) in enumerate(folds):
        keras.utils.set_random_seed(seed + k)
        model.set_weights(initial)
        for variable, value in zip(model.optimizer.variables, fresh):
            variable.assign(value)
        model.fit(tokens[train], y[train].astype("float32"), epochs=config.epochs,
                  batch_size=config.batch_size, verbose=0, shuffle=True,
                  sample_weight=_balanced_weights(y[train]))
        p[test] = keras.ops.convert_to_numpy(model(tokens[test], training=False))[:, 0]
    return p


# --------------------------------------------------------------------------- scores

def _weighted_scores(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Balanced accuracy (threshold 0.5) and ROC AUC (ties count half), excerpts weighted."""
    pos, neg = w * (y == 1), w * (y == 0)
    hit = p >= 0.5
    accuracy = 0.5 * (pos[hit].sum() / pos.sum() + neg[~hit].sum() / neg.sum())
    values, index = np.unique(p, return_inverse=True)
    pos_at = np.bincount(index, pos, len(values))
    neg_at = np.bincount(index, neg, len(values))
    below = np.cumsum(neg_at) - neg_at
    auc = float((pos_at * (below + 0.5 * neg_at)).sum() / (pos.sum() * neg.sum()))
    return float(accuracy), auc


def _scored(y: np.ndarray, p: np.ndarray, groups: np.ndarray, seed: int,
            config: JudgeConfig) -> dict:
    """Accuracy and AUC with percentile intervals from resampling groups with replacement
    (a resample lacking a class is drawn again); an interval is widened to hold its estimate."""
    accuracy, auc = _weighted_scores(y, p, np.ones(len(y)))
    labels, index = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(seed)
    drawn: list[tuple[float, float]] = []
    while len(drawn) < config.n_bootstrap:
        w = np.bincount(rng.integers(0, len(labels), len(labels)), minlength=len(labels))[index]
        if (w * (y == 1)).sum() and (w * (y == 0)).sum():
            drawn.append(_weighted_scores(y, p, w.astype(float)))
    tail = 50 * (1 - config.confidence)
    lo, hi = np.percentile(np.array(drawn), [tail, 100 - tail], axis=0)
    return {"accuracy": accuracy,
            "accuracy_ci": [float(min(lo[0], accuracy)), float(max(hi[0], accuracy))],
            "auc": auc, "auc_ci": [float(min(lo[1], auc)), float(max(hi[1], auc))]}


def _folds(y: np.ndarray, groups: np.ndarray, n_folds: int
           ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped folds with each fold's share of fakes kept near the whole set's
    (`StratifiedGroupKFold`): a fold that held mostly one class would leave the other to
    dominate its training set, and a judge that memorises would then score below chance."""
    from sklearn.model_selection import StratifiedGroupKFold

    k = min(n_folds, len(set(groups.tolist())), int(np.bincount(y.astype(int)).min()))
    if k < 2:
        raise JazzsoloError(f"the judges need excerpts from 2 or more groups, not {k}")
    return list(StratifiedGroupKFold(n_splits=k).split(groups, y, groups=groups))


def judge(real_excerpts: Sequence[SoloOverChords], fake_excerpts: Sequence[SoloOverChords],
          groups_real: Sequence, groups_fake: Sequence, *, features: FeatureFunction | None = None,
          seed: int = 0, judges: Sequence[str] = JUDGES, config: JudgeConfig = JudgeConfig(),
          sequence: SequenceConfig = SequenceConfig()) -> dict:
    """Each judge's out-of-fold balanced accuracy and ROC AUC telling fake (1) from real (0)
    excerpts, with intervals, in grouped K-fold (K = 5 or the number of groups).  Returns
    {"judges": {name: {accuracy, accuracy_ci, auc, auc_ci}}, "n_real", "n_fake", "n_groups",
    "n_folds", "fold": the test fold of each excerpt, real ones first}."""
    unknown = sorted(set(judges) - set(JUDGES))
    if unknown:
        raise ConfigError(f"unknown judge {unknown[0]!r}; the judges are {', '.join(JUDGES)}")
    solos = list(real_excerpts) + list(fake_excerpts)
    y = np.r_[np.zeros(len(real_excerpts)), np.ones(len(fake_excerpts))].astype(int)
    if not len(real_excerpts) or not len(fake_excerpts):
        raise JazzsoloError(f"the judges need real and fake excerpts, not "
                            f"{len(real_excerpts)} and {len(fake_excerpts)}")
    groups = _numbered(list(groups_real) + list(groups_fake))
    folds = _folds(y, groups, config.n_folds)
    found = {}
    if {"logistic", "boosting"} & set(judges):
        X = feature_matrix(solos, features)
        for name, make in _feature_judges(seed, config).items():
            if name in judges:
                found[name] = _feature_probabilities(make, X, y, folds)
    if "sequence" in judges:
        found["sequence"] = _sequence_probabilities(_padded_tokens(solos, sequence.max_notes),
                                                    y, folds, seed, sequence)
    fold = np.zeros(len(y), dtype=int)
    for k, (_, test) in enumerate(folds):
        fold[test] = k
    return {"judges": {name: _scored(y, found[name], groups, seed, config)
                       for name in judges},
            "n_real": len(real_excerpts), "n_fake": len(fake_excerpts),
            "n_groups": len(set(groups.tolist())), "n_folds": len(folds), "fold": fold.tolist()}


# --------------------------------------------------------------------------- Fréchet distance

def _standardised(X: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """X with NaN as the reference's median, centred and scaled by the reference's; columns
    constant (or undefined) in the reference are dropped."""
    known = ~np.isnan(reference)
    median = np.array([np.median(column[seen]) if seen.any() else 0.0
                       for column, seen in zip(reference.T, known.T)])
    filled_ref = np.where(np.isnan(reference), median, reference)
    filled = np.where(np.isnan(X), median, X)
    spread = filled_ref.std(axis=0)
    keep = spread > 1e-12
    return (filled[:, keep] - filled_ref.mean(axis=0)[keep]) / spread[keep]


def frechet_distance(X_a: np.ndarray, X_b: np.ndarray, *, reference: np.ndarray | None = None
                     ) -> float:
    """Fréchet distance between Gaussians fitted to two sets of figure vectors, standardised on
    `reference` (None: the two sets pooled), NaN as the reference's median.

    >>> a, b = np.array([[0.0], [2.0]]), np.array([[4.0], [6.0]])
    >>> round(frechet_distance(a, b, reference=a), 6), round(frechet_distance(a, b), 6)
    (16.0, 3.2)
    """
    reference = np.vstack([X_a, X_b]) if reference is None else reference
    a, b = _standardised(X_a, reference), _standardised(X_b, reference)
    if not a.shape[1]:
        return 0.0
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)).sum()
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b)
                 - 2 * cross)


def frechet_real_vs_real(X_real: np.ndarray, groups_real: np.ndarray, X_model: np.ndarray,
                         groups_model: np.ndarray, *, seed: int = 0) -> dict:
    """The Fréchet distance of a model's figures and of the real ones, at equal sample size.

    The real solos' groups are halved at random: half A's real excerpts are compared with half
    B's real excerpts and with the model's excerpts over half B's solos, all three cut to the
    same n; standardised on all real excerpts; the mean over `FRECHET_DRAWS` halvings.
    """
    rng = np.random.default_rng(seed)
    labels = np.unique(groups_real)
    model_d, real_d, sizes = [], [], []
    for _ in range(FRECHET_DRAWS):
        in_a = np.isin(groups_real, rng.permutation(labels)[:len(labels) // 2])
        b_model = np.isin(groups_model, labels[~np.isin(labels, groups_real[in_a])])
        n = min(in_a.sum(), (~in_a).sum(), b_model.sum())
        if n < 2:
            continue
        a, b, m = (rng.permutation(np.flatnonzero(mask))[:n] for mask in (in_a, ~in_a, b_model))
        real_d.append(frechet_distance(X_real[a], X_real[b], reference=X_real))
        model_d.append(frechet_distance(X_real[a], X_model[m], reference=X_real))
        sizes.append(n)
    if not sizes:
        return {"frechet": None, "frechet_real": None, "frechet_n": 0}
    return {"frechet": float(np.mean(model_d)), "frechet_real": float(np.mean(real_d)),
            "frechet_n": int(np.mean(sizes))}


# --------------------------------------------------------------------------- calibration rows

def real_vs_real(real_excerpts: Sequence[SoloOverChords], groups_real: Sequence, *,
                 seed: int = 0, halvings: int = REAL_HALVINGS, **options) -> dict:
    """The judges between two halves of the real excerpts, split by group (half B plays
    "fake"), averaged over `halvings` random halvings (values and interval ends alike)."""
    groups = np.asarray(groups_real)
    labels = np.unique(groups)
    if len(labels) < 4:
        raise JazzsoloError(f"real vs real needs 4 or more groups, not {len(labels)}")
    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(halvings):
        in_b = np.isin(groups, rng.permutation(labels)[:len(labels) // 2])
        a, b = np.flatnonzero(~in_b), np.flatnonzero(in_b)
        runs.append(judge([real_excerpts[i] for i in a], [real_excerpts[i] for i in b],
                          groups[a], groups[b], seed=seed, **options))
    averaged = {name: {key: (np.mean([r["judges"][name][key] for r in runs], axis=0).tolist())
                       for key in runs[0]["judges"][name]} for name in runs[0]["judges"]}
    return {**runs[0], "judges": averaged, "halvings": halvings}


def _aligned(real: Sequence[SoloOverChords], solos: Sequence[SoloOverChords], name: str
             ) -> list[SoloOverChords]:
    """Check that solos[i] lies over real[i % len(real)]'s bars (one block per seed)."""
    if not solos or len(solos) % len(real):
        raise JazzsoloError(f"{name}: {len(solos)} solos is not one or more per real solo "
                            f"({len(real)} real solos)")
    for i, solo in enumerate(solos):
        if list(solo.measure_lengths_ql) != list(real[i % len(real)].measure_lengths_ql):
            raise JazzsoloError(f"{name}: solo {i} ({solo.name}) is not over the bars of real "
                                f"solo {i % len(real)} ({real[i % len(real)].name})")
    return list(solos)


def _row(name: str, kind: str, result: dict, frechet: dict) -> dict:
    """One row of `calibrated_judges`: the judges' result (less the folds) and the Fréchet."""
    return {"name": name, "kind": kind, **{k: v for k, v in result.items() if k != "fold"},
            **frechet}


@dataclass
class _Pool:
    """The real excerpts, their groups and figure vectors, shared by every row."""

    excerpts: list
    groups: np.ndarray
    X: np.ndarray
    options: dict = field(default_factory=dict)


def _versus(pool: _Pool, name: str, kind: str, solos, solo_groups, bars: int, seed: int) -> dict:
    """One row: the real excerpts against the excerpts of `solos`, judged and Fréchet-measured."""
    fakes, groups_fake = _excerpts_with_groups(solos, solo_groups, bars)
    if not fakes:
        raise JazzsoloError(f"{name}: no excerpt of {bars} bars with {MIN_EXCERPT_NOTES} or "
                            f"more notes")
    result = judge(pool.excerpts, fakes, pool.groups, groups_fake, seed=seed, **pool.options)
    X_fake = feature_matrix(fakes, pool.options.get("features"))
    return _row(name, kind, result, frechet_real_vs_real(pool.X, pool.groups, X_fake,
                                                         groups_fake, seed=seed))


def calibrated_judges(real_solos: Sequence[SoloOverChords],
                      generated: Mapping[str, Sequence[SoloOverChords]] | None = None, *,
                      groups: Mapping[str, tuple[str, str]] | str | Path | None = None,
                      seed: int = 0, bars: int = EXCERPT_BARS, halvings: int = REAL_HALVINGS,
                      **options) -> dict:
    """Excerpt everything and judge it: rows ``real vs real``, ``shuffled``, ``markov`` (the
    calibration), then one per model.  `generated[name]` is a flat list aligned as
    ``[solo for seed in seeds for solo in real_solos]`` (one or more solos per real solo, each
    block over the real solos in order).  `groups`: see `split_groups`; `halvings`: see
    `real_vs_real`.  `options` go to `judge` (features, judges, config, sequence)."""
    real_solos = list(real_solos)
    generated = {name: _aligned(real_solos, solos, name) for name, solos in
                 (generated or {}).items()}
    solo_group, grouping = split_groups(real_solos, groups, n_folds=options.get(
        "config", JudgeConfig()).n_folds)
    real, real_groups = _excerpts_with_groups(real_solos, solo_group, bars)
    if not real:
        raise JazzsoloError(f"no real solo has {bars} bars with {MIN_EXCERPT_NOTES} or more "
                            f"notes")
    pool = _Pool(real, real_groups, feature_matrix(real, options.get("features")), options)
    control = real_vs_real(real, real_groups, seed=seed, halvings=halvings, **options)
    same = frechet_real_vs_real(pool.X, real_groups, pool.X, real_groups, seed=seed)
    rows = [_row("real vs real", "calibration", control,
                 {**same, "frechet": same["frechet_real"]})]
    for name, fakes in crude_fakes(real_solos, seed=seed).items():
        rows.append(_versus(pool, name, "calibration", fakes, solo_group, bars, seed))
    for name, solos in generated.items():
        rows.append(_versus(pool, name, "model", solos,
                            [solo_group[i % len(real_solos)] for i in range(len(solos))],
                            bars, seed))
    return {"bars": bars, "grouping": grouping, "n_solos": len(real_solos),
            "n_groups": len(set(solo_group.tolist())), "n_real_excerpts": len(real),
            "seed": seed, "rows": rows}


# --------------------------------------------------------------------------- the table

def format_judges(result: dict) -> str:
    """A text table: a row per calibration and model; for each judge balanced accuracy with
    its interval and AUC; then the Fréchet distance with the real-vs-real one beside it."""
    names = list(result["rows"][0]["judges"])
    width = max(len(r["name"]) for r in result["rows"]) + 2
    head = "".join(f"{name + ' acc [95%]':<20}{'AUC':>6}  " for name in names)
    lines = [f"Judges on {result['n_real_excerpts']} real {result['bars']}-bar excerpts of "
             f"{result['n_solos']} solos, {result['n_groups']} groups ({result['grouping']}); "
             f"real vs real ≈ 0.5 and crude fakes ≈ 0.9 show the judges work.",
             f"{'':<{width}}{head}Fréchet (real vs real)"]
    for row in result["rows"]:
        cells = []
        for name in names:
            j = row["judges"][name]
            cells.append(f"{j['accuracy']:.2f} [{j['accuracy_ci'][0]:.2f}–"
                         f"{j['accuracy_ci'][1]:.2f}]{'':<5}{j['auc']:>6.2f}  ")
        fd = "n/a" if row.get("frechet") is None else \
            f"{row['frechet']:.2f} ({row['frechet_real']:.2f})"
        lines.append(f"{row['name']:<{width}}{''.join(cells)}{fd}")
    return "\n".join(lines)


__all__ = ["EXCERPT_BARS", "JUDGES", "JudgeConfig", "MIN_EXCERPT_NOTES", "NoteMarkov",
           "SequenceConfig", "calibrated_judges", "crude_fakes", "excerpts", "feature_matrix",
           "format_judges", "frechet_distance", "frechet_real_vs_real", "judge", "note_tokens",
           "parse_solo_name", "read_solo_info", "real_vs_real", "sequence_classes",
           "shuffled_intervals",
           "split_groups"]
