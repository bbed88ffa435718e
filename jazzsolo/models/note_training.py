"""A corpus of real solos → a trained note model directory (`jazzsolo train --corpus`)."""
from __future__ import annotations

import dataclasses
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
