"""Real solos (WJazzD, MIDI) and generated ones → one shape over the chords, and the figures that
compare them: density, rests, phrases, range, harmony, pitch entropy, groove, novelty, interval
and inter-onset histograms, and the features of 4-bar segments for the blind test.

Every solo, real or generated, is a `SoloOverChords`: notes as (onset_ql, duration_ql, midi) from
the start of its first bar, chord measures of music21 chords (offsets within the measure), each
measure's length in quarter lengths and its time signature, and the tempo.  Positions are read on
a grid of ``GRID_PER_QL`` = 12 steps per quarter note (one beat = one quarter note, as in
`jazzsolo.ingest.corpus` and `jazzsolo.encodings.note_events`).

Harmony: each note is classed over the chord sounding at its onset with the grammar's
`classify_note`: a *chord tone* is one of the chord's pitch classes (a slash bass included), a
*scale tone* is a chord tone or a tone of the grammar's chord-scale (the major scale that fits a
major chord, else the dorian scale built on the chord; class 'S').  Notes over N.C. (or before a
solo's first chord) count for neither share.
"""
from __future__ import annotations

import bisect
import functools
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np
from music21 import chord, pitch

from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.errors import InputFileError, JazzsoloError
from jazzsolo.music.chords import chord_from_symbol, link_no_chords
from jazzsolo.encodings.grammar import classify_note

GRID_PER_QL = 12                     # grid steps per quarter note (= per beat)
MAX_INTERVAL = 12                    # wider melodic intervals count as ±12 semitones
MAX_IOI_STEPS = 48                   # inter-onset intervals over 4 beats share one bin
NOVELTY_NOTES = 8                    # notes per (interval, rhythm) n-gram
SEGMENT_BARS = 4                     # bars per blind-test segment
MIN_SEGMENT_NOTES = 2                # a segment with fewer notes is left out of the blind test
PHRASE_GAP_QL = 1.0                  # a silence this long (quarter lengths) ends a phrase
FIGURES = ("notes_per_beat", "rest_share", "phrase_notes", "pitch_range", "chord_tone_share",
           "scale_tone_share", "h1", "h4", "gs", "novelty")
HISTOGRAMS = ("interval", "ioi")

NoteTuple = tuple[float, float, int]   # (onset_ql, duration_ql, midi): a `music.notes.Note` as a
                                      # plain tuple, sorted and compared fast over many solos


@dataclass
class SoloOverChords:
    """A solo over its chords: notes from the first bar line, chord measures, metre and tempo."""

    name: str
    notes: list[NoteTuple]                              # (onset_ql, duration_ql, midi), by onset
    chord_measures: list[list[chord.Chord]]        # per measure, offsets within the measure
    measure_lengths_ql: list[float]                # per measure, quarter lengths
    time_signatures: list[str]                     # per measure, e.g. "4/4"
    qpm: float = 120.0                             # quarter notes per minute
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.notes = sorted((float(o), float(d), int(m)) for o, d, m in self.notes)
        if not self.chord_measures or len(self.chord_measures) != len(self.measure_lengths_ql) \
                or len(self.time_signatures) != len(self.measure_lengths_ql):
            raise JazzsoloError(f"{self.name}: needs one chord list, length and time signature "
                                f"per measure")

    @property
    def n_bars(self) -> int:
        return len(self.measure_lengths_ql)

    def bar_starts_ql(self) -> list[float]:
        """The start of each bar from the first bar line, then the end of the solo."""
        return [0.0, *np.cumsum(self.measure_lengths_ql).tolist()]

    @property
    def length_ql(self) -> float:
        return float(sum(self.measure_lengths_ql))

    def with_notes(self, name: str, notes: Sequence[NoteTuple]) -> "SoloOverChords":
        """Other notes over the same chords, metre and tempo (a generated solo)."""
        return replace(self, name=name, notes=list(notes), _cache={})

    def first_bars(self, n_bars: int) -> "SoloOverChords":
        """The solo's first `n_bars` bars: their chords, and the notes starting in them."""
        if n_bars >= self.n_bars:
            return self
        end = self.bar_starts_ql()[n_bars] - 1e-6
        return replace(self, notes=[n for n in self.notes if n[0] < end],
                       chord_measures=self.chord_measures[:n_bars],
                       measure_lengths_ql=self.measure_lengths_ql[:n_bars],
                       time_signatures=self.time_signatures[:n_bars], _cache={})


