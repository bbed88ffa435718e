"""Generation settings → solo files: the chords to play over, then for each seed a solo written as
MIDI (and WAV and a MusicXML lead sheet when asked), whatever model family improvises."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jazzsolo.config import check_setting
from jazzsolo.errors import ConfigError, OutputExistsError

DEFAULT_MODEL_DIR = "output/model"    # where `jazzsolo train` saves unless told otherwise
DEFAULT_QPM = 130.0                   # the course's tempo, quarter notes per minute
COURSE_TEMPERATURE = 0.5              # the course model's sampling temperature
DEFAULT_MAX_COPY = 8                  # values; a measure of the tune holds 6-19, median 11


@dataclass
class GenerateSettings:
    """Everything `jazzsolo generate` can be asked; each field is the flag of the same name."""

    model: str | None = None                 # course, wjazzd or a directory (see resolve_model)
    temperature: float | None = None         # 0 = likeliest always; None: the model's default
    rhythm_temperature: float | None = None  # the note model's durations; None: its default
    seed: int | None = None                  # first seed; None draws one (it is in the file name)
    qpm: float | None = None                 # tempo; None: the chart's, else DEFAULT_QPM
    top_k: int | None = None                 # sample among the k likeliest only
    max_copy: int | None = None              # longest run of training values a solo may copy
    num_outputs: int = 1                     # solos written, seeds seed, seed + 1, ...
    backing_chords: str | None = None        # chord symbols, bars separated by "|"
    beats_per_chord: float | None = None     # with backing_chords written without bars
    progression: str | None = None           # a built-in progression's name
    chords_from: str | None = None           # MIDI accompaniment, MusicXML lead sheet, iReal chart
    tune: str | None = None                  # the title to take from an iReal Pro playlist
    time_signature: str | None = None        # metre of backing_chords / progression, e.g. "3/4"
    choruses: int = 1                        # times the chords are played
    solo_instrument: str = "Electric Guitar (jazz)"   # General MIDI name
    render_chords: bool = True               # write the accompaniment tracks
    swing: float | None = None               # swing ratio; None: the players' at this tempo
    drums: bool = True                       # the drummer
    bass: bool = True                        # the walking bass
    comp: bool = True                        # the piano comp
    count_off: bool = False                  # a bar of hi-hat count-off before the solo
    mp3: bool = False                        # also an MP3 beside each MIDI (needs ffmpeg)
    primer_midi: str | None = None           # a phrase to open the solo with
    wav: bool = False                        # also render a WAV beside each MIDI
    musicxml: bool = False                   # also write a MusicXML lead sheet beside each MIDI
    output_dir: str = "output"
    overwrite: bool = False                  # replace files that exist


def check_settings(settings: GenerateSettings) -> None:
    """Refuse numbers out of range and combinations that cannot be honoured, before any work."""
    check_setting("temperature", settings.temperature)
    check_setting("rhythm_temperature", settings.rhythm_temperature)
    check_setting("seed", settings.seed)
    check_setting("qpm", settings.qpm)
    check_setting("top_k", settings.top_k)
    check_setting("num_outputs", settings.num_outputs)
    check_setting("choruses", settings.choruses)
    check_setting("beats_per_chord", settings.beats_per_chord)
    check_setting("max_copy", settings.max_copy)
    check_setting("swing", settings.swing)
    sources = [name for name in ("backing_chords", "progression", "chords_from")
               if getattr(settings, name) is not None]
    if len(sources) > 1:
        raise ConfigError("give only one of --backing_chords, --progression and --chords_from")
    if settings.beats_per_chord is not None and settings.backing_chords is None:
        raise ConfigError("--beats_per_chord sets the length of --backing_chords written without "
                          "bars; it cannot change a built-in progression or a chart")
    if settings.time_signature is not None and settings.backing_chords is None \
            and settings.progression is None:
        raise ConfigError("--time_signature sets the metre of --backing_chords or --progression; "
                          "a chart, a MIDI accompaniment and the tune keep their own")
    if settings.tune is not None and settings.chords_from is None:
        raise ConfigError("--tune picks a tune of the iReal Pro playlist given with --chords_from")


def read_backing(settings: GenerateSettings, *, model_ql: float = 4.0, tune_chords=None):
    """The chords to play over (a `chord_files.Backing`), repeated for every chorus.

    `model_ql` is the bar length the model was trained in (the metre of chords given without
    one); `tune_chords` the model's own tune, played when no chords are given.
    """
    from jazzsolo.music.metre import time_signature_for
    from jazzsolo.ingest.chord_files import Backing, read_backing as read_chart_backing
    from jazzsolo.music.progression import get_progression, parse_progression, repeat_choruses

    signature = settings.time_signature or time_signature_for(model_ql)
    if settings.backing_chords is not None or settings.progression is not None:
        text = settings.backing_chords if settings.backing_chords is not None \
            else get_progression(settings.progression)
        measures = parse_progression(text, time_signature=signature,
                                     beats_per_chord=settings.beats_per_chord)
        backing = Backing(measures, [signature] * len(measures))
    elif settings.chords_from is not None:
        backing = read_chart_backing(settings.chords_from, measure_ql=model_ql,
                                     tune=settings.tune)
    elif tune_chords is not None:
        backing = Backing(tune_chords, [time_signature_for(model_ql)] * len(tune_chords))
    else:
        raise ConfigError("this model learned from many tunes and has no chords of its own: "
                          "give --progression, --backing_chords or --chords_from (or --model "
                          "course for the Metheny tune's chords)")
    skip = 1 if backing.pickup_ql is not None else 0      # a pickup is played once, up front
    backing.measures = backing.measures[:skip] + repeat_choruses(backing.measures[skip:],
                                                                 settings.choruses)
    backing.time_signatures = (backing.time_signatures[:skip]
                               + backing.time_signatures[skip:] * settings.choruses)
    return backing


def resolve_model(name: str | None) -> Path:
    """A model directory from a name: ``course`` (the Metheny model), ``wjazzd`` (the corpus
    model), a path; None is output/model when a complete one is there, else ``wjazzd``."""
    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR
    from jazzsolo.models.note_lstm import PRETRAINED_WJAZZD_DIR

    named = {"course": PRETRAINED_MODEL_DIR, "metheny": PRETRAINED_MODEL_DIR,
             "wjazzd": PRETRAINED_WJAZZD_DIR}
    if name is None:
        own = Path(DEFAULT_MODEL_DIR)
        return own if (own / "config.json").is_file() else PRETRAINED_WJAZZD_DIR
    return named.get(name, Path(name))


class _Improviser:
    """One model family behind one call: a solo over the backing for a seed."""

    def __init__(self, settings: GenerateSettings, model_dir: Path):
        from jazzsolo.models.note_lstm import is_note_model_dir

        self.settings, self.is_note_model = settings, is_note_model_dir(model_dir)
        if self.is_note_model:
            from jazzsolo.generate.note_solo import DEFAULT_RHYTHM_TEMPERATURE, DEFAULT_TEMPERATURE
            from jazzsolo.models.note_lstm import load_note_model

            for flag, given in (("--primer_midi", settings.primer_midi),
                                ("--max_copy", settings.max_copy)):
                if given is not None:
                    raise ConfigError(f"{flag} works with models of the course's values (e.g. "
                                      f"--model course), not with this note model")
            self.model, self.model_ql, self.tune_chords = load_note_model(model_dir), 4.0, None
            self.temperature = settings.temperature if settings.temperature is not None \
                else DEFAULT_TEMPERATURE
            self.rhythm_temperature = settings.rhythm_temperature \
                if settings.rhythm_temperature is not None else DEFAULT_RHYTHM_TEMPERATURE
        else:
            if settings.rhythm_temperature is not None:
                raise ConfigError("--rhythm_temperature works with note models (e.g. --model "
                                  "wjazzd); the course's values hold pitch and rhythm together")
            from jazzsolo.models.model_dir import load_model_dir
            from jazzsolo.generate.measures import copy_guard_for

            self.model = load_model_dir(model_dir)
            self.model_ql = float(self.model.settings.get("measure_ql", 4.0))
            self.tune_chords = self.model.chords
            self.temperature = settings.temperature if settings.temperature is not None \
                else COURSE_TEMPERATURE
            max_copy = settings.max_copy if settings.max_copy is not None else DEFAULT_MAX_COPY
            self.copy_guard = copy_guard_for(self.model, max_copy)
        self.primer = None

    def prime(self, backing) -> None:
        """Read --primer_midi over the first measures of the backing."""
        from jazzsolo.generate.measures import read_primer

        lengths = backing.lengths_ql
        if self.settings.primer_midi:
            if len(set(lengths)) > 1:
                raise ConfigError("a primer needs measures of one length; these chords change "
                                  "metre")
            self.primer = read_primer(self.settings.primer_midi, backing.measures,
                                      measure_ql=lengths[0])

    def solo(self, backing, seed: int, qpm: float):
        """The solo of one seed over the backing."""
        lengths, settings = backing.lengths_ql, self.settings
        if self.is_note_model:
            from jazzsolo.generate.note_solo import generate_note_solo

            return generate_note_solo(self.model, backing.measures, measure_lengths_ql=lengths,
                                      time_signatures=backing.time_signatures,
                                      temperature=self.temperature, seed=seed,
                                      rhythm_temperature=self.rhythm_temperature,
                                      top_k=settings.top_k, qpm=qpm)
        from jazzsolo.generate.measures import generate_solo

        return generate_solo(self.model.weights, self.model.indices_values, backing.measures,
                             temperature=self.temperature, seed=seed, top_k=settings.top_k,
                             measure_ql=lengths[0], primer=self.primer,
                             copy_guard=self.copy_guard, measure_lengths_ql=lengths,
                             time_signatures=backing.time_signatures)


def _outputs(settings: GenerateSettings, seeds: list[int]) -> list[Path]:
    """The MIDI file of each seed; refused up front if any file to be written exists."""
    outputs = [Path(settings.output_dir) / f"solo_seed{seed}.mid" for seed in seeds]
    suffixes = [".mid"] + [".wav"] * settings.wav + [".musicxml"] * settings.musicxml + \
        [".mp3"] * settings.mp3
    taken = [str(p.with_suffix(s)) for p in outputs for s in suffixes if p.with_suffix(s).exists()]
    if taken and not settings.overwrite:
        raise OutputExistsError(f"{taken[0]}: exists already")
    return outputs


def generate_files(settings: GenerateSettings) -> str:
    """Write one solo per seed over the chosen chords; returns the one-line summary."""
    import numpy as np

    from jazzsolo.export.midi import gm_program, render_wav
    from jazzsolo.generate.measures import write_solo_midi

    check_settings(settings)
    solo_program = gm_program(settings.solo_instrument)
    improviser = _Improviser(settings, resolve_model(settings.model))
    backing = read_backing(settings, model_ql=improviser.model_ql,
                           tune_chords=improviser.tune_chords)
    accompaniment = "comp" if settings.render_chords else "none"    # a rhythm section, always
    if settings.mp3:
        from jazzsolo.export.midi import find_ffmpeg
        if find_ffmpeg() is None:                      # say so before any work
            raise ConfigError("MP3 needs ffmpeg, which is not installed (apt-get install "
                              "ffmpeg, or make system-deps)")
    first_seed = settings.seed if settings.seed is not None \
        else int(np.random.default_rng().integers(2**31))
    seeds = [first_seed + i for i in range(settings.num_outputs)]
    outputs = _outputs(settings, seeds)
    improviser.prime(backing)
    qpm = settings.qpm or backing.qpm or DEFAULT_QPM
    n_notes = 0
    for seed, output in zip(seeds, outputs):
        solo = improviser.solo(backing, seed, qpm)
        write_solo_midi(solo, output, qpm=qpm, accompaniment=accompaniment,
                        solo_program=solo_program, overwrite=settings.overwrite,
                        swing_ratio=settings.swing, drums=settings.drums and settings.render_chords,
                        bass=settings.bass, comp=settings.comp, seed=seed,
                        count_off=settings.count_off)
        n_notes += len(solo.timed_notes())
        if settings.wav or settings.mp3:
            wav = output.with_suffix(".wav") if settings.wav else \
                output.with_name(f".{output.stem}.for-mp3.wav")     # hidden, removed below
            render_wav(output, wav, solo_instrument=settings.solo_instrument,
                       overwrite=settings.overwrite or not settings.wav)
            if settings.mp3:
                from jazzsolo.export.midi import render_mp3
                render_mp3(wav, output.with_suffix(".mp3"), overwrite=settings.overwrite)
            if not settings.wav:
                wav.unlink()
        if settings.musicxml:
            from jazzsolo.export.musicxml import write_solo_musicxml

            write_solo_musicxml(solo, output.with_suffix(".musicxml"),
                                title=backing.title or f"Solo, seed {seed}", qpm=qpm,
                                key=backing.key, overwrite=settings.overwrite)
    where = outputs[0] if len(outputs) == 1 else f"{len(outputs)} files in {settings.output_dir}/"
    extra = "".join(f" (+ {kind})" for kind, asked in (("WAV", settings.wav), ("MP3", settings.mp3),
                                                      ("MusicXML", settings.musicxml)) if asked)
    sound = ""
    if settings.wav or settings.mp3:
        from jazzsolo.export.midi import soundfont_in_use
        sound = f"; sound: {soundfont_in_use().name}"
    return (f"Wrote {n_notes} solo notes over {len(backing.measures)} measures{extra} to "
            f"{where}{sound}")
