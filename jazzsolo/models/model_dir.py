"""Trained model ⇄ directory: weights (NumPy .npz), vocabulary, settings and chords as JSON.

Nothing here unpickles or deserialises code: loading reads arrays and plain JSON and checks
that they fit together, so a model directory from elsewhere cannot run anything.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from music21 import chord

from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.config import MODEL_NAMES, ModelConfig, TrainConfig, config_from_dict
from jazzsolo.errors import (ChordSymbolError, ConfigError, GrammarError, ModelDirError,
                             OutputExistsError)
from jazzsolo.music.chords import chord_from_midi, chord_from_symbol
from jazzsolo.encodings.grammar import parse_value
from jazzsolo.models.course_step import LSTMWeights
from jazzsolo.files import json_bytes, npz_bytes, write_atomic

FAMILY = "course-lstm"                # config.json's "family": the course's grammar LSTM
FORMAT_VERSION = 2                    # 2: config.json names its family; 1 (no family) still loads
READABLE_VERSIONS = (1, 2)
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
CONFIG_FILE = "config.json"
CHORDS_FILE = "chords.json"
HISTORY_FILE = "history.json"
CORPUS_FILE = "corpus.json"           # the training values in order, for the copy guard
_WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias")
# A small model trained on the Metheny tune by scripts/train_pretrained.py, shipped in the package
# so that generation works on a fresh machine without the tune.
PRETRAINED_MODEL_DIR = MODEL_NAMES["course"]


@dataclass
class TrainedModel:
    """Everything generation needs, loaded from a model directory."""

    weights: LSTMWeights
    values: list[str]                                  # vocabulary in index order
    chords: list[list[chord.Chord]]                    # the training tune's chord measures
    settings: dict = field(default_factory=dict)       # config.json contents
    history: dict = field(default_factory=dict)        # per-epoch loss and accuracy
    corpus: list[str] = field(default_factory=list)    # training values in order (may be empty)

    @property
    def indices_values(self) -> dict[int, str]:
        return dict(enumerate(self.values))


def chords_to_json(chords: list[list[chord.Chord]]) -> list[list[dict]]:
    """Chord measures as JSON: offset and duration in quarter lengths, MIDI pitches, and the
    chord symbol as written for a chord made from one (for N.C. also the chord the solo
    follows, as ``solo_symbol``)."""
    return [[_chord_json(c) for c in measure] for measure in chords]


def _chord_json(c: chord.Chord) -> dict:
    item = {"offset_ql": float(c.offset), "duration_ql": float(c.quarterLength),
            "pitches": [int(p.midi) for p in c.pitches]}
    symbol = getattr(c, "symbol", None)
    if symbol is not None:
        item["symbol"] = symbol.symbol
        if symbol.is_no_chord and c.solo_symbol is not None:
            item["solo_symbol"] = c.solo_symbol.symbol
    return item


def chords_from_json(data: list[list[dict]]) -> list[list[chord.Chord]]:
    """The inverse of `chords_to_json`: music21 chords with offsets within their measure.

    A chord stored with its symbol comes back as a `SymbolChord`; files without symbols (the
    format of every model saved before symbols were kept) give chords from MIDI pitches.
    """
    measures = []
    for measure in data:
        chords = []
        for item in measure:
            duration, offset = float(item["duration_ql"]), float(item["offset_ql"])
            if "symbol" in item:
                made = chord_from_symbol(parse_chord_symbol(item["symbol"]), duration, offset)
                if "solo_symbol" in item:
                    made.solo_symbol = parse_chord_symbol(item["solo_symbol"])
            else:
                made = chord_from_midi(item["pitches"], duration, offset)
            chords.append(made)
        measures.append(chords)
    return measures


def save_model_dir(directory: str | os.PathLike, model: TrainedModel, *,
                   overwrite: bool = False) -> Path:
    """Write a model directory; existing files are kept unless `overwrite` is set."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    settings = dict(model.settings, family=FAMILY, format_version=FORMAT_VERSION)
    weights = {name: getattr(model.weights, name) for name in _WEIGHT_NAMES}
    files = {WEIGHTS_FILE: npz_bytes(weights),
             VOCABULARY_FILE: json_bytes(model.values),
             CHORDS_FILE: json_bytes(chords_to_json(model.chords)),
             CONFIG_FILE: json_bytes(settings),
             HISTORY_FILE: json_bytes(model.history)}
    if model.corpus:
        files[CORPUS_FILE] = json_bytes(model.corpus)
    if not overwrite:
        for name in files:
            if (directory / name).exists():
                raise OutputExistsError(f"{directory}: holds a model already")
    # config.json marks a complete model: it goes first and comes back last, so a process
    # killed in between leaves a directory that says it holds no model, never a mixed one.
    (directory / CONFIG_FILE).unlink(missing_ok=True)
    for name, data in sorted(files.items(), key=lambda item: item[0] == CONFIG_FILE):
        write_atomic(directory / name, data, overwrite=True)
    return directory


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelDirError(f"{path.parent}: not a model directory ({path.name} is missing)") from None
    except (OSError, ValueError) as e:
        raise ModelDirError(f"{path}: unreadable ({e})") from e


