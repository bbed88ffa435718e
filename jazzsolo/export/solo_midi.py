"""A generated solo → a MIDI file as a band plays it (swing, dynamics, comping, bass, drums) and a
music21 score; the course's `generate_music` (improvise, write, return the score)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import mido
import numpy as np
from music21 import chord, instrument, meter, note, stream, tempo

from jazzsolo.config import COURSE_TEMPERATURE, DEFAULT_QPM
from jazzsolo.errors import ConfigError
from jazzsolo.export.midi import BAND_MIX, SOLO_PROGRAM, build_midi, write_midi
from jazzsolo.generate.comp import bass_track, chorus_form, comp_track
from jazzsolo.generate.drums import count_off, drum_track
from jazzsolo.generate.measures import Solo, generate_solo
from jazzsolo.generate.performance import (Band, check_swing_ratio, perform, perform_part, shift,
                                           swing_ratio_for)
from jazzsolo.models.course_step import LSTMWeights
from jazzsolo.music.chords import chord_from_midi
from jazzsolo.music.metre import time_signature_ql
from jazzsolo.music.notes import TimedNotes

_RNG_STREAMS = ("solo", "comp", "bass", "drums")   # one stream each: leaving a part out changes no other


def band_midi(solo, band: Band = Band(), *, qpm: float, accompaniment: str = "block",
              solo_program: int | None = None):
    """The performance of a `generate.measures.Solo` as a ``mido.MidiFile``: the solo played with
    `band.dynamics`, the accompaniment ("block": the solo's chords as given, "comp": piano comp
    and bass, "none"), drums, all swung alike, panned by `export.midi.BAND_MIX`."""
    ratio = swing_ratio_for(qpm) if band.swing_ratio is None else check_swing_ratio(band.swing_ratio)
    rngs = {name: np.random.default_rng([int(band.seed), k]) for k, name in enumerate(_RNG_STREAMS, 1)}
    n_measures = len(solo.chords)
    lengths = [solo.measure_length_ql(i) for i in range(n_measures)]
    signatures = [solo.time_signature(i) for i in range(n_measures)]
    changes = solo.time_signature_changes()
    lead = perform(solo.timed_notes(), qpm=qpm, swing_ratio=ratio, time_signatures=changes,
                   rng=rngs["solo"], dynamics=band.dynamics, touch=getattr(solo, "touch", None))
    chords: list[TimedNotes] = []
    bass: list[TimedNotes] = []
    if accompaniment == "comp":
        if band.comp:
            chords = comp_track(solo.chords, lengths, time_signatures=signatures, rng=rngs["comp"],
                                qpm=qpm)
        if band.bass:
            bass = bass_track(solo.chords, lengths, time_signatures=signatures, rng=rngs["bass"])
    elif accompaniment == "block" and band.comp:
        chords = solo.timed_chords()
    drums = drum_track(lengths, signatures, rng=rngs["drums"], chorus=chorus_form(solo.chords)) \
        if band.drums and n_measures else []
    chords, bass, drums = (perform_part(part, qpm=qpm, swing_ratio=ratio, time_signatures=changes)
                           for part in (chords, bass, drums))
    end_ql = solo.length_ql
    if band.count_off and n_measures:
        first = solo.time_signature(0)
        bar = time_signature_ql(first)
        end_ql += bar
        lead, chords, bass, drums = (shift(part, bar) for part in (lead, chords, bass, drums))
        drums = count_off(first) + drums
        changes = [(0.0, first)] + [(offset + bar, text) for offset, text in changes
                                    if offset > 0 or text != first]
    return build_midi(lead, chords, qpm=qpm, bass=bass, drums=drums, time_signatures=changes,
                      solo_program=SOLO_PROGRAM if solo_program is None else solo_program,
                      mix=BAND_MIX, end_ql=end_ql)


def solo_to_stream(solo: Solo, qpm: float = DEFAULT_QPM) -> stream.Score:
    """The solo as a music21 score: an electric-guitar part and a piano part of chords."""
    solo_part, chord_part = stream.Part(id="Solo"), stream.Part(id="Chords")
    solo_part.insert(0, instrument.ElectricGuitar())
    chord_part.insert(0, instrument.Piano())
    solo_part.insert(0, tempo.MetronomeMark(number=qpm))
    for timed in solo.timed_notes():
        solo_part.insert(timed.offset_ql, note.Note(timed.pitches[0], quarterLength=timed.duration_ql))
    for timed in solo.timed_chords():
        if timed.pitches:                          # N.C. is silence
            chord_part.insert(timed.offset_ql, chord_from_midi(timed.pitches, timed.duration_ql))
    for offset_ql, signature in solo.time_signature_changes():
        for part in (solo_part, chord_part):
            part.insert(offset_ql, meter.TimeSignature(signature))
    score = stream.Score()
    score.insert(0, solo_part)
    score.insert(0, chord_part)
    return score


ACCOMPANIMENTS = ("block", "comp", "none")


def write_solo_midi(solo: Solo, path: str | os.PathLike, *, qpm: float = DEFAULT_QPM,
                    accompaniment: str = "block", solo_program: int = SOLO_PROGRAM,
                    overwrite: bool = False, swing_ratio: float | None = None,
                    dynamics: bool = True, drums: bool = True, bass: bool = True,
                    comp: bool = True, seed: int = 0, count_off: bool = False,
                    model_name: str | None = None) -> Path:
    """Write the solo as a band plays it, as a MIDI file at `qpm`, in the solo's metre.

    `accompaniment` is "block" (the chords as given, e.g. the tune's own piano), "comp" (piano
    voicings in comping rhythms plus a bass track) or "none" (an empty chord track).  A time
    signature event starts the file and marks every change of metre.  The performance
    (`band_midi`, `jazzsolo.generate.performance`): eighths swung by `swing_ratio` (None: the
    measured ratio at the tempo; 1.0: straight), the solo phrased with `dynamics`, a drum track with `drums`, the
    bass and the piano left out with `bass=False` / `comp=False`, a bar of count-off clicks
    with `count_off`; `seed` (0 or more) seeds its random choices, so the same seed writes the
    same bytes.  The `Solo` itself (and its MusicXML) keeps the straight grid.  With
    `model_name`, a text event at the start says which model played ("jazzsolo, model NAME").
    """
    midi_file = solo_midi_file(solo, qpm=qpm, accompaniment=accompaniment,
                               solo_program=solo_program, swing_ratio=swing_ratio,
                               dynamics=dynamics, drums=drums, bass=bass, comp=comp, seed=seed,
                               count_off=count_off, model_name=model_name)
    return write_midi(path, midi_file, overwrite=overwrite)


def solo_midi_file(solo: Solo, *, qpm: float = DEFAULT_QPM, accompaniment: str = "block",
                   solo_program: int = SOLO_PROGRAM, swing_ratio: float | None = None,
                   dynamics: bool = True, drums: bool = True, bass: bool = True,
                   comp: bool = True, seed: int = 0, count_off: bool = False,
                   model_name: str | None = None) -> mido.MidiFile:
    """What `write_solo_midi` writes, in memory (a ``mido.MidiFile``): the file and the
    practice room's page share it."""
    if accompaniment not in ACCOMPANIMENTS:
        raise ConfigError(f"unknown accompaniment {accompaniment!r}; valid: {', '.join(ACCOMPANIMENTS)}")
    band = Band(swing_ratio=swing_ratio, dynamics=dynamics, drums=drums, bass=bass, comp=comp,
                seed=seed, count_off=count_off)
    midi_file = band_midi(solo, band, qpm=qpm, accompaniment=accompaniment,
                          solo_program=solo_program)
    if model_name:                             # after the tempo, at tick 0 of the tempo track
        text = f"jazzsolo, model {model_name}".encode("latin-1", "replace").decode("latin-1")
        midi_file.tracks[0].insert(1, mido.MetaMessage("text", text=text, time=0))
    return midi_file


def generate_music(inference_model, indices_values: dict[int, str],
                   chords: Sequence[Sequence[chord.Chord]],
                   diversity: float = COURSE_TEMPERATURE, *,
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
