"""Command line: `jazzsolo train` (MIDI → model directory) and `jazzsolo generate` (model → MIDI)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jazzsolo.errors import ConfigError, JazzsoloError
from jazzsolo.config import (COURSE_TEMPERATURE, DEFAULT_MODEL, DEFAULT_QPM, MAX_COPY, MODEL_NAMES,
                             NOTE_RHYTHM_TEMPERATURE, NOTE_TEMPERATURE, check_setting)

DEFAULT_MODEL_DIR = "output/model"    # where `jazzsolo train` saves unless told otherwise

DEFAULT_OUTPUT_DIR = "output"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line with exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


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
    from jazzsolo.models.note_lstm import NOTE_MODEL_PRESETS

    if args.preset is not None and args.preset not in NOTE_MODEL_PRESETS:
        raise ConfigError(f"--preset {args.preset!r} is not a corpus preset; with --corpus the "
                          f"presets are {_note_presets()}")
    check_setting("epochs", args.epochs)
    output_dir = args.resume if args.resume is not None else args.output_dir
    return train_on_corpus(args.corpus, output_dir, preset=args.preset or "wjazzd",
                           max_epochs=args.epochs, seed=args.seed,
                           resume=args.resume is not None, overwrite=args.overwrite,
                           progress=not args.quiet)


def _train_course(args) -> str:
    from jazzsolo.models.course_training import TrainingInterrupted, train_course_model

    output_dir = args.resume if args.resume is not None else args.output_dir
    try:
        return train_course_model(
            output_dir, midi=args.midi, preset=args.preset, melody_part=args.melody_part,
            chord_parts=args.chord_parts, windows=args.windows, epochs=args.epochs,
            seed=args.seed, n_a=args.n_a, overwrite=args.overwrite,
            resume=args.resume is not None, course_path=args.course_path,
            progress=not args.quiet)
    except TrainingInterrupted as e:
        print(f"jazzsolo: interrupted after epoch {e.epoch} of {e.epochs}; the checkpoint is "
              f"saved; continue with: jazzsolo train --resume {e.directory}", file=sys.stderr)
        raise SystemExit(130) from None


def _generate(args) -> str:
    from dataclasses import fields

    from jazzsolo.export.solo_files import generate_files
    from jazzsolo.generate.improvise import GenerateSettings

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


def _serve(args) -> str:
    from jazzsolo.server.app import serve

    return serve(args.host, args.port, open_browser=args.open)


def _players(args) -> str:
    from jazzsolo.generate.voices import players_table

    return players_table(args.model)


def _info(args) -> str:
    from jazzsolo.generate.families import FAMILIES, load_model

    model = load_model(args.model)                         # refuses a broken directory
    directory = model.directory
    files = sorted(p.name for p in directory.iterdir() if p.is_file()) \
        if directory is not None and directory.is_dir() else []
    shipped = model.name in MODEL_NAMES
    where = f"shipped in the package: pretrained/{directory.name}" if shipped else directory
    print(f"{'model':<12} {model.name} ({where})")
    print(f"{'family':<12} {model.family}: {FAMILIES[model.family].summary}")
    for label, text in model.describe():
        print(f"{label:<12} {text}")
    return f"{'files':<12} {', '.join(files)}"


def _chords(args) -> str:
    from jazzsolo.music.chord_symbols import describe_chords
    from jazzsolo.ingest.ireal import list_ireal_tunes

    if args.list is not None:
        return "\n".join(list_ireal_tunes(args.list))
    if not args.symbols:
        raise ConfigError("give chord symbols to read, or --list FILE")
    return describe_chords(args.symbols, as_json=args.json)


def _evaluate(args) -> str:
    """`jazzsolo evaluate`: the report card of MIDI solos, --against real solos, or --heldout."""
    if args.against is not None and args.heldout is not None:
        raise ConfigError("give one of --against and --heldout")
    if args.against is not None:
        from jazzsolo.evaluate.against import run_against_command

        if args.solos:
            raise ConfigError("--against compares models with the real solos it holds; give "
                              "either SOLO.mid files or --against, not both")
        for name in ("limit", "max_bars", "temperature", "seed"):
            check_setting(name, getattr(args, name))
        return run_against_command(args)
    if args.voices is not None:
        from jazzsolo.evaluate.style_judge import (StyleJudgeConfig, format_style_report,
                                                   style_report)

        if args.solos or args.against is not None or args.heldout is not None:
            raise ConfigError("--voices judges a model's players on the real solos it holds; "
                              "give it alone")
        if args.model is not None and len(args.model) > 1:
            raise ConfigError("--voices judges one model at a time")
        check_setting("seed", args.seed)
        report = style_report(args.voices, args.model[0] if args.model else None,
                              StyleJudgeConfig(seed=args.seed))
        return json.dumps(report, indent=2) if args.json else format_style_report(report)
    if args.heldout is not None:
        from jazzsolo.evaluate.heldout import format_heldout, heldout_json, heldout_report

        if args.solos:
            raise ConfigError("--heldout scores models on the solos it holds; give either "
                              "SOLO.mid files or --heldout, not both")
        report = heldout_report(args.heldout, models=args.model, train_corpus=args.corpus)
        return heldout_json(report) if args.json else format_heldout(report)
    return _evaluate_solos(args)


def _evaluate_solos(args) -> str:
    from jazzsolo.evaluate.report import (EvaluationSettings, evaluate_solo_files, format_report,
                                          report_to_json)

    if not args.solos:
        raise ConfigError("give SOLO.mid files to score, --against DIR or --heldout DIR")
    if args.model is not None and len(args.model) > 1:
        raise ConfigError("several --model directories are compared only with --against")
    temperature = 1.0 if args.temperature is None else args.temperature
    for name in ("n_solos", "seed", "heldout_epochs", "max_copy", "heldout_measures"):
        check_setting(name, getattr(args, name))
    check_setting("temperature", temperature)
    settings = EvaluationSettings(n_solos=args.n_solos, temperature=temperature, seed=args.seed,
                                  heldout_measures=args.heldout_measures,
                                  heldout_epochs=args.heldout_epochs, max_copy=args.max_copy)
    report = evaluate_solo_files(args.solos, chords_from=args.chords_from,
                                 model=args.model[0] if args.model else None,
                                 reference=args.reference, settings=settings)
    return report_to_json(report) if args.json else format_report(report)


def _add_evaluate(commands) -> None:
    """`evaluate SOLO.mid [more ...]`, `evaluate --against DIR`, `evaluate --heldout DIR`."""
    evaluate = commands.add_parser(
        "evaluate", help="Score solos against the training tune, the LSTM and simple baselines.")
    evaluate.add_argument("solos", nargs="*", metavar="SOLO.mid",
                          help="MIDI files to score, one row each; the harmony is their 'Chords' "
                               "track, else their other pitched tracks, else --chords_from.")
    evaluate.add_argument("--chords_from", help="Measure the solos against the chords of this "
                                                "MusicXML lead sheet or MIDI accompaniment.")
    evaluate.add_argument("--reference", help="The training tune (default: $JAZZSOLO_MIDI, then "
                                              "data/original_metheny.mid, then ../shared/data/).")
    evaluate.add_argument("--model", nargs="+",
                          help="A course model (course or a directory written by 'jazzsolo "
                               "train'; its solos make a row under its name); with --against, "
                               "models to compare: names (wjazzd, course, baselines, uniform, "
                               "unigram, bigram, trigram) or directories (default: wjazzd, "
                               "course and the baselines); with --heldout, models that give "
                               "notes a probability (default: wjazzd).")
    evaluate.add_argument("--against", metavar="DIR",
                          help="Real solos with their chords: a Weimar Jazz Database export "
                               "(melody/ + beats/ CSV) or .db, or a folder of MIDI files with a "
                               "solo and an accompaniment. Each model plays over the same "
                               "chords, metre, tempo and length (two solos each); the figures, "
                               "the jazz figures, a copy check and judges (can a classifier "
                               "tell them apart?) beside their calibration are reported.")
    evaluate.add_argument("--voices", metavar="DIR",
                          help="Judge a voiced note model's players, styles and shape controls "
                               "against the real solos of a WJazzD folder with solo_info.csv: "
                               "how often a judge trained on real solos recognises a solo "
                               "generated as X, beside a real one by X.")
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
                          help="With --against: write the histograms, a real and a generated "
                               "piano roll over the same chords and a box plot of each jazz "
                               "figure as PNG files there.")
    evaluate.add_argument("--overwrite", action="store_true", help="Replace existing plots.")
    evaluate.add_argument("--judges", metavar="NAMES",
                          help="With --against: the judges to run, comma-separated, of "
                               "logistic, boosting and sequence, or all or none (default: all; "
                               "sequence, a small CNN, is the slowest).")
    evaluate.add_argument("--n_solos", type=int, default=20,
                          help="Solos each model and baseline improvises for the table "
                               "(default: 20).")
    evaluate.add_argument("--temperature", type=float,
                          help="Sampling temperature of those solos (default: 1.0; with "
                               "--against, each model's own).")
    evaluate.add_argument("--max_copy", type=int, default=MAX_COPY,
                          help="The LSTM's solos copy at most this many consecutive values of "
                               f"the tune, as with 'jazzsolo generate' (default: {MAX_COPY}; 0: no "
                               f"limit).")
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
    evaluate.set_defaults(run=_evaluate)


def _tune_presets() -> str:
    from jazzsolo.config import AUTO_PRESET, TUNE_PRESETS

    return "; ".join([*(f"{name}: the Metheny tune" for name in TUNE_PRESETS),
                      f"{AUTO_PRESET}: found in any file"])


def _note_presets() -> str:
    from jazzsolo.models.note_lstm import NOTE_MODEL_PRESETS

    return "; ".join(f"{name}: {c.n_layers} x {c.n_units} units, windows of {c.window}, up to "
                     f"{c.max_epochs} epoch{'s' * (c.max_epochs > 1)}"
                     for name, c in NOTE_MODEL_PRESETS.items())


def _model_names() -> str:
    return ", ".join(MODEL_NAMES)


def build_parser() -> argparse.ArgumentParser:
    """The `jazzsolo` argument parser with its `train` and `generate` commands."""
    parser = _Parser(prog="jazzsolo", description="Improvise jazz solos with an LSTM.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="Learn a style from a jazz MIDI file.")
    train.add_argument("--midi", nargs="+", help="Training MIDI files or directories of them "
                       "(default: $JAZZSOLO_MIDI, then data/original_metheny.mid, then "
                       "../shared/data/original_metheny.mid).")
    train.add_argument("--preset", help=f"Training on MIDI files: where the melody, chords and "
                                        f"solo are ({_tune_presets()}; default: course for "
                                        f"original_metheny.mid, auto otherwise). With --corpus: "
                                        f"the model's size and run ({_note_presets()}; default: "
                                        f"wjazzd).")
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
    info.add_argument("model", nargs="?", help=f"A model name ({_model_names()}) or directory "
                                               f"(default: {DEFAULT_MODEL}).")
    info.set_defaults(run=_info)

    players = commands.add_parser("players", help="List the players, styles and instruments "
                                                  "a model can play as, with their solos.")
    players.add_argument("model", nargs="?", help=f"A model name ({_model_names()}) or "
                                                  f"directory (default: {DEFAULT_MODEL}).")
    players.set_defaults(run=_players)

    inspect = commands.add_parser("inspect", help="List a MIDI file's parts and what training "
                                                  "would use as melody and chords.",
                                  description="List a MIDI file's parts and what training would "
                                              "use as melody and chords. Notes are counted as a "
                                              "musician counts them: a note tied over a bar "
                                              "line once, a chord as its notes, a drum hit as "
                                              "one; polyphony is the share of a part's notes "
                                              "and chords that are chords or start over "
                                              "another note.")
    inspect.add_argument("file", help="A MIDI file.")
    inspect.set_defaults(run=_inspect)

    generate = commands.add_parser("generate", help="Write a new solo as MIDI.")
    generate.add_argument("--model", help=f"The model that improvises: 'wjazzd' (the note model "
                                          f"learned from 361 solos of the Weimar Jazz "
                                          f"Database), 'course' (the course's model of the "
                                          f"Metheny tune) or a directory written by 'jazzsolo "
                                          f"train' (default: {DEFAULT_MODEL}, wherever it runs).")
    generate.add_argument("--temperature", type=float,
                          help="Sampling temperature: 0 always takes the likeliest choice, "
                               f"higher is more adventurous (default: the model's: "
                               f"{NOTE_TEMPERATURE:g} for wjazzd's pitches, "
                               f"{COURSE_TEMPERATURE:g} for course).")
    generate.add_argument("--rhythm_temperature", type=float,
                          help="With a note model (wjazzd): the sampling temperature of the "
                               f"durations; --temperature is then the pitches' (default: "
                               f"{NOTE_RHYTHM_TEMPERATURE:g}).")
    generate.add_argument("--seed", type=int, help="Seed for sampling; the same seed gives the "
                                                   "same solo (default: random, printed).")
    generate.add_argument("--qpm", type=float,
                          help="Tempo in quarter notes per minute (default: the chart's, when "
                               f"--chords_from gives one, else {DEFAULT_QPM:g}).")
    generate.add_argument("--top_k", type=int, help="Sample only among the k likeliest values.")
    generate.add_argument("--max_copy", type=int,
                          help="Course model: never copy more than this many consecutive values "
                               f"of the training tune; 0 allows any (default: {MAX_COPY}, "
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
    generate.add_argument("--solo_instrument",
                          help="General MIDI instrument name of the solo (default: the "
                               "--instrument's, e.g. 'Tenor Sax', else 'Electric Guitar "
                               "(jazz)').")
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
    generate.add_argument("--player", help="Play as this performer, e.g. 'Charlie Parker' or "
                                           "Parker (any case; see 'jazzsolo players').")
    generate.add_argument("--style", help="Play in this style: traditional, swing, bebop, cool, "
                                          "hardbop, postbop, fusion or free.")
    generate.add_argument("--instrument", help="Play on this instrument, e.g. tenor, alto, "
                                               "trumpet, trombone: its idiom, range and sound.")
    generate.add_argument("--density", type=float,
                          help="Notes per beat, e.g. 1.0 (sparse) to 3.0 (bebop lines).")
    generate.add_argument("--phrase_length", type=float,
                          help="Median notes per phrase, e.g. 8 (short ideas) or 24 (long lines).")
    generate.add_argument("--register", help="The range to play in, LOW-HIGH: note names "
                                             "(C4-G5, Bb3-F5) or MIDI numbers (60-79).")
    generate.add_argument("--wav", action="store_true",
                          help="Also render each MIDI to a WAV file beside it (FluidSynth).")
    generate.add_argument("--musicxml", action="store_true",
                          help="Also write each solo as a MusicXML lead sheet beside it (notes, "
                               "chord symbols, key, metre, tempo), for MuseScore and friends.")
    generate.add_argument("--key", help="With --musicxml: the lead sheet's key at concert "
                                        "pitch, e.g. Ab, F, C- or Cm for minor (default: the "
                                        "chart's, else the key its chords are in).")
    generate.add_argument("--transpose_for", default="concert",
                          help="With --musicxml: write the lead sheet at the written pitch of a "
                               "tenor sax (a major ninth up), alto sax (a major sixth up) or "
                               "trumpet (a major second up), key signature and chord symbols "
                               "transposed too; concert writes it as it sounds (default: "
                               "concert).")
    generate.add_argument("--output_dir", default=DEFAULT_OUTPUT_DIR,
                          help="Directory for the files, named TUNE_seedS.mid (.wav, .musicxml, "
                               ".mp3): TUNE is the chart's title, the MIDI file's name, the "
                               "progression's or the model's tune, in lowercase words joined by "
                               "'_' ('chords' for --backing_chords) and S the seed (default: "
                               f"{DEFAULT_OUTPUT_DIR}).")
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

    serve = commands.add_parser("serve", help="Open the practice room: a local web page that "
                                              "improvises over your chart, plays it with the "
                                              "band, engraves it and trades fours.")
    serve.add_argument("--port", type=int, default=8000, help="The port to serve on "
                                                              "(default: 8000).")
    serve.add_argument("--host", default="127.0.0.1",
                       help="The address to serve on (default: 127.0.0.1, this machine only; "
                            "0.0.0.0 opens it to your network).")
    serve.add_argument("--open", action="store_true", help="Open the page in a web browser.")
    serve.set_defaults(run=_serve)

    _add_evaluate(commands)
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
    setting = getattr(error, "setting", None)
    if setting and message.startswith(f"{setting} "):         # "qpm must be ..." -> "--qpm ..."
        message = f"--{message}"
    elif setting:
        message = f"{message} (--{setting})"
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
