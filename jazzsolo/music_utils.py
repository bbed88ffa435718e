"""Sampled values + chord measures → a solo: each measure filled exactly, then MIDI and music21."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np
from music21 import chord, instrument, note, stream, tempo

from jazzsolo.comp import bass_track, comp_track
from jazzsolo.errors import ConfigError, MidiContentError
from jazzsolo.grammar import (NoteEvent, PitchRange, Value, chord_from_midi, parse_melody,
                              parse_value, realise_values)
from jazzsolo.inference_code import LSTMWeights, ValueSampler
from jazzsolo.midi import SOLO_PROGRAM, TimedNotes, build_midi, write_midi
from jazzsolo.qa import clean_up_notes, prune_notes, prune_value

DEFAULT_QPM = 130.0                   # the course's tempo, quarter notes per minute
_EPS_QL = 1e-6


@dataclass
class Solo:
    """A generated solo: per measure, the values sampled and the notes rendered from them."""

    measure_ql: float
    values: list[list[Value]] = field(default_factory=list)
    notes: list[list[NoteEvent]] = field(default_factory=list)     # offsets within the measure
    chords: list[list[chord.Chord]] = field(default_factory=list)

    @property
    def n_measures(self) -> int:
        return len(self.notes)

    def timed_notes(self) -> list[TimedNotes]:
        """Solo notes with offsets from the start of the piece (rests left out)."""
        return [TimedNotes(i * self.measure_ql + n.offset_ql, n.duration_ql, (n.midi,))
                for i, measure in enumerate(self.notes) for n in measure if n.midi is not None]

    def timed_chords(self) -> list[TimedNotes]:
        """Chords with offsets from the start of the piece, each cut at its measure's end."""
        timed = []
        for i, measure in enumerate(self.chords):
            for c in measure:
                duration = min(float(c.quarterLength), self.measure_ql - float(c.offset))
                timed.append(TimedNotes(i * self.measure_ql + float(c.offset), duration,
                                        tuple(int(p.midi) for p in c.pitches)))
        return timed


class CopyGuard:
    """Keeps a solo from copying more than `max_copy` consecutive values of the training tune.

    A model trained for 100 epochs on one solo has learned it by heart; blocking the value that
    would continue a copied run (as text generators block repeated n-grams) makes it borrow
    phrases and recombine them instead of replaying the tune.
    """

    def __init__(self, corpus_indices: Sequence[int], max_copy: int):
        if max_copy < 1:
            raise ConfigError(f"the copy limit must be at least 1 value, got {max_copy}")
        self.max_copy = max_copy
        self.next_of: dict[tuple[int, ...], set[int]] = {}
        for i in range(len(corpus_indices) - max_copy):
            prefix = tuple(corpus_indices[i:i + max_copy])
            self.next_of.setdefault(prefix, set()).add(corpus_indices[i + max_copy])

    def blocked(self, history: Sequence[int]) -> set[int]:
        """Values that would make the last max_copy + 1 values a run of the training tune."""
        if len(history) < self.max_copy:
            return set()
        return self.next_of.get(tuple(history[-self.max_copy:]), set())


def copy_guard_for(trained, max_copy: int | None) -> CopyGuard | None:
    """The copy guard of a loaded model: None when `max_copy` is 0/None or the model directory
    has no training corpus (models saved before corpus.json existed)."""
    if not max_copy or not trained.corpus:
        return None
    values_indices = {v: i for i, v in enumerate(trained.values)}
    return CopyGuard([values_indices[v] for v in trained.corpus], max_copy)


def sample_measure(sampler: ValueSampler, indices_values: dict[int, str], *, measure_ql: float,
                   temperature: float, rng: np.random.Generator, top_k: int | None = None,
                   copy_guard: CopyGuard | None = None,
                   history: list[int] | None = None) -> list[Value]:
    """Sample values until their durations fill the measure; the last one is trimmed to fit.

    `history` (the indices sampled so far) is extended in place; with a `copy_guard`, no value
    continues a run copied from the training tune beyond its limit.
    """
    history = history if history is not None else []
    values: list[Value] = []
    filled = 0.0
    while filled < measure_ql - _EPS_QL:
        exclude = copy_guard.blocked(history) if copy_guard is not None else ()
        index = sampler.step(temperature, rng, top_k, exclude) if exclude else \
            sampler.step(temperature, rng, top_k)
        history.append(index)
        value = prune_value(parse_value(indices_values[index]))
        duration = min(value.duration_ql, measure_ql - filled)
        values.append(replace(value, duration_ql=duration))
        filled += duration
    return values


