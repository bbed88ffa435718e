"""Train the note LSTM shipped in jazzsolo/pretrained/wjazzd on the Weimar Jazz Database solos.

Run from the repository root (the data is never copied into the repository):
    .venv/bin/python scripts/train_wjazzd.py [../shared/data/wjazzd] [--max_epochs 40]

Splits the solos by solo (seed 0, 10 % validation), trains with `NoteModelConfig` (the
``wjazzd`` preset and any overrides), checkpointing every epoch in ``--work_dir`` (``--resume``
goes on from there), saves the best epoch and the split (``split.json``: the training and
validation solos' names) to ``--output_dir``, then prints the validation
perplexities of the model and of the n-gram baselines, the figures of solos generated over the
validation solos' chords against the real ones, training time, epochs, model size, and the
time and memory of generating 32 bars in a fresh process.  Everything printed is also written
to ``evaluation.json`` beside the model.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

from jazzsolo.ingest.corpus import read_corpus
from jazzsolo.ingest.corpus_split import split_corpus, write_split
from jazzsolo.ingest.solo_info import labels_beside
from jazzsolo.files import write_atomic
from jazzsolo.files import json_bytes
from jazzsolo.encodings.note_events import encode_corpus_solo
from jazzsolo.evaluate.note_likelihood import (FIGURES, baseline_perplexities, generated_figures,
                                               heldout_perplexity, tune_cache)
from jazzsolo.config import NOTE_RHYTHM_TEMPERATURE as DEFAULT_RHYTHM_TEMPERATURE
from jazzsolo.config import NOTE_TEMPERATURE as DEFAULT_TEMPERATURE
from jazzsolo.models.note_lstm import (CONFIG_FILE, PRETRAINED_WJAZZD_DIR, WJAZZD_SOURCE,
                                       get_note_preset, load_note_model, model_size_bytes,
                                       save_note_model)
from jazzsolo.models.note_training import checkpoint_saver, save_note_run, train_note_model

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "wjazzd"
EVALUATION_FILE = "evaluation.json"
CACHE_TUNING_SOLOS = 40

GENERATION_BENCH = """
import resource, sys, time
start = time.perf_counter()
from jazzsolo.models.note_lstm import load_note_model
from jazzsolo.generate.note_solo import generate_note_solo
from jazzsolo.music.progression import PROGRESSIONS, parse_progression, repeat_choruses
model = load_note_model(sys.argv[1])
chords = repeat_choruses(parse_progression(PROGRESSIONS["blues"]), 3)[:32]
solo = generate_note_solo(model, chords, seed=0)
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:     # VmHWM: this process's peak resident memory
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(seconds, peak_kb, sum(len(m) for m in solo.notes), "tensorflow" in sys.modules,
      "keras" in sys.modules)
"""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS),
                        help="The WJazzD folder (melody/ and beats/ CSVs) or wjazzd.db file.")
    parser.add_argument("--output_dir", default=str(PRETRAINED_WJAZZD_DIR),
                        help="Where the trained model directory is written.")
    parser.add_argument("--work_dir", default=str(REPO / "output" / "wjazzd_training"),
                        help="Where the per-epoch checkpoints are kept.")
    parser.add_argument("--preset", default="wjazzd", help="The NoteModelConfig preset.")
    parser.add_argument("--max_epochs", type=int, default=None, help="Override max_epochs.")
    parser.add_argument("--n_units", type=int, default=None, help="Override n_units.")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="Override any NoteModelConfig setting, e.g. --set window=128.")
    parser.add_argument("--resume", action="store_true",
                        help="Go on from the checkpoints in --work_dir.")
    parser.add_argument("--temperatures", type=float, nargs="+",
                        default=[DEFAULT_TEMPERATURE],
                        help="Temperatures at which to compare generated and real figures.")
    parser.add_argument("--evaluate_only", action="store_true",
                        help="Skip training and evaluate the model in --output_dir.")
    parser.add_argument("--tune_cache", action="store_true",
                        help="With --evaluate_only: choose the solo cache's settings on "
                             "training solos again and save them with the model.")
    return parser.parse_args(argv)


def generation_benchmark(model_dir: Path) -> dict:
    """Seconds (wall clock, Python start included) and peak memory of 32 bars of blues."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", GENERATION_BENCH, str(model_dir)], check=True,
                          capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    inner, peak_kb, n_notes, tf_loaded, keras_loaded = done.stdout.split()
    peak_mb = int(peak_kb) / 1024
    return {"wall_seconds": round(wall, 2), "seconds_after_start": round(float(inner), 2),
            "peak_mb": round(peak_mb, 1), "notes": int(n_notes),
            "imports_tensorflow": tf_loaded == "True" or keras_loaded == "True"}


def show_figures(figures: dict) -> None:
    print(f"{'figure':18s} {'generated p10/p50/p90':>26s} {'real p10/p50/p90':>26s}")
    for name in FIGURES:
        g, r = figures["generated"][name], figures["real"][name]
        print(f"{name:18s} {' / '.join(f'{v:7.2f}' for v in g):>26s} "
              f"{' / '.join(f'{v:7.2f}' for v in r):>26s}")


