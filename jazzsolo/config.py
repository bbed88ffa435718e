"""Settings: the musical constants, every setting's valid range, where a tune's solo lives (tune
presets) and the course model's hyperparameters; each default is written here once."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from jazzsolo.errors import ConfigError

# --------------------------------------------------------------------------- musical constants
# Every stage imports these from here; none is written a second time.
GRID_PER_BEAT = 12                    # grid steps per quarter note: sixteenths = 3, triplet eighths = 4
DEFAULT_QPM = 130.0                   # the course's tempo, quarter notes per minute
SOLO_PITCH_RANGE = (48, 88)           # MIDI, sounding, inclusive: C3-E6 (guitar, saxophones, trumpet)
MAX_COPY = 8                          # course model: values a solo may copy in a row from its tune
                                      # (a measure of the tune holds 6-19, median 11)
MAX_REPEATS = 4                       # note model: notes of one pitch in a row at most (in 32
                                      # bars of a WJazzD solo the longest run is 2, 3 at the
                                      # 75th percentile; left alone the model hammers 8 or more)
MAX_ALTERNATION = 6                   # note model: notes of a two-pitch alternation (x y x y ..)
                                      # at most (players: longest 5, 6 at the 75th percentile;
                                      # left alone the model trills for 15)
COURSE_TEMPERATURE = 0.5              # the course model's sampling temperature
NOTE_TEMPERATURE = 0.95               # the note model's pitches: at 0.95 the phrase-planned model's
                                      # intervals, chord tones and motif repetition sit inside the
                                      # players' (at 0.8 steps crowd out leaps; at 1.0 motifs go)
NOTE_PHRASE_END_TEMPERATURE = 0.5     # a phrase's planned last note, sharper: players end on the
                                      # chord (phrase-final chord tones 0.71; 0.52 at 0.95)
NOTE_STRONG_BEAT_TEMPERATURE = 0.6    # a note model's pitch on beats 1 and 3: at most this
NOTE_RHYTHM_TEMPERATURE = 1.0         # the note model's durations: at 1.0 the rhythm is as varied
                                      # as the players' (inter-onset overlap 0.92, as real vs real)

# --------------------------------------------------------------------------- model names
# The shipped models, by the one name each goes by in every command, table and file; the
# families that load them are registered in `jazzsolo.generate.families`.
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
MODEL_NAMES: dict[str, Path] = {
    "wjazzd": PRETRAINED_DIR / "wjazzd",     # note LSTM learned from 361 WJazzD solos
    "course": PRETRAINED_DIR / "metheny",    # the course's LSTM of the Metheny tune
}
DEFAULT_MODEL = "wjazzd"                     # plays when no model is named, wherever it runs

# --------------------------------------------------------------------------- sampling

@dataclass(frozen=True)
class SamplingOptions:
    """How a model is asked to sample; None leaves a setting at the model's own default."""

    temperature: float | None = None         # 0 = likeliest always; the pitches' for note models
    rhythm_temperature: float | None = None  # a note model's durations
    top_k: int | None = None                 # draw among the k likeliest only
    max_copy: int | None = None              # longest run of its training tune a solo may copy
    primer_midi: str | None = None           # a MIDI phrase the solo opens with and continues
    player: str | None = None                # play as this performer (a note model's voices)
    style: str | None = None                 # ... in this style (BEBOP, COOL, ...)
    instrument: str | None = None            # ... on this instrument (tenor, trumpet, ...)
    density: float | None = None             # notes per beat
    phrase_length: float | None = None       # median notes per phrase
    register: str | None = None              # LOW-HIGH, e.g. C4-G5 or 60-79

    def given(self) -> list[str]:
        """The names of the settings asked for (not None)."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


# --------------------------------------------------------------------------- setting ranges
# The valid range of every numeric setting, inclusive (None: no upper bound); `check_setting`
# is the one check, with the one message, wherever the setting arrives.
SETTING_RANGES: dict[str, tuple[float, float | None]] = {
    "temperature": (0.0, 10.0),
    "rhythm_temperature": (0.0, 10.0),
    "seed": (0, 2**32 - 1),
    "qpm": (20.0, 400.0),
    "top_k": (1, None),
    "num_outputs": (1, 1000),
    "choruses": (1, 100),
    "beats_per_chord": (0.25, 64.0),
    "max_copy": (0, 10_000),
    "swing": (0.5, 4.0),
    "epochs": (1, 100_000),
    "n_a": (1, 4096),
    "melody_part": (0, None),
    "chord_parts": (0, None),
    "windows": (1, 1_000_000),
    "limit": (1, 100_000),
    "max_bars": (1, 10_000),
    "n_solos": (1, 1000),
    "heldout_epochs": (0, 100_000),
    "heldout_measures": (1, 1000),
}


@dataclass(frozen=True)
class TunePreset:
    """Where the melody, the chords and the solo section are in one MIDI file."""

    name: str
    melody_part: int                  # index of the melody part in music21's parse
    chord_part: int                   # index of the part whose block chords give the harmony
    solo_start_ql: float              # first offset of the solo section, quarter lengths
    solo_end_ql: float                # last offset of the solo section (inclusive), quarter lengths
    beats_per_measure: int = 4        # measure length in quarter lengths
    quantize_divisors: tuple[int, ...] = (4, 3)   # grid: 1/16 notes and 1/8-note triplets
    file_names: tuple[str, ...] = ()  # file names this preset is used for by default


# The course's tune: Pat Metheny, "And Then I Knew", solo section.  Part 5 is the guitar
# melody, part 0 the piano that plays the block chords; the solo spans offsets 476-548.
TUNE_PRESETS: dict[str, TunePreset] = {
    "course": TunePreset(name="course", melody_part=5, chord_part=0,
                         solo_start_ql=476.0, solo_end_ql=548.0,
                         file_names=("original_metheny.mid",)),
}
AUTO_PRESET = "auto"                  # any tune: melody part and chords found automatically


@dataclass(frozen=True)
class ModelConfig:
    """Shape of the course model and of its training windows."""

    n_a: int = 64                     # LSTM hidden units
    Tx: int = 30                      # time steps per training window (values)
    m: int = 60                       # number of training windows
    data_seed: int = 0                # seed for choosing the windows (course: np.random.seed(0))


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser settings of the course: Adam with Keras 2's time-based decay."""

    epochs: int = 100                 # passes over the m windows
    batch_size: int = 32              # windows per gradient step (Keras default, as in the course)
    learning_rate: float = 0.01       # initial Adam step size
    beta_1: float = 0.9
    beta_2: float = 0.999
    decay: float = 0.01               # lr_t = lr / (1 + decay * step), Keras 2's `decay`
    seed: int = 0                     # seed for weight initialisation and batch shuffling


def get_tune_preset(name: str) -> TunePreset:
    """Return the tune preset called `name`; an unknown name lists the valid ones."""
    try:
        return TUNE_PRESETS[name]
    except KeyError:
        valid = ", ".join(sorted(TUNE_PRESETS) + [AUTO_PRESET])
        raise ConfigError(f"unknown preset {name!r}; valid presets: {valid}") from None


def config_to_dict(config) -> dict:
    """Turn a settings dataclass into a JSON-ready dict."""
    return asdict(config)


def config_from_dict(cls, data: dict):
    """Build settings of type `cls` from a dict, refusing unknown keys."""
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} settings: {', '.join(sorted(unknown))}")
    return cls(**data)


def check_setting(name: str, value) -> None:
    """Refuse a setting outside its range in `SETTING_RANGES` (or NaN) with a one-line message;
    None (not given) passes.

    >>> check_setting("temperature", 0.8)
    >>> check_setting("temperature", 50)
    Traceback (most recent call last):
    ...
    jazzsolo.errors.ConfigError: temperature must be between 0.0 and 10.0, got 50
    """
    if value is None:
        return
    low, high = SETTING_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value \
            or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{name} must be {bound}, got {value!r}", setting=name)