def generate_solo(weights: LSTMWeights, indices_values: dict[int, str],
                  chords: Sequence[Sequence[chord.Chord]], *, temperature: float = 0.5,
                  seed: int | None = None, measure_ql: float = 4.0, top_k: int | None = None,
                  pitch_range: PitchRange = PitchRange(), primer: Primer | None = None,
                  sampler=None, copy_guard: CopyGuard | None = None) -> Solo:
    """Improvise over every chord measure, keeping the LSTM state and the last pitch between them.

    With a `primer`, its measures open the solo as played and the LSTM is run through its
    values first, so the improvisation continues the phrase.  `sampler` replaces the LSTM by
    any value model with ``step(temperature, rng, top_k)`` (and ``prime(indices)`` for a
    primer), e.g. the baselines of `evaluate`; `weights` is then unused.  `copy_guard` limits
    how many consecutive values of the training tune the solo may copy.
    """
    rng = np.random.default_rng(seed)
    sampler = sampler if sampler is not None else ValueSampler(weights)
    solo = Solo(measure_ql)
    prev_midi = None
    start = 0
    history: list[int] = []
    if primer is not None:
        start = min(len(primer.notes), len(chords))
        history = primer.indices(indices_values)
        sampler.prime(history)
        for notes, values, measure_chords in zip(primer.notes, primer.values, chords):
            solo.values.append(values)
            solo.notes.append(notes)
            solo.chords.append(list(measure_chords))
        pitched = [n.midi for m in solo.notes for n in m if n.midi is not None]
        prev_midi = pitched[-1] if pitched else None
    for measure_chords in chords[start:]:
        values = sample_measure(sampler, indices_values, measure_ql=measure_ql,
                                temperature=temperature, rng=rng, top_k=top_k,
                                copy_guard=copy_guard, history=history)
        notes = realise_values(values, measure_chords, rng=rng, prev_midi=prev_midi,
                               pitch_range=pitch_range)
        notes = clean_up_notes(prune_notes(notes), measure_ql)
        pitched = [n.midi for n in notes if n.midi is not None]
        prev_midi = pitched[-1] if pitched else prev_midi
        solo.values.append(values)
        solo.notes.append(notes)
        solo.chords.append(list(measure_chords))
    return solo


@dataclass
class Primer:
    """An opening phrase: its notes per measure and their values over the solo's chords."""

    notes: list[list[NoteEvent]]
    values: list[list[Value]]

    def indices(self, indices_values: dict[int, str]) -> list[int]:
        """The primer's values as vocabulary indices; a value the model never saw is replaced
        by the nearest known one (same class, closest duration, closest window)."""
        vocabulary = [(i, parse_value(v)) for i, v in indices_values.items()]
        return [nearest_value(v, vocabulary) for measure in self.values for v in measure]


def nearest_value(value: Value, vocabulary: list[tuple[int, Value]]) -> int:
    """Index of the vocabulary value closest to `value`."""
    def distance(item):
        _, known = item
        window = 0 if (known.window is None) == (value.window is None) else 1
        return (known.note_class != value.note_class, window,
                abs(known.duration_ql - value.duration_ql), str(known))
    return min(vocabulary, key=distance)[0]


MAX_PRIMER_SHARE = 0.5                # a primer may open the solo, never be most of it


