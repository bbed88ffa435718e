"""Tune measures (`ingest.preprocess`) → one grammar string per measure, the corpus of values and
its vocabulary: the course's preprocessing, for one tune or a folder of them."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from music21 import chord, note

from jazzsolo.config import AUTO_PRESET, TunePreset, get_tune_preset
from jazzsolo.encodings.grammar import parse_melody
from jazzsolo.errors import JazzsoloError, MidiContentError
from jazzsolo.ingest.preprocess import (TuneMeasures, expand_midi_paths, preset_for,
                                        read_tune_measures, read_tune_measures_auto)


@dataclass
class MusicalData:
    """What preprocessing extracts from one tune (offsets relative to each measure's start)."""

    measures: list[list[note.GeneralNote]]   # melody notes (and rests) per measure
    chords: list[list[chord.Chord]]          # chords per measure, same length as `measures`
    abstract_grammars: list[str]             # one string of values per measure
    n_chord_groups: int                      # chord groups found in the solo window, incl. the end
    measure_ql: float = 4.0                  # length of a measure in quarter lengths


def measure_grammars(measures: Sequence[Sequence[note.GeneralNote]],
                     chords: Sequence[Sequence[chord.Chord]]) -> list[str]:
    """One grammar string per measure: its notes as values over its chords (`parse_melody`)."""
    return [parse_melody(notes, measure_chords) for notes, measure_chords in zip(measures, chords)]


def encode_tune(tune: TuneMeasures) -> MusicalData:
    """A tune's measures with the grammar string of each."""
    return MusicalData(tune.measures, tune.chords, measure_grammars(tune.measures, tune.chords),
                       tune.n_chord_groups, measure_ql=tune.measure_ql)


def get_musical_data(path: str | os.PathLike, preset: TunePreset | str = "course", *,
                     reader: str = "fast") -> MusicalData:
    """Read a tune and turn its solo into measures, chords and grammar strings.

    Measures are the ones holding melody notes, in order; a measure's chords are those that
    start in it (the course's grouping).  A measure without chords is skipped.  `reader`
    "fast" reads the MIDI bytes with `midi_import` (~0.1 s); "music21" parses the whole score
    with music21 (seconds); both give the course preset's values exactly.
    """
    return encode_tune(read_tune_measures(path, preset, reader=reader))


def get_musical_data_auto(path: str | os.PathLike, *, melody_part: int | None = None,
                          chord_parts: list[int] | None = None) -> MusicalData:
    """Read any tune with a melody and an accompaniment (`read_tune_measures_auto`) into
    measures, chords and grammar strings: the whole piece, no preset needed."""
    return encode_tune(read_tune_measures_auto(path, melody_part=melody_part,
                                               chord_parts=chord_parts))


def get_corpus_data(abstract_grammars: list[str]) -> tuple[list[str], list[str], dict, dict]:
    """Split grammar strings into the corpus of values and a sorted, stable vocabulary.

    Returns ``(corpus, values, values_indices, indices_values)``; sorting (not ``set`` order, as
    in the course) makes index i mean the same value in every process.

    >>> get_corpus_data(["C,0.500 S,0.250", "C,0.500"])[:2]
    (['C,0.500', 'S,0.250', 'C,0.500'], ['C,0.500', 'S,0.250'])
    """
    corpus = [value for grammar in abstract_grammars for value in grammar.split()]
    values = sorted(set(corpus))
    values_indices = {v: i for i, v in enumerate(values)}
    indices_values = {i: v for i, v in enumerate(values)}
    return corpus, values, values_indices, indices_values


@dataclass
class TrainingCorpus:
    """The grammar of every usable training file, and what was skipped and why."""

    sources: list[Path]
    data: list[MusicalData]
    skipped: list[tuple[Path, str]]

    @property
    def abstract_grammars(self) -> list[str]:
        return [g for d in self.data for g in d.abstract_grammars]


def load_training_corpus(paths: list[str | os.PathLike], *, preset: str | None = None,
                         melody_part: int | None = None,
                         chord_parts: list[int] | None = None) -> TrainingCorpus:
    """Preprocess several tunes into one corpus; unusable files are skipped with a reason.

    With one file, its error is raised; with several, only when none is usable.
    """
    if preset is not None and preset != AUTO_PRESET:
        get_tune_preset(preset)                          # an unknown name fails before any work
    files = expand_midi_paths(paths)
    corpus = TrainingCorpus([], [], [])
    for path in files:
        chosen = preset or ("auto" if melody_part is not None or chord_parts else preset_for(path))
        try:
            if chosen == "auto":
                data = get_musical_data_auto(path, melody_part=melody_part, chord_parts=chord_parts)
            else:
                data = get_musical_data(path, chosen)
        except JazzsoloError as e:
            if len(files) == 1:
                raise
            corpus.skipped.append((path, str(e)))
            continue
        corpus.sources.append(path)
        corpus.data.append(data)
    if not corpus.data:
        raise MidiContentError(f"none of the {len(files)} files is usable; first problem: "
                               f"{corpus.skipped[0][1]}")
    return corpus


__all__ = ["MusicalData", "TrainingCorpus", "encode_tune", "get_corpus_data", "get_musical_data",
           "get_musical_data_auto", "load_training_corpus", "measure_grammars"]
