"""Solos → report card: the measures of `solo_metrics` and `baselines` as one table, and the
`jazzsolo evaluate` command that prints it."""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from jazzsolo.evaluate.baselines import (HeldOutSplit, LSTMValueModel, ValueModel, baseline_models,
                                         early_stopped_lstm, heldout_cross_entropy, improvise,
                                         split_heldout, train_value_lstm)
from jazzsolo.config import MAX_COPY, ModelConfig
from jazzsolo.errors import ConfigError
from jazzsolo.generate.measures import copy_guard_for
from jazzsolo.encodings.course_data import get_corpus_data
from jazzsolo.ingest.preprocess import find_training_midi
from jazzsolo.music.notes import Note
from jazzsolo.evaluate.solo_metrics import (HARMONY_CLASSES, HISTOGRAMS, SoloTake,
                                            distance_to_reference, harmony_shares, novelty,
                                            read_midi_tracks, summarise_statistics, take_from_midi,
                                            take_from_notes, take_from_solo)

# --- The report ---------------------------------------------------------------------------------

@dataclass
class Reference:
    """The training tune as evaluation needs it: its solo as a take and its grammar strings."""

    path: Path
    take: SoloTake
    grammars: list[str]

    @property
    def corpus(self) -> list[str]:
        return [v for g in self.grammars for v in g.split()]


def load_reference(path: str | os.PathLike | None = None, preset: str | None = None) -> Reference:
    """Read the training tune's solo (found as `find_training_midi` finds it) as a take.

    Any MIDI file that `jazzsolo train` can read works: the Metheny tune with its course
    preset, any other through the automatic melody and chord finder.
    """
    from jazzsolo.encodings.course_data import load_training_corpus
    from jazzsolo.ingest.preprocess import preset_for

    path = find_training_midi(path)
    data = load_training_corpus([path], preset=preset or preset_for(path)).data[0]
    measure_ql = data.measure_ql
    notes = [Note(i * measure_ql + float(n.offset), float(n.quarterLength), int(n.pitch.midi))
             for i, measure in enumerate(data.measures) for n in measure]
    values = [g.split() for g in data.abstract_grammars]
    take = take_from_notes("training solo", notes, data.chords, measure_ql=measure_ql,
                           values=values)
    return Reference(Path(path), take, list(data.abstract_grammars))


def describe_takes(name: str, takes: Sequence[SoloTake], reference: Reference) -> dict:
    """One table row: harmony, statistics, distance to the training solo and novelty of takes."""
    shares = harmony_shares(takes)
    summary = summarise_statistics(takes)
    reference_summary = summarise_statistics([reference.take])
    return {"name": name, "n_solos": len(takes),
            "harmony": {"note_share": shares.note_share, "time_share": shares.time_share,
                        "n_notes": shares.n_notes},
            "statistics": summary,
            "distance_to_training": distance_to_reference(summary, reference_summary),
            "novelty": novelty(takes, reference.corpus),
            "heldout": None}


@dataclass
class EvaluationSettings:
    """How many solos each model improvises for the report, and how likelihood is measured."""

    n_solos: int = 20                           # solos per model (seeds seed … seed + n − 1)
    temperature: float = 1.0                    # sampling temperature for every model
    seed: int = 0                               # first seed
    heldout_measures: int = 3                   # last measures of the tune held out
    heldout_epochs: int = 0                     # epochs for the held-out LSTM; 0 = no LSTM loss
    n_a: int = ModelConfig.n_a                  # LSTM units of the held-out LSTM
    add_k: float = 0.1                          # add-k smoothing of the Markov chains
    max_copy: int = MAX_COPY                    # the model's copy guard, as `jazzsolo generate`
    model_name: str = "model"                   # the row of the model's own solos


