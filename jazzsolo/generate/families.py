"""Model names and directories → models that improvise: the one registry of model families.

Every consumer (`jazzsolo generate`, `evaluate --against` and `--heldout`, `info`, the notebooks)
speaks to a model through `SoloModel` and gets one from `load_model`.  A *family* is a way of
storing and playing a model; each model directory names its family in ``config.json``
(``"family"``), and `FAMILIES` maps that name to the family's loader.  `config.MODEL_NAMES` maps
the names of the shipped models to their directories; `config.DEFAULT_MODEL` plays when none is
named.

=============  ===========================================  ==========================
family         what it is                                   its module
=============  ===========================================  ==========================
course-lstm    the course's LSTM over 78 grammar values     `generate.course_family`
note-lstm      the chord-conditioned note LSTM (WJazzD)     `generate.note_family`
=============  ===========================================  ==========================

A third family is one module holding its loader (a function of the directory and the model's
name that returns a `SoloModel`) and one ``register_family(Family(...))`` call, here or in the
code that uses it; it then plays through `jazzsolo generate`, is scored by `evaluate`
(`--heldout` where it offers `note_probabilities`) and shown by `info`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence, runtime_checkable

from jazzsolo.config import DEFAULT_MODEL, MODEL_NAMES, SamplingOptions
from jazzsolo.errors import ConfigError, ModelDirError
from jazzsolo.generate import course_family, note_family

CONFIG_FILE = "config.json"


class SoloModel(Protocol):
    """A loaded model, whatever its family: it improvises a `measures.Solo` over chord measures.

    `accepts` names the `SamplingOptions` it honours (`check_options` refuses the others);
    `measure_ql` is the bar length it learned in (the metre of chords given without one);
    `tune_chords` the chord measures of its own tune, played when no chords are given (None:
    it has none).
    """

    name: str                      # the one name it goes by in every command, table and file
    family: str                    # its `FAMILIES` key
    directory: Path | None         # where it was loaded from (None: made in memory)
    accepts: frozenset[str]
    measure_ql: float
    tune_chords: list | None

    def improvise(self, chord_measures: Sequence, *, measure_lengths_ql: Sequence[float],
                  time_signatures: Sequence[str], seed: int, qpm: float,
                  options: SamplingOptions = SamplingOptions()): ...

    def describe(self) -> list[tuple[str, str]]:
        """(label, text) rows for `jazzsolo info`: what it learned from, its shape, training."""
        ...


@runtime_checkable
class ScoresNotes(Protocol):
    """A model that gives a probability to every note of a real solo (`evaluate --heldout`)."""

    def note_probabilities(self, solo) -> dict:
        """For each note of a corpus solo fed from its start: ``{"pitch": (n,), "rhythm": (n,)}``
        (and optionally ``"lstm_pitch"``), the probability of its pitch given that a note
        starts there, and of its duration."""
        ...


@runtime_checkable
class PlaysVoices(Protocol):
    """A model that plays as a chosen player, style or instrument (`jazzsolo players`)."""

    def voice_counts(self) -> dict:
        """Training solos per name: ``{"player": Counter, "style": ..., "instrument": ...}``."""
        ...


@dataclass(frozen=True)
class Family:
    """A model family: its name in config.json and the loader of its directories."""

    name: str
    load: Callable[[Path, str], SoloModel]      # (directory, model name) -> model
    summary: str                                # one line for `info` and error messages


FAMILIES: dict[str, Family] = {}
OLD_COURSE_FAMILY = course_family.CourseModel.family   # format-1 course directories name none


def register_family(family: Family) -> Family:
    """Add a family (or replace one of the same name); returns it."""
    if not family.name or not isinstance(family.name, str):
        raise ConfigError(f"a model family needs a name, got {family.name!r}")
    FAMILIES[family.name] = family
    return family


register_family(Family(course_family.CourseModel.family, course_family.load,
                       "the course's LSTM over grammar values, learned from one or more tunes"))
register_family(Family(note_family.NoteModel.family, note_family.load,
                       "a chord-conditioned note LSTM learned from a corpus of real solos"))


def family_of(directory: str | os.PathLike) -> str:
    """The family a model directory names in its config.json (format-1 course directories,
    which name none, are ``course-lstm``); a missing or unreadable config is refused."""
    directory = Path(directory)
    path = directory / CONFIG_FILE
    if not directory.is_dir():
        raise ModelDirError(f"{directory}: no such model directory (or a model name: "
                            f"{', '.join(MODEL_NAMES)})")
    try:
        settings = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelDirError(f"{directory}: not a model directory ({CONFIG_FILE} is missing)") \
            from None
    except (OSError, ValueError) as e:
        raise ModelDirError(f"{path}: unreadable ({e})") from e
    if not isinstance(settings, dict):
        raise ModelDirError(f"{path}: not a JSON object of settings")
    version = settings.get("format_version")
    if "family" not in settings and version != 1:
        newer = isinstance(version, int) and version > 1
        raise ModelDirError(f"{path}: names no model family (format version {version!r})"
                            + ("; upgrade jazzsolo to read it" if newer else ""))
    family = settings.get("family", OLD_COURSE_FAMILY)
    if family not in FAMILIES:
        raise ModelDirError(f"{directory}: a model of family {family!r}, which this jazzsolo "
                            f"does not know (known: {', '.join(FAMILIES)})")
    return family


def resolve_model(spec: str | os.PathLike | None = None) -> tuple[str, Path]:
    """(name, directory) of a model: a name of `MODEL_NAMES`, a directory (its name is the path
    as given), or None for `DEFAULT_MODEL`."""
    spec = DEFAULT_MODEL if spec is None else spec
    if isinstance(spec, str) and spec in MODEL_NAMES:
        return spec, MODEL_NAMES[spec]
    return str(spec), Path(spec)


def load_model(spec: str | os.PathLike | None = None) -> SoloModel:
    """The model a name or directory stands for, loaded by its family."""
    name, directory = resolve_model(spec)
    return FAMILIES[family_of(directory)].load(directory, name)


def check_options(model: SoloModel, options: SamplingOptions) -> None:
    """Refuse sampling settings the model cannot honour, naming the ones it can."""
    refused = [name for name in options.given() if name not in model.accepts]
    if refused:
        takes = ", ".join(sorted(model.accepts)) or "none"
        raise ConfigError(f"the {model.family} model {model.name!r} cannot honour "
                          f"{' and '.join(refused)} (it takes: {takes})", setting=refused[0])


def solo_from_notes(notes: Sequence[tuple[float, float, int]], chord_measures: Sequence, *,
                    measure_lengths_ql: Sequence[float], time_signatures: Sequence[str]):
    """A `measures.Solo` from (onset_ql, duration_ql, midi) notes counted from the first bar
    line, each cut at its bar line: what a family that thinks in plain notes returns."""
    from collections import Counter

    from jazzsolo.generate.measures import Solo, measure_metres
    from jazzsolo.music.notes import Note

    lengths, signatures = measure_metres(len(chord_measures), measure_lengths_ql=measure_lengths_ql,
                                         time_signatures=time_signatures)
    starts = [sum(lengths[:i]) for i in range(len(lengths) + 1)]
    measures: list[list] = [[] for _ in lengths]
    for onset, duration, midi in sorted(notes):
        bar = next((i for i in range(len(lengths)) if starts[i] <= onset < starts[i + 1]), None)
        if bar is not None:
            length = min(duration, starts[bar + 1] - onset)
            measures[bar].append(Note(onset - starts[bar], length, int(midi)))
    return Solo(Counter(lengths).most_common(1)[0][0], values=[[] for _ in lengths],
                notes=measures, chords=[list(m) for m in chord_measures],
                measure_lengths_ql=lengths, time_signatures=signatures)


__all__ = ["DEFAULT_MODEL", "FAMILIES", "MODEL_NAMES", "Family", "PlaysVoices", "SamplingOptions",
           "ScoresNotes",
           "SoloModel", "check_options", "family_of", "load_model", "register_family",
           "resolve_model", "solo_from_notes"]
