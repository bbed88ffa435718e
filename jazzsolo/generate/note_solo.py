"""Note model + chord measures → a solo: events sampled one at a time over the chords, as notes.

The NumPy `NoteStepModel` walks the solo from its first beat: at each event it reads the
controls at the current grid step (chord now, next chord, place in the bar, tempo) and the
phrase plan, draws a pitch token (a MIDI pitch or a rest) and then that event's duration, and
moves on, until the last measure is filled.  Nothing here imports TensorFlow.

The phrase plan (`jazzsolo.encodings.phrase_plan`): the solo takes the phrasing of a training
solo at this tempo, and when a note starts a phrase its length in notes is drawn from that
solo's phrases (`PhraseLengths`); the model then reads how many notes are left, cannot breathe
before the last one and must breathe after it, as it learned from the players' own phrases.
"""
from __future__ import annotations

import bisect
import functools
from collections import Counter
from typing import Sequence

import numpy as np
from music21 import pitch as m21pitch

from jazzsolo.config import (DEFAULT_QPM, GRID_PER_BEAT, MAX_ALTERNATION, MAX_REPEATS,
                             NOTE_PHRASE_END_TEMPERATURE, NOTE_RHYTHM_TEMPERATURE,
                             NOTE_STRONG_BEAT_TEMPERATURE, NOTE_TEMPERATURE, SOLO_PITCH_RANGE,
                             check_setting)
from jazzsolo.encodings.grammar import chord_at, classify_note
from jazzsolo.encodings.note_events import (DURATIONS, N_PITCH_TOKENS, PITCH_HIGH, PITCH_LOW, REST,
                                            ChordTimeline, Event, control_indices,
                                            control_matrix, decode_event, decode_events,
                                            encode_event, timeline_of_measures)
from jazzsolo.encodings.phrase_plan import BREATH_STEPS, plan_features, sequence_plan
from jazzsolo.errors import ConfigError
from jazzsolo.generate.measures import Solo, measure_metres
from jazzsolo.generate.guidance import told_voice
from jazzsolo.generate.sampling import sample
from jazzsolo.generate.voices import Voice, VoiceRequest, choose_voice
from jazzsolo.models.note_lstm import NoteStepModel
from jazzsolo.models.solo_cache import SoloCache
from jazzsolo.music.notes import Note

_DURATIONS = np.array(DURATIONS)
DENSITY_GAIN = 2.0                 # `density_tilt`: how hard the durations are steered
DENSITY_SETTLE_BEATS = 4           # beats played before the steering starts


def _check(temperature: float, rhythm_temperature: float, top_k: int | None,
           pitch_range: tuple[int, int], qpm: float):
    for name, value in (("temperature", temperature), ("rhythm_temperature", rhythm_temperature),
                        ("qpm", qpm)):
        if value is None:
            raise ConfigError(f"{name} must be a number, got None")
        check_setting(name, value)
    check_setting("top_k", top_k)
    if top_k is not None and not isinstance(top_k, int):
        raise ConfigError(f"top_k must be a whole number, got {top_k!r}")
    low, high = pitch_range
    if not PITCH_LOW <= low <= high - 12 or high > PITCH_HIGH:
        raise ConfigError(f"pitch range must lie in {PITCH_LOW}-{PITCH_HIGH} and span at least "
                          f"an octave, got {low}-{high}")


def repeat_bans(played: Sequence[int]) -> list[int]:
    """Pitch tokens that would make the line hammer one pitch past MAX_REPEATS notes or
    alternate two pitches past MAX_ALTERNATION notes (x y x y ...), as text generators block
    repeated n-grams.

    >>> repeat_bans([60, 60, 60, 60]), repeat_bans([60, 62, 60, 62, 60, 62]), repeat_bans([60])
    ([60], [60], [])
    """
    banned = []
    if len(played) >= MAX_REPEATS and len(set(played[-MAX_REPEATS:])) == 1:
        banned.append(played[-1])
    tail = played[-MAX_ALTERNATION:]
    if len(tail) == MAX_ALTERNATION and tail[0] != tail[1] and \
            all(tail[i] == tail[i % 2] for i in range(MAX_ALTERNATION)):
        banned.append(tail[-2])
    return banned