def _generated_rows(reference: Reference, trained, settings: EvaluationSettings) -> list[dict]:
    """Rows of solos improvised by the model's LSTM (if given) and by each baseline chain.

    All improvise over the same chord measures, the ones `jazzsolo generate` uses.
    """
    values_indices = get_corpus_data(reference.grammars)[2]
    indices_values = {i: v for v, i in values_indices.items()}
    chords = trained.chords if trained is not None else reference.take.chords
    improvisers = {name: (chain, indices_values) for name, chain in
                   baseline_models(reference.corpus, values_indices, add_k=settings.add_k).items()}
    guards = {}
    if trained is not None:
        name = settings.model_name
        improvisers = {name: (LSTMValueModel(trained.weights), trained.indices_values),
                       **improvisers}
        guards[name] = copy_guard_for(trained, settings.max_copy)
    rows = []
    for name, (model, vocabulary) in improvisers.items():
        takes = [take_from_solo(improvise(model, vocabulary, chords, seed=seed,
                                          temperature=settings.temperature,
                                          measure_ql=reference.take.measure_ql,
                                          copy_guard=guards.get(name)),
                                f"{name} seed {seed}")
                 for seed in range(settings.seed, settings.seed + settings.n_solos)]
        rows.append(describe_takes(name, takes, reference))
    return rows


def heldout_results(reference: Reference, settings: EvaluationSettings = EvaluationSettings()
                    ) -> tuple[HeldOutSplit, dict]:
    """Held-out cross-entropy of the baselines, and of an LSTM if `heldout_epochs` > 0."""
    split = split_heldout(reference.grammars, settings.heldout_measures)
    models: dict[str, ValueModel] = dict(baseline_models(split.train, split.values_indices,
                                                         add_k=settings.add_k))
    if settings.heldout_epochs > 0:
        models["LSTM"] = LSTMValueModel(train_value_lstm(
            split.train, split.values_indices, epochs=settings.heldout_epochs, n_a=settings.n_a))
        weights, best = early_stopped_lstm(split, reference.grammars, n_a=settings.n_a)
        models[f"LSTM stopped at epoch {best}"] = LSTMValueModel(weights)
    return split, heldout_cross_entropy(split, models)


def build_report(reference: Reference, *, solo_sets: dict[str, list[SoloTake]] | None = None,
                 trained=None, settings: EvaluationSettings = EvaluationSettings()) -> dict:
    """The report as a JSON-ready dict: training solo, given solos, LSTM and baselines."""
    rows = [describe_takes("training solo", [reference.take], reference)]
    rows += [describe_takes(name, takes, reference) for name, takes in (solo_sets or {}).items()]
    rows += _generated_rows(reference, trained, settings)
    split, heldout = heldout_results(reference, settings)
    for name in heldout:               # the LSTMs trained for the held-out measures only
        if not any(row["name"] == name for row in rows):
            rows.append({"name": name, "n_solos": 0})
    for row in rows:
        row["heldout"] = heldout.get(row["name"])
    return {"reference": {"path": str(reference.path), "n_measures": len(reference.grammars),
                          "n_values": len(reference.corpus),
                          "n_distinct": len(set(reference.corpus))},
            "heldout": {"n_measures": split.n_heldout_measures, "n_values": len(split.heldout),
                        "unseen_share": split.unseen_share, "lstm_epochs": settings.heldout_epochs,
                        "add_k": settings.add_k},
            "settings": {"n_solos": settings.n_solos, "temperature": settings.temperature,
                         "seed": settings.seed},
            "rows": rows}


