"""Real solos with their chords + models → generated solos over the same chords, their figures
beside the players', and a blind test: `jazzsolo evaluate --against DIR`.

For each real solo (a WJazzD folder or ``.db``, or a folder of MIDI files with a "Solo" and a
"Chords" track) every model improvises over the same chords, metre, tempo and length, with seed
``seed + solo index``.  The figures of `jazzsolo.evaluate.against_figures` are taken of every solo and
summarised by their 10th, 50th and 90th percentiles; a model's figure is marked *outside* when
its median falls outside the real solos' 10th-90th percentile.  The blind test trains two
classifiers (logistic regression, gradient boosting) on the features of 4-bar segments to tell
the players' segments from a model's, cross-validated in 5 folds by solo (a real solo and the
solos generated over its chords are always in the same fold); its accuracy is balanced (the mean
of the two classes' recalls), so 0.5 means the model cannot be told from the players.  The row
``real`` holds the same test between two random halves of the real solos (averaged over three
splits), the accuracy that "indistinguishable" reaches with this many solos.
"""
from __future__ import annotations

import functools
import inspect
import io
import json
import math
import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from jazzsolo.evaluate.against_figures import (FIGURES, SEGMENT_FEATURES, NoteTuple, SoloOverChords,
                                               histogram_overlap, interval_histogram, ioi_histogram,
                                               known_share, leave_one_out_shares, outside_figures,
                                               pattern_ngrams, percentiles, read_real_solos,
                                               segment_features, solo_figures)
from jazzsolo.errors import ConfigError, JazzsoloError, ModelDirError, OutputExistsError

COURSE_TEMPERATURE = 0.5             # `jazzsolo generate`'s default for the course model
BASELINE_TEMPERATURE = 1.0           # the baselines sample their chains as `evaluate` does
MAX_COPY = 8                         # the course model's copy guard, as `jazzsolo generate`
N_FOLDS = 5                          # cross-validation folds of the blind test, by solo
N_TREES = 60                         # boosting stages of the gradient-boosting classifier
REAL_SPLITS = 3                      # random halvings of the real solos for the "real" row
N_GIVEAWAYS = 3                      # features named per model
GIVEAWAY_ACCURACY = 0.6              # below this the classifier's reasons are not reported
EXAMPLE_BARS = 8                     # bars of the first solo kept for the piano rolls
BASELINE_NAMES = ("uniform", "unigram", "bigram", "trigram")


# --------------------------------------------------------------------------- models

class SoloModel(Protocol):
    """Anything that improvises over chord measures: `generate` returns (onset_ql, duration_ql,
    midi) notes from the first bar line.  An optional ``training_notes(real_solos, kind)``
    returns the note lists it learnt from, for novelty (None: unknown)."""

    name: str

    def generate(self, chord_measures, measure_lengths_ql: Sequence[float],
                 time_signatures: Sequence[str], seed: int, *, qpm: float = 120.0
                 ) -> list[NoteTuple]: ...