def load_model_dir(directory: str | os.PathLike) -> TrainedModel:
    """Read a model directory written by `save_model_dir`, checking that its parts agree."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelDirError(f"{directory}: no such model directory")
    settings = _read_json(directory / CONFIG_FILE)
    if not isinstance(settings, dict):
        raise ModelDirError(f"{directory / CONFIG_FILE}: not a JSON object of settings")
    version = settings.get("format_version")
    if version not in READABLE_VERSIONS:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        hint = "; upgrade jazzsolo to read it" if newer else ""
        raise ModelDirError(f"{directory}: model format version {version!r}, this jazzsolo "
                            f"reads versions {', '.join(map(str, READABLE_VERSIONS))}{hint}")
    if settings.get("family", FAMILY) != FAMILY:
        raise ModelDirError(f"{directory}: a {settings.get('family')!r} model, not a {FAMILY} "
                            f"model")
    _check_settings(directory, settings)
    values = _read_json(directory / VOCABULARY_FILE)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ModelDirError(f"{directory / VOCABULARY_FILE}: not a list of grammar values")
    for value in values:
        try:
            parse_value(value)
        except GrammarError as e:
            raise ModelDirError(f"{directory / VOCABULARY_FILE}: {e}") from e
    try:
        chords = chords_from_json(_read_json(directory / CHORDS_FILE))
    except (KeyError, TypeError, ValueError, AttributeError, ChordSymbolError) as e:
        raise ModelDirError(f"{directory / CHORDS_FILE}: malformed chord measures ({e!r})") from e
    history_path = directory / HISTORY_FILE
    history = _read_json(history_path) if history_path.exists() else {}
    try:
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights = LSTMWeights(*(np.asarray(arrays[name]) for name in _WEIGHT_NAMES))
    except FileNotFoundError:
        raise ModelDirError(f"{directory}: not a model directory ({WEIGHTS_FILE} is missing)") from None
    except (OSError, KeyError, ValueError) as e:
        raise ModelDirError(f"{directory / WEIGHTS_FILE}: unreadable weights ({e})") from e
    _check_shapes(directory, weights, values)
    if not all(np.issubdtype(getattr(weights, n).dtype, np.floating) and
               np.isfinite(getattr(weights, n)).all() for n in _WEIGHT_NAMES):
        raise ModelDirError(f"{directory / WEIGHTS_FILE}: weights must be finite floating-point arrays")
    corpus_path = directory / CORPUS_FILE
    corpus = _read_json(corpus_path) if corpus_path.exists() else []
    if not isinstance(corpus, list) or not all(isinstance(v, str) for v in corpus) or \
            not set(corpus) <= set(values):
        raise ModelDirError(f"{corpus_path}: holds values outside the vocabulary")
    return TrainedModel(weights, values, chords, settings, history, corpus)


_SETTINGS_KEYS = {"family", "format_version", "model", "train", "preset", "measure_ql", "source_midi"}
# Keys with which Keras and other loaders name code to import and run; a model directory of
# ours never has them, so their presence means the directory was made for something else.
_CODE_KEYS = {"class_name", "module", "registered_name", "function", "config", "__reduce__"}


def _check_settings(directory: Path, settings) -> None:
    """Refuse a config.json that has unknown settings or names any code to run."""
    if not isinstance(settings, dict):
        raise ModelDirError(f"{directory / CONFIG_FILE}: not a JSON object of settings")
    unknown = set(settings) - _SETTINGS_KEYS
    if unknown:
        raise ModelDirError(f"{directory / CONFIG_FILE}: refused, unknown settings "
                            f"{', '.join(sorted(unknown))} (jazzsolo never loads code or layers "
                            f"from a model directory)")
    for name, cls in (("model", ModelConfig), ("train", TrainConfig)):
        if name in settings:
            section = settings[name]
            if not isinstance(section, dict) or set(section) & _CODE_KEYS:
                raise ModelDirError(f"{directory / CONFIG_FILE}: refused, '{name}' must hold "
                                    f"plain settings")
            try:
                config_from_dict(cls, section)
            except (ConfigError, TypeError) as e:
                raise ModelDirError(f"{directory / CONFIG_FILE}: refused, {e}") from e
    measure_ql = settings.get("measure_ql", 4.0)
    if not isinstance(measure_ql, (int, float)) or not 1.0 <= measure_ql <= 16.0:
        raise ModelDirError(f"{directory / CONFIG_FILE}: measure_ql must be 1-16 quarter "
                            f"lengths, got {measure_ql!r}")


def _check_shapes(directory: Path, w: LSTMWeights, values: list[str]) -> None:
    """Refuse weights whose shapes do not fit each other or the vocabulary."""
    n_values, n_a = len(values), w.recurrent_kernel.shape[0]
    expected = {"kernel": (n_values, 4 * n_a), "recurrent_kernel": (n_a, 4 * n_a),
                "bias": (4 * n_a,), "dense_kernel": (n_a, n_values), "dense_bias": (n_values,)}
    for name, shape in expected.items():
        if getattr(w, name).shape != shape:
            raise ModelDirError(f"{directory}: weights do not match the vocabulary of "
                                f"{n_values} values ({name} is {getattr(w, name).shape}, "
                                f"expected {shape})")
