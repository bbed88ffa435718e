"""Solos (MIDI or generated) → report card: harmony, pitch/rhythm statistics, novelty, likelihood.

Every solo is read into a `SoloTake` (notes, chord measures, grammar values) and measured the same
way, whether it comes from a MIDI file, from the LSTM, from a Markov-chain baseline or from the
training tune itself.  Pitch and rhythm statistics follow MGEval (Yang & Lerch 2018) and are
computed here in NumPy (muspy's versions differ at note boundaries; see `polyphony_rate`).
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import mido
import numpy as np
from music21 import chord, note, pitch

from jazzsolo.errors import ConfigError, InputFileError, MidiContentError
from jazzsolo.grammar import (chord_at, chord_from_midi, classify_note, format_value, parse_melody)
from jazzsolo.inference_code import LSTMWeights, ValueSampler, sample
from jazzsolo.music_utils import Solo, generate_solo
from jazzsolo.preprocess import (check_midi_file, find_training_midi, get_corpus_data,
                                 get_musical_data)

HARMONY_CLASSES = ("C", "S", "A", "X")          # chord, scale, approach, other tones
# MGEval's twelve note-length classes in quarter lengths: 16th … whole, dotted and triplet.
LENGTH_CLASSES_QL = (1 / 4, 1 / 3, 3 / 8, 1 / 2, 2 / 3, 3 / 4, 1.0, 4 / 3, 3 / 2, 2.0, 3.0, 4.0)
MAX_INTERVAL = 12                               # wider melodic intervals count as ±12 semitones
HISTOGRAMS = ("pitch_class", "interval", "note_length", "ioi")
SCALARS = ("pitch_range", "pitch_class_entropy_bits", "polyphony_rate", "empty_beat_rate",
           "mean_ioi_ql")
BASELINE_ORDERS = {"uniform": 0, "unigram": 1, "bigram": 2, "trigram": 3}
GRID_STEPS_PER_QL = 12                          # MIDI times snap to 1/12 QL: 1/16s, triplets, sums
_PSEUDO_COUNT = 0.5                             # per histogram bin before a KL divergence
_DRUM_CHANNEL = 9                               # General MIDI percussion, 0-based
_EPS_QL = 1e-6


# --- Solos to evaluate ------------------------------------------------------------------------

@dataclass(frozen=True)
class PlayedNote:
    """One solo note: onset and duration in quarter lengths from the solo's start, MIDI pitch."""

    offset_ql: float
    duration_ql: float
    midi: int


@dataclass
class SoloTake:
    """A solo to evaluate: its notes, the chords under each measure, its values per measure."""

    name: str
    notes: list[PlayedNote]                     # sorted by onset
    chords: list[list[chord.Chord]]             # per measure, offsets within the measure
    values: list[list[str]]                     # per measure, grammar values of its notes
    measure_ql: float = 4.0

    @property
    def length_ql(self) -> float:
        """The chord measures' length, or the last note's end if the solo runs longer."""
        ends = [n.offset_ql + n.duration_ql for n in self.notes]
        return max([len(self.chords) * self.measure_ql] + ends)

    def measure_chords(self, index: int) -> list[chord.Chord]:
        """The chords of measure `index`; a longer solo cycles through the chord measures."""
        return self.chords[index % len(self.chords)]

    def flat_values(self) -> list[str]:
        """All values of the solo in order."""
        return [v for measure in self.values for v in measure]


@functools.lru_cache(maxsize=None)
def _note_name(midi: int) -> str:
    """music21's default spelling of a MIDI pitch, the one its MIDI importer uses (63 → 'E-')."""
    return pitch.Pitch(midi=midi).name


def make_chord(midis: Sequence[int], offset_ql: float, duration_ql: float) -> chord.Chord:
    """A chord spelled as music21's MIDI importer spells it (see `grammar.chord_from_midi`)."""
    return chord_from_midi(midis, max(duration_ql, 1 / 12), offset_ql)


def _respell(chords: Sequence[Sequence[chord.Chord]]) -> list[list[chord.Chord]]:
    return [[make_chord([p.midi for p in c.pitches], float(c.offset), float(c.quarterLength))
             for c in measure] for measure in chords]


def _measure_index(offset_ql: float, measure_ql: float) -> int:
    return int(math.floor(offset_ql / measure_ql + _EPS_QL))


def parse_values(notes: Sequence[PlayedNote], chords: Sequence[Sequence[chord.Chord]], *,
                 measure_ql: float = 4.0) -> list[list[str]]:
    """Re-read notes as grammar values, measure by measure, with the grammar's `parse_melody`."""
    n_measures = max([len(chords)] + [_measure_index(n.offset_ql, measure_ql) + 1 for n in notes])
    measures: list[list[note.Note]] = [[] for _ in range(n_measures)]
    for n in notes:
        index = _measure_index(n.offset_ql, measure_ql)
        element = note.Note(n.midi, quarterLength=n.duration_ql)
        element.offset = n.offset_ql - index * measure_ql
        measures[index].append(element)
    return [parse_melody(measure, chords[i % len(chords)]).split()
            for i, measure in enumerate(measures)]


def take_from_notes(name: str, notes: Sequence[PlayedNote], chords: Sequence[Sequence[chord.Chord]],
                    *, measure_ql: float = 4.0, values: list[list[str]] | None = None) -> SoloTake:
    """A take from notes over chord measures; values are re-parsed from the notes if not given."""
    if not chords or not all(chords):
        raise MidiContentError(f"{name}: every measure needs at least one chord")
    chords = _respell(chords)
    notes = sorted(notes, key=lambda n: n.offset_ql)        # stable: simultaneous notes keep order
    if values is None:
        values = parse_values(notes, chords, measure_ql=measure_ql)
    return SoloTake(name, notes, chords, values, measure_ql)