# --------------------------------------------------------------------------- reading real solos

def from_corpus_solo(solo) -> SoloOverChords:
    """A `jazzsolo.ingest.corpus.CorpusSolo` as a solo over chords: its chord symbols become symbol
    chords measure by measure (the chord sounding at a bar line is repeated at offset 0; bars
    before the first symbol get N.C.)."""
    starts = np.concatenate([[0], np.cumsum(solo.bar_steps)]).astype(int).tolist()
    onsets = [c.onset_step for c in solo.chords]
    no_chord = parse_chord_symbol("N.C.")
    measures, lengths, signatures = [], [], []
    metres = sorted(solo.time_signatures)
    for bar in range(solo.n_bars):
        start, end = starts[bar], starts[bar + 1]
        first, stop = bisect.bisect_left(onsets, start), bisect.bisect_left(onsets, end)
        items = [(c.onset_step - start, c.symbol) for c in solo.chords[first:stop]]
        if not items or items[0][0] > 0:
            items.insert(0, (0, solo.chords[first - 1].symbol if first else no_chord))
        kept = [item for k, item in enumerate(items)        # one chord per offset: the last
                if k + 1 == len(items) or items[k + 1][0] != item[0]]
        bounds = [offset for offset, _ in kept[1:]] + [end - start]
        measures.append([chord_from_symbol(symbol, (stop_step - offset) / GRID_PER_QL,
                                           offset / GRID_PER_QL)
                         for (offset, symbol), stop_step in zip(kept, bounds)])
        lengths.append((end - start) / GRID_PER_QL)
        signatures.append(_signature(metres, bar, lengths[-1]))
    link_no_chords(measures)
    notes = [(n.onset_step / GRID_PER_QL, n.duration_steps / GRID_PER_QL, n.pitch)
             for n in solo.notes]
    return SoloOverChords(solo.name, notes, measures, lengths, signatures, float(solo.qpm))


def _signature(metres: list[tuple[int, int, int]], bar: int, length_ql: float) -> str:
    """The written time signature of `bar`, or the plainest one of its length if it is longer."""
    from jazzsolo.music.metre import time_signature_for, time_signature_ql

    _, numerator, denominator = next((m for m in reversed(metres) if m[0] <= bar), metres[0])
    written = f"{numerator}/{denominator}"
    try:
        if time_signature_ql(written) >= length_ql - 1e-6:
            return written
    except JazzsoloError:
        pass
    return time_signature_for(length_ql)


def from_midi_file(path: str | Path) -> SoloOverChords:
    """A MIDI file's "Solo" track over its "Chords" track (or other accompaniment), read with
    `jazzsolo.evaluate.solo_metrics`, in the file's first time signature and tempo (else 4/4, 120)."""
    from jazzsolo.evaluate.solo_metrics import read_midi_tracks, take_from_midi

    tracks = read_midi_tracks(path)        # a file without them is 4/4 at 120, as SMF defines
    numerator, denominator = tracks.time_signatures[0][1:] if tracks.time_signatures else (4, 4)
    qpm = tracks.tempos[0][1] if tracks.tempos else 120.0
    measure_ql = numerator * 4.0 / denominator
    take = take_from_midi(tracks, measure_ql=measure_ql)
    n_bars = len(take.chords)
    notes = [(n.offset_ql, n.duration_ql, n.midi) for n in take.notes
             if n.offset_ql < n_bars * measure_ql - 1e-6]
    return SoloOverChords(Path(path).name, notes, [list(m) for m in take.chords],
                          [measure_ql] * n_bars, [f"{numerator}/{denominator}"] * n_bars,
                          float(qpm))


MIDI_SUFFIXES = (".mid", ".midi")


def read_real_solos(path: str | Path, *, limit: int | None = None, max_bars: int | None = None
                    ) -> tuple[list[SoloOverChords], list[tuple[str, str]], str]:
    """Real solos from a WJazzD folder or ``.db`` (`jazzsolo.ingest.corpus.read_corpus`), a folder of
    MIDI files, or one MIDI file; the first `limit` solos, each cut to its first `max_bars`
    bars when given.  Returns (solos, skipped as (name, reason), kind), kind being
    ``"corpus"`` or ``"midi"``; a MIDI file that cannot be used is skipped with its reason."""
    solos, skipped, kind = _read_real_solos(Path(path), limit)
    if max_bars is not None:
        solos = [s.first_bars(max_bars) for s in solos]
    return solos, skipped, kind


