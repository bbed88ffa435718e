"""Solos → report card: the measures of `solo_metrics` and `baselines` as one table, and the
`jazzsolo evaluate` command that prints it."""
from __future__ import annotations

import argparse
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from jazzsolo.evaluate.baselines import (HeldOutSplit, LSTMValueModel, ValueModel, baseline_models,
                                         early_stopped_lstm, heldout_cross_entropy, improvise,
                                         split_heldout, train_value_lstm)
from jazzsolo.config import check_setting
from jazzsolo.errors import ConfigError
from jazzsolo.generate.measures import copy_guard_for
from jazzsolo.ingest.preprocess import find_training_midi, get_corpus_data
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
    from jazzsolo.ingest.preprocess import load_training_corpus, preset_for

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
    n_a: int = 64                               # LSTM units of the held-out LSTM
    add_k: float = 0.1                          # add-k smoothing of the Markov chains
    max_copy: int = 8                           # the LSTM's copy guard, as `jazzsolo generate`


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
        improvisers = {"LSTM": (LSTMValueModel(trained.weights), trained.indices_values),
                       **improvisers}
        guards["LSTM"] = copy_guard_for(trained, settings.max_copy)
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
    for name in heldout:
        if name.startswith("LSTM") and not any(row["name"] == name for row in rows):
            rows.insert(1 + sum(r["name"].startswith("LSTM") for r in rows),
                        {"name": name, "n_solos": 0})
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
                 else "no LSTM loss: pass --heldout_epochs 100 to train one (~10 s)")
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


# --- Command line -------------------------------------------------------------------------------

def run_evaluate(args: argparse.Namespace) -> str:
    """`jazzsolo evaluate`: read the solos, build the report, return it as a table or JSON."""
    if args.against is not None and args.heldout is not None:
        raise ConfigError("give one of --against and --heldout")
    if args.against is not None:
        from jazzsolo.evaluate.against import run_against_command

        if args.solos:
            raise ConfigError("--against compares models with the real solos it holds; give "
                              "either SOLO.mid files or --against, not both")
        check_setting("limit", args.limit)
        check_setting("max_bars", args.max_bars)
        check_setting("temperature", args.temperature)
        check_setting("seed", args.seed)
        return run_against_command(args)
    if args.heldout is not None:
        from jazzsolo.evaluate.heldout import format_heldout, heldout_json, heldout_report

        if args.solos:
            raise ConfigError("--heldout scores models on the solos it holds; give either "
                              "SOLO.mid files or --heldout, not both")
        report = heldout_report(args.heldout, models=args.model, train_corpus=args.corpus)
        return heldout_json(report) if args.json else format_heldout(report)
    if not args.solos:
        raise ConfigError("give SOLO.mid files to score, --against DIR or --heldout DIR")
    if args.model is not None and len(args.model) > 1:
        raise ConfigError("several --model directories are compared only with --against")
    args.model = args.model[0] if args.model else None
    args.temperature = 1.0 if args.temperature is None else args.temperature
    check_setting("n_solos", args.n_solos)
    check_setting("temperature", args.temperature)
    check_setting("seed", args.seed)
    check_setting("heldout_epochs", args.heldout_epochs)
    check_setting("max_copy", args.max_copy)
    check_setting("heldout_measures", args.heldout_measures)
    tracks = [read_midi_tracks(path) for path in args.solos]       # bad files fail first
    chords = None
    if args.chords_from is not None:
        from jazzsolo.ingest.chord_files import read_chords_file
        chords = read_chords_file(args.chords_from)
    takes = [take_from_midi(t, chords=chords) for t in tracks]   # before any slow work
    trained = None
    if args.model is not None:
        from jazzsolo.models.model_dir import load_model_dir
        trained = load_model_dir(args.model)
    reference = load_reference(args.reference)
    names = [t.name if [u.name for u in takes].count(t.name) == 1 else str(t_path)
             for t, t_path in zip(takes, args.solos)]
    n_a = int(trained.weights.n_a) if trained is not None else 64
    settings = EvaluationSettings(n_solos=args.n_solos, temperature=args.temperature,
                                  seed=args.seed, heldout_measures=args.heldout_measures,
                                  heldout_epochs=args.heldout_epochs, n_a=n_a,
                                  max_copy=args.max_copy)
    report = build_report(reference, solo_sets={name: [take] for name, take in zip(names, takes)},
                          trained=trained, settings=settings)
    report["files"] = [row for row in report["rows"] if row["name"] in names]
    return report_to_json(report) if args.json else format_report(report)