def take_from_solo(solo: Solo, name: str = "solo") -> SoloTake:
    """A generated solo as a take, keeping the values the model sampled."""
    notes = [PlayedNote(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()]
    values = [[format_value(v) for v in measure] for measure in solo.values]
    return take_from_notes(name, notes, solo.chords, measure_ql=solo.measure_ql, values=values)


# --- Reading MIDI files -------------------------------------------------------------------------

@dataclass
class MidiTracks:
    """The notes of a MIDI file's solo track and of its chord track (if any), in quarter lengths."""

    path: Path
    solo: list[PlayedNote]
    chords: list[PlayedNote]                    # empty when the file has no "Chords" track


def _snap(time_ql: float, *, at_least_one_step: bool = False) -> float:
    """The nearest multiple of 1/12 quarter length (a 1/16 note plus a triplet is 7/12).

    >>> _snap(280 / 480), _snap(0.01, at_least_one_step=True)
    (0.5833333333333334, 0.08333333333333333)
    """
    steps = round(time_ql * GRID_STEPS_PER_QL)
    return max(steps, 1 if at_least_one_step else 0) / GRID_STEPS_PER_QL


def _track_notes(track: mido.MidiTrack, ticks_per_beat: int) -> list[PlayedNote]:
    """Every pitched note of a mido track, snapped to the grid; an unended note stops at the end.

    Channel 10 (index 9) is General MIDI percussion and is left out.
    """
    now, sounding, spans = 0, {}, []
    for message in track:
        now += message.time
        if not message.type.startswith("note_") or message.channel == _DRUM_CHANNEL:
            continue
        if message.type == "note_on" and message.velocity > 0:
            sounding.setdefault((message.channel, message.note), []).append(now)
        else:
            starts = sounding.get((message.channel, message.note))
            if starts:
                spans.append((starts.pop(0), now, message.note))
    spans += [(start, now, key[1]) for key, starts in sounding.items() for start in starts]
    return [PlayedNote(_snap(start / ticks_per_beat),
                       _snap((end - start) / ticks_per_beat, at_least_one_step=True), midi)
            for start, end, midi in sorted(spans)]


def read_midi_tracks(path: str | os.PathLike) -> MidiTracks:
    """Read the track named "Solo" (else the first track with notes) and the one named "Chords"."""
    path = check_midi_file(Path(path))
    try:
        midi_file = mido.MidiFile(str(path))
    except Exception as e:  # mido raises several types on corrupt files
        raise InputFileError(f"{path}: not a readable MIDI file ({type(e).__name__}: {e})") from e
    tracks = {i: _track_notes(t, midi_file.ticks_per_beat) for i, t in enumerate(midi_file.tracks)}
    names = [t.name for t in midi_file.tracks]
    chord_index = names.index("Chords") if "Chords" in names else None
    candidates = [i for i in tracks if tracks[i] and i != chord_index]
    solo_index = names.index("Solo") if "Solo" in names else (candidates[0] if candidates else None)
    if solo_index is None or not tracks[solo_index]:
        raise MidiContentError(f"{path}: holds no solo notes")
    chords = tracks[chord_index] if chord_index is not None else []
    return MidiTracks(path, tracks[solo_index], chords)


def chord_measures(chord_notes: Sequence[PlayedNote], n_measures: int, *,
                   measure_ql: float = 4.0) -> list[list[chord.Chord]]:
    """Group chord-track notes into chords (same onset) and the chords into measures.

    A measure's chords are those starting in it, as in preprocessing; a measure where none
    starts gets the chord still sounding (or the first one) at its offset 0.
    """
    onsets: dict[float, list[PlayedNote]] = {}
    for n in chord_notes:
        onsets.setdefault(n.offset_ql, []).append(n)
    timed = [(start, max(n.duration_ql for n in group), [n.midi for n in group])
             for start, group in sorted(onsets.items())]
    measures = []
    for i in range(n_measures):
        start, end = i * measure_ql, (i + 1) * measure_ql
        inside = [c for c in timed if start - _EPS_QL <= c[0] < end - _EPS_QL]
        if inside:
            measures.append([make_chord(p, s - start, d) for s, d, p in inside])
            continue
        before = [c for c in timed if c[0] < start] or timed[:1]
        measures.append([make_chord(before[-1][2], 0.0, measure_ql)])
    return measures


def take_from_midi(tracks: MidiTracks, *, chords: Sequence[Sequence[chord.Chord]] | None = None,
                   measure_ql: float = 4.0) -> SoloTake:
    """A take from a MIDI file's tracks: its own chord track, else `chords` (e.g. the tune's)."""
    if tracks.chords:
        ends = [n.offset_ql + n.duration_ql for n in tracks.solo + tracks.chords]
        n_measures = max(1, math.ceil(max(ends) / measure_ql - _EPS_QL))
        chords = chord_measures(tracks.chords, n_measures, measure_ql=measure_ql)
    elif not chords:
        raise MidiContentError(f"{tracks.path}: has no 'Chords' track and no chords were given "
                               "to measure it against")
    return take_from_notes(tracks.path.name, tracks.solo, chords, measure_ql=measure_ql)


# --- Harmony ------------------------------------------------------------------------------------

def note_classes(take: SoloTake) -> list[str]:
    """The class of each note ('C', 'S', 'A' or 'X') over the chord sounding at its onset.

    The chord is found as the grammar finds it (`chord_at` over the measure's chords), so the
    classes of the training solo's notes are exactly the classes of its values.
    """
    classes = []
    for n in take.notes:
        index = _measure_index(n.offset_ql, take.measure_ql)
        sounding = chord_at(take.measure_chords(index), n.offset_ql - index * take.measure_ql)
        classes.append(classify_note(_note_name(n.midi), sounding))
    return classes


@dataclass
class HarmonyShares:
    """Shares of notes and of note time (quarter lengths) in each class: C, S, A and X tones."""

    note_share: dict[str, float]
    time_share: dict[str, float]
    n_notes: int


def harmony_shares(takes: Sequence[SoloTake]) -> HarmonyShares:
    """Pool the notes of one or more takes and share them out over the four note classes."""
    counts = dict.fromkeys(HARMONY_CLASSES, 0.0)
    times = dict.fromkeys(HARMONY_CLASSES, 0.0)
    for take in takes:
        for n, note_class in zip(take.notes, note_classes(take)):
            counts[note_class] += 1
            times[note_class] += n.duration_ql
    n_notes, total_ql = sum(counts.values()), sum(times.values())
    note_share = {c: counts[c] / n_notes if n_notes else math.nan for c in HARMONY_CLASSES}
    time_share = {c: times[c] / total_ql if total_ql else math.nan for c in HARMONY_CLASSES}
    return HarmonyShares(note_share, time_share, int(n_notes))


# --- Pitch and rhythm statistics (MGEval-style) --------------------------------------------------

def length_class(duration_ql: float) -> int:
    """Index of the nearest MGEval note-length class (nearest by ratio, so 0.3 → 1/3).

    >>> LENGTH_CLASSES_QL[length_class(0.5)], LENGTH_CLASSES_QL[length_class(9.0)]
    (0.5, 4.0)
    """
    ratios = np.abs(np.log(max(duration_ql, _EPS_QL)) - np.log(LENGTH_CLASSES_QL))
    return int(np.argmin(ratios))


def pitch_class_entropy(pitch_class_counts: np.ndarray) -> float:
    """Shannon entropy in bits of a pitch-class histogram (0 for one class, log2 12 for all).

    >>> round(pitch_class_entropy(np.ones(12)), 3)
    3.585
    """
    total = pitch_class_counts.sum()
    if total == 0:
        return math.nan
    shares = pitch_class_counts[pitch_class_counts > 0] / total
    return float(-(shares * np.log2(shares)).sum())


def polyphony_rate(notes: Sequence[PlayedNote], length_ql: float) -> float:
    """Share of the solo's time (0 … length_ql) during which two or more notes sound.

    Notes that touch (one ends where the next starts) do not overlap.  muspy's
    ``polyphony_rate`` counts steps with *more than* ``threshold=2`` pitches by default, so two
    overlapping notes give 0 there; this is its ``threshold=1`` without the tick grid.
    """
    events = sorted([(n.offset_ql, 1) for n in notes] + [(n.offset_ql + n.duration_ql, -1)
                                                        for n in notes],
                    key=lambda e: (e[0], e[1]))
    sounding, last, overlap_ql = 0, 0.0, 0.0
    for time_ql, change in events:
        if sounding >= 2:
            overlap_ql += time_ql - last
        sounding, last = sounding + change, time_ql
    return overlap_ql / length_ql if length_ql > 0 else math.nan


def empty_beat_rate(notes: Sequence[PlayedNote], length_ql: float) -> float:
    """Share of the solo's beats (quarter notes) in which no note sounds.

    A note sounds in beat k when it starts before k + 1 and ends after k; muspy's
    ``empty_beat_rate`` also counts the beat in which a note *ends* and one beat past the end.
    """
    n_beats = max(1, math.ceil(length_ql - _EPS_QL))
    busy = np.zeros(n_beats, dtype=bool)
    for n in notes:
        first = int(math.floor(n.offset_ql + _EPS_QL))
        last = int(math.ceil(n.offset_ql + n.duration_ql - _EPS_QL))
        busy[max(first, 0):min(last, n_beats)] = True
    return float(1.0 - busy.mean())


@dataclass
class PitchRhythmStatistics:
    """MGEval-style features of one solo: histograms as counts, scalars with their units."""

    pitch_class: np.ndarray                     # (12,) notes per pitch class, C = 0
    interval: np.ndarray                        # (25,) melodic intervals −12 … +12 semitones
    note_length: np.ndarray                     # (12,) notes per LENGTH_CLASSES_QL class
    ioi: np.ndarray                             # (12,) inter-onset intervals per length class
    pitch_range: int                            # semitones from the lowest to the highest note
    pitch_class_entropy_bits: float             # 0 … log2(12) ≈ 3.585
    polyphony_rate: float                       # share of time with ≥ 2 notes sounding
    empty_beat_rate: float                      # share of beats with no note sounding
    mean_ioi_ql: float                          # mean time between onsets, quarter lengths
    n_notes: int


def pitch_rhythm_statistics(take: SoloTake) -> PitchRhythmStatistics:
    """Histograms and scalar features of one take's notes."""
    midis = np.array([n.midi for n in take.notes], dtype=int)
    onsets = np.array([n.offset_ql for n in take.notes])
    intervals = np.clip(np.diff(midis), -MAX_INTERVAL, MAX_INTERVAL) + MAX_INTERVAL
    iois = np.diff(onsets)
    n_lengths = len(LENGTH_CLASSES_QL)
    pitch_class = np.bincount(midis % 12, minlength=12)
    return PitchRhythmStatistics(
        pitch_class=pitch_class,
        interval=np.bincount(intervals, minlength=2 * MAX_INTERVAL + 1),
        note_length=np.bincount([length_class(n.duration_ql) for n in take.notes],
                                minlength=n_lengths),
        ioi=np.bincount([length_class(d) for d in iois], minlength=n_lengths),
        pitch_range=int(midis.max() - midis.min()) if len(midis) else 0,
        pitch_class_entropy_bits=pitch_class_entropy(pitch_class),
        polyphony_rate=polyphony_rate(take.notes, take.length_ql),
        empty_beat_rate=empty_beat_rate(take.notes, take.length_ql),
        mean_ioi_ql=float(iois.mean()) if len(iois) else math.nan,
        n_notes=len(midis))


def histogram_overlap(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    """Overlapping area of two histograms after normalising each: 1 identical, 0 disjoint.

    >>> histogram_overlap(np.array([1, 1, 0]), np.array([0, 2, 2]))
    0.5
    """
    p, q = p_counts / p_counts.sum(), q_counts / q_counts.sum()
    return float(np.minimum(p, q).sum())


def kl_divergence_bits(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    """KL(P ‖ Q) in bits, with half a count added to every bin of both so it stays finite."""
    p = (p_counts + _PSEUDO_COUNT) / (p_counts.sum() + _PSEUDO_COUNT * len(p_counts))
    q = (q_counts + _PSEUDO_COUNT) / (q_counts.sum() + _PSEUDO_COUNT * len(q_counts))
    return float((p * np.log2(p / q)).sum())


def summarise_statistics(takes: Sequence[SoloTake]) -> dict:
    """Histograms pooled over the takes (counts) and the mean of each scalar feature."""
    stats = [pitch_rhythm_statistics(t) for t in takes]
    summary = {name: sum(getattr(s, name) for s in stats) for name in HISTOGRAMS}
    summary.update({name: float(np.nanmean([getattr(s, name) for s in stats]))
                    for name in SCALARS})
    summary["n_notes"] = float(np.mean([s.n_notes for s in stats]))
    return summary


def distance_to_reference(summary: dict, reference: dict) -> dict:
    """Per histogram: overlap and KL(reference ‖ solos); per scalar: |mean − reference|."""
    distance = {name: {"overlap": histogram_overlap(reference[name], summary[name]),
                       "kl_bits": kl_divergence_bits(reference[name], summary[name])}
                for name in HISTOGRAMS}
    distance.update({name: abs(summary[name] - reference[name]) for name in SCALARS})
    return distance


# --- Novelty ------------------------------------------------------------------------------------

def longest_copied_run(values: Sequence[str], corpus: Sequence[str]) -> int:
    """Length of the longest run of consecutive values that also occurs, in order, in the corpus.

    >>> longest_copied_run("x b c d y".split(), "a b c d e".split())
    3
    """
    codes = {v: i for i, v in enumerate(dict.fromkeys(corpus))}
    target = np.array([codes[v] for v in corpus])
    best, run = 0, np.zeros(len(corpus), dtype=int)     # run[j]: copied run ending at corpus j
    for value in values:
        matches = target == codes.get(value, -1)
        run = np.where(matches, np.concatenate(([0], run[:-1])) + 1, 0)
        best = max(best, int(run.max(initial=0)))
    return best


def ngrams(values: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """The consecutive n-grams of a value sequence."""
    return [tuple(values[i:i + n]) for i in range(len(values) - n + 1)]


def copied_ngram_share(values: Sequence[str], corpus: Sequence[str], n: int) -> float:
    """Share of the sequence's n-grams that occur in the corpus (NaN if it is shorter than n)."""
    grams = ngrams(values, n)
    if not grams:
        return math.nan
    known = set(ngrams(corpus, n))
    return sum(g in known for g in grams) / len(grams)


def _copying(sequences: Sequence[Sequence[str]], corpus: Sequence[str]) -> dict:
    runs = [longest_copied_run(values, corpus) for values in sequences]
    shares = {n: float(np.nanmean([copied_ngram_share(values, corpus, n) for values in sequences]))
              for n in (4, 8)}
    return {"longest_copied_run": runs, "longest_copied_run_median": float(np.median(runs)),
            "copied_4gram_share": shares[4], "copied_8gram_share": shares[8]}


def novelty(takes: Sequence[SoloTake], corpus: Sequence[str]) -> dict:
    """Longest copied run of each take and the mean shares of its 4-grams and 8-grams copied.

    Measured on the take's values (as sampled, for a generated solo) and, under ``"reread"``,
    on values re-read from its notes, which is all a MIDI file offers: the renderer picks a
    pitch inside each value's interval window, so re-read windows rarely match sampled ones.
    """
    found = _copying([t.flat_values() for t in takes], corpus)
    reread = [[v for m in parse_values(t.notes, t.chords, measure_ql=t.measure_ql) for v in m]
              for t in takes]
    return {**found, "reread": _copying(reread, corpus)}


# --- Value models: the LSTM and Markov-chain baselines -------------------------------------------

class ValueModel(Protocol):
    """Predicts the next value index from those fed so far; call `probabilities` once per step."""

    def reset(self) -> None: ...
    def probabilities(self) -> np.ndarray: ...
    def feed(self, index: int) -> None: ...
    def step(self, temperature: float, rng: np.random.Generator,
             top_k: int | None = None) -> int: ...


class LSTMValueModel(ValueSampler):
    """The course LSTM as a value model: a ValueSampler that can also be fed known values."""

    def feed(self, index: int) -> None:
        """Make value `index` the next input, as `step` does with the value it samples."""
        self.x = np.zeros_like(self.x)
        self.x[index] = 1.0


class MarkovChain:
    """An order-n Markov chain over value indices with add-k smoothing; order 0 is uniform.

    The next value is drawn from the counts after the longest suffix of the last n − 1 values
    that occurs in the corpus (down to no context, the unigram counts), plus k for every value.
    Without that back-off a trigram over 193 values wanders into unseen contexts after a few
    steps and from then on samples uniformly.
    """

    def __init__(self, order: int, corpus: Sequence[int], n_values: int, *, add_k: float = 0.1):
        if order < 0 or add_k <= 0:
            raise ConfigError(f"a Markov chain needs order ≥ 0 and add_k > 0, "
                              f"got order {order}, add_k {add_k}")
        self.order, self.n_values, self.add_k = order, n_values, add_k
        self.counts: dict[tuple[int, ...], np.ndarray] = {}
        for length in range(order):                       # context lengths 0 … order − 1
            for position in range(length, len(corpus)):
                context = tuple(corpus[position - length:position])
                self.counts.setdefault(context, np.zeros(n_values))[corpus[position]] += 1
        self.reset()

    def reset(self) -> None:
        """Forget the values fed so far."""
        self.history: list[int] = []

    def probabilities(self) -> np.ndarray:
        """(counts of each value after the context + k) / (context count + k · n_values)."""
        if self.order == 0:
            return np.full(self.n_values, 1.0 / self.n_values)
        for length in range(min(self.order - 1, len(self.history)), -1, -1):
            counts = self.counts.get(tuple(self.history[len(self.history) - length:]))
            if counts is not None:
                return (counts + self.add_k) / (counts.sum() + self.add_k * self.n_values)
        return np.full(self.n_values, 1.0 / self.n_values)     # an empty corpus

    def feed(self, index: int) -> None:
        """Append a value to the context."""
        self.history.append(index)

    def step(self, temperature: float, rng: np.random.Generator, top_k: int | None = None) -> int:
        """Sample the next value index with the LSTM's sampling rule and feed it back."""
        index = sample(self.probabilities(), temperature, rng, top_k)
        self.feed(index)
        return index


def improvise(model: ValueModel, indices_values: dict[int, str],
              chords: Sequence[Sequence[chord.Chord]], *, temperature: float = 1.0,
              seed: int | None = None, measure_ql: float = 4.0, top_k: int | None = None) -> Solo:
    """`generate_solo` for any value model: fill each chord measure with values, then notes."""
    model.reset()
    return generate_solo(None, indices_values, chords, temperature=temperature, seed=seed,
                         measure_ql=measure_ql, top_k=top_k, sampler=model)


# --- Held-out likelihood --------------------------------------------------------------------------

@dataclass
class HeldOutSplit:
    """The tune's values split into training measures and the last, held-out measures."""

    train: list[str]
    heldout: list[str]
    values_indices: dict[str, int]              # vocabulary of the whole tune, sorted
    n_heldout_measures: int

    @property
    def unseen_share(self) -> float:
        """Share of held-out values that never occur in the training measures."""
        seen = set(self.train)
        return sum(v not in seen for v in self.heldout) / len(self.heldout)


def split_heldout(grammars: Sequence[str], n_heldout_measures: int = 3) -> HeldOutSplit:
    """Hold out the last measures; the vocabulary covers the whole tune so every loss is finite."""
    if not 1 <= n_heldout_measures < len(grammars):
        raise ConfigError(f"held-out measures must be between 1 and {len(grammars) - 1}, "
                          f"got {n_heldout_measures}")
    _, _, values_indices, _ = get_corpus_data(list(grammars))
    train = [v for g in grammars[:-n_heldout_measures] for v in g.split()]
    heldout = [v for g in grammars[-n_heldout_measures:] for v in g.split()]
    return HeldOutSplit(train, heldout, values_indices, n_heldout_measures)


def value_losses_nats(model: ValueModel, sequence: Sequence[int], first: int, *,
                      context_values: int = 29) -> np.ndarray:
    """−ln p of each value from position `first` on, each predicted from a fresh start.

    Each value is predicted after feeding the `context_values` true values before it, which
    for the LSTM is exactly a training window's condition (Tx − 1 = 29 values seen at most).
    """
    losses = []
    for position in range(first, len(sequence)):
        model.reset()
        for index in sequence[max(0, position - context_values):position]:
            model.probabilities()
            model.feed(index)
        losses.append(-math.log(max(float(model.probabilities()[sequence[position]]), 1e-300)))
    return np.array(losses)


def train_value_lstm(corpus: Sequence[str], values_indices: dict[str, int], *, epochs: int = 100,
                     n_a: int = 64, seed: int = 0, snapshots: dict | None = None) -> LSTMWeights:
    """Train the course model on a corpus (course windows and optimiser, the fast path).

    With `snapshots`, the weights after every epoch are stored in it by epoch number.
    """
    from jazzsolo.config import ModelConfig, TrainConfig
    from jazzsolo.data_utils import data_processing
    from jazzsolo.model import train_fast

    config = ModelConfig(n_a=n_a)
    X, Y, _ = data_processing(list(corpus), values_indices, config.m, config.Tx, config.data_seed)
    record = None
    if snapshots is not None:
        def record(state):
            kernel, recurrent, bias, dense_kernel, dense_bias = state.weights
            snapshots[state.epoch] = LSTMWeights(kernel, recurrent, bias, dense_kernel, dense_bias)
    _, LSTM_cell, densor, _ = train_fast(X, Y, n_a=n_a, progress=False, on_epoch_end=record,
                                         config=TrainConfig(epochs=epochs, seed=seed))
    return LSTMWeights.from_layers(LSTM_cell, densor)


def early_stopped_lstm(split: HeldOutSplit, grammars: Sequence[str], *, max_epochs: int = 30,
                       n_a: int = 64, seed: int = 0) -> tuple[LSTMWeights, int]:
    """An LSTM trained for the number of epochs that does best on unseen music.

    The epoch count is chosen on a validation split — the measures just before the held-out
    ones, never the held-out values themselves — then the model is trained on all training
    measures for that many epochs.  Returns the weights and the epoch count.
    """
    n_train = len(grammars) - split.n_heldout_measures
    n_validation = max(1, min(split.n_heldout_measures, n_train // 4))
    train_grammars = grammars[:n_train - n_validation]
    validation = HeldOutSplit([v for g in train_grammars for v in g.split()],
                              [v for g in grammars[n_train - n_validation:n_train] for v in g.split()],
                              split.values_indices, n_validation)
    snapshots: dict[int, LSTMWeights] = {}
    train_value_lstm(validation.train, split.values_indices, epochs=max_epochs, n_a=n_a,
                     seed=seed, snapshots=snapshots)
    losses = heldout_cross_entropy(validation, {e: LSTMValueModel(w) for e, w in snapshots.items()})
    best = min(losses, key=lambda e: (losses[e]["cross_entropy_nats"], e))
    return train_value_lstm(split.train, split.values_indices, epochs=best, n_a=n_a,
                            seed=seed), best


def baseline_models(corpus: Sequence[str], values_indices: dict[str, int], *,
                    add_k: float = 0.1) -> dict[str, MarkovChain]:
    """Uniform, unigram, bigram and trigram chains trained on a corpus of values."""
    indices = [values_indices[v] for v in corpus]
    return {name: MarkovChain(order, indices, len(values_indices), add_k=add_k)
            for name, order in BASELINE_ORDERS.items()}


def heldout_cross_entropy(split: HeldOutSplit, models: dict[str, ValueModel], *,
                          context_values: int = 29) -> dict[str, dict]:
    """Cross-entropy (nats per value) and perplexity of each model on the held-out values.

    ``seen_cross_entropy_nats`` averages over the held-out values that occur in the training
    measures only.
    """
    sequence = [split.values_indices[v] for v in split.train + split.heldout]
    seen = np.array([v in set(split.train) for v in split.heldout])
    results = {}
    for name, model in models.items():
        losses = value_losses_nats(model, sequence, len(split.train), context_values=context_values)
        results[name] = {"cross_entropy_nats": float(losses.mean()),
                         "perplexity": float(np.exp(losses.mean())),
                         "seen_cross_entropy_nats": float(losses[seen].mean())}
    return results


# --- The report ---------------------------------------------------------------------------------

@dataclass
class Reference:
    """The training tune as evaluation needs it: its solo as a take and its grammar strings."""

    path: Path
    take: SoloTake
    grammars: list[str]

    @property
    def corpus(self) -> list[str]:
        return [v for g in self.grammars for v in g.split()]


def load_reference(path: str | os.PathLike | None = None, preset: str = "course") -> Reference:
    """Read the training tune's solo (found as `find_training_midi` finds it) as a take."""
    path = find_training_midi(path)
    data = get_musical_data(path, preset)
    measure_ql = 4.0
    notes = [PlayedNote(i * measure_ql + float(n.offset), float(n.quarterLength), int(n.pitch.midi))
             for i, measure in enumerate(data.measures) for n in measure]
    values = [g.split() for g in data.abstract_grammars]
    take = take_from_notes("training solo", notes, data.chords, measure_ql=measure_ql,
                           values=values)
    return Reference(Path(path), take, list(data.abstract_grammars))


def describe_takes(name: str, takes: Sequence[SoloTake], reference: Reference) -> dict:
    """One table row: harmony, statistics, distance to the training solo and novelty of takes."""
    shares = harmony_shares(takes)
    summary = summarise_statistics(takes)
    reference_summary = summarise_statistics([reference.take])
    return {"name": name, "n_solos": len(takes),
            "harmony": {"note_share": shares.note_share, "time_share": shares.time_share,
                        "n_notes": shares.n_notes},
            "statistics": summary,
            "distance_to_training": distance_to_reference(summary, reference_summary),
            "novelty": novelty(takes, reference.corpus),
            "heldout": None}


@dataclass
class EvaluationSettings:
    """How many solos each model improvises for the report, and how likelihood is measured."""

    n_solos: int = 20                           # solos per model (seeds seed … seed + n − 1)
    temperature: float = 1.0                    # sampling temperature for every model
    seed: int = 0                               # first seed
    heldout_measures: int = 3                   # last measures of the tune held out
    heldout_epochs: int = 0                     # epochs for the held-out LSTM; 0 = no LSTM loss
    n_a: int = 64                               # LSTM units of the held-out LSTM
    add_k: float = 0.1                          # add-k smoothing of the Markov chains


def _generated_rows(reference: Reference, trained, settings: EvaluationSettings) -> list[dict]:
    """Rows of solos improvised by the model's LSTM (if given) and by each baseline chain.

    All improvise over the same chord measures, the ones `jazzsolo generate` uses.
    """
    values_indices = get_corpus_data(reference.grammars)[2]
    indices_values = {i: v for v, i in values_indices.items()}
    chords = trained.chords if trained is not None else reference.take.chords
    improvisers = {name: (chain, indices_values) for name, chain in
                   baseline_models(reference.corpus, values_indices, add_k=settings.add_k).items()}
    if trained is not None:
        improvisers = {"LSTM": (LSTMValueModel(trained.weights), trained.indices_values),
                       **improvisers}
    rows = []
    for name, (model, vocabulary) in improvisers.items():
        takes = [take_from_solo(improvise(model, vocabulary, chords, seed=seed,
                                          temperature=settings.temperature,
                                          measure_ql=reference.take.measure_ql),
                                f"{name} seed {seed}")
                 for seed in range(settings.seed, settings.seed + settings.n_solos)]
        rows.append(describe_takes(name, takes, reference))
    return rows


def heldout_results(reference: Reference, settings: EvaluationSettings = EvaluationSettings()
                    ) -> tuple[HeldOutSplit, dict]:
    """Held-out cross-entropy of the baselines, and of an LSTM if `heldout_epochs` > 0."""
    split = split_heldout(reference.grammars, settings.heldout_measures)
    models: dict[str, ValueModel] = dict(baseline_models(split.train, split.values_indices,
                                                         add_k=settings.add_k))
    if settings.heldout_epochs > 0:
        models["LSTM"] = LSTMValueModel(train_value_lstm(
            split.train, split.values_indices, epochs=settings.heldout_epochs, n_a=settings.n_a))
        weights, best = early_stopped_lstm(split, reference.grammars, n_a=settings.n_a)
        models[f"LSTM stopped at epoch {best}"] = LSTMValueModel(weights)
    return split, heldout_cross_entropy(split, models)


def build_report(reference: Reference, *, solo_sets: dict[str, list[SoloTake]] | None = None,
                 trained=None, settings: EvaluationSettings = EvaluationSettings()) -> dict:
    """The report as a JSON-ready dict: training solo, given solos, LSTM and baselines."""
    rows = [describe_takes("training solo", [reference.take], reference)]
    rows += [describe_takes(name, takes, reference) for name, takes in (solo_sets or {}).items()]
    rows += _generated_rows(reference, trained, settings)
    split, heldout = heldout_results(reference, settings)
    for name in heldout:
        if name.startswith("LSTM") and not any(row["name"] == name for row in rows):
            rows.insert(1 + sum(r["name"].startswith("LSTM") for r in rows),
                        {"name": name, "n_solos": 0})
    for row in rows:
        row["heldout"] = heldout.get(row["name"])
    return {"reference": {"path": str(reference.path), "n_measures": len(reference.grammars),
                          "n_values": len(reference.corpus),
                          "n_distinct": len(set(reference.corpus))},
            "heldout": {"n_measures": split.n_heldout_measures, "n_values": len(split.heldout),
                        "unseen_share": split.unseen_share, "lstm_epochs": settings.heldout_epochs,
                        "add_k": settings.add_k},
            "settings": {"n_solos": settings.n_solos, "temperature": settings.temperature,
                         "seed": settings.seed},
            "rows": rows}


def _cell(value, spec: str = ".2f", scale: float = 1.0) -> str:
    """A number for the text table; missing or NaN values print as '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format(value * scale, spec)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns right-aligned under their headers, the first column left-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [" ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths))) for r in [headers, *rows]]
    return "\n".join(lines)


def _harmony_row(row: dict) -> list[str]:
    shares = row.get("harmony") or {}
    notes, times = shares.get("note_share", {}), shares.get("time_share", {})
    return [row["name"], str(row["n_solos"]),
            *(_cell(notes.get(c), ".1f", 100) for c in HARMONY_CLASSES),
            _cell(times.get("C"), ".1f", 100)]


def _statistics_row(row: dict) -> list[str]:
    stats, distance = row.get("statistics") or {}, row.get("distance_to_training") or {}
    return [row["name"], _cell(stats.get("pitch_class_entropy_bits")),
            _cell(stats.get("pitch_range"), ".1f"), _cell(stats.get("polyphony_rate"), ".3f"),
            _cell(stats.get("empty_beat_rate"), ".3f"),
            _cell(stats.get("mean_ioi_ql")),
            *(_cell(distance.get(h, {}).get("overlap")) for h in HISTOGRAMS)]


def _runs_text(found: dict) -> str:
    runs = found.get("longest_copied_run")
    return f"{found['longest_copied_run_median']:g} [{min(runs)}–{max(runs)}]" if runs else "—"


def _novelty_row(row: dict) -> list[str]:
    found, heldout = row.get("novelty") or {}, row.get("heldout") or {}
    return [row["name"], _runs_text(found), _cell(found.get("copied_4gram_share"), ".0f", 100),
            _cell(found.get("copied_8gram_share"), ".0f", 100), _runs_text(found.get("reread", {})),
            _cell(heldout.get("cross_entropy_nats")), _cell(heldout.get("perplexity"), ".1f"),
            _cell(heldout.get("seen_cross_entropy_nats"))]


def format_report(report: dict) -> str:
    """The report as three text tables: harmony, pitch/rhythm statistics, novelty and likelihood."""
    ref, held, settings = report["reference"], report["heldout"], report["settings"]
    rows = report["rows"]
    lstm_note = (f"LSTM trained {held['lstm_epochs']} epochs on the rest, and for the epoch "
                 f"count that did best on the measures before the held-out ones"
                 if held["lstm_epochs"]
                 else "no LSTM loss: pass --heldout_epochs 100 to train one (~10 s)")
    return "\n\n".join([
        f"Reference: {Path(ref['path']).name}, {ref['n_measures']} measures, "
        f"{ref['n_values']} values ({ref['n_distinct']} distinct); generated rows: "
        f"{settings['n_solos']} solos each at temperature {settings['temperature']:g}, "
        f"seeds from {settings['seed']}.",
        "Harmony: % of notes that are chord (C), scale (S), approach (A), other (X) tones; "
        "C time = % of note time on chord tones\n" + _table(
            ["model", "solos", "C", "S", "A", "X", "C time"], [_harmony_row(r) for r in rows]),
        "Pitch and rhythm (means per solo); overlap of pooled histograms with the training solo's "
        "(1 = same)\n" + _table(
            ["model", "PC entropy", "range", "polyphony", "empty beats", "IOI ql",
             "PC ovl", "interval ovl", "length ovl", "IOI ovl"],
            [_statistics_row(r) for r in rows]),
        f"Novelty: longest run of values copied from the tune, median [min–max]; % of 4-/8-grams "
        f"found in it; the same run for values re-read from the notes.  Held-out: last {held['n_measures']} measures, {held['n_values']} values "
        f"({100 * held['unseen_share']:.0f} % unseen in training), nats per value, add-k "
        f"{held['add_k']:g}; {lstm_note}\n" + _table(
            ["model", "longest copy", "4-gram %", "8-gram %", "re-read copy", "held-out CE",
             "perplexity", "CE seen"],
            [_novelty_row(r) for r in rows])])


def _jsonable(value):
    """Arrays to lists and NaN to None, so the report is strict JSON."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def report_to_json(report: dict) -> str:
    """The report as indented, strict JSON."""
    return json.dumps(_jsonable(report), indent=2, allow_nan=False)


# --- Command line -------------------------------------------------------------------------------

def _check_range(name: str, value, low, high) -> None:
    if not low <= value <= high:
        raise ConfigError(f"--{name} must be between {low} and {high}, got {value}")


def run_evaluate(args: argparse.Namespace) -> str:
    """`jazzsolo evaluate`: read the solos, build the report, return it as a table or JSON."""
    _check_range("n_solos", args.n_solos, 1, 1000)
    _check_range("temperature", args.temperature, 0.0, 100.0)
    _check_range("seed", args.seed, 0, 2**32 - 1 - args.n_solos)
    _check_range("heldout_epochs", args.heldout_epochs, 0, 100_000)
    _check_range("heldout_measures", args.heldout_measures, 1, 1000)
    tracks = [read_midi_tracks(path) for path in args.solos]       # bad files fail first
    trained = None
    if args.model is not None:
        from jazzsolo.model_dir import load_model_dir
        trained = load_model_dir(args.model)
    try:
        reference = load_reference(args.reference)
    except InputFileError as e:
        if args.reference is not None:
            raise
        raise InputFileError("training tune not found: pass --reference TUNE.mid or set "
                             "$JAZZSOLO_MIDI") from e
    takes = [take_from_midi(t, chords=reference.take.chords) for t in tracks]
    name = takes[0].name if len(takes) == 1 else f"{len(takes)} given solos"
    n_a = int(trained.weights.n_a) if trained is not None else 64
    settings = EvaluationSettings(n_solos=args.n_solos, temperature=args.temperature,
                                  seed=args.seed, heldout_measures=args.heldout_measures,
                                  heldout_epochs=args.heldout_epochs, n_a=n_a)
    report = build_report(reference, solo_sets={name: takes}, trained=trained, settings=settings)
    report["files"] = [describe_takes(t.name, [t], reference) for t in takes]
    return report_to_json(report) if args.json else format_report(report)


def add_evaluate_command(subparsers) -> argparse.ArgumentParser:
    """Register `evaluate SOLO.mid [more ...] [--reference] [--model] [--json]` on `subparsers`."""
    evaluate = subparsers.add_parser(
        "evaluate", help="Score solos against the training tune, the LSTM and simple baselines.")
    evaluate.add_argument("solos", nargs="+", metavar="SOLO.mid",
                          help="MIDI files to score; their 'Chords' track gives the harmony, else "
                               "the training tune's chords are used.")
    evaluate.add_argument("--reference", help="The training tune (default: $JAZZSOLO_MIDI, then "
                                              "data/original_metheny.mid, then ../shared/data/).")
    evaluate.add_argument("--model", help="A directory written by 'jazzsolo train'; its LSTM "
                                          "improvises --n_solos solos for an 'LSTM' row.")
    evaluate.add_argument("--n_solos", type=int, default=20,
                          help="Solos each model and baseline improvises for the table "
                               "(default: 20).")
    evaluate.add_argument("--temperature", type=float, default=1.0,
                          help="Sampling temperature of those solos (default: 1.0).")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="Seed of the first generated solo; the others count up "
                               "(default: 0).")
    evaluate.add_argument("--heldout_measures", type=int, default=3,
                          help="Last measures of the tune held out for cross-entropy (default: 3).")
    evaluate.add_argument("--heldout_epochs", type=int, default=0,
                          help="Train an LSTM this many epochs on the other measures and "
                               "report its held-out cross-entropy, beside one stopped early on "
                               "the measures before them; 100 takes about 10 s (default: 0, "
                               "skip).")
    evaluate.add_argument("--json", action="store_true", help="Print the report as JSON.")
    evaluate.set_defaults(run=run_evaluate)
    return evaluate