class _Phrase:
    """The phrase being played: its planned length, the notes played of it (0, 0: none) and
    the steps of the rests since the last note (a breath when they reach BREATH_STEPS)."""

    def __init__(self, phrasing: tuple[int, ...]) -> None:
        self.phrasing = phrasing                 # the lengths to draw from (`PhraseLengths`)
        self.length, self.played, self.rest_steps = 0, 0, 0

    def features(self) -> np.ndarray:
        return plan_features(self.length - self.played, self.length)[0]

    def last_note(self) -> bool:
        """Whether the next note is the phrase's planned last one."""
        return self.length > 0 and self.played == self.length - 1

    def over(self) -> bool:
        """Whether the planned notes are played and the breath is due."""
        return self.length > 0 and self.played >= self.length

    def rest_bans(self) -> list[int]:
        """Rest duration tokens not allowed now: none that makes a breath inside the phrase,
        none that falls short of one once it is over."""
        if self.length == 0:
            return []
        breath = np.array(DURATIONS) + self.rest_steps >= BREATH_STEPS
        return [int(i) for i in np.flatnonzero(~breath if self.over() else breath)]

    def advance(self, pitch_token: int, steps: int, rng: np.random.Generator) -> None:
        if pitch_token != REST:
            if self.length == 0:
                self.length = self.phrasing[int(rng.integers(len(self.phrasing)))]
            self.played, self.rest_steps = self.played + 1, 0
            return
        self.rest_steps += steps
        if self.rest_steps >= BREATH_STEPS:
            self.length, self.played = 0, 0


def density_tilt(density: float, n_notes: int, step: int) -> np.ndarray:
    """Factors on the duration probabilities that steer the notes per beat so far towards the
    `density` asked for: shorter values while the line is sparser than asked, longer while it
    is denser (no tilt in the first `DENSITY_SETTLE_BEATS`).

    >>> density_tilt(2.0, 4, 36)[[2, 7, 15]].tolist()          # 3 beats: not yet
    [1.0, 1.0, 1.0]
    >>> density_tilt(2.0, 4, 96)[[2, 7, 15]].round(2).tolist()  # 1/2 a beat: 16ths up, whole down
    [16.0, 1.0, 0.06]
    >>> density_tilt(2.0, 20, 96)[[2, 7, 15]].round(2).tolist() # 2.5 a beat: a little slower
    [0.54, 1.0, 1.86]
    """
    beats = step / GRID_PER_BEAT
    if beats < DENSITY_SETTLE_BEATS:
        return np.ones(len(DURATIONS))
    error = float(np.clip(np.log(density * beats / max(n_notes, 1)), -1.0, 1.0))
    return (_DURATIONS / GRID_PER_BEAT) ** (-DENSITY_GAIN * error)


def _on_strong_beat(timeline: ChordTimeline, step: int) -> bool:
    """Whether `step` is on beat 1, 3, 5 ... of its bar (the beats a line is heard against)."""
    bar = bisect.bisect_right(timeline.bar_starts, step) - 1
    return (step - timeline.bar_starts[bar]) % (2 * GRID_PER_BEAT) == 0


def _heard(model, timeline: ChordTimeline, primer: Sequence[Event], played: list[int],
           cache: SoloCache | None):
    """Feed the primer's events to the model (each read with the controls at its onset and the
    plan as they were phrased); returns (state, last event's tokens, step after them) and
    records the notes in `played` and the cache."""
    state, previous, step = model.initial_state(), None, 0
    if not primer:
        return state, previous, step
    tokens = np.array([encode_event(e) for e in primer], dtype=int)
    plan = sequence_plan(tokens[:, 0], np.array([e.steps for e in primer]), REST)
    for event, pair, plan_row in zip(primer, tokens, plan):
        if step >= timeline.end_step:
            raise ConfigError("the phrase heard lasts past the chords given to answer over")
        control = control_matrix(control_indices(timeline, [step]))[0]
        _, _, state = model.probabilities(state, previous, control, plan_row)
        previous = (int(pair[0]), int(pair[1]))
        if event.pitch is not None:
            played.append(int(pair[0]))
            if cache is not None:
                cache.add(int(pair[0]))
        step += event.steps
    return state, previous, step


