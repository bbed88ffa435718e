"""Sampled values + chord measures → a solo: each measure filled exactly (`Solo`); a primer read
from MIDI opens it.  Writing the solo as MIDI and music21 is `jazzsolo.export.solo_midi`."""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np
from music21 import chord

from jazzsolo.config import COURSE_TEMPERATURE
from jazzsolo.encodings.grammar import PitchRange, Value, parse_melody, parse_value, realise_values
from jazzsolo.encodings.qa import clean_up_notes, prune_notes, prune_value
from jazzsolo.errors import ConfigError, MidiContentError
from jazzsolo.generate.sampling import ValueSampler
from jazzsolo.models.course_step import LSTMWeights
from jazzsolo.music.metre import metre_changes, time_signature_for, time_signature_ql
from jazzsolo.music.notes import Note, TimedNotes

_EPS_QL = 1e-6


@dataclass
class Solo:
    """A generated solo: per measure, the values sampled and the notes rendered from them.

    Measures may differ in length and metre (a pickup bar, a change to 3/4): measure i lasts
    `measure_lengths_ql[i]` quarter lengths under `time_signatures[i]`.  A measure these lists
    do not reach lasts `measure_ql` under the time signature of that length.
    """

    measure_ql: float                  # the usual measure length, quarter lengths (4.0 in 4/4)
    values: list[list[Value]] = field(default_factory=list)
    notes: list[list[Note]] = field(default_factory=list)     # offsets within the measure; a
                                       # note held over the bar line lasts past its measure
    chords: list[list[chord.Chord]] = field(default_factory=list)
    measure_lengths_ql: list[float] = field(default_factory=list)  # per measure, quarter lengths
    time_signatures: list[str] = field(default_factory=list)       # per measure, e.g. "3/4"
    touch: float | None = None         # legato factor the band sounds it with (`performance`);
                                       # None: drawn with the performance

    @property
    def n_measures(self) -> int:
        return len(self.notes)

    def measure_length_ql(self, number: int) -> float:
        """The length of measure `number` (0-based), in quarter lengths."""
        lengths = self.measure_lengths_ql
        return float(lengths[number]) if number < len(lengths) else float(self.measure_ql)

    def time_signature(self, number: int) -> str:
        """The time signature of measure `number` as written, e.g. "3/4" (a pickup keeps its
        tune's metre although it is shorter)."""
        if number < len(self.time_signatures):
            return self.time_signatures[number]
        return time_signature_for(self.measure_length_ql(number))

    def measure_starts_ql(self) -> list[float]:
        """The offset of each measure from the start of the piece, then the piece's end."""
        starts = [0.0]
        for number in range(self.n_measures):
            starts.append(starts[-1] + self.measure_length_ql(number))
        return starts

    def measure_offset_ql(self, number: int) -> float:
        """Where measure `number` starts, in quarter lengths from the start of the piece."""
        return sum(self.measure_length_ql(i) for i in range(number))

    @property
    def length_ql(self) -> float:
        """The length of the whole solo, in quarter lengths."""
        return self.measure_starts_ql()[-1]

    def time_signature_changes(self) -> list[tuple[float, str]]:
        """(offset in quarter lengths, time signature) at the start and at every change of
        metre, as a MIDI file needs them: a bar shorter than its metre (a pickup) gets the
        time signature of its own length, so every later bar line falls in place."""
        numbers = range(self.n_measures)
        return metre_changes([self.measure_length_ql(i) for i in numbers],
                             [self.time_signature(i) for i in numbers]) \
            or [(0.0, time_signature_for(self.measure_ql))]

    def timed_notes(self) -> list[TimedNotes]:
        """Solo notes with offsets from the start of the piece (rests left out)."""
        starts = self.measure_starts_ql()
        return [TimedNotes(starts[i] + n.offset_ql, n.duration_ql, (n.midi,))
                for i, measure in enumerate(self.notes) for n in measure if n.midi is not None]

    def timed_chords(self) -> list[TimedNotes]:
        """Chords with offsets from the start of the piece, each cut at its measure's end."""
        starts, timed = self.measure_starts_ql(), []
        for i, measure in enumerate(self.chords):
            length = self.measure_length_ql(i)
            for c in measure:
                duration = min(float(c.quarterLength), length - float(c.offset))
                timed.append(TimedNotes(starts[i] + float(c.offset), duration,
                                        tuple(int(p.midi) for p in c.pitches)))
        return timed


MAX_MEASURE_QL = 64.0                  # quarter lengths; a longer "measure" is a typo


