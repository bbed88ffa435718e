"""Real solos with their chords + models → generated solos over the same chords, their figures
beside the players', the calibrated judges and a copy check: `jazzsolo evaluate --against DIR`.

For each real solo (a WJazzD folder or ``.db``, or a folder of MIDI files with a "Solo" and a
"Chords" track) every model improvises `SEED_BLOCKS` = 2 solos over the same chords, metre, tempo
and length: solo i of block k has seed ``seed + k * SEED_BLOCK + i`` (`seed_starts`; the block
step is the number of solos when there are more than 1000).  The figures of
`jazzsolo.evaluate.against_figures` are taken of every solo and summarised by their 10th, 50th
and 90th percentiles; a model's figure is marked *outside* when its median falls outside the
real solos' 10th-90th percentile.  The jazz figures of `jazzsolo.evaluate.jazz_figures` are
summarised by their 10th, 25th, 50th, 75th and 90th percentiles, and a model's jazz figure is
marked outside when its median falls outside the players' 25th-75th percentile.  The copy check
is the longest run of notes each solo shares with the model's training solos
(`jazz_figures.SharedRuns`), beside the same for the real solos (each left out of the training
solos when it is one of them).

The judges (`jazzsolo.evaluate.judges.calibrated_judges`: logistic regression, boosted trees
and a sequence CNN on 16-bar excerpts, `--judges` to choose) try to tell each model's excerpts
from the players', beside the calibration rows real vs real (≈ 0.5) and two crude fakes
(≈ 0.9).  Their folds keep each tune and performer on one side: from ``solo_info.csv`` in a
WJazzD folder (or beside a ``.db``), else from WJazzD-style names; a MIDI file is its own tune.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from jazzsolo.evaluate.against_figures import (FIGURES, GRID_PER_QL, NoteTuple, SoloOverChords,
                                               histogram_overlap, interval_histogram, ioi_histogram,
                                               known_share, leave_one_out_shares, outside_figures,
                                               pattern_ngrams, percentiles, read_real_solos,
                                               solo_figures)
from jazzsolo.evaluate.judges import (EXCERPT_BARS, JUDGES, JudgeConfig, SequenceConfig,
                                      calibrated_judges, read_solo_info)
from jazzsolo.config import DEFAULT_MODEL, SamplingOptions
from jazzsolo.errors import ConfigError, JazzsoloError, ModelDirError
from jazzsolo.evaluate.against_output import (JAZZ_QUANTILES, format_against, plot_against,
                                              plot_paths)

BASELINE_TEMPERATURE = 1.0           # the baselines sample their chains as `evaluate` does
EXAMPLE_BARS = 8                     # bars of the first solo kept for the piano rolls
BASELINE_NAMES = ("uniform", "unigram", "bigram", "trigram")
SEED_BLOCKS = 2                      # solos each model improvises over each real solo
SEED_BLOCK = 1000                    # seed step between blocks (the number of solos if larger)
COPY_QUANTILES = (50, 90, 100)       # percentiles of the longest shared runs (100: the longest)
COPY_LEFT_OUT = 20                   # real solos in the training data measured left out of it


@dataclass(frozen=True)
class JudgeSettings:
    """Which judges `evaluate --against` runs, over how many bars, and how they are trained."""

    names: tuple[str, ...] = JUDGES          # any of logistic, boosting, sequence; () for none
    bars: int = EXCERPT_BARS                 # bars per excerpt
    config: JudgeConfig = JudgeConfig()      # folds, bootstrap, the scikit-learn judges
    sequence: SequenceConfig = SequenceConfig()  # the sequence CNN
    features: Callable | None = None         # None: `jazz_figures.figure_vector`


def parse_judges(text: str) -> tuple[str, ...]:
    """Judge names from a comma-separated list (``all``: every judge, ``none``: no judges).

    >>> parse_judges("boosting, logistic"), parse_judges("none")
    (('logistic', 'boosting'), ())
    """
    names = [name.strip() for name in str(text).split(",") if name.strip()]
    if names == ["all"]:
        return JUDGES
    if names in (["none"], []):
        return ()
    unknown = [name for name in names if name not in JUDGES]
    if unknown:
        raise ConfigError(f"unknown judge {unknown[0]!r}; give a comma-separated list of "
                          f"{', '.join(JUDGES)}, or all or none", setting="judges")
    return tuple(name for name in JUDGES if name in names)


def seed_starts(seed: int, n_solos: int, *, blocks: int = SEED_BLOCKS) -> list[int]:
    """The seed of each block's first solo: `seed`, then every `SEED_BLOCK` (or `n_solos`) on.

    >>> seed_starts(5, 3), seed_starts(0, 1500)
    ([5, 1005], [0, 1500])
    """
    step = max(SEED_BLOCK, n_solos)
    return [seed + k * step for k in range(blocks)]


# --------------------------------------------------------------------------- models

class MarkovModel:
    """A Markov-chain baseline (`jazzsolo.evaluate.baselines`) over a course model's training
    values, behind the same `families.SoloModel` contract as every model."""

    family = "markov"
    accepts = frozenset({"temperature"})
    directory = None
    tune_chords = None

    def __init__(self, order_name: str, course, *, temperature: float | None = None):
        from jazzsolo.evaluate.baselines import baseline_models

        trained = course.trained
        if not trained.corpus:
            raise ModelDirError("the Markov baselines need the training values (corpus.json) "
                                "of a course model directory")
        values_indices = {v: i for i, v in enumerate(trained.values)}
        self.chain = baseline_models(trained.corpus, values_indices)[order_name]
        self.course, self.trained, self.name = course, trained, order_name
        self.measure_ql = course.measure_ql
        self.temperature = BASELINE_TEMPERATURE if temperature is None else temperature

    def improvise(self, chord_measures, *, measure_lengths_ql, time_signatures, seed, qpm,
                  options=SamplingOptions()):
        from jazzsolo.generate.measures import generate_solo

        self.chain.reset()
        temperature = self.temperature if options.temperature is None else options.temperature
        return generate_solo(None, self.trained.indices_values, chord_measures, seed=seed,
                             temperature=temperature, sampler=self.chain,
                             measure_lengths_ql=measure_lengths_ql,
                             time_signatures=time_signatures)

    def describe(self) -> list[tuple[str, str]]:
        return [("chain", f"{self.name} over the values of {self.course.name}")]

    def training_notes(self, real_solos, kind):
        return self.course.training_notes(real_solos, kind)


DEFAULT_MODELS = (DEFAULT_MODEL, "course", "baselines")


def resolve_models(specs: Sequence | None = None, *, temperature: float | None = None) -> list:
    """Models from names, directories or `SoloModel` objects; None: `DEFAULT_MODELS`.

    Names: those of `config.MODEL_NAMES`, ``uniform``/``unigram``/``bigram``/``trigram`` or
    ``baselines`` (all four, over the first course-family model's training values, else the
    shipped course model's).  A directory is loaded by the family its config.json names.
    `temperature` (None: each model's own) is the temperature every model samples at.
    """
    from jazzsolo.generate.families import load_model
    from jazzsolo.models.model_dir import FAMILY as COURSE_FAMILY

    models, baselines = [], []
    for spec in DEFAULT_MODELS if specs is None else specs:
        if hasattr(spec, "improvise"):
            models.append(spec)
        elif str(spec) in ("baselines", "markov"):
            baselines.extend(BASELINE_NAMES)
        elif str(spec) in BASELINE_NAMES:
            baselines.append(str(spec))
        else:
            models.append(load_model(spec))
    if baselines:
        course = next((m for m in models if m.family == COURSE_FAMILY), None) \
            or load_model("course")
        models += [MarkovModel(name, course, temperature=temperature)
                   for name in dict.fromkeys(baselines)]
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ConfigError(f"two models share a name: {', '.join(names)}")
    if not models:
        raise ConfigError("no models to compare with the real solos")
    return models


def solo_notes(solo) -> list[NoteTuple]:
    """A `measures.Solo`'s notes as (onset_ql, duration_ql, midi) from the first bar line."""
    return [(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()]


def generate_over(real: Sequence[SoloOverChords], model, *, seed: int = 0,
                  temperature: float | None = None,
                  options: SamplingOptions | None = None) -> list[SoloOverChords]:
    """One solo by `model` over each real solo's chords, metre, tempo and length (seed + i),
    at `temperature` (None: the model's own), or as `options` ask (a voice, a density ...),
    as the band plays it (`as_played`)."""
    if options is None:
        options = SamplingOptions(temperature=temperature)
    out = []
    for i, solo in enumerate(real):
        played = model.improvise(solo.chord_measures,
                                 measure_lengths_ql=list(solo.measure_lengths_ql),
                                 time_signatures=list(solo.time_signatures),
                                 seed=seed + i, qpm=solo.qpm, options=options)
        end = solo.length_ql - 1e-6
        notes = [n for n in solo_notes(played) if n[0] < end]
        out.append(solo.with_notes(f"{model.name} over {solo.name}",
                                   as_played(notes, solo, seed + i, getattr(played, "touch", None))))
    return out


def as_played(notes: Sequence[NoteTuple], solo: SoloOverChords, seed: int,
              touch: float | None = None) -> list[NoteTuple]:
    """Written notes with the lengths the band plays them (`performance.perform`'s articulation,
    measured from the players, seeded, with the generated solo's `touch`), on the straight grid.

    The real solos' lengths are as the players sounded them and their onsets on the annotated
    straight grid, so a generated solo is measured as it sounds, without swing, and its lengths
    are rounded to the real solos' grid (`GRID_PER_QL`, at least one step): a judge must not
    tell solos apart by lengths no real solo can have.
    """
    from jazzsolo.music.notes import TimedNotes
    from jazzsolo.generate.performance import perform
    from jazzsolo.music.metre import metre_changes

    changes = metre_changes(solo.measure_lengths_ql, solo.time_signatures)
    played = perform([TimedNotes(o, d, (m,)) for o, d, m in notes], qpm=solo.qpm,
                     swing_ratio=1.0, time_signatures=changes, rng=np.random.default_rng(seed),
                     touch=touch)
    return [(t.offset_ql, max(round(t.duration_ql * GRID_PER_QL), 1) / GRID_PER_QL, t.pitches[0])
            for t in played]


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


def _strict(value):
    """`value` with NaN and infinities as None, NumPy numbers as Python's, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_strict(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def jazz_spread(solos: Sequence[SoloOverChords]) -> dict[str, dict | None]:
    """The 10th, 25th, 50th, 75th and 90th percentiles of each jazz figure over `solos`
    (None where no solo defines it)."""
    from jazzsolo.evaluate.jazz_figures import FIGURES as JAZZ_FIGURES, jazz_figures

    per_solo = [jazz_figures(s) for s in solos]
    return {f: percentiles([p.get(f) for p in per_solo], JAZZ_QUANTILES) for f in JAZZ_FIGURES}


def outside_quartiles(model: dict, real: dict) -> list[str]:
    """The figures whose model median lies outside the real solos' 25th-75th percentile.

    >>> outside_quartiles({"a": {"p50": 5.0}, "b": {"p50": 1.0}},
    ...                   {"a": {"p25": 1, "p75": 4}, "b": {"p25": 0, "p75": 2}})
    ['a']
    """
    return outside_figures(model, {name: spread and {"p10": spread["p25"], "p90": spread["p75"]}
                                   for name, spread in real.items()})


def _notes_key(notes: Sequence) -> tuple:
    return tuple((round(float(o), 6), round(float(d), 6), int(m)) for o, d, m in notes)


def _longest_runs(solos: Sequence[SoloOverChords], training: Sequence, *,
                  leave_out: bool = False) -> list[int]:
    """The longest run (intervals) each solo shares with the training note lists; with
    `leave_out`, a solo whose notes are one of those lists is measured against the others, for
    the first `COPY_LEFT_OUT` such solos only (each needs an index of its own)."""
    from jazzsolo.evaluate.jazz_figures import SharedRuns

    keys = [_notes_key(notes) for notes in training]
    runs, found, left_out = SharedRuns.from_notes(list(training)), [], 0
    for solo in solos:
        key = _notes_key(solo.notes) if leave_out else None
        if key not in keys:
            found.append(runs.longest(solo.notes))
        elif left_out < COPY_LEFT_OUT:
            left_out += 1
            others = [notes for notes, k in zip(training, keys) if k != key]
            found.append(SharedRuns.from_notes(others).longest(solo.notes) if others else 0)
    return found


def _run_spread(runs: Sequence[int]) -> dict:
    """{"p50", "p90", "max", "n"} of some longest runs (None each when there are none)."""
    values = [float(np.percentile(runs, q)) if len(runs) else None for q in COPY_QUANTILES]
    return {**dict(zip(("p50", "p90", "max"), values)), "n": len(runs)}


def copy_check(real: Sequence[SoloOverChords], solos: Sequence[SoloOverChords],
               training: Sequence | None, *, cache: dict | None = None) -> dict | None:
    """The longest run of intervals each generated solo shares with `training` (note lists,
    `jazz_figures.SharedRuns`) and the same for the real solos (left out of `training` when in
    it): ``{"generated": spread, "real": spread}``, each spread the 50th and 90th percentiles,
    the longest and the number of solos; None without training notes.  `cache` keeps the real
    solos' runs for models with the same training notes."""
    if not training:
        return None
    cache = {} if cache is None else cache
    key = tuple(_notes_key(notes) for notes in training)
    if key not in cache:
        cache[key] = _longest_runs(real, training, leave_out=True)
    return {"generated": _run_spread(_longest_runs(solos, training)),
            "real": _run_spread(cache[key])}


def solo_groups(path: str | os.PathLike, kind: str, real: Sequence[SoloOverChords]
                ) -> dict | str | None:
    """The split groups' source for `calibrated_judges`: ``solo_info.csv`` in a WJazzD folder
    (or beside a ``.db``) when there is one, else None (WJazzD names are parsed); for MIDI
    files each solo is its own tune and performer."""
    if kind != "corpus":
        return {s.name: (s.name, s.name) for s in real}
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    info = folder / "solo_info.csv"
    return read_solo_info(info) if info.is_file() else None


def run_judges(real: Sequence[SoloOverChords], generated: dict[str, list[SoloOverChords]], *,
               settings: JudgeSettings | None, groups=None, seed: int = 0) -> dict:
    """`calibrated_judges` of the real solos and every model's, as strict JSON values; when
    the judges cannot run (too few excerpts or groups), ``{"skipped": why}``."""
    if settings is None or not settings.names:
        return {"skipped": "no judges chosen"}
    try:
        result = calibrated_judges(real, generated, groups=groups, seed=seed, bars=settings.bars,
                                   features=settings.features, judges=settings.names,
                                   config=settings.config, sequence=settings.sequence)
    except ConfigError:
        raise
    except JazzsoloError as e:
        return {"skipped": str(e)}
    return _strict(result)


def against_report(real: Sequence[SoloOverChords], generated: dict[str, list[SoloOverChords]], *,
                   training: dict[str, list | None] | None = None, seed: int = 0,
                   source: str = "", kind: str = "corpus", skipped: Sequence = (),
                   temperature: float | None = None, groups=None,
                   judges: JudgeSettings | None = JudgeSettings()) -> dict:
    """The comparison as a JSON-ready dict ``{"against": {...}}``.

    `generated` maps each model's name to its solos, one or more blocks of one solo per real
    solo in the same order (`seed_starts`); `training` maps a model's name to the note lists it
    was trained on (for novelty and the copy check; None or missing: None).  Rows: ``real``
    first, then each model, each with ``figures`` (p10/p50/p90 of every figure), ``outside``,
    ``histograms`` (pooled counts and their overlap with the players'; for ``real``, between its
    even and odd solos), ``jazz_figures`` (p10/p25/p50/p75/p90), ``jazz_outside`` (median outside
    the players' 25th-75th percentile) and ``copy`` (`copy_check`).  ``judges``: `run_judges`
    with `judges` settings (None: no judges) and `groups` (see `judges.split_groups`).
    """
    if not real:
        raise ConfigError("no real solos to compare with")
    training = training or {}
    real_hists = _histograms(real)
    even, odd = _histograms(real[0::2]), _histograms(real[1::2])
    real_row = _row("real", real, leave_one_out_shares(real), real_hists,
                    {h: histogram_overlap(even[h], odd[h]) for h in real_hists})
    real_row.update(outside=[], novelty_against="the other real solos",
                    jazz_figures=jazz_spread(real), jazz_outside=[], copy=None)
    rows, copies = [real_row], {}
    for name, solos in generated.items():
        if not solos or len(solos) % len(real):
            raise ConfigError(f"{name}: {len(solos)} generated solos is not one or more per "
                              f"real solo ({len(real)})")
        rows.append(_model_row(name, solos, real, real_row, real_hists, training.get(name),
                               copies))
    rows = [{key: row[key] for key in _ROW_KEYS} for row in rows]
    return {"against": {"source": str(source), "kind": kind, "n_solos": len(real),
                        "solos": [s.name for s in real],
                        "skipped": [list(item) for item in skipped], "seed": seed,
                        "seeds": seed_starts(seed, len(real), blocks=max(
                            (len(s) // len(real) for s in generated.values()), default=0)),
                        "temperature": temperature, "rows": _strict(rows),
                        "judges": run_judges(real, generated, settings=judges, groups=groups,
                                             seed=seed),
                        "example": _example(real, generated)}}


def _model_row(name: str, solos, real, real_row: dict, real_hists: dict, notes, copies: dict
               ) -> dict:
    """A model's row of `against_report`."""
    known = {g for n in notes for g in pattern_ngrams(n)} if notes else None
    novelty = [known_share(s, known) if known is not None else None for s in solos]
    hists = _histograms(solos)
    row = _row(name, solos, novelty, hists,
               {h: histogram_overlap(real_hists[h], hists[h]) for h in hists})
    jazz = jazz_spread(solos)
    row.update(outside=outside_figures(row["figures"], real_row["figures"]),
               novelty_against="its training data" if known is not None else None,
               jazz_figures=jazz, jazz_outside=outside_quartiles(jazz, real_row["jazz_figures"]),
               copy=copy_check(real, solos, notes, cache=copies))
    return row


_ROW_KEYS = ("model", "n_solos", "figures", "outside", "histograms", "novelty_against",
             "jazz_figures", "jazz_outside", "copy")


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


# --------------------------------------------------------------------------- one call

def run_against(path: str | os.PathLike, *, models: Sequence | None = None, seed: int = 0,
                limit: int | None = None, temperature: float | None = None,
                max_bars: int | None = None,
                judges: JudgeSettings | None = JudgeSettings()) -> dict:
    """Read the real solos at `path` (the first `limit`, each cut to `max_bars` bars if given),
    let each model improvise `SEED_BLOCKS` solos over each one's chords (`seed_starts`) and
    return `against_report`.  `models`: names, directories or `SoloModel` objects (see
    `resolve_models`); None: the shipped models and the Markov baselines.  `temperature` None:
    each model's own default.  `judges`: which judges and how (None: none).  The same
    arguments give the same report."""
    from jazzsolo.config import check_setting

    check_setting("seed", seed)
    check_setting("limit", limit)
    check_setting("temperature", temperature)
    check_setting("max_bars", max_bars)
    real, skipped, kind = read_real_solos(path, limit=limit, max_bars=max_bars)
    if not real:
        raise ConfigError(f"{path}: no usable solos ({len(skipped)} skipped)")
    groups = solo_groups(path, kind, real)
    resolved = resolve_models(models, temperature=temperature)
    generated = {m.name: [solo for start in seed_starts(seed, len(real))
                          for solo in generate_over(real, m, seed=start, temperature=temperature)]
                 for m in resolved}
    training = {m.name: m.training_notes(real, kind) if hasattr(m, "training_notes") else None
                for m in resolved}
    return against_report(real, generated, training=training, seed=seed, source=str(path),
                          kind=kind, skipped=skipped, temperature=temperature, groups=groups,
                          judges=judges)


def against_json(report: dict) -> str:
    """The report as indented strict JSON (NaN never occurs; None is null)."""
    return json.dumps(report, indent=2, allow_nan=False)


def run_against_command(args) -> str:
    """`jazzsolo evaluate --against DIR [--model M ...] [--seed S] [--limit N] [--max_bars B]
    [--temperature T] [--judges J,...] [--json] [--plots DIR]`: the report as text or JSON;
    with --plots, the PNGs are written first and counted in a last line of the text."""
    models = getattr(args, "model", None)
    if isinstance(models, (str, os.PathLike)):
        models = [models]
    names = getattr(args, "judges", None)
    settings = JudgeSettings() if names is None else JudgeSettings(names=parse_judges(names))
    report = run_against(args.against, models=models or None, seed=getattr(args, "seed", 0),
                         limit=getattr(args, "limit", None),
                         temperature=getattr(args, "temperature", None),
                         max_bars=getattr(args, "max_bars", None), judges=settings)
    written = []
    if getattr(args, "plots", None):
        written = plot_against(report, args.plots, overwrite=getattr(args, "overwrite", False))
    if getattr(args, "json", False):
        return against_json(report)
    text = format_against(report)
    return text + (f"\nWrote {len(written)} plots to {args.plots}" if written else "")


__all__ = ["DEFAULT_MODELS", "JudgeSettings", "MarkovModel", "SEED_BLOCK", "SEED_BLOCKS",
           "against_json", "against_report", "copy_check", "format_against", "generate_over",
           "jazz_spread", "outside_quartiles", "parse_judges", "plot_against", "plot_paths",
           "resolve_models", "run_against", "run_against_command", "run_judges", "seed_starts",
           "solo_groups", "solo_notes"]
