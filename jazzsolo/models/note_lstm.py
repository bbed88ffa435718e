"""A trained note LSTM ⇄ a model directory, and the NumPy model that runs it one event at a time.

The model (family ``note-lstm``) reads at each event the previous event (pitch token and
duration token, one-hot), the controls at the event's onset (`encodings.note_events`) and the
phrase plan (`encodings.phrase_plan`: notes still to play in the phrase, its length), runs
`NoteModelConfig.n_layers` LSTM layers, and predicts two softmax heads from the last layer:

* the event's pitch token (61 MIDI pitches or a rest), from the LSTM output as the sum of
  three scores: one per pitch token, one per pitch class above the chord root sounding now
  (12), and one per interval from the last note played (`note_events.interval_bucket`, 27),
  so what the model learns about chord tones and steps holds in every key and register;
* the event's duration token, from the LSTM output and one flag saying whether the event is a
  rest (in training the real event's, in generation the sampled pitch's), since a rest's length
  is distributed very differently from a note's.

Its shape and training run are one `NoteModelConfig`; the Keras model and its training are in
`jazzsolo.models.note_training`.  Generation never needs TensorFlow: `load_note_model` reads
arrays and JSON into a `NoteStepModel`, which runs the same LSTM in NumPy one event at a time.
"""
from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from jazzsolo.config import MODEL_NAMES
from jazzsolo.encodings.note_events import (N_DURATION_TOKENS, N_INPUTS, N_INTERVALS,
                                            N_PITCH_TOKENS, N_PITCHES, REST, model_inputs,
                                            pitch_indices, step_input, step_pitch_indices,
                                            vocabularies)
from jazzsolo.encodings.phrase_plan import PhraseLengths
from jazzsolo.encodings.voice import VoiceProfile, VoiceVocabulary
from jazzsolo.errors import ConfigError, ModelDirError, OutputExistsError
from jazzsolo.files import json_bytes, npz_bytes, write_atomic
from jazzsolo.models.lstm_step import lstm_sequence, lstm_step, softmax
from jazzsolo.models.solo_cache import CacheConfig

FAMILY = "note-lstm"
FORMAT_VERSION = 3                 # 2: the phrase plan among the inputs, phrase lengths kept;
                                   # 3: the voice inputs (player, style, instrument, profile)
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
HISTORY_FILE = "history.json"
RUN_FILE = "note_run.json"                 # inside checkpoints/: what a resumed run trains on
PRETRAINED_WJAZZD_DIR = MODEL_NAMES["wjazzd"]
WJAZZD_SOURCE = "Weimar Jazz Database (Jazzomat Research Project, HfM Weimar), ODbL 1.0"