def add_evaluate_command(subparsers) -> argparse.ArgumentParser:
    """Register `evaluate SOLO.mid [more ...] [--reference] [--model] [--json]` on `subparsers`."""
    evaluate = subparsers.add_parser(
        "evaluate", help="Score solos against the training tune, the LSTM and simple baselines.")
    evaluate.add_argument("solos", nargs="*", metavar="SOLO.mid",
                          help="MIDI files to score, one row each; the harmony is their 'Chords' "
                               "track, else their other pitched tracks, else --chords_from.")
    evaluate.add_argument("--chords_from", help="Measure the solos against the chords of this "
                                                "MusicXML lead sheet or MIDI accompaniment.")
    evaluate.add_argument("--reference", help="The training tune (default: $JAZZSOLO_MIDI, then "
                                              "data/original_metheny.mid, then ../shared/data/).")
    evaluate.add_argument("--model", nargs="+",
                          help="A directory written by 'jazzsolo train' (its solos make an "
                               "'LSTM' row); with --against, models to compare: directories or "
                               "names (course, wjazzd, baselines, uniform, unigram, bigram, "
                               "trigram; default: the shipped models and the baselines).")
    evaluate.add_argument("--against", metavar="DIR",
                          help="Real solos with their chords: a Weimar Jazz Database export "
                               "(melody/ + beats/ CSV) or .db, or a folder of MIDI files with a "
                               "solo and an accompaniment. Each model plays over the same "
                               "chords, metre, tempo and length; the figures, their spread and "
                               "a blind test (can a classifier tell them apart?) are reported.")
    evaluate.add_argument("--heldout", metavar="DIR",
                          help="Solos none of the models saw (a WJazzD export folder or .db): "
                               "print each note model's per-note pitch and rhythm perplexity "
                               "beside bigram and trigram chains over the same tokens.")
    evaluate.add_argument("--corpus", metavar="PATH",
                          help="With --heldout: train the chains on this corpus (its solos in "
                               "DIR left out) instead of on the other held-out solos.")
    evaluate.add_argument("--limit", type=int, help="With --against: use the first N solos.")
    evaluate.add_argument("--max_bars", type=int,
                          help="With --against: cut each real solo to its first N bars.")
    evaluate.add_argument("--plots", metavar="DIR",
                          help="With --against: write the histograms and a real and a generated "
                               "piano roll over the same chords as PNG files there.")
    evaluate.add_argument("--overwrite", action="store_true", help="Replace existing plots.")
    evaluate.add_argument("--n_solos", type=int, default=20,
                          help="Solos each model and baseline improvises for the table "
                               "(default: 20).")
    evaluate.add_argument("--temperature", type=float,
                          help="Sampling temperature of those solos (default: 1.0; with "
                               "--against, each model's own).")
    evaluate.add_argument("--max_copy", type=int, default=8,
                          help="The LSTM's solos copy at most this many consecutive values of "
                               "the tune, as with 'jazzsolo generate' (default: 8; 0: no limit).")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="Seed of the first generated solo; the others count up "
                               "(default: 0).")
    evaluate.add_argument("--heldout_measures", type=int, default=3,
                          help="Last measures of the tune held out for cross-entropy (default: 3).")
    evaluate.add_argument("--heldout_epochs", type=int, default=0,
                          help="Train an LSTM this many epochs on the other measures and "
                               "report its held-out cross-entropy, beside one stopped early on "
                               "the measures before them; 100 takes about 10 s (default: 0, "
                               "skip).")
    evaluate.add_argument("--json", action="store_true", help="Print the report as JSON.")
    evaluate.set_defaults(run=run_evaluate)
    return evaluate
