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

import io
import json
import math
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from jazzsolo.evaluate.against_figures import (FIGURES, NoteTuple, SoloOverChords,
                                               histogram_overlap, interval_histogram, ioi_histogram,
                                               known_share, leave_one_out_shares, outside_figures,
                                               pattern_ngrams, percentiles, read_real_solos,
                                               solo_figures)
from jazzsolo.evaluate.blind_test import blind_test, giveaways, real_against_real, segments
from jazzsolo.config import DEFAULT_MODEL, SamplingOptions
from jazzsolo.errors import ConfigError, ModelDirError, OutputExistsError

BASELINE_TEMPERATURE = 1.0           # the baselines sample their chains as `evaluate` does
EXAMPLE_BARS = 8                     # bars of the first solo kept for the piano rolls
BASELINE_NAMES = ("uniform", "unigram", "bigram", "trigram")


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
                  temperature: float | None = None) -> list[SoloOverChords]:
    """One solo by `model` over each real solo's chords, metre, tempo and length (seed + i),
    at `temperature` (None: the model's own), as the band plays it (`as_played`)."""
    options = SamplingOptions(temperature=temperature)
    out = []
    for i, solo in enumerate(real):
        notes = solo_notes(model.improvise(solo.chord_measures,
                                           measure_lengths_ql=list(solo.measure_lengths_ql),
                                           time_signatures=list(solo.time_signatures),
                                           seed=seed + i, qpm=solo.qpm, options=options))
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
    real_X, real_groups = segments(real)
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
        model_X, model_groups = segments(solos)
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
    `against_report`.  `models`: names, directories or `SoloModel` objects (see
    `resolve_models`); None: the shipped models and the Markov baselines.  `temperature` None:
    each model's own default.  The same arguments give the same report."""
    from jazzsolo.config import check_setting

    check_setting("seed", seed)
    check_setting("limit", limit)
    check_setting("temperature", temperature)
    check_setting("max_bars", max_bars)
    real, skipped, kind = read_real_solos(path, limit=limit, max_bars=max_bars)
    if not real:
        raise ConfigError(f"{path}: no usable solos ({len(skipped)} skipped)")
    resolved = resolve_models(models, temperature=temperature)
    generated = {m.name: generate_over(real, m, seed=seed, temperature=temperature)
                 for m in resolved}
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


__all__ = ["DEFAULT_MODELS", "MarkovModel", "against_json", "against_report",
           "format_against", "generate_over", "plot_against", "resolve_models",
           "run_against", "run_against_command", "solo_notes"]
