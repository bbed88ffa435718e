"""Settings: where a tune's solo lives (tune presets) and the model/training hyperparameters."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from jazzsolo.errors import ConfigError


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


def check_range(name: str, value, low, high=None) -> None:
    """Refuse a numeric option outside [low, high] (or NaN) with a one-line message."""
    if value is None:
        return
    if value != value or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"--{name} must be {bound}, got {value}")