@dataclass(frozen=True)
class NoteModelConfig:
    """The note LSTM's shape and its training run; every default is written here only."""

    n_units: int = 256               # LSTM units per layer
    n_layers: int = 2                # stacked LSTM layers
    dropout: float = 0.2             # dropout after each LSTM layer, 0-0.9
    window: int = 64                 # events per training window
    batch_size: int = 32             # windows per gradient step
    learning_rate: float = 2e-3      # Adam step size at the start
    lr_decay: float = 0.5            # step size factor after each epoch that is not the best
    clipnorm: float = 1.0            # gradient norm limit per step
    max_epochs: int = 40             # passes over the training solos, at most
    patience: int = 4                # epochs without a better validation loss before stopping
    max_transpose: int = 6           # semitones either way each solo is moved per epoch
    label_dropout: float = 0.5       # chance per window that each voice label is not told
    seed: int = 0                    # weights, dropout, keys, window cuts and batch order

    def __post_init__(self) -> None:
        for name, low, high in (("n_units", 1, 4096), ("n_layers", 1, 8), ("window", 2, 100_000),
                                ("batch_size", 1, 100_000), ("max_epochs", 1, 100_000),
                                ("patience", 1, 100_000), ("max_transpose", 0, 11),
                                ("seed", 0, 2**31 - 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name} must be a whole number in {low}-{high}, got {value!r}")
        for name, low, high in (("dropout", 0.0, 0.9), ("label_dropout", 0.0, 1.0),
                                ("learning_rate", 1e-7, 1.0),
                                ("lr_decay", 0.01, 1.0), ("clipnorm", 1e-6, 1e6)):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not low <= value <= high:
                raise ConfigError(f"{name} must be a number in {low}-{high}, got {value!r}")

    @classmethod
    def from_dict(cls, data: dict) -> "NoteModelConfig":
        """Settings from a dict, refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) - known:
            unknown = sorted(set(data) - known) if isinstance(data, dict) else data
            raise ConfigError(f"unknown NoteModelConfig settings: {unknown}")
        return cls(**data)


# Named presets: the shipped model's settings, and a tiny one for tests and smoke runs.
NOTE_MODEL_PRESETS = {
    "wjazzd": NoteModelConfig(),
    "tiny": NoteModelConfig(n_units=32, n_layers=1, window=32, batch_size=8, max_epochs=1),
}


def get_note_preset(name: str) -> NoteModelConfig:
    """The note-model preset called `name`; an unknown name lists the valid ones."""
    try:
        return NOTE_MODEL_PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown note-model preset {name!r}; valid presets: "
                          f"{', '.join(sorted(NOTE_MODEL_PRESETS))}") from None


# --------------------------------------------------------------------------- NumPy model

_HEAD_ARRAYS = ("pitch_kernel", "pitch_bias", "relative_kernel", "relative_bias",
                "interval_kernel", "interval_bias", "duration_kernel", "duration_bias")


@dataclass
class NoteWeights:
    """The trained arrays in Keras layouts (LSTM gates in the order i, f, c, o)."""

    lstm: list[tuple[np.ndarray, np.ndarray, np.ndarray]]   # (kernel, recurrent, bias) per layer
    pitch_kernel: np.ndarray         # (n_units, N_PITCH_TOKENS)
    pitch_bias: np.ndarray           # (N_PITCH_TOKENS,)
    relative_kernel: np.ndarray      # (n_units, 12): pitch class above the chord root
    relative_bias: np.ndarray        # (12,)
    interval_kernel: np.ndarray      # (n_units, N_INTERVALS): interval from the last note
    interval_bias: np.ndarray        # (N_INTERVALS,)
    duration_kernel: np.ndarray      # (n_units + 1, N_DURATION_TOKENS): last row = rest flag
    duration_bias: np.ndarray        # (N_DURATION_TOKENS,)

    def arrays(self) -> dict[str, np.ndarray]:
        """Named arrays, as saved in ``weights.npz``."""
        out = {}
        for i, (kernel, recurrent, bias) in enumerate(self.lstm):
            out[f"lstm{i}_kernel"], out[f"lstm{i}_recurrent_kernel"] = kernel, recurrent
            out[f"lstm{i}_bias"] = bias
        out.update({name: getattr(self, name) for name in _HEAD_ARRAYS})
        return out

    @classmethod
    def from_arrays(cls, arrays, n_layers: int) -> "NoteWeights":
        lstm = [tuple(np.asarray(arrays[f"lstm{i}_{name}"], dtype=np.float64)
                      for name in ("kernel", "recurrent_kernel", "bias"))
                for i in range(n_layers)]
        return cls(lstm, *(np.asarray(arrays[name], dtype=np.float64) for name in _HEAD_ARRAYS))

    @classmethod
    def from_keras(cls, model) -> "NoteWeights":
        """Copy the arrays out of the Keras model `build_note_model` makes."""
        n_layers = sum(1 for layer in model.layers if layer.name.startswith("lstm"))
        lstm = [tuple(np.asarray(w) for w in model.get_layer(f"lstm{i}").get_weights())
                for i in range(n_layers)]
        heads = [np.asarray(w) for name in ("pitch", "pitch_relative", "pitch_interval",
                                             "duration")
                 for w in model.get_layer(name).get_weights()]
        return cls(lstm, *heads)

    def check(self, where: str, n_voice: int = 0) -> None:
        """Refuse arrays whose shapes do not fit each other and the encoding (with `n_voice`
        voice inputs, `encodings.voice`)."""
        n_in = N_INPUTS + n_voice
        for i, (kernel, recurrent, bias) in enumerate(self.lstm):
            units = recurrent.shape[0]
            expected = [(n_in, 4 * units), (units, 4 * units), (4 * units,)]
            if [kernel.shape, recurrent.shape, bias.shape] != expected:
                raise ModelDirError(f"{where}: LSTM layer {i} has shapes {kernel.shape}, "
                                    f"{recurrent.shape}, {bias.shape}; expected {expected}")
            n_in = units
        expected = {"pitch_kernel": (n_in, N_PITCH_TOKENS), "pitch_bias": (N_PITCH_TOKENS,),
                    "relative_kernel": (n_in, 12), "relative_bias": (12,),
                    "interval_kernel": (n_in, N_INTERVALS), "interval_bias": (N_INTERVALS,),
                    "duration_kernel": (n_in + 1, N_DURATION_TOKENS),
                    "duration_bias": (N_DURATION_TOKENS,)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ModelDirError(f"{where}: {name} is {getattr(self, name).shape}, expected "
                                    f"{shape}")
        if not all(np.isfinite(a).all() for a in self.arrays().values()):
            raise ModelDirError(f"{where}: weights must be finite numbers")


@dataclass
class NoteState:
    """Where the step model is: each LSTM layer's (h, c), and the last two notes' pitch tokens
    (-1: none yet), which the inputs and the pitch head read."""

    layers: list[tuple[np.ndarray, np.ndarray]]
    last: int = -1
    last2: int = -1


@dataclass
class NoteStepModel:
    """The note LSTM in NumPy: one event at a time, the state passed in and out."""

    weights: NoteWeights
    config: NoteModelConfig = field(default_factory=NoteModelConfig)
    meta: dict = field(default_factory=dict)         # what the model was trained on
    history: dict = field(default_factory=dict)      # per-epoch losses
    cache: CacheConfig | None = field(default_factory=CacheConfig)   # the solo's own licks
                                                     # mixed in (`solo_cache`); None: off
    phrases: PhraseLengths | None = None             # the training solos' phrase lengths, from
                                                     # which generation draws its plan
    voices: VoiceVocabulary | None = None            # the labels it knows (None: no voice
                                                     # inputs); `with_voice` tells it one
    profiles: tuple[VoiceProfile, ...] = ()          # each training solo's labels and shape,
                                                     # in the order of `phrases.solos`

    @property
    def n_voice(self) -> int:
        """Voice inputs its first layer reads beside the N_INPUTS of each event."""
        return self.voices.n_inputs if self.voices is not None else 0

    def with_voice(self, features: np.ndarray) -> "NoteStepModel":
        """The model told one voice (`VoiceVocabulary.features`) for a whole solo: the voice
        is the same at every event, so its share of the first layer's input is added to that
        layer's bias once, and the model then reads events only.

        Told k voices at once (`features` (k, n_voice)), the bias has a row per voice and the
        model plays k views of one solo in step: its state holds (k, units) per layer and each
        step answers (k, P) and (k, 2, D) probabilities, for the cost of about one (one matrix
        product of k rows where one view has a vector), as voice guidance needs."""
        if self.voices is None:
            return self
        features = np.asarray(features, dtype=np.float64)
        if features.shape[-1:] != (self.n_voice,) or features.ndim > 2:
            raise ConfigError(f"a voice of this model is {self.n_voice} numbers, got "
                              f"{features.shape}")
        kernel, recurrent, bias = self.weights.lstm[0]
        first = (kernel[:N_INPUTS], recurrent, bias + features @ kernel[N_INPUTS:])
        weights = dataclasses.replace(self.weights, lstm=[first] + list(self.weights.lstm[1:]))
        return dataclasses.replace(self, weights=weights, voices=None)

    def voiced_like(self, solo, labels=(None, None, None)) -> "NoteStepModel":
        """The model told the voice of a real encoded solo: its own profile (notes per beat,
        register) and the (player, style, instrument) `labels` given (None: anyone), as it is
        fed in training; what evaluation feeds it."""
        if self.voices is None:
            return self
        from jazzsolo.encodings.note_events import encoded_profile

        return self.with_voice(self.voices.features(encoded_profile(solo, labels)))

    def _check_told(self) -> None:
        if self.voices is not None:
            raise ConfigError("this note model reads a voice: tell it one with with_voice()")

    def initial_state(self) -> NoteState:
        """Zero state and no notes yet, as every training window starts (one row per view
        when the model is told several voices, `with_voice`)."""
        views = self.weights.lstm[0][2].shape[:-1]
        return NoteState([(np.zeros(views + r.shape[:1]), np.zeros(views + r.shape[:1]))
                          for _, r, _ in self.weights.lstm])

    def probabilities(self, state: NoteState, event: tuple[int, int] | None,
                      control: np.ndarray, plan: np.ndarray | None = None):
        """Advance one event: returns ``(pitch_probs, duration_probs, state)``.

        `event` is the previous event's (pitch token, duration token), None at the start;
        `control` (N_CONTROLS,) the controls at this event's onset; `plan` (N_PLAN,) the
        phrase plan (`encodings.phrase_plan`; None: no phrase under way).  `pitch_probs` is
        (N_PITCH_TOKENS,); `duration_probs` is (2, N_DURATION_TOKENS): row 0 the duration if a
        note is played here, row 1 if a rest is; a row of each per view when the model is told
        several voices (`with_voice`).
        """
        self._check_told()
        last, last2 = state.last, state.last2
        if event is not None and event[0] != REST:
            last, last2 = int(event[0]), last
        x = step_input(event, control, last, last2, plan)
        layers = []
        for (kernel, recurrent, bias), (h, c) in zip(self.weights.lstm, state.layers):
            x, c = lstm_step(x, h, c, kernel, recurrent, bias)        # (n_units,) each
            layers.append((x, c))
        relative, interval = step_pitch_indices(control, last)
        h = np.atleast_2d(x)                                   # (views, n_units)
        pitch, duration = self._heads(h, np.broadcast_to(relative, (len(h), relative.size)),
                                      np.broadcast_to(interval, (len(h), interval.size)))
        if x.ndim == 1:
            pitch, duration = pitch[0], duration[0]
        return pitch, duration, NoteState(layers, last, last2)

    def _heads(self, h: np.ndarray, relative: np.ndarray, interval: np.ndarray):
        """Pitch probabilities (n, P) and duration probabilities (n, 2, D) from the last
        layer's outputs h (n, n_units) and the `pitch_indices` (n, N_PITCHES) each."""
        w = self.weights
        logits = h @ w.pitch_kernel + w.pitch_bias                             # (n, P)
        by_class = np.pad(h @ w.relative_kernel + w.relative_bias, ((0, 0), (0, 1)))
        by_interval = np.pad(h @ w.interval_kernel + w.interval_bias, ((0, 0), (0, 1)))
        logits[:, :N_PITCHES] += (np.take_along_axis(by_class, relative, axis=1)
                                  + np.take_along_axis(by_interval, interval, axis=1))
        note = h @ w.duration_kernel[:-1] + w.duration_bias                    # (n, D)
        duration = softmax(np.stack([note, note + w.duration_kernel[-1]], axis=-2))
        return softmax(logits), duration

    def sequence_probabilities(self, pitch: np.ndarray, duration: np.ndarray,
                               controls: np.ndarray, plan: np.ndarray | None = None):
        """Probabilities at every event of one sequence fed with its real events.

        Returns ``(pitch_probs (n, P), duration_probs (n, 2, D))``: step t predicts event t
        from events 0..t-1, the controls (n, N_CONTROLS) up to t and the phrase plan (n, N_PLAN)
        (None: the sequence's own phrases, as in training).
        """
        self._check_told()
        x = model_inputs(pitch, duration, controls, plan).astype(np.float64)     # (n, N_INPUTS)
        for kernel, recurrent, bias in self.weights.lstm:
            x = lstm_sequence(x, kernel, recurrent, bias)                    # (n, n_units)
        return self._heads(x, *pitch_indices(pitch, controls))


# --------------------------------------------------------------------------- model directory

def save_note_model(directory: str | os.PathLike, model, config: NoteModelConfig,
                    meta: dict | None = None, *, history: dict | None = None,
                    phrases: PhraseLengths | None = None,
                    voices: tuple[VoiceVocabulary, tuple[VoiceProfile, ...]] | None = None,
                    overwrite: bool = False) -> Path:
    """Write a model directory: weights.npz, vocabulary.json, history.json, then config.json.

    `model` is a Keras model from `build_note_model` (saved with the default `CacheConfig`) or
    a `NoteStepModel` (with its own cache and, unless `phrases` is given, its own phrase
    lengths).  config.json is removed first and written last, so a
    directory with one always holds a complete model.
    """
    directory = Path(directory)
    weights = model.weights if isinstance(model, NoteStepModel) else NoteWeights.from_keras(model)
    if history is None:
        history = model.history if isinstance(model, NoteStepModel) else {}
    cache = model.cache if isinstance(model, NoteStepModel) else CacheConfig()
    settings = {"family": FAMILY, "format_version": FORMAT_VERSION, "model": asdict(config),
                "meta": dict(meta or {})}
    if cache is not None:
        settings["cache"] = cache.to_dict()
    if phrases is None and isinstance(model, NoteStepModel):
        phrases = model.phrases
    if phrases is not None:
        settings["phrases"] = phrases.to_dict()
    if voices is None and isinstance(model, NoteStepModel) and model.voices is not None:
        voices = (model.voices, model.profiles)
    if voices is not None:
        settings["voices"] = {"vocabulary": voices[0].to_dict(),
                              "solos": [p.to_dict() for p in voices[1]]}
    files = {WEIGHTS_FILE: npz_bytes({k: np.asarray(v, dtype=np.float32)
                                      for k, v in weights.arrays().items()}),
             VOCABULARY_FILE: json_bytes(vocabularies()),
             HISTORY_FILE: json_bytes(history)}
    if not overwrite and (directory / CONFIG_FILE).exists():
        raise OutputExistsError(f"{directory}: holds a model already")
    n_voice = weights.lstm[0][0].shape[0] - N_INPUTS
    if (voices[0].n_inputs if voices is not None else 0) != n_voice:
        raise ConfigError(f"the model reads {n_voice} voice inputs: save it with the "
                          f"vocabulary and profiles of its voices (voices=...)")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).unlink(missing_ok=True)
    for name, data in files.items():
        write_atomic(directory / name, data, overwrite=True)
    write_atomic(directory / CONFIG_FILE, json_bytes(settings), overwrite=True)
    return directory


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelDirError(f"{path.parent}: not a note model directory ({path.name} is "
                            f"missing)") from None
    except (OSError, ValueError) as e:
        raise ModelDirError(f"{path}: unreadable ({e})") from e


