"""Solos (MIDI files or generated) → measurements: harmony, pitch/rhythm statistics, novelty.

Every solo is read into a `SoloTake` (notes, chord measures, grammar values) and measured the same
way, whether it comes from a MIDI file, from the LSTM, from a Markov-chain baseline or from the
training tune itself.  Pitch and rhythm statistics follow MGEval (Yang & Lerch 2018) and are
computed here in NumPy (muspy's versions differ at note boundaries; see `polyphony_rate`).
"""
from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
from music21 import chord, note, pitch

from jazzsolo.music.notes import Note
from jazzsolo.errors import MidiContentError, NoChordsError
from jazzsolo.music.chords import chord_from_midi
from jazzsolo.encodings.grammar import chord_at, classify_note, format_value, parse_melody
from jazzsolo.generate.measures import Solo
from jazzsolo.ingest.midi_import import NoteMessage, read_midi

HARMONY_CLASSES = ("C", "S", "A", "X")          # chord, scale, approach, other tones
# MGEval's twelve note-length classes in quarter lengths: 16th … whole, dotted and triplet.
LENGTH_CLASSES_QL = (1 / 4, 1 / 3, 3 / 8, 1 / 2, 2 / 3, 3 / 4, 1.0, 4 / 3, 3 / 2, 2.0, 3.0, 4.0)
MAX_INTERVAL = 12                               # wider melodic intervals count as ±12 semitones
HISTOGRAMS = ("pitch_class", "interval", "note_length", "ioi")
SCALARS = ("pitch_range", "pitch_class_entropy_bits", "polyphony_rate", "empty_beat_rate",
           "mean_ioi_ql")
GRID_STEPS_PER_QL = 12                          # MIDI times snap to 1/12 QL: 1/16s, triplets, sums
_PSEUDO_COUNT = 0.5                             # per histogram bin before a KL divergence
_DRUM_CHANNEL = 9                               # General MIDI percussion, 0-based
_EPS_QL = 1e-6


# --- Solos to evaluate ------------------------------------------------------------------------

@dataclass
class SoloTake:
    """A solo to evaluate: its notes, the chords under each measure, its values per measure."""

    name: str
    notes: list[Note]                     # sorted by onset
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
    """A chord spelled as music21's MIDI importer spells it (see `music.chords.chord_from_midi`)."""
    return chord_from_midi(midis, max(duration_ql, 1 / 12), offset_ql)


def _respell(chords: Sequence[Sequence[chord.Chord]]) -> list[list[chord.Chord]]:
    return [[make_chord([p.midi for p in c.pitches], float(c.offset), float(c.quarterLength))
             for c in measure] for measure in chords]


def _measure_index(offset_ql: float, measure_ql: float) -> int:
    return int(math.floor(offset_ql / measure_ql + _EPS_QL))