def _read_real_solos(path: Path, limit: int | None):
    from jazzsolo.ingest.corpus import read_corpus

    if path.is_dir() and not (path / "melody").is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in MIDI_SUFFIXES)
        if not files:
            raise InputFileError(f"{path}: neither a WJazzD folder (melody/ and beats/) nor a "
                                 f"folder of MIDI files")
        return _read_midi_files(files[:limit])
    if path.is_file() and path.suffix.lower() in MIDI_SUFFIXES:
        return _read_midi_files([path])
    corpus = read_corpus(path, limit=limit)
    return [from_corpus_solo(s) for s in corpus.solos], list(corpus.skipped), "corpus"


def _read_midi_files(files: Sequence[Path]):
    solos, skipped = [], []
    for file in files:
        try:
            solo = from_midi_file(file)
        except JazzsoloError as e:
            skipped.append((file.name, str(e)))
            continue
        if solo.notes:
            solos.append(solo)
        else:
            skipped.append((file.name, "no solo notes inside its chord measures"))
    return solos, skipped, "midi"


# --------------------------------------------------------------------------- per-note views

@functools.lru_cache(maxsize=None)
def _note_name(midi: int) -> str:
    return pitch.Pitch(midi=midi).name


def _steps(ql: float) -> int:
    return int(math.floor(ql * GRID_PER_QL + 0.5))


def _grid(solo: SoloOverChords) -> dict:
    """Onsets, ends (steps), pitches, bar starts (steps) and each note's tone class, cached."""
    if "grid" not in solo._cache:
        onsets = np.array([_steps(o) for o, _, _ in solo.notes], dtype=int)
        ends = np.array([_steps(o + d) for o, d, _ in solo.notes], dtype=int)
        ends = np.maximum(ends, onsets + 1)
        pitches = np.array([m for _, _, m in solo.notes], dtype=int)
        bars = np.array([_steps(s) for s in solo.bar_starts_ql()], dtype=int)
        solo._cache["grid"] = {"onsets": onsets, "ends": ends, "pitches": pitches, "bars": bars,
                               "tones": _tone_classes(solo, onsets, pitches, bars)}
    return solo._cache["grid"]


def _tone_classes(solo, onsets, pitches, bars) -> list[str | None]:
    """'C' chord tone, 'S' scale tone, 'O' other tone, None over N.C., for every note."""
    timeline = sorted(((int(bars[i]) + _steps(float(c.offset)), k, c)
                       for i, measure in enumerate(solo.chord_measures)
                       for k, c in enumerate(measure)), key=lambda item: item[:2])
    steps = [step for step, _, _ in timeline]
    classes = []
    for onset, midi in zip(onsets, pitches):
        at = max(bisect.bisect_right(steps, int(onset)) - 1, 0)
        sounding = timeline[at][2]
        symbol = getattr(sounding, "symbol", None)
        if (symbol is not None and symbol.is_no_chord) or not sounding.pitches:
            classes.append(None)
            continue
        found = classify_note(_note_name(int(midi)), sounding)
        classes.append(found if found in ("C", "S") else "O")
    return classes


# --------------------------------------------------------------------------- figures

def pitch_class_entropy(midis: Sequence[int]) -> float:
    """Entropy in bits of the pitch-class histogram of some notes (each note counts once).

    >>> pitch_class_entropy(range(60, 72)) == math.log2(12), pitch_class_entropy([60, 72, 48])
    (True, 0.0)
    """
    counts = np.bincount(np.asarray(midis, dtype=int) % 12, minlength=12)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum()) + 0.0


def windowed_entropy(solo: SoloOverChords, window_bars: int) -> float | None:
    """H (Wu & Yang 2020): the pitch-class entropy of the notes starting in each window of
    `window_bars` consecutive bars, windows sliding bar by bar (the whole solo if it is shorter),
    averaged over the windows that hold notes; None if none does."""
    g = _grid(solo)
    width = min(window_bars, solo.n_bars)
    values = []
    for first in range(solo.n_bars - width + 1):
        inside = (g["onsets"] >= g["bars"][first]) & (g["onsets"] < g["bars"][first + width])
        if inside.any():
            values.append(pitch_class_entropy(g["pitches"][inside]))
    return float(np.mean(values)) if values else None


