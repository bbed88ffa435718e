"""One benchmark task in a fresh process; prints one JSON line of in-process timings.

Run by `bench/run.py`, which times the whole process from outside (wall and peak RSS).
Tasks: ``preprocess``, ``train``, ``sample``, ``generate``; each has a ``--path fast|course``
(or ``--reader``) switch so both paths are measured by the same code.
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path


def _course_layers(weights):
    """The course's shared Keras layers (`make_shared_layers`) holding saved weights."""
    from jazzsolo.models.course_lstm import make_shared_layers

    _, LSTM_cell, densor = make_shared_layers(weights.n_values, weights.n_a)
    LSTM_cell.build((None, 1, weights.n_values))
    densor.build((None, weights.n_a))
    LSTM_cell.set_weights([weights.kernel, weights.recurrent_kernel, weights.bias])
    densor.set_weights([weights.dense_kernel, weights.dense_bias])
    return LSTM_cell, densor


def task_preprocess(args) -> dict:
    from jazzsolo.encodings.course_data import get_corpus_data, get_musical_data

    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        data = get_musical_data(args.midi, "course", reader=args.reader)
        corpus, values, _, _ = get_corpus_data(data.abstract_grammars)
        times.append(time.perf_counter() - started)
    return {"first_s": times[0], "warm_s": statistics.median(times[1:]) if len(times) > 1 else None,
            "n_values": len(corpus), "n_unique": len(values)}


def task_train(args) -> dict:
    from jazzsolo.config import ModelConfig, TrainConfig
    from jazzsolo.encodings.tensors import data_processing
    from jazzsolo.encodings.course_data import get_corpus_data, get_musical_data
    from jazzsolo.models.course_lstm import train_djmodel, train_fast

    data = get_musical_data(args.midi, "course")
    corpus, values, values_indices, indices_values = get_corpus_data(data.abstract_grammars)
    model_config = ModelConfig()
    X, Y, _ = data_processing(corpus * args.scale, values_indices, model_config.m * args.scale,
                              model_config.Tx, model_config.data_seed)
    train = train_fast if args.path == "fast" else train_djmodel
    config = TrainConfig(epochs=args.epochs)
    started = time.perf_counter()
    _, LSTM_cell, densor, history = train(X, Y, config=config, progress=False)
    train_s = time.perf_counter() - started
    if args.save:
        from jazzsolo.generate.sampling import LSTMWeights
        from jazzsolo.models.model_dir import TrainedModel, save_model_dir

        settings = {"model": {"n_a": model_config.n_a}, "measure_ql": 4.0, "preset": "course"}
        save_model_dir(args.save, TrainedModel(LSTMWeights.from_layers(LSTM_cell, densor), values,
                                               data.chords, settings, history), overwrite=True)
    return {"train_s": train_s, "windows": int(X.shape[0]), "first_loss": history["loss"][0],
            "final_loss": history["loss"][-1], "final_accuracy": history["accuracy"][-1]}


def task_sample(args) -> dict:
    import numpy as np

    from jazzsolo.generate.sampling import ValueSampler
    from jazzsolo.models.model_dir import load_model_dir

    weights = load_model_dir(args.model).weights
    rng = np.random.default_rng(0)
    if args.path == "fast":
        def draw():
            sampler = ValueSampler(weights)
            return [sampler.step(0.5, rng) for _ in range(50)]
    else:
        from jazzsolo.generate.sampling import music_inference_model, predict_and_sample

        LSTM_cell, densor = _course_layers(weights)
        model = music_inference_model(LSTM_cell, densor, Ty=50)
        x0 = np.zeros((1, 1, weights.n_values))
        a0 = c0 = np.zeros((1, weights.n_a))

        def draw():
            return predict_and_sample(model, x0, a0, c0, temperature=0.5, rng=rng)[1]
    times = []
    for _ in range(args.repeats + 1):
        started = time.perf_counter()
        draw()
        times.append(time.perf_counter() - started)
    return {"first_s": times[0], "warm_s": statistics.median(times[1:]), "repeats": args.repeats}


def _tiled(chords: list, n_measures: int) -> list:
    """The tune's chord measures repeated (as copies) to `n_measures` measures."""
    return [copy.deepcopy(chords[i % len(chords)]) for i in range(n_measures)]


def task_generate(args) -> dict:
    from jazzsolo.models.model_dir import load_model_dir

    started = time.perf_counter()
    trained = load_model_dir(args.model)
    chords = _tiled(trained.chords, args.measures)
    output = Path(args.output_dir) / f"{args.path}_{args.measures}.mid"
    output.parent.mkdir(parents=True, exist_ok=True)
    if args.path == "fast":
        from jazzsolo.export.solo_midi import write_solo_midi
        from jazzsolo.generate.measures import generate_solo

        solo = generate_solo(trained.weights, trained.indices_values, chords, seed=args.seed)
        write_solo_midi(solo, output, overwrite=True)
        n_notes = len(solo.timed_notes())
    else:
        from course_reference import generate_music
        from jazzsolo.generate.sampling import music_inference_model

        LSTM_cell, densor = _course_layers(trained.weights)
        model = music_inference_model(LSTM_cell, densor, Ty=50)
        out = generate_music(model, trained.indices_values, chords, seed=args.seed,
                             output_path=str(output))
        n_notes = len(out.getElementsByClass("Note"))
    return {"work_s": time.perf_counter() - started, "measures": args.measures, "notes": n_notes}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("task", choices=["preprocess", "train", "sample", "generate"])
    parser.add_argument("--midi", help="The training tune.")
    parser.add_argument("--reader", default="fast", help="Preprocessing reader: fast or music21.")
    parser.add_argument("--path", default="fast", choices=["fast", "course"],
                        help="Which path to run.")
    parser.add_argument("--repeats", type=int, default=1, help="Timed repetitions in process.")
    parser.add_argument("--scale", type=int, default=1, help="Corpus multiple for training.")
    parser.add_argument("--epochs", type=int, default=100, help="Training epochs.")
    parser.add_argument("--save", help="Save the trained model to this directory.")
    parser.add_argument("--model", help="A model directory for sampling and generation.")
    parser.add_argument("--measures", type=int, default=18, help="Measures to generate.")
    parser.add_argument("--seed", type=int, default=0, help="Sampling seed.")
    parser.add_argument("--output_dir", default="bench/results/midi", help="Where MIDI goes.")
    args = parser.parse_args(argv)
    tasks = {"preprocess": task_preprocess, "train": task_train, "sample": task_sample,
             "generate": task_generate}
    result = tasks[args.task](args)
    print("BENCH " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