def _durations_excluded(too_long: list[int], bans: list[int]) -> list[int]:
    """The duration tokens to exclude: `too_long` and `bans`, unless that leaves none."""
    both = sorted(set(too_long) | set(bans))
    return both if len(both) < len(DURATIONS) else too_long


def sample_events(model: NoteStepModel, timeline: ChordTimeline, *,
                  temperature: float = NOTE_TEMPERATURE, rng: np.random.Generator,
                  rhythm_temperature: float = NOTE_RHYTHM_TEMPERATURE,
                  top_k: int | None = None,
                  pitch_range: tuple[int, int] = SOLO_PITCH_RANGE,
                  voice: VoiceRequest | Voice = VoiceRequest(),
                  primer: Sequence[Event] = ()) -> list[Event]:
    """Events filling the timeline from step 0 to its end, drawn from the model: each pitch at
    `temperature` (a phrase's planned last one at no more than NOTE_PHRASE_END_TEMPERATURE),
    each duration at `rhythm_temperature`, phrase by phrase as planned.

    Pitches outside `pitch_range` (MIDI, inclusive) are never drawn, nor durations that would
    pass the end, nor the pitches `repeat_bans` names; inside a planned phrase a rest is
    shorter than a breath (`phrase_plan.BREATH_STEPS`), and after its last note comes a
    breath.  The model's solo cache, when it has one, mixes the
    notes drawn so far into the pitch probabilities (`jazzsolo.models.solo_cache`).  `voice`
    asks for a player, style, instrument, density, phrase length or register
    (`generate.voices`), or is the `Voice` already chosen; the register or instrument asked for
    replaces `pitch_range`.  Draws from `rng`: first the training solo whose phrasing and
    profile this one takes (unless `voice` is chosen), then per event the pitch, the duration,
    and the phrase's length when a note starts a phrase.

    `primer`: events heard before (someone's phrase, from the timeline's step 0), fed to the
    model as it would read a real solo; the drawn events then start where they end and carry
    on from them (trading fours: `generate.trading`).
    """
    if getattr(model, "phrases", None) is None:
        raise ConfigError("this note model has no phrase lengths to plan its phrases from; "
                          "retrain it with this jazzsolo")
    chosen = voice if isinstance(voice, Voice) else choose_voice(model, voice, timeline.qpm, rng)
    pitch_range = chosen.pitch_range or pitch_range
    _check(temperature, rhythm_temperature, top_k, pitch_range, timeline.qpm)
    model = told_voice(model, chosen.profile)       # the labels told guided (`guidance`)
    pitches = np.arange(N_PITCH_TOKENS - 1) + PITCH_LOW
    out_of_range = [int(i) for i in np.flatnonzero((pitches < pitch_range[0]) |
                                                   (pitches > pitch_range[1]))]
    all_notes = list(range(N_PITCH_TOKENS - 1))
    played: list[int] = []                                   # pitch tokens of the notes so far
    phrase = _Phrase(chosen.phrasing)
    cache_config = getattr(model, "cache", None)
    cache = SoloCache(cache_config, N_PITCH_TOKENS - 1) if cache_config is not None else None
    state, previous, step = _heard(model, timeline, primer, played, cache)
    events: list[Event] = []
    end = timeline.end_step
    while step < end:
        control = control_matrix(control_indices(timeline, [step]))[0]
        pitch_probs, duration_probs, state = model.probabilities(state, previous, control,
                                                                 phrase.features())
        if cache is not None:
            pitch_probs = cache.mix_with_rest(pitch_probs, REST)
        banned = all_notes if phrase.over() else out_of_range + repeat_bans(played)
        pitch_temperature = temperature
        if phrase.last_note():
            pitch_temperature = min(temperature, NOTE_PHRASE_END_TEMPERATURE)
        elif _on_strong_beat(timeline, step):
            pitch_temperature = min(temperature, NOTE_STRONG_BEAT_TEMPERATURE)
        pitch_token = int(sample(pitch_probs, pitch_temperature, rng, top_k, banned))
        if pitch_token != REST:
            played.append(pitch_token)
            if cache is not None:
                cache.add(pitch_token)
        too_long = [int(i) for i in np.flatnonzero(_DURATIONS > end - step)]
        if pitch_token == REST:
            row, excluded = duration_probs[1], _durations_excluded(too_long, phrase.rest_bans())
        else:
            row, excluded = duration_probs[0], too_long
        if chosen.density is not None:
            row = row * density_tilt(chosen.density, len(played), step)
        duration_token = sample(row, rhythm_temperature, rng, top_k, excluded)
        phrase.advance(pitch_token, DURATIONS[duration_token], rng)
        previous = (pitch_token, duration_token)
        events.append(decode_event(pitch_token, duration_token))
        step += DURATIONS[duration_token]
    return events