def main(argv=None) -> int:
    args = parse_args(argv)
    corpus = read_corpus(args.corpus, progress=True)
    split = split_corpus(corpus, source=WJAZZD_SOURCE, validation_share=0.1, seed=0)
    train_names, val_names = list(split.training), list(split.validation)
    by_name = {s.name: s for s in corpus.solos}
    train = [encode_corpus_solo(by_name[n]) for n in train_names]
    val_solos = [by_name[n] for n in val_names]
    val = [encode_corpus_solo(s) for s in val_solos]
    print(f"{len(corpus.solos)} solos ({len(corpus.skipped)} skipped), {len(train)} for training, "
          f"{len(val)} for validation; {sum(len(s) for s in train)} training events")
    output = Path(args.output_dir)
    report: dict = {}
    if args.evaluate_only and (output / EVALUATION_FILE).is_file():     # keep how it trained
        report["training"] = json.loads((output / EVALUATION_FILE).read_text()).get("training")
    if not args.evaluate_only:
        overrides = {k: v for k, v in (("max_epochs", args.max_epochs),
                                       ("n_units", args.n_units)) if v is not None}
        preset = get_note_preset(args.preset)
        for item in args.set:
            name, _, value = item.partition("=")
            overrides[name] = type(getattr(preset, name))(value)
        config = dataclasses.replace(preset, **overrides)
        work = Path(args.work_dir)
        save_note_run(work, {"corpus": str(args.corpus), "config": dataclasses.asdict(config),
                             "validation": val_names})
        started = time.perf_counter()
        model, step_model, history = train_note_model(
            train, val, config, labels=labels_beside(args.corpus), on_epoch_end=checkpoint_saver(work),
            resume=work if args.resume else None)
        seconds = time.perf_counter() - started
        meta = {"data": WJAZZD_SOURCE, "corpus_solos": len(corpus.solos),
                "training_solos": len(train), "validation_solos": val_names,
                "split": "jazzsolo.ingest.corpus.split_by_solo(validation_share=0.1, seed=0)",
                "epochs": len(history["val_loss"]), "best_epoch": history["best_epoch"],
                "training_seconds": round(seconds, 1)}
        (output / CONFIG_FILE).unlink(missing_ok=True)    # split.json first, config.json last
        write_split(output, split, overwrite=True)
        save_note_model(output, step_model, config, meta, history=history, overwrite=True)
        report["training"] = {"seconds": round(seconds, 1), "epochs": meta["epochs"],
                              "best_epoch": meta["best_epoch"],
                              "seconds_per_epoch": history["seconds"]}
        print(f"trained {meta['epochs']} epochs in {seconds / 60:.1f} min, best epoch "
              f"{meta['best_epoch']} (validation loss {min(history['val_loss']):.4f})")
    model = load_note_model(output)
    if not args.evaluate_only or args.tune_cache:   # the solo cache, chosen on training solos
        best, scores = tune_cache(model, train[:CACHE_TUNING_SOLOS])
        report["cache_tuning"] = [{**c.to_dict(), "pitch_perplexity": round(v, 4)}
                                  for c, v in scores]
        print("solo cache on training solos: " + "; ".join(
            f"{list(c.weights)} beta {c.beta} intervals {list(c.interval_weights)}: {v:.3f}"
            for c, v in scores))
        model.cache = best
        save_note_model(output, model, model.config, model.meta, overwrite=True)
    report["model_bytes"] = model_size_bytes(output)
    print(f"model size: {report['model_bytes'] / 1e6:.2f} MB in {output}")
    report["model"] = heldout_perplexity(model, val)
    report["baselines"] = baseline_perplexities(train, val)
    m, b = report["model"], report["baselines"]
    print(f"validation notes: {m['n_notes']}")
    print(f"pitch perplexity: model {m['pitch_perplexity']:.2f} (LSTM alone "
          f"{m['lstm_pitch_perplexity']:.2f}), trigram (Witten-Bell) "
          f"{b['pitch_trigram']:.2f}, trigram (add-0.1) {b['pitch_trigram_add_k']:.2f}")
    print(f"rhythm perplexity: model {m['rhythm_perplexity']:.3f}, best n-gram "
          f"{b['rhythm_best']:.3f} (n = {b['rhythm_best_n']}; all: "
          f"{', '.join(f'{n}: {v:.3f}' for n, v in b['rhythm_ngram'].items())}); ratio "
          f"{m['rhythm_perplexity'] / b['rhythm_best']:.3f}")
    report["figures"] = {}
    for temperature in args.temperatures:
        started = time.perf_counter()
        figures = generated_figures(model, val_solos, temperature=temperature, seed=0)
        print(f"\ngenerated over the {len(val_solos)} validation solos' chords at temperature "
              f"{temperature} (durations at {DEFAULT_RHYTHM_TEMPERATURE}) "
              f"({time.perf_counter() - started:.1f} s):")
        show_figures(figures)
        report["figures"][str(temperature)] = {k: figures[k] for k in
                                               ("generated", "real", "percentiles")}
    report["generation_32_bars"] = generation_benchmark(output)
    g = report["generation_32_bars"]
    print(f"\n32 bars of blues in a fresh process: {g['wall_seconds']:.2f} s, peak "
          f"{g['peak_mb']:.0f} MB, {g['notes']} notes, TensorFlow imported: "
          f"{g['imports_tensorflow']}")
    write_atomic(output / EVALUATION_FILE, json_bytes(report), overwrite=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
