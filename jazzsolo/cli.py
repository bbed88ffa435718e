"""Command line: `jazzsolo train` (MIDI → model directory) and `jazzsolo generate` (model → MIDI)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from jazzsolo.config import check_setting
from jazzsolo.errors import ConfigError, JazzsoloError

from jazzsolo.generate.improvise import DEFAULT_MAX_COPY, DEFAULT_MODEL_DIR

DEFAULT_OUTPUT_DIR = "output"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line with exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _prepare_training(args) -> tuple[dict, object, object]:
    """Preprocess the training MIDI into a run description and the tensors X, Y."""
    from jazzsolo.config import ModelConfig, TrainConfig, config_to_dict
    from jazzsolo.encodings.tensors import data_processing
    from jazzsolo.models.model_dir import chords_to_json
    from jazzsolo.ingest.preprocess import (find_training_midi, get_corpus_data, load_training_corpus,
                                            preset_for)

    check_setting("epochs", args.epochs)
    check_setting("seed", args.seed)
    check_setting("n_a", args.n_a)
    check_setting("melody_part", args.melody_part)
    check_setting("windows", args.windows)
    for index in args.chord_parts or []:
        check_setting("chord_parts", index)
    midi_paths = args.midi or [find_training_midi(None)]
    if len(midi_paths) == 1 and not Path(midi_paths[0]).is_dir():
        midi_paths = [find_training_midi(midi_paths[0])]
    started = time.perf_counter()
    training = load_training_corpus(midi_paths, preset=args.preset, melody_part=args.melody_part,
                                    chord_parts=args.chord_parts)
    for path, reason in training.skipped:
        print(f"skipped: {reason}" if str(path) in reason else f"skipped {path}: {reason}",
              file=sys.stderr)
    corpus, values, values_indices, _ = get_corpus_data(training.abstract_grammars)
    course = [preset_for(p) for p in training.sources] == ["course"] and args.preset in (None, "course")
    # The course's 60 random windows fit its one 193-value tune; any other corpus gets a window
    # at every position (or --windows random ones), so none of it goes unseen.
    m = args.windows or (ModelConfig.m if course else None)
    model_config = ModelConfig(n_a=args.n_a, m=m or max(len(corpus) - ModelConfig.Tx, 0))
    X, Y, _ = data_processing(corpus, values_indices, m, model_config.Tx, model_config.data_seed)
    n_measures = sum(len(d.measures) for d in training.data)
    skipped = f", {len(training.skipped)} skipped" if training.skipped else ""
    print(f"{len(training.sources)} file(s){skipped}: {len(corpus)} values, {len(values)} unique, "
          f"{n_measures} measures, {len(X)} windows of {model_config.Tx} "
          f"({time.perf_counter() - started:.1f} s)")
    data = training.data[0]
    settings = {"model": config_to_dict(model_config),
                "train": config_to_dict(TrainConfig(epochs=args.epochs, seed=args.seed)),
                "preset": args.preset or ("auto" if args.melody_part is not None or args.chord_parts
                                          else preset_for(training.sources[0])),
                "measure_ql": data.measure_ql,
                "source_midi": [p.name for p in training.sources]}
    run = {"settings": settings, "values": values, "chords": chords_to_json(data.chords),
           "corpus": corpus,
           "course_path": bool(args.course_path)}
    return run, X, Y


def _train(args) -> str:
    if args.corpus is not None or (args.resume is not None and _is_corpus_run(args.resume)):
        return _train_corpus(args)
    return _train_course(args)


def _is_corpus_run(directory) -> bool:
    from jazzsolo.models.checkpoint import checkpoint_dir
    from jazzsolo.models.note_lstm import RUN_FILE

    return (checkpoint_dir(directory) / RUN_FILE).is_file()


def _train_corpus(args) -> str:
    from jazzsolo.models.note_training import train_on_corpus

    for flag in ("midi", "melody_part", "chord_parts", "windows", "n_a"):
        if getattr(args, flag) is not None:
            raise ConfigError(f"--{flag} belongs to training on MIDI files, not to --corpus")
    if args.preset not in (None, "wjazzd", "tiny"):
        raise ConfigError(f"--preset {args.preset!r} is a tune preset; with --corpus the model "
                          f"presets are wjazzd (the shipped model's size) and tiny")
    check_setting("epochs", args.epochs)
    output_dir = args.resume if args.resume is not None else args.output_dir
    return train_on_corpus(args.corpus, output_dir, preset=args.preset or "wjazzd",
                           max_epochs=args.epochs, seed=args.seed,
                           resume=args.resume is not None, overwrite=args.overwrite,
                           progress=not args.quiet)


def _train_course(args) -> str:
    from jazzsolo.models.checkpoint import has_state, load_run, load_state, save_run, save_state

    args.epochs = 100 if args.epochs is None else args.epochs
    args.seed = 0 if args.seed is None else args.seed
    args.n_a = 64 if args.n_a is None else args.n_a
    from jazzsolo.config import TrainConfig, config_from_dict
    from jazzsolo.errors import OutputExistsError, TrainingError
    from jazzsolo.models.model_dir import CONFIG_FILE, WEIGHTS_FILE

    if args.resume is not None:
        output_dir = Path(args.resume)
        run, X, Y = load_run(output_dir)
        resume = load_state(output_dir, "last")
        epochs = run["settings"]["train"]["epochs"]
        if resume.epoch >= epochs and (output_dir / CONFIG_FILE).exists():
            raise TrainingError(f"{output_dir}: the run finished all {epochs} epochs already; "
                                f"nothing to resume")
        # (all epochs done but the model never saved: resuming saves it from the checkpoint)
    else:
        output_dir = Path(args.output_dir)
        if (output_dir / WEIGHTS_FILE).exists() and not args.overwrite:
            raise OutputExistsError(f"{output_dir}: holds a model already")
        run, X, Y = _prepare_training(args)
        resume = None
    from jazzsolo.generate.sampling import LSTMWeights
    from jazzsolo.models.course_lstm import save_keras_model, train_djmodel, train_fast
    from jazzsolo.models.model_dir import TrainedModel, chords_from_json, save_model_dir

    settings = run["settings"]
    train_config = config_from_dict(TrainConfig, settings["train"])
    n_a = settings["model"]["n_a"]
    if run.get("course_path"):
        if resume is not None:
            raise ConfigError("--resume continues runs of the default training path only; "
                              "--course_path runs cannot be resumed")
        _, LSTM_cell, densor, history = train_djmodel(X, Y, n_a=n_a, config=train_config,
                                                      progress=not args.quiet)
    else:
        if resume is None:
            save_run(output_dir, run, X, Y)
        best = [min(resume.history["loss"])] if resume is not None else [float("inf")]

        def checkpoint(state):
            save_state(output_dir, state, "last")
            if state.history["loss"][-1] < best[0]:
                best[0] = state.history["loss"][-1]
                save_state(output_dir, state, "best")

        try:
            _, LSTM_cell, densor, history = train_fast(
                X, Y, n_a=n_a, config=train_config, progress=not args.quiet,
                on_epoch_end=checkpoint, resume=resume)
        except KeyboardInterrupt:
            done = load_state(output_dir, "last").epoch if has_state(output_dir) else 0
            print(f"jazzsolo: interrupted after epoch {done} of {train_config.epochs}; the "
                  f"checkpoint is saved; continue with: jazzsolo train --resume {output_dir}",
                  file=sys.stderr)
            raise SystemExit(130) from None
    trained = TrainedModel(LSTMWeights.from_layers(LSTM_cell, densor), run["values"],
                           chords_from_json(run["chords"]), settings, history,
                           run.get("corpus", []))
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / CONFIG_FILE).unlink(missing_ok=True)   # the model is complete again only
    save_keras_model(output_dir, LSTM_cell, densor)      # when save_model_dir writes it last
    save_model_dir(output_dir, trained, overwrite=True)
    loss, accuracy = history["loss"], history["accuracy"]
    resumed = f"resumed at epoch {resume.epoch}, " if resume is not None else ""
    return (f"Trained {train_config.epochs} epochs ({resumed}loss {loss[0]:.2f} → {loss[-1]:.2f}, "
            f"accuracy {accuracy[-1]:.3f}); model saved to {output_dir}/")


def _generate(args) -> str:
    from dataclasses import fields

    from jazzsolo.generate.improvise import GenerateSettings, generate_files

    return generate_files(GenerateSettings(**{f.name: getattr(args, f.name)
                                              for f in fields(GenerateSettings)}))


def _inspect(args) -> str:
    from jazzsolo.ingest.parts import (accompaniment_indices, choose_melody_part, describe_parts,
                                       measure_length_ql)
    from jazzsolo.ingest.midi_import import check_midi_file
    from jazzsolo.ingest.preprocess import parse_midi_file

    path = check_midi_file(Path(args.file))
    score = parse_midi_file(path)
    infos = describe_parts(score)
    print(f"{'part':>4}  {'name':<20} {'program':>7} {'notes':>6}  {'range':>7}  polyphony")
    for info in infos:
        print(info.line())
    try:
        melody = choose_melody_part(infos)
    except JazzsoloError as e:
        return f"{path}: {e}"
    chords = accompaniment_indices(infos, melody)
    return (f"{path}: {measure_length_ql(score):g} beats per measure; melody: part {melody}; "
            f"chords from parts {', '.join(map(str, chords)) or 'none'}")


def _info(args) -> str:
    from jazzsolo.generate.improvise import resolve_model
    from jazzsolo.models.model_dir import load_model_dir
    from jazzsolo.models.note_lstm import (FAMILY, FORMAT_VERSION, is_note_model_dir,
                                           load_note_model)

    directory = resolve_model(args.model) if args.model else resolve_model("course")
    files = sorted(p.name for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
    if is_note_model_dir(directory):
        model = load_note_model(directory)                     # refuses a broken one
        meta = model.meta
        print(f"model:       {directory} ({FAMILY} {FORMAT_VERSION})")
        print(f"trained on:  {meta.get('data', '?')}: {meta.get('training_solos', '?')} solos, "
              f"{len(meta.get('validation_solos', []))} for validation")
        print(f"shape:       {model.config.n_layers} x {model.config.n_units} LSTM units")
        print(f"training:    {meta.get('epochs', '?')} epochs (best {meta.get('best_epoch')}), "
              f"{meta.get('training_seconds', '?')} s")
        cache = model.cache
        print("solo cache:  " + (f"weights {', '.join(f'{w:g}' for w in cache.weights)} for "
                                 f"contexts of 1-{len(cache.weights)} notes, beta {cache.beta:g}"
                                 if cache is not None else "none"))
        return f"files:       {', '.join(files)}"
    model = load_model_dir(directory)
    settings, history = model.settings, model.history
    sources = settings.get("source_midi") or ["?"]
    sources = sources if isinstance(sources, list) else [sources]
    train = settings.get("train", {})
    print(f"model:       {directory}")
    print(f"trained on:  {', '.join(map(str, sources))} (preset {settings.get('preset') or 'auto'})")
    print(f"vocabulary:  {len(model.values)} values; n_a {model.weights.n_a}")
    print(f"training:    {train.get('epochs', '?')} epochs, seed {train.get('seed', '?')}, "
          f"learning rate {train.get('learning_rate', '?')}, batch {train.get('batch_size', '?')}")
    if history.get("loss"):
        print(f"final:       loss {history['loss'][-1]:.3f}, accuracy {history['accuracy'][-1]:.3f}")
    print(f"chords:      {len(model.chords)} measures of {settings.get('measure_ql', 4.0):g} beats")
    return f"files:       {', '.join(files)}"


def _chords(args) -> str:
    from jazzsolo.music.chord_symbols import describe_chords
    from jazzsolo.ingest.ireal import list_ireal_tunes

    if args.list is not None:
        return "\n".join(list_ireal_tunes(args.list))
    if not args.symbols:
        raise ConfigError("give chord symbols to read, or --list FILE")
    return describe_chords(args.symbols, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    """The `jazzsolo` argument parser with its `train` and `generate` commands."""
    parser = _Parser(prog="jazzsolo", description="Improvise jazz solos with an LSTM.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="Learn a style from a jazz MIDI file.")
    train.add_argument("--midi", nargs="+", help="Training MIDI files or directories of them "
                       "(default: $JAZZSOLO_MIDI, then data/original_metheny.mid, then "
                       "../shared/data/original_metheny.mid).")
    train.add_argument("--preset", help="Where the melody, chords and solo are: 'course' for the "
                                        "Metheny tune, 'auto' to find them in any file (default: "
                                        "course for original_metheny.mid, auto otherwise).")
    train.add_argument("--corpus", metavar="PATH",
                       help="Train the note model on a corpus of real solos instead: the Weimar "
                            "Jazz Database's per-solo CSV export (melody/ + beats/) or its "
                            "wjazzd.db; 10 %% of the solos (by solo, seed 0) stop it early.")
    train.add_argument("--melody_part", type=int,
                       help="Index of the melody part (see 'jazzsolo inspect'); implies auto.")
    train.add_argument("--chord_parts", type=int, nargs="+",
                       help="Indices of the parts to read chords from; implies auto.")
    train.add_argument("--windows", type=int,
                       help="Train on this many random windows of 30 values (default: the "
                            "course's 60 for the Metheny tune, else one at every position of "
                            "the corpus, so every value is trained on).")
    train.add_argument("--epochs", type=int,
                       help="Passes over the training windows (default: 100); with --corpus, "
                            "the most epochs before early stopping (default: 40).")
    train.add_argument("--seed", type=int, help="Seed for weights and batch order (default: 0).")
    train.add_argument("--n_a", type=int, help="Number of LSTM units of the course model "
                                               "(default: 64).")
    train.add_argument("--output_dir", default=DEFAULT_MODEL_DIR,
                       help=f"Directory to save the model in (default: {DEFAULT_MODEL_DIR}).")
    train.add_argument("--overwrite", action="store_true", help="Replace a model saved there.")
    train.add_argument("--resume", metavar="DIR",
                       help="Continue an interrupted run from the last checkpoint in DIR, with "
                            "the settings it started with; the result is the same as if it "
                            "had not stopped.")
    train.add_argument("--quiet", action="store_true", help="No progress bar.")
    train.add_argument("--course_path", action="store_true",
                       help="Train the course's model unrolled over 30 steps (about 10x slower) "
                            "instead of the same weights through one sequence layer.")
    train.set_defaults(run=_train)

    info = commands.add_parser("info", help="Show what a model directory was trained on and "
                                             "with which settings.")
    info.add_argument("model", nargs="?", help="A model directory, or course or wjazzd (default: "
                                               "course).")
    info.set_defaults(run=_info)

    inspect = commands.add_parser("inspect", help="List a MIDI file's parts and what training "
                                                  "would use as melody and chords.")
    inspect.add_argument("file", help="A MIDI file.")
    inspect.set_defaults(run=_inspect)

    generate = commands.add_parser("generate", help="Write a new solo as MIDI.")
    generate.add_argument("--model", help=f"'wjazzd' (the note model learned from 361 solos "
                                          f"of the Weimar Jazz Database), 'course' (the course's "
                                          f"model of the Metheny tune) or a directory written by "
                                          f"'jazzsolo train' (default: {DEFAULT_MODEL_DIR} if it "
                                          f"holds a model, else wjazzd).")
    generate.add_argument("--temperature", type=float,
                          help="Sampling temperature: 0 always takes the likeliest choice, "
                               "higher is more adventurous (default: the model's: 0.8 for "
                               "wjazzd's pitches, 0.5 for course).")
    generate.add_argument("--rhythm_temperature", type=float,
                          help="With a note model (wjazzd): the sampling temperature of the "
                               "durations; --temperature is then the pitches' (default: 1.0).")
    generate.add_argument("--seed", type=int, help="Seed for sampling; the same seed gives the "
                                                   "same solo (default: random, printed).")
    generate.add_argument("--qpm", type=float,
                          help="Tempo in quarter notes per minute (default: the chart's, when "
                               "--chords_from gives one, else 130).")
    generate.add_argument("--top_k", type=int, help="Sample only among the k likeliest values.")
    generate.add_argument("--max_copy", type=int,
                          help="Course model: never copy more than this many consecutive values "
                               f"of the training tune; 0 allows any (default: {DEFAULT_MAX_COPY}, "
                               "under a measure's worth).")
    generate.add_argument("--num_outputs", type=int, default=1,
                          help="How many solos to write, with seeds seed, seed+1, ... (default: 1).")
    generate.add_argument("--backing_chords", help='Chord symbols to play over, bars separated by '
                                                   '"|", e.g. "Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7".')
    generate.add_argument("--beats_per_chord", type=float,
                          help="With --backing_chords without bars: beats each chord lasts.")
    generate.add_argument("--progression", help="A built-in progression: blues, minor-blues, "
                                                 "ii-v-i or rhythm-changes.")
    generate.add_argument("--chords_from", help="Take the chords from a MusicXML lead sheet "
                                                "(<harmony> symbols, repeats played out), an "
                                                "iReal Pro link or playlist (irealb://...), or a "
                                                "MIDI file's accompaniment.")
    generate.add_argument("--tune", help="With --chords_from an iReal Pro playlist: the title of "
                                         "the tune to play (default: the first; see 'jazzsolo "
                                         "chords --list FILE').")
    generate.add_argument("--time_signature", help="Metre of --backing_chords or --progression, "
                                                   "e.g. 3/4, 6/8, 5/4 (default: the model's, "
                                                   "4/4 for the shipped model).")
    generate.add_argument("--choruses", type=int, default=1,
                          help="How many times to play the progression (default: 1).")
    generate.add_argument("--solo_instrument", default="Electric Guitar (jazz)",
                          help="General MIDI instrument name of the solo "
                               "(default: 'Electric Guitar (jazz)').")
    generate.add_argument("--render_chords", action=argparse.BooleanOptionalAction, default=True,
                          help="Write the band: piano comp, walking bass and drums (default: yes).")
    generate.add_argument("--swing", type=float,
                          help="Swing ratio of off-beat eighths, first : second (1 = straight, 2 = "
                               "triplet feel; default: what the players of the Weimar Jazz "
                               "Database play at this tempo, about 1.6 at 160 qpm). MIDI and "
                               "audio only; the MusicXML stays straight.")
    generate.add_argument("--drums", action=argparse.BooleanOptionalAction, default=True,
                          help="Play drums: ride, hi-hat on 2 and 4, light comping, fills "
                               "(default: yes; --no-drums leaves them out).")
    generate.add_argument("--bass", action=argparse.BooleanOptionalAction, default=True,
                          help="Play the walking bass (default: yes).")
    generate.add_argument("--comp", action=argparse.BooleanOptionalAction, default=True,
                          help="Play the piano comp (default: yes).")
    generate.add_argument("--count_off", action="store_true",
                          help="Start with a bar of count-off on the hi-hat.")
    generate.add_argument("--mp3", action="store_true",
                          help="Also write an MP3 beside each MIDI (needs ffmpeg).")
    generate.add_argument("--primer_midi", help="A MIDI phrase to open the solo with; the model "
                                                 "continues it.")
    generate.add_argument("--wav", action="store_true",
                          help="Also render each MIDI to a WAV file beside it (FluidSynth).")
    generate.add_argument("--musicxml", action="store_true",
                          help="Also write each solo as a MusicXML lead sheet beside it (notes, "
                               "chord symbols, key, metre, tempo), for MuseScore and friends.")
    generate.add_argument("--output_dir", default=DEFAULT_OUTPUT_DIR,
                          help=f"Directory for the MIDI file (default: {DEFAULT_OUTPUT_DIR}).")
    generate.add_argument("--overwrite", action="store_true", help="Replace an existing file.")
    generate.set_defaults(run=_generate)

    chords = commands.add_parser("chords", help="Show how chord symbols are read: root, bass, "
                                                 "notes and quality; or list an iReal playlist.")
    chords.add_argument("symbols", nargs="*", metavar="SYMBOL",
                        help="Chord symbols such as C-7 Bbmaj7 F#7b9 D79b G7/B N.C.; quote "
                             "symbols that hold spaces or parentheses.")
    chords.add_argument("--json", action="store_true",
                        help="Print a JSON list of {symbol, root, bass, pitch_classes} "
                             "(pitch classes 0-11, C = 0) instead of a table.")
    chords.add_argument("--list", metavar="FILE",
                        help="List the tunes of an iReal Pro link or playlist file, one a line.")
    chords.set_defaults(run=_chords)

    from jazzsolo.evaluate.report import add_evaluate_command

    add_evaluate_command(commands)
    return parser


# How to fix an error with this command's flags, by command and error type (the library's
# messages say what is wrong, never which flag to pass).
_HINTS = {("*", "OutputExistsError"): "pass --overwrite to replace it",
          ("train", "TuneNotFoundError"): "pass --midi PATH or set $JAZZSOLO_MIDI",
          ("evaluate", "TuneNotFoundError"): "pass --reference TUNE.mid or set $JAZZSOLO_MIDI",
          ("generate", "ModelDirError"): "train one with 'jazzsolo train --output_dir DIR'",
          ("evaluate", "NoChordsError"): "give the chords with --chords_from FILE"}


def error_line(error: JazzsoloError, command: str | None = None) -> str:
    """The one line the CLI prints for an error: its message, then how to fix it."""
    hint = error.hint
    for kind in type(error).__mro__:
        hint = hint or _HINTS.get((command, kind.__name__)) or _HINTS.get(("*", kind.__name__))
    message = " ".join(str(error).split())
    return f"jazzsolo: error: {message}; {hint}" if hint else f"jazzsolo: error: {message}"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; a JazzsoloError becomes one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        print(args.run(args))
    except JazzsoloError as e:
        print(error_line(e, args.command), file=sys.stderr)
        return 2
    except OSError as e:                      # e.g. an output folder that is a file, a full disk
        where = f"{e.filename}: " if e.filename else ""
        print(f"jazzsolo: error: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jazzsolo: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
