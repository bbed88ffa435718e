"""A note-family model directory → a `SoloModel`: the chord-conditioned note LSTM with its
defaults (pitch and rhythm temperatures), and the probability it gives each note of a real solo."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from jazzsolo.config import (GRID_PER_BEAT, NOTE_PHRASE_END_TEMPERATURE,
                             NOTE_RHYTHM_TEMPERATURE, NOTE_TEMPERATURE, SamplingOptions)
from jazzsolo.generate.guidance import VOICE_GUIDANCE
from jazzsolo.models.note_lstm import FAMILY, NoteStepModel, load_note_model

SAMPLING = frozenset({"temperature", "rhythm_temperature", "top_k", "phrase_length",
                      "register"})
VOICED = frozenset({"player", "style", "instrument", "density"})   # with voice inputs only


def fed_probabilities(model: NoteStepModel, solo, labels=(None, None, None)):
    """The model fed one encoded solo's real events, told its profile and the voice `labels`
    (none: anyone): ``(pitch_probs, duration_probs, note_probs, rows)``, `note_probs` (notes,
    N_PITCHES) being the next pitch given that a note starts, at the event `rows` that are
    notes."""
    from jazzsolo.encodings.note_events import REST, control_matrix

    pitch_probs, duration_probs = model.voiced_like(solo, labels).sequence_probabilities(
        solo.pitch, solo.duration, control_matrix(solo.controls))
    rows = np.flatnonzero(solo.pitch.astype(int) != REST)
    note_probs = pitch_probs[rows, :REST] / (1.0 - pitch_probs[rows, REST, None])
    return pitch_probs, duration_probs, note_probs, rows


def _sampling(options: SamplingOptions) -> dict:
    """The note sampler's settings from the options asked for (None: the model's defaults)."""
    from jazzsolo.generate.voices import VoiceRequest

    return {"temperature": NOTE_TEMPERATURE if options.temperature is None
            else options.temperature,
            "rhythm_temperature": NOTE_RHYTHM_TEMPERATURE if options.rhythm_temperature is None
            else options.rhythm_temperature,
            "top_k": options.top_k,
            "voice": VoiceRequest(player=options.player, style=options.style,
                                  instrument=options.instrument, density=options.density,
                                  phrase_length=options.phrase_length,
                                  register=options.register)}


class NoteModel:
    """A loaded `NoteStepModel` behind the `SoloModel` contract."""

    family = FAMILY
    measure_ql = 4.0                   # it reads any metre; chords given without one are 4/4
    tune_chords = None                 # it learned from many tunes and has no chords of its own

    def __init__(self, model: NoteStepModel, name: str, directory: Path | None = None):
        self.model, self.name, self.directory = model, name, directory
        self.accepts = SAMPLING | VOICED if model.voices is not None else SAMPLING

    def improvise(self, chord_measures: Sequence, *, measure_lengths_ql: Sequence[float],
                  time_signatures: Sequence[str], seed: int, qpm: float,
                  options: SamplingOptions = SamplingOptions()):
        """A solo over the chord measures, one event at a time."""
        from jazzsolo.generate.note_solo import generate_note_solo

        return generate_note_solo(self.model, chord_measures,
                                  measure_lengths_ql=list(measure_lengths_ql),
                                  time_signatures=list(time_signatures), seed=seed, qpm=qpm,
                                  **_sampling(options))

    def answer(self, chord_measures: Sequence, *, measure_lengths_ql: Sequence[float],
               time_signatures: Sequence[str], qpm: float, heard, answer_from_ql: float,
               seed: int, options: SamplingOptions = SamplingOptions()) -> list:
        """Notes (onset_ql, duration_ql, MIDI) from `answer_from_ql` to the measures' end,
        the model having heard the notes `heard` before (`generate.trading`)."""
        from jazzsolo.encodings.note_events import (Event, decode_events, encode_notes,
                                                    rest_steps, timeline_of_measures)
        from jazzsolo.generate.measures import measure_metres
        from jazzsolo.generate.note_solo import sample_events
        from jazzsolo.ingest.corpus import CorpusNote

        lengths, _ = measure_metres(len(chord_measures), measure_lengths_ql=measure_lengths_ql,
                                    time_signatures=time_signatures)
        timeline = timeline_of_measures([list(m) for m in chord_measures], lengths, qpm=qpm)
        answer_step = round(answer_from_ql * GRID_PER_BEAT)
        primer = encode_notes([CorpusNote(round(o * GRID_PER_BEAT),
                                          max(1, round(d * GRID_PER_BEAT)), int(m))
                               for o, d, m in heard], end_step=answer_step)
        primer += [Event(None, s) for s in rest_steps(answer_step - sum(e.steps for e in primer))]
        events = sample_events(self.model, timeline, rng=np.random.default_rng(seed),
                               primer=primer, **_sampling(options))
        return [(n.onset_step / GRID_PER_BEAT, n.duration_steps / GRID_PER_BEAT, n.pitch)
                for n in decode_events(events, answer_step)]

    def voice_counts(self) -> dict[str, Counter]:
        """Training solos per player, style and instrument (names as the model knows them)."""
        profiles = self.model.profiles
        return {attr: Counter(getattr(p, attr) for p in profiles if getattr(p, attr))
                for attr in ("player", "style", "instrument")}

    def describe(self) -> list[tuple[str, str]]:
        """What `jazzsolo info` shows of it."""
        meta, config, cache = self.model.meta, self.model.config, self.model.cache
        phrases = self.model.phrases
        cache_text = (f"weights {', '.join(f'{w:g}' for w in cache.weights)} for contexts of "
                      f"1-{len(cache.weights)} notes, beta {cache.beta:g}"
                      if cache is not None else "none")
        if cache is not None and cache.interval_weights:
            cache_text += (f"; {', '.join(f'{w:g}' for w in cache.interval_weights)} for "
                           f"1-{len(cache.interval_weights)} intervals")
        return [("trained on", f"{meta.get('data', '?')}: {meta.get('training_solos', '?')} "
                               f"solos, {len(meta.get('validation_solos', []))} for validation"),
                ("shape", f"{config.n_layers} x {config.n_units} LSTM units"),
                ("training", f"{meta.get('epochs', '?')} epochs (best {meta.get('best_epoch')}), "
                             f"{meta.get('training_seconds', '?')} s"),
                ("solo cache", cache_text),
                ("phrases", f"planned: each solo phrases like one of "
                            f"{len(phrases.solos)} training solos at its tempo"
                            if phrases is not None else "not planned (cannot generate)"),
                ("voices", f"{len(self.model.voices.players)} players, "
                           f"{len(self.model.voices.styles)} styles, "
                           f"{len(self.model.voices.instruments)} instruments "
                           f"('jazzsolo players'), guided x{VOICE_GUIDANCE:g} when asked for"
                 if self.model.voices is not None else "none"),
                ("sampling", f"temperature {NOTE_TEMPERATURE} (pitch; "
                             f"{NOTE_PHRASE_END_TEMPERATURE} on a phrase's last note), "
                             f"{NOTE_RHYTHM_TEMPERATURE} (rhythm)")]

    def note_probabilities(self, solo) -> dict[str, np.ndarray]:
        """For each note of a corpus solo fed from its start, the probability of its pitch (with
        the solo cache, as it plays; ``lstm_pitch`` without) and of its duration."""
        from jazzsolo.encodings.note_events import EncodedSolo, encode_corpus_solo
        from jazzsolo.models.solo_cache import cached_note_probabilities

        encoded = solo if isinstance(solo, EncodedSolo) else encode_corpus_solo(solo)
        _, duration_probs, note_probs, rows = fed_probabilities(self.model, encoded)
        tokens = encoded.pitch.astype(int)[rows]
        return {"pitch": cached_note_probabilities(note_probs, tokens, self.model.cache),
                "lstm_pitch": note_probs[np.arange(len(rows)), tokens],
                "rhythm": duration_probs[rows, 0, encoded.duration[rows].astype(int)]}

    def training_notes(self, real_solos, kind) -> list | None:
        """The real solos it trained on: a WJazzD model's are the corpus but its validation
        solos (config.json's meta), so only corpus input counts."""
        meta = self.model.meta
        if kind != "corpus" or "Weimar" not in str(meta.get("data", "")):
            return None
        held_out = set(meta.get("validation_solos", []))
        return [s.notes for s in real_solos if s.name not in held_out]


def load(directory: Path, name: str) -> NoteModel:
    """The note model saved in `directory` (`models.note_lstm`), called `name`."""
    return NoteModel(load_note_model(directory), name, Path(directory))


__all__ = ["NoteModel", "fed_probabilities", "load"]