def read_primer(path: str | os.PathLike, chords: Sequence[Sequence[chord.Chord]], *,
                measure_ql: float = 4.0) -> Primer:
    """Read a phrase from a MIDI file's melody and encode it over the solo's first chords."""
    from jazzsolo.parts import choose_melody_part, describe_parts
    from jazzsolo.preprocess import check_midi_file, melody_line, notes_in_measure, parse_midi_file

    path = check_midi_file(Path(path))
    score = parse_midi_file(path)
    infos = describe_parts(score)
    pitched = [i for i in infos if not i.is_drum and i.n_notes]
    if not pitched:
        raise MidiContentError(f"{path}: no notes to use as a primer")
    melody = choose_melody_part(infos) if any(i.n_notes >= 16 for i in pitched) else \
        min(pitched, key=lambda i: (i.polyphony, -i.mean_pitch)).index
    notes = melody_line(score.parts[melody])
    n_measures = int(float(notes[-1].offset) // measure_ql) + 1
    allowed = int(len(chords) * MAX_PRIMER_SHARE)
    if n_measures > allowed:
        raise ConfigError(f"{path}: the primer lasts {n_measures} measures, more than half of "
                          f"the {len(chords)}-measure solo (at most {allowed}): the solo would be "
                          f"the primer played back; give a shorter primer or more measures")
    primer = Primer([], [])
    for number in range(n_measures):
        in_measure = notes_in_measure(notes, number, measure_ql)
        text = parse_melody(in_measure, chords[number])
        values = [parse_value(v) for v in text.split()]
        events = [NoteEvent(float(n.offset), float(n.quarterLength), int(n.pitch.midi), v.note_class)
                  for n, v in zip(in_measure, values)]
        primer.notes.append(clean_up_notes(events, measure_ql))
        primer.values.append(values)
    return primer


def solo_to_stream(solo: Solo, qpm: float = DEFAULT_QPM) -> stream.Score:
    """The solo as a music21 score: an electric-guitar part and a piano part of chords."""
    solo_part, chord_part = stream.Part(id="Solo"), stream.Part(id="Chords")
    solo_part.insert(0, instrument.ElectricGuitar())
    chord_part.insert(0, instrument.Piano())
    solo_part.insert(0, tempo.MetronomeMark(number=qpm))
    for timed in solo.timed_notes():
        solo_part.insert(timed.offset_ql, note.Note(timed.pitches[0], quarterLength=timed.duration_ql))
    for timed in solo.timed_chords():
        chord_part.insert(timed.offset_ql, chord_from_midi(timed.pitches, timed.duration_ql))
    score = stream.Score()
    score.insert(0, solo_part)
    score.insert(0, chord_part)
    return score


ACCOMPANIMENTS = ("block", "comp", "none")


def write_solo_midi(solo: Solo, path: str | os.PathLike, *, qpm: float = DEFAULT_QPM,
                    accompaniment: str = "block", solo_program: int = SOLO_PROGRAM,
                    overwrite: bool = False) -> Path:
    """Write the solo and its accompaniment as a MIDI file at `qpm`.

    `accompaniment` is "block" (the chords as given, e.g. the tune's own piano), "comp" (piano
    voicings in a comping rhythm plus a walking bass track) or "none" (an empty chord track).
    """
    if accompaniment not in ACCOMPANIMENTS:
        raise ConfigError(f"unknown accompaniment {accompaniment!r}; valid: {', '.join(ACCOMPANIMENTS)}")
    chords, bass = solo.timed_chords(), []
    if accompaniment == "comp":
        chords, bass = comp_track(solo.chords, solo.measure_ql), bass_track(solo.chords, solo.measure_ql)
    elif accompaniment == "none":
        chords = []
    midi_file = build_midi(solo.timed_notes(), chords, qpm=qpm, bass=bass, solo_program=solo_program)
    return write_midi(path, midi_file, overwrite=overwrite)


def generate_music(inference_model, indices_values: dict[int, str],
                   chords: Sequence[Sequence[chord.Chord]], diversity: float = 0.5, *,
                   seed: int | None = None, output_path: str | os.PathLike = "output/my_music.midi",
                   qpm: float = DEFAULT_QPM, overwrite: bool = True) -> stream.Score:
    """The course's last step: improvise over every chord measure, write MIDI, return the score.

    `inference_model` is the course's Keras inference model (its shared LSTM cell and Dense
    layer are run one value at a time, so the state carries across measures) or LSTMWeights.
    `diversity` is the sampling temperature (0 = always the most likely value).
    """
    weights = inference_model if isinstance(inference_model, LSTMWeights) \
        else LSTMWeights.from_model(inference_model)
    solo = generate_solo(weights, indices_values, chords, temperature=diversity, seed=seed)
    path = write_solo_midi(solo, output_path, qpm=qpm, overwrite=overwrite)
    n_notes = sum(1 for _ in solo.timed_notes())
    print(f"Wrote {n_notes} notes over {solo.n_measures} measures to {path}")
    return solo_to_stream(solo, qpm)