def grooving_similarity(solo: SoloOverChords) -> float | None:
    """GS (Wu & Yang 2020): the mean over all pairs of bars of 1 − XOR(onset vectors) / Q.

    A bar's onset vector marks the grid steps (12 per quarter note) where a note starts; Q is
    the bar's number of steps.  Pairs are formed among bars of the same length only; every
    pair is used (the original samples 1000 at random), empty bars included.  None with fewer
    than two bars of one length."""
    g = _grid(solo)
    by_length: dict[int, list[np.ndarray]] = {}
    for bar in range(solo.n_bars):
        start, end = int(g["bars"][bar]), int(g["bars"][bar + 1])
        vector = np.zeros(end - start)
        inside = g["onsets"][(g["onsets"] >= start) & (g["onsets"] < end)] - start
        vector[inside] = 1.0
        by_length.setdefault(end - start, []).append(vector)
    total, pairs = 0.0, 0
    for length, vectors in by_length.items():
        k = len(vectors)
        if k < 2:
            continue
        m = np.stack(vectors)                                     # (k, Q)
        xor = m @ (1 - m).T + (1 - m) @ m.T                       # (k, k) differing steps
        upper = np.triu_indices(k, 1)
        total += float((1.0 - xor[upper] / length).sum())
        pairs += len(upper[0])
    return total / pairs if pairs else None