def _cell(value, spec: str = ".2f", scale: float = 1.0) -> str:
    """A number for the text table; missing or NaN values print as '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format(value * scale, spec)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns right-aligned under their headers, the first column left-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [" ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths))) for r in [headers, *rows]]
    return "\n".join(lines)


def _harmony_row(row: dict) -> list[str]:
    shares = row.get("harmony") or {}
    notes, times = shares.get("note_share", {}), shares.get("time_share", {})
    return [row["name"], str(row["n_solos"]),
            *(_cell(notes.get(c), ".1f", 100) for c in HARMONY_CLASSES),
            _cell(times.get("C"), ".1f", 100)]


def _statistics_row(row: dict) -> list[str]:
    stats, distance = row.get("statistics") or {}, row.get("distance_to_training") or {}
    return [row["name"], _cell(stats.get("pitch_class_entropy_bits")),
            _cell(stats.get("pitch_range"), ".1f"), _cell(stats.get("polyphony_rate"), ".3f"),
            _cell(stats.get("empty_beat_rate"), ".3f"),
            _cell(stats.get("mean_ioi_ql")),
            *(_cell(distance.get(h, {}).get("overlap")) for h in HISTOGRAMS)]


def _runs_text(found: dict) -> str:
    runs = found.get("longest_copied_run")
    return f"{found['longest_copied_run_median']:g} [{min(runs)}–{max(runs)}]" if runs else "—"


def _novelty_row(row: dict) -> list[str]:
    found, heldout = row.get("novelty") or {}, row.get("heldout") or {}
    return [row["name"], _runs_text(found), _cell(found.get("copied_4gram_share"), ".0f", 100),
            _cell(found.get("copied_8gram_share"), ".0f", 100), _runs_text(found.get("reread", {})),
            _cell(heldout.get("cross_entropy_nats")), _cell(heldout.get("perplexity"), ".1f"),
            _cell(heldout.get("seen_cross_entropy_nats"))]


def format_report(report: dict) -> str:
    """The report as three text tables: harmony, pitch/rhythm statistics, novelty and likelihood."""
    ref, held, settings = report["reference"], report["heldout"], report["settings"]
    rows = report["rows"]
    lstm_note = (f"LSTM trained {held['lstm_epochs']} epochs on the rest, and for the epoch "
                 f"count that did best on the measures before the held-out ones"
                 if held["lstm_epochs"]
                 else "no LSTM loss (heldout_epochs 0; 100 trains one in about 10 s)")
    return "\n\n".join([
        f"Reference: {Path(ref['path']).name}, {ref['n_measures']} measures, "
        f"{ref['n_values']} values ({ref['n_distinct']} distinct); generated rows: "
        f"{settings['n_solos']} solos each at temperature {settings['temperature']:g}, "
        f"seeds from {settings['seed']}.",
        "Harmony: % of notes that are chord (C), scale (S), approach (A), other (X) tones; "
        "C time = % of note time on chord tones\n" + _table(
            ["model", "solos", "C", "S", "A", "X", "C time"], [_harmony_row(r) for r in rows]),
        "Pitch and rhythm (means per solo); overlap of pooled histograms with the training solo's "
        "(1 = same)\n" + _table(
            ["model", "PC entropy", "range", "polyphony", "empty beats", "IOI ql",
             "PC ovl", "interval ovl", "length ovl", "IOI ovl"],
            [_statistics_row(r) for r in rows]),
        f"Novelty: longest run of values copied from the tune, median [min–max]; % of 4-/8-grams "
        f"found in it; the same run for values re-read from the notes.  Held-out: last {held['n_measures']} measures, {held['n_values']} values "
        f"({100 * held['unseen_share']:.0f} % unseen in training), nats per value, add-k "
        f"{held['add_k']:g}; {lstm_note}\n" + _table(
            ["model", "longest copy", "4-gram %", "8-gram %", "re-read copy", "held-out CE",
             "perplexity", "CE seen"],
            [_novelty_row(r) for r in rows])])


def _jsonable(value):
    """Arrays to lists and NaN to None, so the report is strict JSON."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def report_to_json(report: dict) -> str:
    """The report as indented, strict JSON."""
    return json.dumps(_jsonable(report), indent=2, allow_nan=False)


def evaluate_solo_files(paths: Sequence[str | os.PathLike], *, chords_from=None, model=None,
                        reference=None, settings: EvaluationSettings = EvaluationSettings()
                        ) -> dict:
    """The report card of MIDI solo files (one row each) beside the training tune, a course
    model's solos (`model`: a name or directory of the course family) and the baselines."""
    from jazzsolo.generate.families import load_model

    tracks = [read_midi_tracks(path) for path in paths]            # bad files fail first
    chords = None
    if chords_from is not None:
        from jazzsolo.ingest.chord_files import read_chords_file
        chords = read_chords_file(chords_from)
    takes = [take_from_midi(t, chords=chords) for t in tracks]     # before any slow work
    course = load_model(model) if model is not None else None
    if course is not None and not hasattr(course, "trained"):
        raise ConfigError(f"{course.name}: a {course.family} model; the report card measures "
                          f"models of the course's values against their tune (compare other "
                          f"models with the real solos of a corpus instead)")
    loaded = load_reference(reference)
    names = [t.name if [u.name for u in takes].count(t.name) == 1 else str(path)
             for t, path in zip(takes, paths)]
    if course is not None:
        settings = replace(settings, n_a=int(course.trained.weights.n_a), model_name=course.name)
    report = build_report(loaded, solo_sets={name: [take] for name, take in zip(names, takes)},
                          trained=course.trained if course is not None else None,
                          settings=settings)
    report["files"] = [row for row in report["rows"] if row["name"] in names]
    return report