class CourseModel:
    """The course LSTM of a grammar-family model directory (`jazzsolo.models.model_dir`)."""

    def __init__(self, directory: str | os.PathLike, *, temperature: float | None = None,
                 max_copy: int = MAX_COPY, name: str | None = None):
        from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir
        from jazzsolo.generate.measures import copy_guard_for

        self.directory = Path(directory)
        self.trained = load_model_dir(directory)
        self.temperature = COURSE_TEMPERATURE if temperature is None else temperature
        self.copy_guard = copy_guard_for(self.trained, max_copy)
        shipped = self.directory.resolve() == PRETRAINED_MODEL_DIR.resolve()
        self.name = name or ("course" if shipped else f"course:{self.directory.name}")

    def generate(self, chord_measures, measure_lengths_ql, time_signatures, seed, *, qpm=120.0):
        from jazzsolo.generate.measures import generate_solo

        solo = generate_solo(self.trained.weights, self.trained.indices_values, chord_measures,
                             seed=seed, temperature=self.temperature,
                             measure_lengths_ql=measure_lengths_ql,
                             time_signatures=time_signatures, copy_guard=self.copy_guard)
        return [(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()]

    def training_notes(self, real_solos, kind):
        return _course_tune_notes(self.trained)


class MarkovModel:
    """A Markov-chain baseline (`jazzsolo.evaluate.baselines`) over a course model's training values."""

    def __init__(self, order_name: str, trained, *, temperature: float | None = None):
        from jazzsolo.evaluate.baselines import baseline_models

        if not trained.corpus:
            raise ModelDirError("the Markov baselines need the training values (corpus.json) "
                                "of a course model directory")
        values_indices = {v: i for i, v in enumerate(trained.values)}
        self.chain = baseline_models(trained.corpus, values_indices)[order_name]
        self.trained, self.name = trained, order_name
        self.temperature = BASELINE_TEMPERATURE if temperature is None else temperature

    def generate(self, chord_measures, measure_lengths_ql, time_signatures, seed, *, qpm=120.0):
        from jazzsolo.generate.measures import generate_solo

        self.chain.reset()
        solo = generate_solo(None, self.trained.indices_values, chord_measures, seed=seed,
                             temperature=self.temperature, sampler=self.chain,
                             measure_lengths_ql=measure_lengths_ql,
                             time_signatures=time_signatures)
        return [(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()]

    def training_notes(self, real_solos, kind):
        return _course_tune_notes(self.trained)


class NoteModel:
    """The corpus note LSTM (family ``note-lstm``: `jazzsolo.models.note_lstm`, `jazzsolo.generate.note_solo`)."""

    def __init__(self, directory: str | os.PathLike, *, temperature: float | None = None,
                 name: str | None = None):
        from jazzsolo.generate.note_solo import DEFAULT_TEMPERATURE
        from jazzsolo.models.note_lstm import PRETRAINED_WJAZZD_DIR, load_note_model

        self.directory = Path(directory)
        self.model = load_note_model(directory)
        self.temperature = DEFAULT_TEMPERATURE if temperature is None else temperature
        shipped = self.directory.resolve() == PRETRAINED_WJAZZD_DIR.resolve()
        self.name = name or ("note-lstm" if shipped else f"note-lstm:{self.directory.name}")

    def generate(self, chord_measures, measure_lengths_ql, time_signatures, seed, *, qpm=120.0):
        from jazzsolo.generate.note_solo import generate_note_solo

        accepted = inspect.signature(generate_note_solo).parameters
        options = {"measure_lengths_ql": list(measure_lengths_ql), "time_signatures":
                   list(time_signatures), "temperature": self.temperature, "seed": seed,
                   "qpm": min(max(float(qpm), 10.0), 600.0)}
        solo = generate_note_solo(self.model, chord_measures,
                                  **{k: v for k, v in options.items() if k in accepted})
        return [(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()]

    def training_notes(self, real_solos, kind):
        """The real solos read that the model trained on: a WJazzD model's training solos are
        the corpus but its validation solos (`meta`), so only corpus input counts."""
        meta = self.model.meta
        if kind != "corpus" or "Weimar" not in str(meta.get("data", "")):
            return None
        held_out = set(meta.get("validation_solos", []))
        return [s.notes for s in real_solos if s.name not in held_out]


@functools.lru_cache(maxsize=4)
def _tune_notes(path: str) -> tuple[NoteTuple, ...]:
    from jazzsolo.evaluate.report import load_reference

    take = load_reference(path).take
    return tuple((n.offset_ql, n.duration_ql, n.midi) for n in take.notes)


def _course_tune_notes(trained) -> list[list[NoteTuple]] | None:
    """The notes of the tune a course model was trained on, when that MIDI file is found (as
    `jazzsolo train` finds it) under one of the names its config.json lists; else None."""
    from jazzsolo.ingest.preprocess import find_training_midi

    try:
        path = find_training_midi(None)
    except JazzsoloError:
        return None
    names = trained.settings.get("source_midi") or []
    if Path(path).name not in [Path(str(n)).name for n in names]:
        return None
    return [list(_tune_notes(str(path)))]


def _is_note_model_dir(directory: Path) -> bool:
    try:
        settings = json.loads((directory / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(settings, dict) and settings.get("family") == "note-lstm"


def default_models(*, temperature: float | None = None) -> list:
    """The shipped models: the WJazzD note model when it is there, the course model and the
    four Markov baselines over its tune."""
    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR

    specs = ["course", "baselines"]
    wjazzd = PRETRAINED_MODEL_DIR.parent / "wjazzd"
    if _is_note_model_dir(wjazzd):
        specs.insert(0, str(wjazzd))
    return resolve_models(specs, temperature=temperature)


def resolve_models(specs: Sequence | None = None, *, temperature: float | None = None) -> list:
    """Models from names, directories or objects with a ``generate`` method.

    Names: ``course`` (the shipped Metheny model), ``wjazzd`` (the shipped note model),
    ``uniform``/``unigram``/``bigram``/``trigram`` or ``baselines`` (all four, over the first
    course model's training values, else the shipped one's).  A directory is loaded by its
    family (``note-lstm`` in config.json, else the course grammar).
    """
    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR

    if specs is None:
        return default_models(temperature=temperature)
    models, baselines = [], []
    for spec in specs:
        if hasattr(spec, "generate"):
            models.append(spec)
            continue
        text = str(spec)
        if text in ("baselines", "markov"):
            baselines.extend(BASELINE_NAMES)
        elif text in BASELINE_NAMES:
            baselines.append(text)
        elif text in ("course", "metheny"):
            models.append(CourseModel(PRETRAINED_MODEL_DIR, temperature=temperature))
        else:
            directory = PRETRAINED_MODEL_DIR.parent / "wjazzd" if text == "wjazzd" else Path(text)
            models.append(_model_from_dir(directory, temperature))
    if baselines:
        course = next((m for m in models if isinstance(m, CourseModel)), None)
        trained = course.trained if course is not None else \
            CourseModel(PRETRAINED_MODEL_DIR).trained
        models += [MarkovModel(name, trained, temperature=temperature)
                   for name in dict.fromkeys(baselines)]
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ConfigError(f"two models share a name: {', '.join(names)}")
    if not models:
        raise ConfigError("no models to compare with the real solos")
    return models


def _model_from_dir(directory: Path, temperature):
    if not directory.is_dir():
        raise ModelDirError(f"{directory}: no such model directory (or a name: course, wjazzd, "
                            f"baselines, {', '.join(BASELINE_NAMES)})")
    if _is_note_model_dir(directory):
        return NoteModel(directory, temperature=temperature)
    return CourseModel(directory, temperature=temperature)


def generate_over(real: Sequence[SoloOverChords], model, *, seed: int = 0
                  ) -> list[SoloOverChords]:
    """One solo by `model` over each real solo's chords, metre, tempo and length (seed + i),
    as the band plays it (`as_played`)."""
    out = []
    for i, solo in enumerate(real):
        notes = model.generate(solo.chord_measures, list(solo.measure_lengths_ql),
                               list(solo.time_signatures), seed + i, qpm=solo.qpm)
        end = solo.length_ql - 1e-6
        out.append(solo.with_notes(f"{model.name} over {solo.name}",
                                   as_played([n for n in notes if n[0] < end], solo, seed + i)))
    return out


def as_played(notes: Sequence[NoteTuple], solo: SoloOverChords, seed: int) -> list[NoteTuple]:
    """Written notes with the lengths the band plays them (`performance.perform`'s articulation,
    measured from the players, seeded), on the straight grid.

    The real solos' lengths are as the players sounded them and their onsets on the annotated
    straight grid, so a generated solo is measured as it sounds, without swing.
    """
    from jazzsolo.music.notes import TimedNotes
    from jazzsolo.generate.performance import perform
    from jazzsolo.music.metre import metre_changes

    changes = metre_changes(solo.measure_lengths_ql, solo.time_signatures)
    played = perform([TimedNotes(o, d, (m,)) for o, d, m in notes], qpm=solo.qpm,
                     swing_ratio=1.0, time_signatures=changes, rng=np.random.default_rng(seed))
    return [(t.offset_ql, t.duration_ql, t.pitches[0]) for t in played]


# --------------------------------------------------------------------------- the blind test

def _segments(solos: Sequence[SoloOverChords]) -> tuple[np.ndarray, np.ndarray]:
    """Segment features of the solos stacked, and the index of the solo of each segment."""
    blocks = [segment_features(s) for s in solos]
    groups = np.concatenate([[i] * len(b) for i, b in enumerate(blocks)] or [[]]).astype(int)
    features = np.vstack(blocks) if blocks else np.zeros((0, len(SEGMENT_FEATURES)))
    return features, groups


def _classifiers(seed: int):
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {"logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(
                max_iter=2000, class_weight="balanced")),
            "boosting": lambda: GradientBoostingClassifier(n_estimators=N_TREES, max_depth=3,
                                                           random_state=seed)}


def _fit(name: str, model, X: np.ndarray, y: np.ndarray):
    if name == "boosting":
        weights = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
        return model.fit(X, y, sample_weight=weights)
    return model.fit(X, y)


def blind_test(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, seed: int = 0,
               importance: bool = True) -> dict | None:
    """Cross-validated balanced accuracy of each classifier telling y = 1 from y = 0, folds by
    group (`GroupKFold`, at most `N_FOLDS`), and each feature's importance when fitted on all
    segments: |standardised coefficient| (logistic) or impurity importance (boosting), each
    scaled to sum 1.  None when there are fewer than two groups or one class is missing."""
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import GroupKFold

    if len(set(groups.tolist())) < 2 or len(set(y.tolist())) < 2:
        return None
    X = _filled(X)
    folds = GroupKFold(n_splits=min(N_FOLDS, len(set(groups.tolist()))))
    accuracy, importances = {}, {}
    for name, make in _classifiers(seed).items():
        predicted = np.zeros_like(y)
        for train, test in folds.split(X, y, groups):
            if len(set(y[train].tolist())) < 2:
                predicted[test] = y[train][0]
                continue
            predicted[test] = _fit(name, make(), X[train], y[train]).predict(X[test])
        accuracy[name] = float(balanced_accuracy_score(y, predicted))
        if not importance:
            continue
        fitted = _fit(name, make(), X, y)
        weights = np.abs(fitted[-1].coef_[0]) if name == "logistic" else \
            fitted.feature_importances_
        importances[name] = (weights / weights.sum() if weights.sum() else weights).tolist()
    return {"accuracy": accuracy, "importance": importances}


def _filled(X: np.ndarray) -> np.ndarray:
    """NaN (an undefined feature) replaced by the feature's median over all segments."""
    X = np.array(X, dtype=float)
    for column in range(X.shape[1]):
        missing = np.isnan(X[:, column])
        if missing.any():
            known = X[~missing, column]
            X[missing, column] = np.median(known) if len(known) else 0.0
    return X


def giveaways(real_X: np.ndarray, model_X: np.ndarray, result: dict) -> list[dict]:
    """The features that give a model away, most important first, in a musician's words.

    Importance comes from the classifier with the higher accuracy; the direction from the
    standardised difference of the means (model − players).  Empty when neither classifier
    reaches `GIVEAWAY_ACCURACY`.
    """
    best = max(result["accuracy"], key=lambda name: (result["accuracy"][name], name))
    if result["accuracy"][best] < GIVEAWAY_ACCURACY:
        return []
    both = _filled(np.vstack([real_X, model_X]))
    real, model = both[:len(real_X)], both[len(real_X):]
    spread = np.sqrt((real.var(axis=0) + model.var(axis=0)) / 2)
    effect = np.where(spread > 0, (model.mean(axis=0) - real.mean(axis=0)) /
                      np.where(spread > 0, spread, 1.0), 0.0)
    names = list(SEGMENT_FEATURES)
    order = sorted(range(len(names)), key=lambda i: (-result["importance"][best][i], names[i]))
    found = []
    for i in order[:N_GIVEAWAYS]:
        more, less = SEGMENT_FEATURES[names[i]]
        found.append({"feature": names[i], "importance": round(result["importance"][best][i], 4),
                      "effect_size": round(float(effect[i]), 3),
                      "text": more if effect[i] > 0 else less})
    return found


def real_against_real(real_X: np.ndarray, real_groups: np.ndarray, n_solos: int, *,
                      seed: int = 0) -> dict | None:
    """The blind test between random halves of the real solos, averaged over `REAL_SPLITS`."""
    if n_solos < 4:
        return None
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(REAL_SPLITS):
        half = np.zeros(n_solos, dtype=int)
        half[rng.permutation(n_solos)[: n_solos // 2]] = 1
        result = blind_test(real_X, half[real_groups], real_groups, seed=seed, importance=False)
        if result is not None:
            results.append(result["accuracy"])
    if not results:
        return None
    return {"accuracy": {name: float(np.mean([r[name] for r in results])) for name in results[0]}}


# --------------------------------------------------------------------------- the report

def _row(name: str, solos: Sequence[SoloOverChords], novelty: list, hists: dict,
         overlaps: dict) -> dict:
    per_solo = [solo_figures(s) for s in solos]
    for figures, share in zip(per_solo, novelty):
        figures["novelty"] = share
    return {"model": name, "n_solos": len(solos),
            "figures": {f: percentiles([p[f] for p in per_solo]) for f in FIGURES},
            "histograms": {h: {"counts": hists[h].tolist(), "overlap": _round(overlaps[h])}
                           for h in hists}}


def _histograms(solos: Sequence[SoloOverChords]) -> dict[str, np.ndarray]:
    return {"interval": interval_histogram(solos), "ioi": ioi_histogram(solos)}


def _round(value, digits: int = 4):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else round(float(value), digits)


def against_report(real: Sequence[SoloOverChords], generated: dict[str, list[SoloOverChords]], *,
                   training: dict[str, list | None] | None = None, seed: int = 0,
                   source: str = "", kind: str = "corpus", skipped: Sequence = (),
                   temperature: float | None = None) -> dict:
    """The comparison as a JSON-ready dict ``{"against": {...}}``.

    `generated` maps each model's name to its solos, one per real solo in the same order;
    `training` maps a model's name to the note lists it was trained on (for novelty; None or
    missing: novelty is None).  Rows: ``real`` first, then each model, each with ``figures``
    (p10/p50/p90 of every figure), ``outside``, ``histograms`` (pooled counts and their overlap
    with the players'; for ``real``, between its even and odd solos), ``classifier_accuracy``
    (the better classifier's), ``classifier`` (both) and ``giveaways``.
    """
    if not real:
        raise ConfigError("no real solos to compare with")
    training = training or {}
    real_hists = _histograms(real)
    even, odd = _histograms(real[0::2]), _histograms(real[1::2])
    real_row = _row("real", real, leave_one_out_shares(real), real_hists,
                    {h: histogram_overlap(even[h], odd[h]) for h in real_hists})
    real_X, real_groups = _segments(real)
    control = real_against_real(real_X, real_groups, len(real), seed=seed)
    real_row.update(_blind_fields(control), giveaways=[], outside=[],
                    novelty_against="the other real solos")
    rows = [real_row]
    for name, solos in generated.items():
        if len(solos) != len(real):
            raise ConfigError(f"{name}: {len(solos)} generated solos for {len(real)} real ones")
        notes = training.get(name)
        known = {g for n in notes for g in pattern_ngrams(n)} if notes else None
        novelty = [known_share(s, known) if known is not None else None for s in solos]
        hists = _histograms(solos)
        row = _row(name, solos, novelty, hists,
                   {h: histogram_overlap(real_hists[h], hists[h]) for h in hists})
        model_X, model_groups = _segments(solos)
        X = np.vstack([real_X, model_X])
        y = np.concatenate([np.zeros(len(real_X), int), np.ones(len(model_X), int)])
        result = blind_test(X, y, np.concatenate([real_groups, model_groups]), seed=seed)
        row.update(_blind_fields(result),
                   giveaways=giveaways(real_X, model_X, result) if result else [],
                   outside=outside_figures(row["figures"], real_row["figures"]),
                   novelty_against="its training data" if known is not None else None)
        rows.append(row)
    rows = [{key: row[key] for key in _ROW_KEYS} for row in rows]
    return {"against": {"source": str(source), "kind": kind, "n_solos": len(real),
                        "solos": [s.name for s in real],
                        "skipped": [list(item) for item in skipped], "seed": seed,
                        "temperature": temperature, "rows": rows,
                        "example": _example(real, generated)}}


_ROW_KEYS = ("model", "n_solos", "figures", "outside", "classifier_accuracy", "giveaways",
             "classifier", "histograms", "novelty_against")


def _blind_fields(result: dict | None) -> dict:
    if result is None:
        return {"classifier_accuracy": None, "classifier": None}
    accuracy = {name: round(value, 4) for name, value in result["accuracy"].items()}
    return {"classifier_accuracy": max(accuracy.values()), "classifier": accuracy}


def _example(real, generated) -> dict:
    """The first bars of the first real solo and of each model's solo over its chords."""
    solo = real[0]
    bars = min(EXAMPLE_BARS, solo.n_bars)
    end = solo.bar_starts_ql()[bars]

    def cut(notes):
        return [[round(o, 4), round(d, 4), m] for o, d, m in notes if o < end - 1e-6]

    chords = [[{"offset_ql": round(float(c.offset), 4),
                "duration_ql": round(float(c.quarterLength), 4),
                "pitches": [int(p.midi) for p in c.pitches],
                "symbol": getattr(getattr(c, "symbol", None), "symbol", None)} for c in measure]
              for measure in solo.chord_measures[:bars]]
    return {"solo": solo.name, "measure_lengths_ql": list(solo.measure_lengths_ql[:bars]),
            "time_signatures": list(solo.time_signatures[:bars]), "chords": chords,
            "real": cut(solo.notes),
            "generated": {name: cut(solos[0].notes) for name, solos in generated.items()}}


# --------------------------------------------------------------------------- text and plots

_COLUMNS = (("notes_per_beat", "notes/beat", ".2f"), ("rest_share", "rests", ".2f"),
            ("phrase_notes", "phrase", ".1f"), ("pitch_range", "range", ".0f"),
            ("chord_tone_share", "chord", ".2f"), ("scale_tone_share", "scale", ".2f"),
            ("h1", "H1", ".2f"), ("h4", "H4", ".2f"), ("gs", "GS", ".3f"),
            ("novelty", "known 8", ".2f"))


def _cell(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def format_against(report: dict) -> str:
    """The report as a text table: the players' 10th/50th/90th percentiles, then each model's
    medians (``*``: outside the players' 10th-90th percentile), histogram overlaps and the
    blind test's accuracy, then what gives each model away."""
    data = report.get("against", report)
    rows = data["rows"]
    headers = ["model", *(label for _, label, _ in _COLUMNS), "int ovl", "IOI ovl", "blind"]
    table = []
    real = rows[0]
    for q, label in (("p10", "real p10"), ("p50", "real"), ("p90", "real p90")):
        cells = [_cell((real["figures"][f] or {}).get(q), spec) for f, _, spec in _COLUMNS]
        extra = [_cell(real["histograms"][h]["overlap"], ".2f") for h in ("interval", "ioi")] \
            + [_cell(real["classifier_accuracy"], ".2f")] if q == "p50" else ["", "", ""]
        table.append([label, *cells, *extra])
    for row in rows[1:]:
        cells = [_cell((row["figures"][f] or {}).get("p50"), spec) +
                 ("*" if f in row["outside"] else "") for f, _, spec in _COLUMNS]
        table.append([row["model"], *cells,
                      *(_cell(row["histograms"][h]["overlap"], ".2f") for h in ("interval", "ioi")),
                      _cell(row["classifier_accuracy"], ".2f")])
    widths = [max(len(str(r[i])) for r in [headers, *table]) for i in range(len(headers))]
    lines = [" ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths))) for r in [headers, *table]]
    intro = (f"Against {data['n_solos']} real solos from {data['source'] or 'the input'}: each "
             f"model improvised over each solo's chords, metre and length (seeds from "
             f"{data['seed']}).  Medians; * = outside the players' 10th-90th percentile.  "
             f"known 8 = share of 8-note patterns found in the training data (real: in the "
             f"other solos).  ovl = overlap of interval / inter-onset histograms with the "
             f"players' (real: odd vs even solos).  blind = accuracy of telling 4-bar segments "
             f"from the players' (0.5 = cannot tell; real: one half of the players vs the "
             f"other).")
    told = [f"  {row['model']} ({_cell(row['classifier_accuracy'], '.2f')}): "
            + "; ".join(g["text"] for g in row["giveaways"])
            for row in rows[1:] if row["giveaways"]]
    skipped = data.get("skipped") or []
    tail = ["What gives each model away:", *told] if told else []
    if skipped:
        tail.append(f"Skipped {len(skipped)} solos: " +
                    "; ".join(f"{name} ({why})" for name, why in skipped[:5]))
    return "\n".join([intro, "", *lines, *([""] + tail if tail else [])])


def plot_against(report: dict, plots_dir: str | os.PathLike, *, overwrite: bool = False
                 ) -> list[Path]:
    """Write ``against_histograms.png`` (interval and inter-onset histograms of the players and
    each model, side by side) and ``against_piano_roll.png`` (the first bars of the first real
    solo above each model's solo over the same chords) to `plots_dir`; returns their paths.
    Existing files are kept unless `overwrite` (OutputExistsError)."""
    from matplotlib.figure import Figure

    from jazzsolo.files import write_atomic

    data = report.get("against", report)
    folder = Path(plots_dir)
    paths = [folder / "against_histograms.png", folder / "against_piano_roll.png"]
    if not overwrite:
        for path in paths:
            if path.exists():
                raise OutputExistsError(f"{path}: exists already; pass overwrite to replace it")
    figures = [_histogram_figure(Figure, data), _roll_figure(Figure, data["example"])]
    for path, fig in zip(paths, figures):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        write_atomic(path, buffer.getvalue(), overwrite=True)
    return paths


def _histogram_figure(Figure, data: dict):
    fig = Figure(figsize=(13, 4.5), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, name, title, x in ((axes[0], "interval", "Melodic intervals (semitones)",
                                np.arange(-12, 13)),
                               (axes[1], "ioi", "Inter-onset intervals (beats)",
                                np.arange(1, 49) / 12)):
        for k, row in enumerate(data["rows"]):
            counts = np.asarray(row["histograms"][name]["counts"], dtype=float)
            if counts.sum() == 0:
                continue
            label = row["model"] if row["model"] == "real" else \
                f"{row['model']} (overlap {_cell(row['histograms'][name]['overlap'], '.2f')})"
            ax.step(x, counts / counts.sum(), where="mid", label=label,
                    linewidth=2.5 if k == 0 else 1.2, color="black" if k == 0 else None)
        ax.set_title(title)
        ax.set_ylabel("share")
        ax.legend(fontsize=7)
    return fig


def _roll_figure(Figure, example: dict):
    from matplotlib.patches import Rectangle

    from jazzsolo.export.plots import CHORD_COLOUR

    panels = [("real: " + example["solo"], example["real"]),
              *((f"{name} over the same chords", notes)
                for name, notes in example["generated"].items())]
    fig = Figure(figsize=(12, 2.2 * len(panels) + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True))
    starts = np.concatenate([[0.0], np.cumsum(example["measure_lengths_ql"])])
    for ax, (title, notes) in zip(axes, panels):
        for start, measure in zip(starts, example["chords"]):
            for c in measure:
                for midi in c["pitches"]:
                    ax.add_patch(Rectangle((start + c["offset_ql"], midi - 0.4), c["duration_ql"],
                                           0.8, facecolor=CHORD_COLOUR, edgecolor="none"))
        for onset, duration, midi in notes:
            ax.add_patch(Rectangle((onset, midi - 0.45), duration, 0.9, facecolor="#1f77b4",
                                   edgecolor="black", linewidth=0.3))
        for start in starts:
            ax.axvline(start, color="grey", linewidth=0.5)
        pitches = [m for _, _, m in notes] + [p for m in example["chords"] for c in m
                                              for p in c["pitches"]]
        ax.set_ylim(min(pitches, default=48) - 2, max(pitches, default=84) + 2)
        ax.set_xlim(0, starts[-1])
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("MIDI pitch")
    axes[-1].set_xlabel("quarter notes from the first bar line")
    return fig


# --------------------------------------------------------------------------- one call

def run_against(path: str | os.PathLike, *, models: Sequence | None = None, seed: int = 0,
                limit: int | None = None, temperature: float | None = None,
                max_bars: int | None = None) -> dict:
    """Read the real solos at `path` (the first `limit`, each cut to `max_bars` bars if given),
    let each model improvise over each one's chords (seed ``seed + i``) and return
    `against_report`.  `models`: names, directories or model objects
    (see `resolve_models`); None: the shipped models and the Markov baselines.  `temperature`
    None: each model's own default (course 0.5, baselines and note model 1.0).  The same
    arguments give the same report."""
    from jazzsolo.config import check_setting

    check_setting("seed", seed)
    check_setting("limit", limit)
    check_setting("temperature", temperature)
    check_setting("max_bars", max_bars)
    real, skipped, kind = read_real_solos(path, limit=limit, max_bars=max_bars)
    if not real:
        raise ConfigError(f"{path}: no usable solos ({len(skipped)} skipped)")
    resolved = resolve_models(models, temperature=temperature)
    generated = {m.name: generate_over(real, m, seed=seed) for m in resolved}
    training = {m.name: m.training_notes(real, kind) if hasattr(m, "training_notes") else None
                for m in resolved}
    return against_report(real, generated, training=training, seed=seed, source=str(path),
                          kind=kind, skipped=skipped, temperature=temperature)


def against_json(report: dict) -> str:
    """The report as indented strict JSON (NaN never occurs; None is null)."""
    return json.dumps(report, indent=2, allow_nan=False)


def run_against_command(args) -> str:
    """`jazzsolo evaluate --against DIR [--model M ...] [--seed S] [--limit N] [--max_bars B]
    [--temperature T] [--json] [--plots DIR]`: the report as a table or JSON; with --plots,
    the PNGs are written first and named in a last line of the table."""
    models = getattr(args, "model", None)
    if isinstance(models, (str, os.PathLike)):
        models = [models]
    report = run_against(args.against, models=models or None, seed=getattr(args, "seed", 0),
                         limit=getattr(args, "limit", None),
                         temperature=getattr(args, "temperature", None),
                         max_bars=getattr(args, "max_bars", None))
    written = []
    if getattr(args, "plots", None):
        written = plot_against(report, args.plots, overwrite=getattr(args, "overwrite", False))
    if getattr(args, "json", False):
        return against_json(report)
    text = format_against(report)
    return text + (f"\nWrote {len(written)} plots to {args.plots}" if written else "")


__all__ = ["CourseModel", "MarkovModel", "NoteModel", "SoloModel", "against_json",
           "against_report", "blind_test", "default_models", "format_against", "generate_over",
           "giveaways", "plot_against", "resolve_models", "run_against", "run_against_command"]