@functools.lru_cache(maxsize=None)
def _note_name(midi: int) -> str:
    return m21pitch.Pitch(midi=midi).name


def events_to_measures(events: Sequence[Event], timeline: ChordTimeline,
                       chord_measures) -> list[list[Note]]:
    """The events' notes per measure, offsets and durations in quarter lengths within their
    measure, each classed over the chord sounding at its onset.  A note held over a bar line
    stays one note of the measure it starts in, lasting past the bar line (a player's
    anticipation of the next bar: MIDI plays it whole, notation ties it over); only the solo's
    end cuts a note."""
    starts = timeline.bar_starts
    measures: list[list[Note]] = [[] for _ in range(len(starts) - 1)]
    for n in decode_events(events, 0):
        bar = bisect.bisect_right(starts, n.onset_step) - 1
        if not 0 <= bar < len(measures):
            continue
        offset = (n.onset_step - starts[bar]) / GRID_PER_BEAT
        length = (min(n.onset_step + n.duration_steps, starts[-1]) - n.onset_step) \
            / GRID_PER_BEAT
        chords = list(chord_measures[bar])
        note_class = classify_note(_note_name(n.pitch), chord_at(chords, offset)) if chords \
            else "X"
        measures[bar].append(Note(offset, length, n.pitch, note_class))
    return measures


def generate_note_solo(model: NoteStepModel, chord_measures, *,
                       measure_lengths_ql: Sequence[float] | None = None,
                       time_signatures: Sequence[str] | None = None,
                       temperature: float = NOTE_TEMPERATURE, seed: int | None = None,
                       rhythm_temperature: float = NOTE_RHYTHM_TEMPERATURE,
                       top_k: int | None = None, qpm: float = DEFAULT_QPM,
                       pitch_range: tuple[int, int] = SOLO_PITCH_RANGE,
                       voice: VoiceRequest = VoiceRequest()) -> Solo:
    """Improvise over measures of music21 chords (offsets within each measure) with a note model.

    Each measure lasts its entry of `measure_lengths_ql` (default: the sum of its chords'
    lengths, as `jazzsolo.music.progression` builds them), in quarter lengths; the model plays on
    the 12-per-beat grid from the first measure's start to the last one's end, told the tempo
    `qpm`, as the `voice` asked for.  The same `seed` gives the same notes.  Rests are left out of ``Solo.notes``;
    ``Solo.values`` holds one empty list per measure (this model has no grammar values).
    """
    chord_measures = [list(m) for m in chord_measures]
    if not chord_measures:
        raise ConfigError("no chord measures to improvise over")
    if measure_lengths_ql is None:
        measure_lengths_ql = [float(sum(c.quarterLength for c in m)) or 4.0
                              for m in chord_measures]
    lengths, signatures = measure_metres(len(chord_measures), measure_lengths_ql=measure_lengths_ql,
                                         time_signatures=time_signatures)
    timeline = timeline_of_measures(chord_measures, lengths, qpm=qpm)
    rng = np.random.default_rng(seed)
    chosen = choose_voice(model, voice, qpm, rng) if getattr(model, "phrases", None) else voice
    events = sample_events(model, timeline, temperature=temperature,
                           rhythm_temperature=rhythm_temperature, rng=rng, top_k=top_k,
                           pitch_range=pitch_range, voice=chosen)
    usual = Counter(lengths).most_common(1)[0][0]
    return Solo(usual, values=[[] for _ in chord_measures],
                notes=events_to_measures(events, timeline, chord_measures),
                chords=chord_measures, measure_lengths_ql=lengths, time_signatures=signatures,
                touch=getattr(chosen, "touch", None))


__all__ = ["events_to_measures", "generate_note_solo", "repeat_bans", "sample_events"]
