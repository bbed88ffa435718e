"""Note model + held-out corpus solos → perplexities against n-gram baselines, and generated-vs-real
figures (notes per beat, rest share, pitch range, chord-tone share).

Perplexities are per note, over the same tokens for every model: the pitch perplexity is
``exp(mean −ln P(pitch | everything before, the chords, a note starts here))`` (the model's pitch
head renormalised over the notes, without the rest), the rhythm perplexity the same for the
note's duration token.  The baselines see only the token sequences: an interpolated
(Witten-Bell) pitch trigram over the notes' pitches, and rhythm n-grams (n = 1..4) whose context
is the previous events' durations, rests marked.
"""
from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from typing import Sequence

import numpy as np

from jazzsolo.ingest.corpus import GRID_PER_BEAT, CorpusNote, CorpusSolo
from jazzsolo.encodings.note_events import (N_DURATION_TOKENS, N_PITCHES, REST, EncodedSolo,
                                            decode_events, encode_corpus_solo,
                                            timeline_of_solo)
from jazzsolo.config import NOTE_RHYTHM_TEMPERATURE as DEFAULT_RHYTHM_TEMPERATURE
from jazzsolo.config import NOTE_TEMPERATURE as DEFAULT_TEMPERATURE
from jazzsolo.config import SOLO_PITCH_RANGE as DEFAULT_PITCH_RANGE
from jazzsolo.generate.note_solo import sample_events
from jazzsolo.generate.note_family import fed_probabilities
from jazzsolo.models.note_lstm import NoteStepModel
from jazzsolo.models.solo_cache import CacheConfig, cached_note_probabilities

PERCENTILES = (10, 50, 90)
FIGURES = ("notes_per_beat", "rest_share", "pitch_range", "chord_tone_share")


def _encoded(solos) -> list[EncodedSolo]:
    return [s if isinstance(s, EncodedSolo) else encode_corpus_solo(s) for s in solos]


# --------------------------------------------------------------------------- the model

def heldout_perplexity(model: NoteStepModel, solos: Sequence[CorpusSolo | EncodedSolo]) -> dict:
    """Per-note pitch and rhythm perplexity of the model on whole solos, fed from their start.

    Returns ``{"n_notes", "pitch_perplexity", "lstm_pitch_perplexity", "rhythm_perplexity",
    "rest_perplexity"}``: the pitch perplexity of the model with its solo cache (as it plays)
    and of the LSTM alone, and last the perplexity of the note-or-rest choice at every event.
    """
    pitch_nll, lstm_nll, rhythm_nll, rest_nll, n_notes, n_events = 0.0, 0.0, 0.0, 0.0, 0, 0
    for solo in _encoded(solos):
        pitch_probs, duration_probs, note_probs, rows = fed_probabilities(model, solo)
        tokens = solo.pitch.astype(int)
        notes = tokens != REST
        p_rest = pitch_probs[:, REST]
        lstm_nll -= np.sum(np.log(note_probs[np.arange(len(rows)), tokens[rows]]))
        pitch_nll -= np.sum(np.log(cached_note_probabilities(note_probs, tokens[rows],
                                                             model.cache)))
        rhythm_nll -= np.sum(np.log(duration_probs[rows, 0, solo.duration[rows].astype(int)]))
        rest_nll -= np.sum(np.log(np.where(notes, 1.0 - p_rest, p_rest)))
        n_notes += len(rows)
        n_events += len(tokens)
    return {"n_notes": n_notes,
            "pitch_perplexity": math.exp(pitch_nll / max(n_notes, 1)),
            "lstm_pitch_perplexity": math.exp(lstm_nll / max(n_notes, 1)),
            "rhythm_perplexity": math.exp(rhythm_nll / max(n_notes, 1)),
            "rest_perplexity": math.exp(rest_nll / max(n_events, 1))}


CACHE_CANDIDATES = tuple(CacheConfig(weights, beta) for weights in
                         ((0.1, 0.3, 0.5), (0.1, 0.3, 0.5, 0.6), (0.05, 0.3, 0.5, 0.6))
                         for beta in (3.0, 5.0))


