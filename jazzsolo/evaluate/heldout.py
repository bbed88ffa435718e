"""Held-out solos (a WJazzD folder or .db) → the per-note likelihood of every note model beside
pitch and rhythm n-grams over the same tokens (`jazzsolo evaluate --heldout`)."""
from __future__ import annotations

import json
import math

import numpy as np

from jazzsolo.errors import ConfigError


def heldout_report(path, *, models=None, train_corpus=None) -> dict:
    """Per-note pitch and rhythm perplexity on the solos at `path` (a WJazzD folder or .db) of
    each model (names or directories; None: the default model) that gives its notes a
    probability, and of pitch and rhythm n-grams (``bigram``, ``trigram``, add-k 0.1).

    The n-grams are trained on `train_corpus` (its solos at `path` left out) when given, else
    on the other solos at `path`, one solo left out at a time; the report says which.
    """
    from jazzsolo.generate.families import ScoresNotes, load_model
    from jazzsolo.ingest.corpus import read_corpus

    solos = read_corpus(path).solos
    entries = []
    for spec in models or [None]:
        model = load_model(spec)
        if not isinstance(model, ScoresNotes):
            raise ConfigError(f"{model.name}: a {model.family} model gives no probability to "
                              f"the notes of a real solo; held-out likelihood scores models "
                              f"that do (note models trained on a corpus)")
        entries.append(_entry(model.name, len(solos), model_perplexity(model, solos)))
    train = None
    if train_corpus is not None:
        names = {s.name for s in solos}
        train = [s for s in read_corpus(train_corpus).solos if s.name not in names]
    for order, label in ((2, "bigram"), (3, "trigram")):
        entries.append(_entry(label, len(solos), ngram_perplexity(solos, order, train=train)))
    return {"heldout": {"path": str(path), "n_solos": len(solos),
                        "baselines_trained_on": str(train_corpus) if train_corpus else
                        "the other held-out solos (leave one out)"},
            "likelihood": entries}


def model_perplexity(model, solos) -> dict:
    """Per-note pitch and rhythm perplexity from the probabilities a model gives each note of
    the solos (`families.ScoresNotes`); ``lstm_pitch_perplexity`` too where it reports one."""
    sums: dict[str, float] = {}
    n_notes = 0
    for solo in solos:
        probabilities = model.note_probabilities(solo)
        for key, p in probabilities.items():
            sums[key] = sums.get(key, 0.0) - float(np.sum(np.log(np.asarray(p, dtype=float))))
        n_notes += len(probabilities["pitch"])
    return {"n_notes": n_notes, **{f"{key}_perplexity": math.exp(total / max(n_notes, 1))
                                   for key, total in sums.items()}}


def _entry(model: str, n_solos: int, scores: dict) -> dict:
    entry = {"model": model, "n_solos": n_solos, "n_notes": scores["n_notes"],
             "pitch_perplexity": scores["pitch_perplexity"],
             "rhythm_perplexity": scores["rhythm_perplexity"]}
    if "lstm_pitch_perplexity" in scores:       # the note model without its solo cache
        entry["lstm_pitch_perplexity"] = scores["lstm_pitch_perplexity"]
    return entry


def ngram_perplexity(solos, order: int, *, train=None, add_k: float = 0.1) -> dict:
    """Pitch and rhythm n-grams of one order, add-k smoothed, over the note model's tokens:
    trained on `train`, or each solo scored by chains trained on all the others."""
    from jazzsolo.encodings.note_events import N_DURATION_TOKENS, N_PITCHES
    from jazzsolo.evaluate.note_likelihood import NGram, _encoded, _pitch_pairs, _rhythm_pairs

    encoded = _encoded(solos)
    if train is not None:
        folds = [(None, _encoded(train))]
    else:
        folds = [(i, encoded[:i] + encoded[i + 1:]) for i in range(len(encoded))]
    pitch_nll = rhythm_nll = 0.0
    n_notes = 0
    for held, training in folds:
        pitch = NGram(order, N_PITCHES, add_k=add_k).fit(
            p for s in training for p in _pitch_pairs(s, order))
        rhythm = NGram(order, N_DURATION_TOKENS, add_k=add_k).fit(
            p for s in training for p in _rhythm_pairs(s, order))
        tested = encoded if held is None else [encoded[held]]
        for solo in tested:
            pitch_pairs, rhythm_pairs = _pitch_pairs(solo, order), _rhythm_pairs(solo, order)
            pitch_nll -= sum(math.log(pitch.probability(c, s)) for c, s in pitch_pairs)
            rhythm_nll -= sum(math.log(rhythm.probability(c, s)) for c, s in rhythm_pairs)
            n_notes += len(pitch_pairs)
    return {"n_notes": n_notes, "pitch_perplexity": math.exp(pitch_nll / max(n_notes, 1)),
            "rhythm_perplexity": math.exp(rhythm_nll / max(n_notes, 1))}


def format_heldout(report: dict) -> str:
    """The likelihood report as a text table."""
    rows = [("model", "solos", "notes", "pitch ppl", "rhythm ppl")] + [
        (e["model"], str(e["n_solos"]), str(e["n_notes"]), f"{e['pitch_perplexity']:.2f}",
         f"{e['rhythm_perplexity']:.3f}") for e in report["likelihood"]]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(row, widths))) for row in rows]
    held = report["heldout"]
    lines += [f"({e['model']} without its solo cache: pitch ppl {e['lstm_pitch_perplexity']:.2f})"
              for e in report["likelihood"] if "lstm_pitch_perplexity" in e]
    return "\n".join([f"Held-out solos: {held['path']} ({held['n_solos']}); n-grams trained on "
                      f"{held['baselines_trained_on']}; per note, a note known to start", *lines])


def heldout_json(report: dict) -> str:
    """The likelihood report as indented JSON."""
    return json.dumps(report, indent=2)


__all__ = ["format_heldout", "heldout_json", "heldout_report", "ngram_perplexity"]