def parse_values(notes: Sequence[Note], chords: Sequence[Sequence[chord.Chord]], *,
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


def take_from_notes(name: str, notes: Sequence[Note], chords: Sequence[Sequence[chord.Chord]],
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
    notes = [Note(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()]
    values = [[format_value(v) for v in measure] for measure in solo.values]
    return take_from_notes(name, notes, solo.chords, measure_ql=solo.measure_ql, values=values)


# --- Reading MIDI files -------------------------------------------------------------------------

@dataclass
class MidiTracks:
    """The notes of a MIDI file's solo track, its chord track and other accompaniment, in
    quarter lengths."""

    path: Path
    solo: list[Note]
    chords: list[Note]                    # empty when the file has no "Chords" track
    accompaniment: list[Note] = field(default_factory=list)   # other pitched tracks
    time_signatures: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, n, d)
    tempos: list[tuple[int, float]] = field(default_factory=list)   # (tick, quarter notes/min)


def _snap(time_ql: float, *, at_least_one_step: bool = False) -> float:
    """The nearest multiple of 1/12 quarter length (a 1/16 note plus a triplet is 7/12).

    >>> _snap(280 / 480), _snap(0.01, at_least_one_step=True)
    (0.5833333333333334, 0.08333333333333333)
    """
    steps = round(time_ql * GRID_STEPS_PER_QL)
    return max(steps, 1 if at_least_one_step else 0) / GRID_STEPS_PER_QL


def _part_notes(messages: Sequence[NoteMessage], end_tick: int, ticks_per_beat: int
                ) -> dict[int, list[Note]]:
    """Every pitched note of one part by channel, snapped to the grid: each note-off ends the
    earliest note still sounding on its pitch and channel, and an unended note stops at
    `end_tick`.  Channel 10 (index 9) is General MIDI percussion and is left out.
    """
    sounding, spans = {}, []
    for message in messages:
        if message.channel == _DRUM_CHANNEL:
            continue
        if message.is_on:
            sounding.setdefault((message.channel, message.pitch), []).append(message.tick)
        else:
            starts = sounding.get((message.channel, message.pitch))
            if starts:
                spans.append((starts.pop(0), message.tick, message.pitch, message.channel))
    spans += [(start, end_tick, key[1], key[0]) for key, starts in sounding.items()
              for start in starts]
    by_channel: dict[int, list[Note]] = {}
    for start, end, midi, channel in sorted(spans):
        by_channel.setdefault(channel, []).append(Note(
            _snap(start / ticks_per_beat), _snap((end - start) / ticks_per_beat,
                                                 at_least_one_step=True), midi))
    return by_channel


def read_midi_tracks(path: str | os.PathLike) -> MidiTracks:
    """Read the track named "Solo" (else the first track with notes), the one named "Chords",
    and every other pitched track as accompaniment.

    A track that plays on several channels (a type-0 file holds every part in one track) is
    split by channel first, so its parts are told apart.
    """
    midi = read_midi(path)
    names, parts = [], []
    for messages, name, end_tick in zip(midi.parts, midi.track_names, midi.end_ticks):
        for channel, notes in sorted(_part_notes(messages, end_tick,
                                                 midi.ticks_per_quarter).items()):
            names.append(name)
            parts.append(notes)
    chord_parts = [i for i, name in enumerate(names) if name == "Chords"]
    solo_parts = [i for i, name in enumerate(names) if name == "Solo"] or \
        [i for i in range(len(parts)) if i not in chord_parts][:1]
    if not solo_parts:
        raise MidiContentError(f"{path}: holds no solo notes")
    others = [i for i in range(len(parts)) if i not in solo_parts + chord_parts]
    def merged(indices):
        return sorted((n for i in indices for n in parts[i]),
                      key=lambda n: (n.offset_ql, n.midi, n.duration_ql))
    return MidiTracks(Path(path), merged(solo_parts), merged(chord_parts), merged(others),
                      midi.time_signatures, midi.tempos)


def chord_measures(chord_notes: Sequence[Note], n_measures: int, *,
                   measure_ql: float = 4.0) -> list[list[chord.Chord]]:
    """Group chord-track notes into chords (same onset) and the chords into measures.

    A measure's chords are those starting in it, as in preprocessing; a measure where none
    starts gets the chord still sounding (or the first one) at its offset 0.
    """
    onsets: dict[float, list[Note]] = {}
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
    """A take from a MIDI file's tracks over `chords` if given, else the file's own harmony: its
    "Chords" track, else its other pitched tracks read one chord per half bar (as training
    reads an accompaniment).  A file with neither, and no chords given, is refused."""
    if chords:
        pass
    elif tracks.chords:
        ends = [n.offset_ql + n.duration_ql for n in tracks.solo + tracks.chords]
        n_measures = max(1, math.ceil(max(ends) / measure_ql - _EPS_QL))
        chords = chord_measures(tracks.chords, n_measures, measure_ql=measure_ql)
    elif tracks.accompaniment:
        chords = _accompaniment_chords(tracks, measure_ql)
    if not chords:
        raise NoChordsError(f"{tracks.path}: no chords to measure the solo against (no "
                               f"'Chords' track and no accompaniment)")
    return take_from_notes(tracks.path.name, tracks.solo, chords, measure_ql=measure_ql)


def _accompaniment_chords(tracks: MidiTracks, measure_ql: float) -> list[list[chord.Chord]]:
    """Chord measures read off accompaniment notes, one chord per half bar of 4/4."""
    from jazzsolo.ingest.parts import CHORD_WINDOW_BEATS, chords_from_spans, group_chords_by_measure

    spans = [(n.offset_ql, n.offset_ql + n.duration_ql, [n.midi]) for n in tracks.accompaniment]
    ends = [n.offset_ql + n.duration_ql for n in tracks.solo + tracks.accompaniment]
    n_measures = max(1, math.ceil(max(ends) / measure_ql - _EPS_QL))
    window = CHORD_WINDOW_BEATS if measure_ql == 4.0 else measure_ql
    timed = chords_from_spans(spans, length_ql=n_measures * measure_ql, window_ql=window)
    measures = group_chords_by_measure(timed, measure_ql, n_measures)
    if not any(measures):
        return []
    first = next(m for m in measures if m)                  # before the band comes in
    filled, previous = [], first[:1]
    for measure in measures:
        if measure and measure[0].offset > _EPS_QL:
            measure = [make_chord([p.midi for p in previous[-1].pitches], 0.0,
                                  float(measure[0].offset))] + measure
        filled.append(measure or [make_chord([p.midi for p in previous[-1].pitches], 0.0,
                                             measure_ql)])
        previous = filled[-1]
    return filled


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


def polyphony_rate(notes: Sequence[Note], length_ql: float) -> float:
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


def empty_beat_rate(notes: Sequence[Note], length_ql: float) -> float:
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