# interval weights (contexts of the last 1, 2, 3 ... intervals), tried with the best pitch
# settings: a search one weight at a time on the 40 tuning solos and its neighbours
INTERVAL_CANDIDATES = ((), (0.0, 0.1, 0.3, 0.5), (0.0, 0.0, 0.1, 0.4), (0.0, 0.0, 0.05, 0.3, 0.5),
                       (0.0, 0.0, 0.05, 0.3, 0.7), (0.05, 0.2, 0.4, 0.6))


def tune_cache(model: NoteStepModel, solos: Sequence[CorpusSolo | EncodedSolo],
               candidates: Sequence[CacheConfig] = CACHE_CANDIDATES,
               interval_candidates: Sequence[tuple[float, ...]] = INTERVAL_CANDIDATES
               ) -> tuple[CacheConfig, list[tuple[CacheConfig, float]]]:
    """The solo-cache settings that give `solos` (training solos: the validation solos stay
    unseen) the lowest pitch perplexity: the best of `candidates`, then with its pitch weights
    and beta the best of `interval_candidates`; returns (best, every score)."""
    fed = []
    for solo in _encoded(solos):
        _, _, note_probs, rows = fed_probabilities(model, solo)
        fed.append((note_probs, solo.pitch.astype(int)[rows]))
    n_notes = sum(len(tokens) for _, tokens in fed)

    def perplexity(config: CacheConfig) -> float:
        return math.exp(-sum(np.sum(np.log(cached_note_probabilities(p, t, config)))
                             for p, t in fed) / max(n_notes, 1))

    scores = [(config, perplexity(config)) for config in candidates]
    pitch_best = min(scores, key=lambda item: item[1])[0]
    with_intervals = [(config, perplexity(config)) for config in
                      (dataclasses.replace(pitch_best, interval_weights=w)
                       for w in interval_candidates)]
    return min(with_intervals, key=lambda item: item[1])[0], scores + with_intervals


# --------------------------------------------------------------------------- n-gram baselines

class NGram:
    """An interpolated n-gram over `n_symbols` symbols: Witten-Bell (default) or add-k with
    back-off to the longest context seen, as `jazzsolo.evaluate.baselines.MarkovChain` does.

    Trained on (context, symbol) pairs; a context is a tuple of the previous symbols (any
    hashable items), the most recent last.
    """

    def __init__(self, order: int, n_symbols: int, *, add_k: float | None = None):
        self.order, self.n_symbols, self.add_k = order, n_symbols, add_k
        self.counts: dict[tuple, defaultdict] = {}

    def fit(self, pairs) -> "NGram":
        for context, symbol in pairs:
            context = tuple(context)[len(context) - (self.order - 1):] if self.order > 1 else ()
            for length in range(len(context) + 1):
                suffix = context[len(context) - length:]
                self.counts.setdefault(suffix, defaultdict(int))[symbol] += 1
        return self

    def probability(self, context: Sequence, symbol) -> float:
        context = tuple(context)[len(context) - (self.order - 1):] if self.order > 1 else ()
        if self.add_k is not None:
            for length in range(len(context), -1, -1):
                counts = self.counts.get(context[len(context) - length:])
                if counts:
                    return (counts.get(symbol, 0) + self.add_k) / \
                        (sum(counts.values()) + self.add_k * self.n_symbols)
            return 1.0 / self.n_symbols
        p = 1.0 / self.n_symbols
        for length in range(len(context) + 1):              # unigram up to the full context
            counts = self.counts.get(context[len(context) - length:])
            if not counts:
                break
            total, types = sum(counts.values()), len(counts)
            p = (counts.get(symbol, 0) + types * p) / (total + types)
        return p


def _pitch_pairs(solo: EncodedSolo, order: int):
    pitches = [int(p) for p in solo.pitch if p != REST]
    return [(tuple(pitches[max(0, i - order + 1):i]), p) for i, p in enumerate(pitches)]


def _rhythm_pairs(solo: EncodedSolo, order: int):
    """(previous events' (duration, is-rest) symbols, the note's duration token) per note."""
    symbols = [int(d) + (N_DURATION_TOKENS if p == REST else 0)
               for p, d in zip(solo.pitch, solo.duration)]
    return [(tuple(symbols[max(0, i - order + 1):i]), int(solo.duration[i]))
            for i in range(len(symbols)) if solo.pitch[i] != REST]


def _perplexity(model: NGram, pairs) -> float:
    nll = -sum(math.log(model.probability(c, s)) for c, s in pairs)
    return math.exp(nll / max(len(pairs), 1))