def measure_metres(n_measures: int, *, measure_ql: float = 4.0,
                   measure_lengths_ql: Sequence[float] | None = None,
                   time_signatures: Sequence[str] | None = None) -> tuple[list[float], list[str]]:
    """Each measure's length (quarter lengths) and time signature, checked against each other.

    Lengths not given are those of the time signatures, or `measure_ql`; time signatures not
    given are those of the lengths.  A measure may be shorter than its metre (a pickup), never
    longer.

    >>> measure_metres(2, time_signatures=["6/8", "3/4"])
    ([3.0, 3.0], ['6/8', '3/4'])
    >>> measure_metres(2, measure_lengths_ql=[1.0, 3.0], time_signatures=["3/4", "3/4"])
    ([1.0, 3.0], ['3/4', '3/4'])
    """
    for name, given in (("measure lengths", measure_lengths_ql), ("time signatures", time_signatures)):
        if given is not None and len(given) != n_measures:
            raise ConfigError(f"{len(given)} {name} for {n_measures} measures of chords; give "
                              f"one per measure")
    signatures = [str(t).replace(" ", "") for t in time_signatures] if time_signatures is not None \
        else None
    if measure_lengths_ql is not None:
        lengths = [float(length) for length in measure_lengths_ql]
    elif signatures is not None:
        lengths = [time_signature_ql(t) for t in signatures]
    else:
        lengths = [float(measure_ql)] * n_measures
    for number, length in enumerate(lengths):
        if not 0 < length <= MAX_MEASURE_QL:
            raise ConfigError(f"measure {number + 1} lasts {length:g} quarter lengths; a measure "
                              f"lasts more than 0 and at most {MAX_MEASURE_QL:g}")
    if signatures is None:
        return lengths, [time_signature_for(length) for length in lengths]
    for number, (length, text) in enumerate(zip(lengths, signatures)):
        if length > time_signature_ql(text) + _EPS_QL:
            raise ConfigError(f"measure {number + 1} lasts {length:g} quarter lengths, longer than "
                              f"a bar of {text} ({time_signature_ql(text):g})")
    return lengths, signatures


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
                  chords: Sequence[Sequence[chord.Chord]], *,
                  temperature: float = COURSE_TEMPERATURE,
                  seed: int | None = None, measure_ql: float = 4.0, top_k: int | None = None,
                  pitch_range: PitchRange = PitchRange(), primer: Primer | None = None,
                  sampler=None, copy_guard: CopyGuard | None = None,
                  measure_lengths_ql: Sequence[float] | None = None,
                  time_signatures: Sequence[str] | None = None) -> Solo:
    """Improvise over every chord measure, keeping the LSTM state and the last pitch between them.

    Every measure lasts `measure_ql` quarter lengths in the metre of that length, unless
    `measure_lengths_ql` and/or `time_signatures` (one per chord measure, e.g. "3/4") say
    otherwise: a pickup bar, a change of metre (see `measure_metres`); each measure is filled
    to its own length.  With a `primer`, its measures open the solo as played and the LSTM is
    run through its values first, so the improvisation continues the phrase.  `sampler`
    replaces the LSTM by any value model with ``step(temperature, rng, top_k)`` (and
    ``prime(indices)`` for a primer), e.g. the baselines of `evaluate`; `weights` is then
    unused.  `copy_guard` limits how many consecutive values of the training tune the solo
    may copy.
    """
    lengths, signatures = measure_metres(len(chords), measure_ql=measure_ql,
                                         measure_lengths_ql=measure_lengths_ql,
                                         time_signatures=time_signatures)
    usual_ql = Counter(lengths).most_common(1)[0][0] if lengths else float(measure_ql)
    rng = np.random.default_rng(seed)
    sampler = sampler if sampler is not None else ValueSampler(weights)
    solo = Solo(usual_ql, measure_lengths_ql=lengths, time_signatures=signatures)
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
    for measure_chords, length in zip(chords[start:], lengths[start:]):
        values = sample_measure(sampler, indices_values, measure_ql=length,
                                temperature=temperature, rng=rng, top_k=top_k,
                                copy_guard=copy_guard, history=history)
        notes = realise_values(values, measure_chords, rng=rng, prev_midi=prev_midi,
                               pitch_range=pitch_range)
        notes = clean_up_notes(prune_notes(notes), length)
        pitched = [n.midi for n in notes if n.midi is not None]
        prev_midi = pitched[-1] if pitched else prev_midi
        solo.values.append(values)
        solo.notes.append(notes)
        solo.chords.append(list(measure_chords))
    return solo


@dataclass
class Primer:
    """An opening phrase: its notes per measure and their values over the solo's chords."""

    notes: list[list[Note]]
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
    from jazzsolo.ingest.parts import choose_melody_part, describe_parts
    from jazzsolo.ingest.midi_import import check_midi_file
    from jazzsolo.ingest.preprocess import melody_line, notes_in_measure, parse_midi_file

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
        events = [Note(float(n.offset), float(n.quarterLength), int(n.pitch.midi), v.note_class)
                  for n, v in zip(in_measure, values)]
        primer.notes.append(clean_up_notes(events, measure_ql))
        primer.values.append(values)
    return primer