def solo_figures(solo: SoloOverChords) -> dict[str, float | None]:
    """Every figure of `FIGURES` but novelty (which needs a reference), for one solo.

    notes_per_beat: notes / beats (one beat = one quarter note); rest_share: share of beats in
    which no note sounds; phrase_notes: notes / phrases, a phrase ending at a silence of a beat
    or more; pitch_range: highest − lowest MIDI pitch; chord_tone_share / scale_tone_share:
    shares of the notes over a chord (see the module docstring); h1, h4: `windowed_entropy`
    over 1 and 4 bars; gs: `grooving_similarity`.
    """
    g = _grid(solo)
    onsets, ends, pitches = g["onsets"], g["ends"], g["pitches"]
    n_steps = int(g["bars"][-1])
    n_beats = max(1, -(-n_steps // GRID_PER_QL))
    sounding = np.zeros(n_beats, dtype=bool)
    for onset, end in zip(onsets, ends):
        sounding[onset // GRID_PER_QL:-(-min(end, n_steps) // GRID_PER_QL)] = True
    n = len(onsets)
    phrases = 0
    if n:
        reach = np.maximum.accumulate(ends)
        phrases = 1 + int(np.sum(onsets[1:] - reach[:-1] >= PHRASE_GAP_QL * GRID_PER_QL))
    over_chord = [t for t in g["tones"] if t is not None]
    return {"notes_per_beat": n / n_beats,
            "rest_share": 1.0 - float(sounding.mean()),
            "phrase_notes": n / phrases if phrases else 0.0,
            "pitch_range": float(pitches.max() - pitches.min()) if n else 0.0,
            "chord_tone_share": over_chord.count("C") / len(over_chord) if over_chord else None,
            "scale_tone_share": (over_chord.count("C") + over_chord.count("S")) / len(over_chord)
            if over_chord else None,
            "h1": windowed_entropy(solo, 1), "h4": windowed_entropy(solo, 4),
            "gs": grooving_similarity(solo)}


def percentiles(values: Sequence[float | None], qs=(10, 50, 90)) -> dict[str, float] | None:
    """{"p10", "p50", "p90"} of the values that are not None; None when there are none.

    >>> percentiles([1, 2, 3, None, 4, 5])
    {'p10': 1.4, 'p50': 3.0, 'p90': 4.6}
    """
    kept = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not kept:
        return None
    return {f"p{q}": round(float(np.percentile(kept, q)), 10) for q in qs}


def outside_figures(model: dict, real: dict) -> list[str]:
    """The figures whose model median lies outside the real solos' 10th-90th percentile.

    >>> outside_figures({"a": {"p50": 5.0}, "b": {"p50": 1.0}}, {"a": {"p10": 1, "p90": 4},
    ...                                                          "b": {"p10": 0, "p90": 2}})
    ['a']
    """
    return [name for name, spread in model.items()
            if spread is not None and real.get(name) is not None
            and not real[name]["p10"] <= spread["p50"] <= real[name]["p90"]]


# --------------------------------------------------------------------------- histograms

def interval_histogram(solos: Sequence[SoloOverChords]) -> np.ndarray:
    """Counts of melodic intervals −12 … +12 semitones (wider ones at the ends), pooled."""
    counts = np.zeros(2 * MAX_INTERVAL + 1, dtype=int)
    for solo in solos:
        steps = np.clip(np.diff(_grid(solo)["pitches"]), -MAX_INTERVAL, MAX_INTERVAL)
        counts += np.bincount(steps + MAX_INTERVAL, minlength=len(counts))
    return counts


def ioi_histogram(solos: Sequence[SoloOverChords]) -> np.ndarray:
    """Counts of inter-onset intervals of 1 … 48 grid steps (1/12 beat; longer ones in the
    last bin), pooled; simultaneous onsets are left out."""
    counts = np.zeros(MAX_IOI_STEPS, dtype=int)
    for solo in solos:
        gaps = np.diff(_grid(solo)["onsets"])
        gaps = np.minimum(gaps[gaps > 0], MAX_IOI_STEPS)
        counts += np.bincount(gaps - 1, minlength=MAX_IOI_STEPS)
    return counts


def histogram_overlap(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Sum over bins of the smaller of the two normalised histograms: 1 = the same shape.

    >>> histogram_overlap([1, 1, 0], [0, 1, 1]), histogram_overlap([2, 2], [1, 1])
    (0.5, 1.0)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.sum() == 0 or b.sum() == 0:
        return None
    return float(np.minimum(a / a.sum(), b / b.sum()).sum())


# --------------------------------------------------------------------------- novelty

def pattern_tokens(notes: Sequence[NoteTuple]) -> list[tuple[int, int]]:
    """(interval in semitones, inter-onset interval in grid steps) from each note to the next.

    >>> pattern_tokens([(0.0, 0.5, 60), (0.5, 0.5, 62), (1.5, 1.0, 59)])
    [(2, 6), (-3, 12)]
    """
    ordered = sorted(notes)
    onsets = [_steps(o) for o, _, _ in ordered]
    pitches = [int(m) for _, _, m in ordered]
    return [(b - a, t - s) for a, b, s, t in zip(pitches, pitches[1:], onsets, onsets[1:])]


def pattern_ngrams(notes: Sequence[NoteTuple], n_notes: int = NOVELTY_NOTES) -> list[tuple]:
    """The n-note patterns of some notes: n − 1 consecutive (interval, rhythm) tokens each."""
    tokens = pattern_tokens(notes)
    size = n_notes - 1
    return [tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]


def known_share(solo: SoloOverChords, known: set) -> float | None:
    """Share of the solo's 8-note patterns found in `known`; None if it has none."""
    grams = pattern_ngrams(solo.notes)
    return sum(g in known for g in grams) / len(grams) if grams else None


def leave_one_out_shares(solos: Sequence[SoloOverChords]) -> list[float | None]:
    """For each solo, the share of its 8-note patterns that some other of the solos plays."""
    grams = [pattern_ngrams(s.notes) for s in solos]
    holders = Counter(g for solo_grams in grams for g in set(solo_grams))
    shares = []
    for solo_grams in grams:
        own = set(solo_grams)
        found = [holders[g] - (g in own) > 0 for g in solo_grams]
        shares.append(sum(found) / len(found) if found else None)
    return shares


# --------------------------------------------------------------------------- blind-test features

SEGMENT_FEATURES = {   # name: (what a higher value sounds like, what a lower one sounds like)
    "notes_per_beat": ("plays more notes per beat than the players",
                       "plays fewer notes per beat than the players"),
    "rest_share": ("rests more than the players", "rests less than the players"),
    "pitch_mean": ("plays higher than the players", "plays lower than the players"),
    "pitch_range": ("spans a wider range in four bars", "stays in a narrower range in four bars"),
    "pitch_std": ("spreads its pitches further from their centre",
                  "keeps its pitches closer to their centre"),
    "interval_size": ("moves by wider intervals", "moves by smaller intervals"),
    "step_share": ("moves by half and whole steps more often",
                   "moves by half and whole steps less often"),
    "leap_share": ("leaps a fourth or more more often", "leaps a fourth or more less often"),
    "repeat_share": ("repeats notes more often", "repeats notes less often"),
    "chord_tone_share": ("lands on chord tones more often", "lands on chord tones less often"),
    "scale_tone_share": ("stays inside the chord-scale more", "plays outside the chord-scale more"),
    "offbeat_share": ("starts more notes off the beat", "starts more notes on the beat"),
    "syncopation_share": ("holds more off-beat notes across the beat (syncopates more)",
                          "syncopates less (fewer off-beat notes held across the beat)"),
    "triplet_share": ("plays more triplet figures", "plays fewer triplet figures"),
    "ioi_entropy": ("mixes more different note spacings", "uses fewer different note spacings"),
    "duration_mean": ("holds its notes longer", "plays shorter notes"),
    "legato": ("plays more legato (notes held up to the next)",
               "plays more detached (shorter than the gap to the next note)"),
    "pc_entropy": ("uses more different pitch classes", "uses fewer different pitch classes"),
}


def segment_features(solo: SoloOverChords) -> np.ndarray:
    """Features (`SEGMENT_FEATURES`, in order) of each 4-bar segment with 2 or more notes.

    Segments are bars 0-3, 4-7, ... (a solo shorter than 4 bars is one segment; a last partial
    segment is dropped).  Returns (n_segments, n_features); NaN where a feature is undefined
    (no note over a chord).
    """
    g = _grid(solo)
    bars, rows = g["bars"], []
    firsts = range(0, max(solo.n_bars - SEGMENT_BARS, 0) + 1, SEGMENT_BARS)
    for first in firsts:
        last = min(first + SEGMENT_BARS, solo.n_bars)
        start, end = int(bars[first]), int(bars[last])
        inside = np.flatnonzero((g["onsets"] >= start) & (g["onsets"] < end))
        if len(inside) >= MIN_SEGMENT_NOTES:
            rows.append(_features(g, inside, start, end, bars[first:last + 1]))
    return np.array(rows, dtype=float).reshape(-1, len(SEGMENT_FEATURES))


def _features(g: dict, inside: np.ndarray, start: int, end: int, bar_lines) -> list[float]:
    onsets, ends, pitches = g["onsets"][inside], g["ends"][inside], g["pitches"][inside]
    n_beats = max(1, -(-(end - start) // GRID_PER_QL))
    sounding = np.zeros(n_beats, dtype=bool)
    for onset, stop in zip(onsets - start, np.minimum(ends, end) - start):
        sounding[onset // GRID_PER_QL:-(-stop // GRID_PER_QL)] = True
    intervals = np.diff(pitches)
    sizes = np.abs(intervals)
    bar_of = np.searchsorted(bar_lines, onsets, side="right") - 1
    in_beat = (onsets - np.asarray(bar_lines)[bar_of]) % GRID_PER_QL
    offbeat = in_beat != 0
    next_beat = onsets - in_beat + GRID_PER_QL
    gaps = np.diff(onsets)
    gaps = gaps[gaps > 0]
    gap_counts = np.bincount(np.minimum(gaps, MAX_IOI_STEPS)) if len(gaps) else np.zeros(1)
    p = gap_counts[gap_counts > 0] / max(gap_counts.sum(), 1)
    durations = (ends - onsets) / GRID_PER_QL
    spans = np.diff(onsets) / GRID_PER_QL
    tones = [g["tones"][i] for i in inside if g["tones"][i] is not None]

    def share(mask) -> float:
        return float(np.mean(mask)) if len(mask) else math.nan

    return [len(onsets) / n_beats, 1.0 - float(sounding.mean()), float(pitches.mean()),
            float(pitches.max() - pitches.min()), float(pitches.std()),
            float(sizes.mean()), share((sizes >= 1) & (sizes <= 2)), share(sizes >= 5),
            share(sizes == 0),
            tones.count("C") / len(tones) if tones else math.nan,
            (tones.count("C") + tones.count("S")) / len(tones) if tones else math.nan,
            share(offbeat), share(offbeat & (ends > next_beat)),
            share((in_beat == 4) | (in_beat == 8)),
            float(-(p * np.log2(p)).sum()) if len(gaps) else 0.0,
            float(durations.mean()),
            float(np.mean(np.minimum(durations[:-1] / np.maximum(spans, 1e-9), 2.0)))
            if len(spans) else math.nan,
            pitch_class_entropy(pitches)]


__all__ = ["FIGURES", "GRID_PER_QL", "HISTOGRAMS", "SEGMENT_FEATURES", "SoloOverChords",
           "from_corpus_solo", "from_midi_file", "grooving_similarity", "histogram_overlap",
           "interval_histogram", "ioi_histogram", "known_share", "leave_one_out_shares",
           "outside_figures", "pattern_ngrams", "pattern_tokens", "percentiles",
           "pitch_class_entropy", "read_real_solos", "segment_features", "solo_figures",
           "windowed_entropy"]