def baseline_perplexities(train_solos, test_solos, *, rhythm_orders=(1, 2, 3, 4)) -> dict:
    """N-gram perplexities on the test solos' notes, trained on the training solos.

    Returns ``{"pitch_trigram", "pitch_trigram_add_k", "rhythm_ngram": {n: ppl},
    "rhythm_best", "rhythm_best_n"}``: Witten-Bell trigram and add-0.1 trigram over pitches,
    and Witten-Bell rhythm n-grams.
    """
    train, test = _encoded(train_solos), _encoded(test_solos)
    out = {}
    for name, add_k in (("pitch_trigram", None), ("pitch_trigram_add_k", 0.1)):
        model = NGram(3, N_PITCHES, add_k=add_k).fit(p for s in train for p in _pitch_pairs(s, 3))
        out[name] = _perplexity(model, [p for s in test for p in _pitch_pairs(s, 3)])
    rhythm = {}
    for n in rhythm_orders:
        model = NGram(n, N_DURATION_TOKENS).fit(p for s in train for p in _rhythm_pairs(s, n))
        rhythm[n] = _perplexity(model, [p for s in test for p in _rhythm_pairs(s, n)])
    out["rhythm_ngram"] = rhythm
    out["rhythm_best_n"] = min(rhythm, key=rhythm.get)
    out["rhythm_best"] = rhythm[out["rhythm_best_n"]]
    return out


# --------------------------------------------------------------------------- figures

def solo_figures(notes: Sequence[CorpusNote], timeline, n_steps: int) -> dict[str, float]:
    """Notes per beat, share of beats without a sounding note, pitch range (semitones), and
    share of notes (over a chord) whose pitch class is in the chord sounding at their onset."""
    n_beats = max(1, n_steps // GRID_PER_BEAT)
    sounding = np.zeros(n_beats, dtype=bool)
    tones, over_chord = 0, 0
    for n in notes:
        first = n.onset_step // GRID_PER_BEAT
        last = min(n_beats, -(-(n.onset_step + n.duration_steps) // GRID_PER_BEAT))
        sounding[first:last] = True
        root, pcs = timeline.chord_at(n.onset_step)
        if root is not None:
            over_chord += 1
            tones += (n.pitch % 12) in pcs
    pitches = [n.pitch for n in notes]
    return {"notes_per_beat": len(notes) / n_beats,
            "rest_share": 1.0 - float(sounding.mean()),
            "pitch_range": float(max(pitches) - min(pitches)) if pitches else 0.0,
            "chord_tone_share": tones / over_chord if over_chord else 0.0}


def _percentiles(rows: list[dict]) -> dict[str, list[float]]:
    return {k: [float(np.percentile([r[k] for r in rows], q)) for q in PERCENTILES]
            for k in FIGURES}


def generated_figures(model: NoteStepModel, solos: Sequence[CorpusSolo], *,
                      temperature: float = DEFAULT_TEMPERATURE, seed: int = 0,
                      rhythm_temperature: float = DEFAULT_RHYTHM_TEMPERATURE,
                      top_k: int | None = None,
                      pitch_range: tuple[int, int] = DEFAULT_PITCH_RANGE) -> dict:
    """Over each solo's chords, bars and tempo generate a solo (seed, seed + 1, ...) and compare.

    Returns ``{"generated": {figure: [p10, p50, p90]}, "real": {...}, "per_solo": [...]}`` with
    the figures of `solo_figures`, the real solos' from their notes as played.
    """
    generated, real, per_solo = [], [], []
    for i, solo in enumerate(solos):
        timeline = timeline_of_solo(solo)
        events = sample_events(model, timeline, temperature=temperature,
                               rhythm_temperature=rhythm_temperature,
                               rng=np.random.default_rng(seed + i), top_k=top_k,
                               pitch_range=pitch_range)
        g = solo_figures(decode_events(events, 0), timeline, solo.n_steps)
        r = solo_figures(solo.notes, timeline, solo.n_steps)
        generated.append(g)
        real.append(r)
        per_solo.append({"name": solo.name, "generated": g, "real": r})
    return {"generated": _percentiles(generated), "real": _percentiles(real),
            "per_solo": per_solo, "percentiles": list(PERCENTILES)}


__all__ = ["FIGURES", "NGram", "baseline_perplexities", "generated_figures",
           "heldout_perplexity", "solo_figures"]