_SETTINGS_KEYS = {"family", "format_version", "model", "meta", "cache", "phrases", "voices"}


def load_note_model(directory: str | os.PathLike = PRETRAINED_WJAZZD_DIR) -> NoteStepModel:
    """Read a model directory written by `save_note_model` into a NumPy `NoteStepModel`.

    Reads only JSON and arrays (``allow_pickle=False``) and imports no TensorFlow; refuses a
    directory of another family, format version or encoding.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelDirError(f"{directory}: no such model directory")
    settings = _read_json(directory / CONFIG_FILE)
    if not isinstance(settings, dict) or settings.get("family") != FAMILY:
        family = settings.get("family") if isinstance(settings, dict) else None
        raise ModelDirError(f"{directory}: a {family or 'course'} model, not a {FAMILY} model")
    if settings.get("format_version") != FORMAT_VERSION:
        raise ModelDirError(f"{directory}: {FAMILY} format version "
                            f"{settings.get('format_version')!r}, this jazzsolo reads "
                            f"version {FORMAT_VERSION}")
    unknown = set(settings) - _SETTINGS_KEYS
    if unknown:
        raise ModelDirError(f"{directory / CONFIG_FILE}: refused, unknown settings "
                            f"{', '.join(sorted(unknown))}")
    try:
        config = NoteModelConfig.from_dict(settings.get("model", {}))
        cache = CacheConfig.from_dict(settings["cache"]) if "cache" in settings else None
        phrases = PhraseLengths.from_dict(settings["phrases"]) if "phrases" in settings \
            else None
        vocabulary, profiles = _voices(settings.get("voices"), phrases)
    except (ConfigError, TypeError, AttributeError) as e:
        raise ModelDirError(f"{directory / CONFIG_FILE}: refused, {e}") from e
    if _read_json(directory / VOCABULARY_FILE) != json.loads(json_bytes(vocabularies())):
        raise ModelDirError(f"{directory / VOCABULARY_FILE}: made with another note encoding "
                            f"than this jazzsolo's")
    try:
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights = NoteWeights.from_arrays(arrays, config.n_layers)
    except FileNotFoundError:
        raise ModelDirError(f"{directory}: {WEIGHTS_FILE} is missing") from None
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ModelDirError(f"{directory / WEIGHTS_FILE}: unreadable weights ({e})") from e
    weights.check(str(directory / WEIGHTS_FILE),
                  vocabulary.n_inputs if vocabulary is not None else 0)
    history_path = directory / HISTORY_FILE
    history = _read_json(history_path) if history_path.exists() else {}
    meta = settings.get("meta", {})
    return NoteStepModel(weights, config, meta if isinstance(meta, dict) else {},
                         history if isinstance(history, dict) else {}, cache, phrases,
                         vocabulary, profiles)


def _voices(data, phrases: PhraseLengths | None):
    """(vocabulary, profiles) from config.json's ``voices`` (None: a model without voices);
    one profile per solo of the phrase lengths."""
    if data is None:
        return None, ()
    vocabulary = VoiceVocabulary.from_dict(data["vocabulary"])
    profiles = tuple(VoiceProfile.from_dict(p) for p in data["solos"])
    if phrases is None or len(profiles) != len(phrases.solos):
        raise ConfigError(f"voices: {len(profiles)} solo profiles for "
                          f"{len(phrases.solos) if phrases else 0} solos' phrase lengths")
    return vocabulary, profiles


def model_size_bytes(directory: str | os.PathLike) -> int:
    """Bytes of the files of a model directory (checkpoints not counted)."""
    return sum(p.stat().st_size for p in Path(directory).iterdir() if p.is_file())


__all__ = ["FAMILY", "FORMAT_VERSION", "NOTE_MODEL_PRESETS", "PRETRAINED_WJAZZD_DIR",
           "WJAZZD_SOURCE", "NoteModelConfig", "NoteState", "NoteStepModel", "NoteWeights",
           "get_note_preset", "load_note_model", "model_size_bytes",
           "save_note_model"]
