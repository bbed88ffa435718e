"""A corpus of real solos → a trained note model directory (`jazzsolo train --corpus`), and
held-out solos → per-note likelihood of every model (`jazzsolo evaluate --heldout`)."""
from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

from jazzsolo.errors import ConfigError, OutputExistsError

VALIDATION_SHARE = 0.1                # of the solos, held out by solo for early stopping
SPLIT_SEED = 0


def train_on_corpus(corpus_path, output_dir, *, preset: str = "wjazzd",
                    max_epochs: int | None = None, seed: int | None = None,
                    resume: bool = False, overwrite: bool = False, progress: bool = True) -> str:
    """Read a WJazzD-style corpus, split it by solo, train the note LSTM with early stopping and
    save the best epoch; checkpoints go to ``output_dir/checkpoints`` every epoch, and with
    `resume` the run goes on from them as if it had not stopped.  Returns the summary line."""
    from jazzsolo.ingest.corpus import read_corpus, split_by_solo
    from jazzsolo.models.note_lstm import (CONFIG_FILE, WJAZZD_SOURCE, checkpoint_saver, get_note_preset,
                                           load_note_run, save_note_model, save_note_run,
                                           train_note_model)

    output_dir = Path(output_dir)
    if resume:
        run = load_note_run(output_dir)
        if (output_dir / CONFIG_FILE).exists():
            raise ConfigError(f"{output_dir}: the run finished already; nothing to resume")
        corpus_path, config = run["corpus"], _config(run["config"])
    else:
        if (output_dir / CONFIG_FILE).exists() and not overwrite:
            raise OutputExistsError(f"{output_dir}: holds a model already")
        overrides = {k: v for k, v in (("max_epochs", max_epochs), ("seed", seed)) if v is not None}
        config = dataclasses.replace(get_note_preset(preset), **overrides)
    corpus = read_corpus(corpus_path, progress=progress)
    train_names, val_names = split_by_solo(corpus, validation_share=VALIDATION_SHARE,
                                           seed=SPLIT_SEED)
    if not train_names or not val_names:
        raise ConfigError(f"{corpus_path}: {len(corpus.solos)} usable solos are too few to hold "
                          f"some out for validation; give at least 2")
    by_name = {s.name: s for s in corpus.solos}
    if not resume:
        save_note_run(output_dir, {"corpus": str(corpus_path), "validation": val_names,
                                   "config": dataclasses.asdict(config)})
    started = time.perf_counter()
    _, step_model, history = train_note_model(
        [by_name[n] for n in train_names], [by_name[n] for n in val_names], config,
        on_epoch_end=checkpoint_saver(output_dir), resume=output_dir if resume else None,
        progress=progress)
    meta = {"data": WJAZZD_SOURCE if "wjazzd" in str(corpus_path).lower() else str(corpus_path),
            "corpus_solos": len(corpus.solos), "training_solos": len(train_names),
            "validation_solos": val_names,
            "split": f"jazzsolo.ingest.corpus.split_by_solo(validation_share={VALIDATION_SHARE}, "
                     f"seed={SPLIT_SEED})",
            "epochs": len(history["val_loss"]), "best_epoch": history["best_epoch"],
            "training_seconds": round(time.perf_counter() - started, 1)}
    save_note_model(output_dir, step_model, config, meta, history=history, overwrite=True)
    skipped = f", {len(corpus.skipped)} skipped" if corpus.skipped else ""
    return (f"Trained on {len(train_names)} solos ({len(val_names)} for validation{skipped}): "
            f"{meta['epochs']} epochs, best {meta['best_epoch']} (validation loss "
            f"{min(history['val_loss']):.3f}); model saved to {output_dir}/")


def _config(data: dict):
    from jazzsolo.models.note_lstm import NoteModelConfig

    return NoteModelConfig.from_dict(data)


def heldout_report(path, *, models=None, train_corpus=None) -> dict:
    """Per-note pitch and rhythm perplexity on the solos at `path` (a WJazzD folder or .db) of
    each note model, and of pitch and rhythm n-grams (``bigram``, ``trigram``, add-k 0.1).

    The n-grams are trained on `train_corpus` (its solos at `path` left out) when given, else
    on the other solos at `path`, one solo left out at a time; the report says which.
    """
    from jazzsolo.ingest.corpus import read_corpus
    from jazzsolo.models.note_lstm import PRETRAINED_WJAZZD_DIR, is_note_model_dir, load_note_model

    solos = read_corpus(path).solos
    entries = []
    for name in models or [str(PRETRAINED_WJAZZD_DIR)]:
        directory = PRETRAINED_WJAZZD_DIR if name == "wjazzd" else Path(name)
        if not is_note_model_dir(directory):
            raise ConfigError(f"{name}: not a note model directory; --heldout scores models "
                              f"that give a probability to every MIDI pitch (jazzsolo train "
                              f"--corpus makes one)")
        from jazzsolo.evaluate.note_likelihood import heldout_perplexity

        scores = heldout_perplexity(load_note_model(directory), solos)
        entries.append(_entry("LSTM" if name in (None, "wjazzd") or directory ==
                              PRETRAINED_WJAZZD_DIR else str(name), len(solos), scores))
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
