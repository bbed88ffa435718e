"""Generation settings → solos in memory: the model (any family, `generate.families`), the chords
to play over, then one solo per seed; `export.solo_files` writes them as files."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jazzsolo.config import DEFAULT_QPM, SamplingOptions, check_setting
from jazzsolo.errors import ConfigError
from jazzsolo.generate.families import SoloModel, check_options, load_model


@dataclass
class GenerateSettings:
    """Everything `jazzsolo generate` can be asked; each field is the flag of the same name."""

    model: str | None = None                 # a model name or directory; None: DEFAULT_MODEL
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
    solo_instrument: str | None = None       # General MIDI name; None: the instrument's sound,
                                             # else export.audio's default (a jazz guitar)
    render_chords: bool = True               # write the accompaniment tracks
    swing: float | None = None               # swing ratio; None: the players' at this tempo
    drums: bool = True                       # the drummer
    bass: bool = True                        # the walking bass
    comp: bool = True                        # the piano comp
    count_off: bool = False                  # a bar of hi-hat count-off before the solo
    mp3: bool = False                        # also an MP3 beside each MIDI (needs ffmpeg)
    primer_midi: str | None = None           # a phrase to open the solo with
    player: str | None = None                # play as this performer (`jazzsolo players`)
    style: str | None = None                 # ... in this style
    instrument: str | None = None            # ... on this instrument: its idiom, range, sound
    density: float | None = None             # notes per beat
    phrase_length: float | None = None       # median notes per phrase
    register: str | None = None              # LOW-HIGH in note names or MIDI numbers
    wav: bool = False                        # also render a WAV beside each MIDI
    musicxml: bool = False                   # also write a MusicXML lead sheet beside each MIDI
    key: str | None = None                   # lead sheet key, "Ab", "C-"; None: chart's, else chords'
    transpose_for: str = "concert"           # lead sheet written for tenor, alto, trumpet or concert
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
        raise ConfigError("give only one of the chord sources backing_chords, progression and "
                          "chords_from", setting=sources[1])
    if settings.beats_per_chord is not None and settings.backing_chords is None:
        raise ConfigError("beats_per_chord sets the length of backing chords written without "
                          "bars; it cannot change a built-in progression or a chart",
                          setting="beats_per_chord")
    if settings.time_signature is not None and settings.backing_chords is None \
            and settings.progression is None:
        raise ConfigError("time_signature sets the metre of backing chords or a built-in "
                          "progression; a chart, a MIDI accompaniment and the tune keep their own",
                          setting="time_signature")
    if settings.tune is not None and settings.chords_from is None:
        raise ConfigError("tune picks a tune of an iReal Pro playlist, and no chart was given",
                          setting="tune")
    _check_lead_sheet(settings)


def _check_lead_sheet(settings: GenerateSettings) -> None:
    """Refuse a key or a part that cannot be read, and either without a lead sheet to write."""
    from jazzsolo.music.keys import check_transpose_for, parse_key_name

    if settings.key is not None:
        try:
            parse_key_name(settings.key)
        except ConfigError as e:
            raise ConfigError(str(e), setting="key") from None
    check_transpose_for(settings.transpose_for)
    asked = [name for name, value in (("key", settings.key is not None),
                                      ("transpose_for", settings.transpose_for != "concert"))
             if value]
    if asked and not settings.musicxml:
        raise ConfigError(f"{asked[0]} sets how the MusicXML lead sheet is written, and none "
                          f"was asked for (add musicxml)", setting=asked[0])


def read_backing(settings: GenerateSettings, *, model_ql: float = 4.0, tune_chords=None):
    """The chords to play over (a `chord_files.Backing`), repeated for every chorus.

    `model_ql` is the bar length the model was trained in (the metre of chords given without
    one); `tune_chords` the model's own tune, played when no chords are given.
    """
    from jazzsolo.music.metre import time_signature_for
    from jazzsolo.ingest.chord_files import Backing, read_backing as read_chart_backing
    from jazzsolo.music.progression import get_progression, parse_progression, repeat_choruses

    signature = settings.time_signature or time_signature_for(model_ql)
    last = None                                          # the last chorus, when it differs
    if settings.backing_chords is not None or settings.progression is not None:
        text = settings.backing_chords if settings.backing_chords is not None \
            else get_progression(settings.progression)
        measures = parse_progression(text, time_signature=signature,
                                     beats_per_chord=settings.beats_per_chord)
        backing = Backing(measures, [signature] * len(measures))
    elif settings.chords_from is not None:
        backing = read_chart_backing(settings.chords_from, measure_ql=model_ql,
                                     tune=settings.tune)
        last = backing.last_chorus
    elif tune_chords is not None:
        backing = Backing(tune_chords, [time_signature_for(model_ql)] * len(tune_chords))
    else:
        raise ConfigError("this model learned from many tunes and has no chords of its own: "
                          "give chords to play over (a progression, chord symbols or a chart), "
                          "or choose the course model for the Metheny tune's chords")
    skip = 1 if backing.pickup_ql is not None else 0      # a pickup is played once, up front
    chorus_signatures = backing.time_signatures[skip:]
    backing.measures = backing.measures[:skip] + repeat_choruses(
        backing.measures[skip:], settings.choruses, last=last and last[0])
    backing.time_signatures = (backing.time_signatures[:skip]
                               + chorus_signatures * (settings.choruses - 1)
                               + (last[1] if last else chorus_signatures))
    return backing


def sampling_options(settings: GenerateSettings) -> SamplingOptions:
    """The sampling part of the settings, as every model family takes it."""
    return SamplingOptions(temperature=settings.temperature,
                           rhythm_temperature=settings.rhythm_temperature, top_k=settings.top_k,
                           max_copy=settings.max_copy, primer_midi=settings.primer_midi,
                           player=settings.player, style=settings.style,
                           instrument=settings.instrument, density=settings.density,
                           phrase_length=settings.phrase_length, register=settings.register)


@dataclass
class Improvisation:
    """What one generation made, in memory: the model that played, the chords, the tempo, and
    one solo (`measures.Solo`) per seed."""

    model: SoloModel
    backing: object                        # `ingest.chord_files.Backing`
    qpm: float
    seeds: list[int]
    solos: list = field(default_factory=list)


def first_seed(settings: GenerateSettings) -> int:
    """The seed asked for, or a fresh one (it goes into the file names, so it can be replayed)."""
    return settings.seed if settings.seed is not None \
        else int(np.random.default_rng().integers(2**31))


def prepare(settings: GenerateSettings, model: SoloModel | None = None) -> Improvisation:
    """Check the settings, load the model (unless one loaded is given: the practice room keeps
    one per process) and read the chords; no solo is played yet."""
    check_settings(settings)
    model = model if model is not None else load_model(settings.model)
    options = sampling_options(settings)
    check_options(model, options)
    backing = read_backing(settings, model_ql=model.measure_ql, tune_chords=model.tune_chords)
    seed = first_seed(settings)
    qpm = settings.qpm or backing.qpm or DEFAULT_QPM
    return Improvisation(model, backing, qpm, [seed + i for i in range(settings.num_outputs)])


def play(improvisation: Improvisation, settings: GenerateSettings, seed: int):
    """The solo of one seed over the improvisation's chords."""
    backing = improvisation.backing
    return improvisation.model.improvise(backing.measures, measure_lengths_ql=backing.lengths_ql,
                                         time_signatures=backing.time_signatures, seed=seed,
                                         qpm=improvisation.qpm,
                                         options=sampling_options(settings))


def improvise(settings: GenerateSettings) -> Improvisation:
    """Every solo the settings ask for, in memory."""
    improvisation = prepare(settings)
    improvisation.solos = [play(improvisation, settings, seed) for seed in improvisation.seeds]
    return improvisation


__all__ = ["GenerateSettings", "Improvisation", "check_settings", "improvise", "play", "prepare",
           "read_backing", "sampling_options"]
