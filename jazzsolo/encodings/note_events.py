"""Corpus solos (notes and chords on the 12-per-beat grid) ⇄ note events and control vectors.

A solo becomes a sequence of **events**, each a note or a rest with a rhythm: ``Event(pitch,
steps)``, ``pitch`` a MIDI number (``None`` for a rest), ``steps`` the time from this event's
onset to the next event's onset in grid steps (``GRID_PER_BEAT`` = 12 per beat, so sixteenths
are 3 steps and eighth-note triplets 4).  One event is two tokens (Magenta's one-hot style):

* **pitch token** (``N_PITCH_TOKENS`` = 62): index ``i`` in 0-60 is MIDI pitch
  ``PITCH_LOW + i`` (36-96, C2-C7); index 61 (``REST``) is a rest;
* **duration token** (``N_DURATION_TOKENS`` = 16): index ``j`` is ``DURATIONS[j]`` steps,
  ``DURATIONS = (1, 2, 3, 4, 6, 8, 9, 12, 15, 16, 18, 21, 24, 30, 36, 48)``.

Encoding (`encode_solo`) starts at step 0 of the solo's bar 0 (a gap before the first note is
rests), then, note by note:

* a note whose sound ends a beat (12 steps) or more before the next onset is followed by rests:
  the note gets the duration nearest its sounding length (preferring one that leaves a rest
  made of few tokens), and rest tokens fill exactly to the next onset (largest first, so a
  gap longer than 48 steps is several rests).  Phrases are therefore separated by rests of a
  beat or more; a shorter gap is articulation, and the note simply lasts until the next onset;
* otherwise the note lasts until the next onset.  Notes a beat or more apart keep their onsets
  exactly (a length not in ``DURATIONS`` is the largest that fits plus rests); between notes
  less than a beat apart the steps must be in ``DURATIONS``, so where they are not (5, 7, 10,
  11 steps) onsets move by at most ``MAX_SHIFT`` = 2 steps (1/6 beat), chosen to move the
  fewest steps in all (`decoded_onsets`).

What the events lose: how long a note sounds when the next note follows within a beat (decoded
notes are legato), sounding lengths before a rest (rounded to ``DURATIONS``), the 5, 7, 10 and
11-step inter-onset intervals (moved as above), all but the highest of notes struck together,
velocities, and octaves of pitches outside 36-96 (folded into the range).

**Controls** (``N_CONTROLS`` = 123 numbers per event, the model's input besides the previous
event; `jazzsolo.encodings.note_controls`): the chord sounding now and the next one, the beats to
that change, the place in the bar and the tempo, all at the event's onset.

**Model input** at event t (``N_INPUTS`` = 256, `model_inputs`): event t-1's pitch token
one-hot (0-61; zeros at t = 0), its duration token one-hot (62-77), the controls at t's onset
(78-200), the note context (201-239, `note_context`): the pitch class of the last note
played above the root of the chord sounding now (12) and the interval between the last two
notes (`interval_bucket`, 27), and the phrase plan (240-255, `jazzsolo.encodings.phrase_plan`):
the notes of the phrase still to play and its planned length.  The pitch head also reads, for
each of the 61 pitches, its pitch class above the chord root and its interval from the last
note (`pitch_indices`).

Transposing a solo (`transpose_encoded`) shifts its pitch tokens and rotates the four
pitch-class blocks, so training can play every solo in several keys.
"""
from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jazzsolo.config import GRID_PER_BEAT
from jazzsolo.encodings.note_controls import (BAR_POSITIONS, CHANGE_BEATS, MAX_BEATS, N_CONTROLS,
                                              TEMPO_ANCHORS, ChordTimeline, ControlIndices,
                                              chord_features, control_indices, control_matrix,
                                              control_roots, tempo_features, timeline_of_measures,
                                              timeline_of_solo)
from jazzsolo.encodings.phrase_plan import N_PLAN, plan_features, sequence_plan
from jazzsolo.encodings.voice import VoiceProfile, measured_profile, sounding_fraction
from jazzsolo.errors import ConfigError
from jazzsolo.ingest.corpus import CorpusNote, CorpusSolo

PITCH_LOW, PITCH_HIGH = 36, 96            # MIDI range of the pitch tokens (C2-C7), inclusive
N_PITCHES = PITCH_HIGH - PITCH_LOW + 1    # 61 pitch tokens
REST = N_PITCHES                          # the rest's pitch token
N_PITCH_TOKENS = N_PITCHES + 1            # 62
DURATIONS = (1, 2, 3, 4, 6, 8, 9, 12, 15, 16, 18, 21, 24, 30, 36, 48)   # grid steps
_STEPS = np.array(DURATIONS)              # steps of each duration token (`token_steps`)
N_DURATION_TOKENS = len(DURATIONS)
MAX_INTERVAL = 12                         # semitones told apart; wider leaps share a bucket
N_INTERVALS = 2 * MAX_INTERVAL + 3        # far down, -12 .. +12, far up
N_CONTEXT = 12 + N_INTERVALS              # the last note over the chord, the last interval
N_INPUTS = N_PITCH_TOKENS + N_DURATION_TOKENS + N_CONTROLS + N_CONTEXT + N_PLAN   # per step: 256
NO_ROOT = 12                              # `pitch_indices`: no chord sounding
NO_NOTE = N_INTERVALS                     # `pitch_indices`: no note played yet
MAX_TRANSPOSE = 6                         # semitones either way in training
MAX_SHIFT = 2                             # grid steps a note's onset may move in encoding

_DURATION_INDEX = {d: i for i, d in enumerate(DURATIONS)}


class EncodingError(ConfigError):
    """An event, token or chord that the note encoding cannot represent."""


@dataclass(frozen=True)
class Event:
    """One note (MIDI `pitch`) or rest (`pitch` None) lasting `steps` grid steps to the next."""

    pitch: int | None
    steps: int

    def __repr__(self) -> str:
        return f"Event(pitch={self.pitch!r}, steps={self.steps})"


# --------------------------------------------------------------------------- tokens

def encode_event(event: Event) -> tuple[int, int]:
    """(pitch token, duration token) of an event.

    >>> encode_event(Event(60, 6)), encode_event(Event(None, 48))
    ((24, 4), (61, 15))
    """
    if event.pitch is not None and not PITCH_LOW <= event.pitch <= PITCH_HIGH:
        raise EncodingError(f"pitch {event.pitch} is outside the encoding's range "
                            f"{PITCH_LOW}-{PITCH_HIGH}")
    if event.steps not in _DURATION_INDEX:
        raise EncodingError(f"{event.steps} steps is not one of the durations {DURATIONS}")
    return (REST if event.pitch is None else event.pitch - PITCH_LOW,
            _DURATION_INDEX[event.steps])


def decode_event(pitch_token: int, duration_token: int) -> Event:
    """The event of a (pitch token, duration token) pair; the inverse of `encode_event`.

    >>> decode_event(24, 4), decode_event(REST, 15)
    (Event(pitch=60, steps=6), Event(pitch=None, steps=48))
    """
    if not (0 <= pitch_token < N_PITCH_TOKENS and 0 <= duration_token < N_DURATION_TOKENS):
        raise EncodingError(f"tokens ({pitch_token}, {duration_token}) outside 0-"
                            f"{N_PITCH_TOKENS - 1} and 0-{N_DURATION_TOKENS - 1}")
    pitch = None if pitch_token == REST else PITCH_LOW + int(pitch_token)
    return Event(pitch, DURATIONS[duration_token])


def fold_pitch(pitch: int, low: int = PITCH_LOW, high: int = PITCH_HIGH) -> int:
    """Move a MIDI pitch by octaves into [low, high].

    >>> fold_pitch(27), fold_pitch(100), fold_pitch(60)
    (39, 88, 60)
    """
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


# --------------------------------------------------------------------------- notes ⇄ events

def rest_steps(steps: int) -> list[int]:
    """A rest of `steps` grid steps as durations, largest first.

    >>> rest_steps(60), rest_steps(13), rest_steps(29)
    ([48, 12], [12, 1], [24, 4, 1])
    """
    parts = []
    while steps > 0:
        part = DURATIONS[bisect.bisect_right(DURATIONS, steps) - 1]
        parts.append(part)
        steps -= part
    return parts


def _largest_fitting(steps: int) -> int:
    return DURATIONS[bisect.bisect_right(DURATIONS, steps) - 1]


def _note_before_rest(sounding: int, slot: int) -> int:
    """Duration of a note sounding `sounding` steps in a slot of `slot` (> sounding) steps
    before a rest: near its length (log ratio), few rest tokens after it."""
    def cost(d: int) -> float:
        return abs(math.log(d / sounding)) + 0.5 * (len(rest_steps(slot - d)) - 1)
    return min((d for d in DURATIONS if d < slot), key=lambda d: (cost(d), d))


def melody_notes(notes: Sequence[CorpusNote]) -> list[CorpusNote]:
    """One note per onset (the highest), pitches folded into the encoding's range, by onset."""
    by_onset: dict[int, CorpusNote] = {}
    for n in notes:
        if n.onset_step not in by_onset or n.pitch > by_onset[n.onset_step].pitch:
            by_onset[n.onset_step] = n
    return [CorpusNote(n.onset_step, n.duration_steps, fold_pitch(n.pitch))
            for _, n in sorted(by_onset.items())]


def encode_notes(notes: Sequence[CorpusNote], end_step: int | None = None) -> list[Event]:
    """Events from step 0 that play `notes` (see the module docstring for the rules).

    `end_step` (the solo's end) caps the last note; without it the last note keeps its length.

    >>> encode_notes([CorpusNote(12, 3, 60), CorpusNote(15, 3, 62), CorpusNote(36, 6, 64)])
    [Event(pitch=None, steps=12), Event(pitch=60, steps=3), Event(pitch=62, steps=3), \
Event(pitch=None, steps=18), Event(pitch=64, steps=6)]
    """
    notes = melody_notes(notes)
    if not notes:
        return []
    onsets = decoded_onsets(notes)
    events = [Event(None, s) for s in rest_steps(onsets[0])]
    for i, n in enumerate(notes):
        if i == len(notes) - 1:
            last = n.duration_steps if end_step is None else end_step - onsets[i]
            events.append(Event(n.pitch, _largest_fitting(max(1, last))))
            break
        slot = onsets[i + 1] - onsets[i]
        if notes[i + 1].onset_step - (n.onset_step + n.duration_steps) >= GRID_PER_BEAT:
            sounding = max(1, n.onset_step + n.duration_steps - onsets[i])
            steps = _note_before_rest(sounding, slot)
        else:
            steps = _largest_fitting(slot)
        events.append(Event(n.pitch, steps))
        events += [Event(None, s) for s in rest_steps(slot - steps)]
    return events


def decoded_onsets(notes: Sequence[CorpusNote]) -> list[int]:
    """Where the events put each note: every note a beat or more after the previous one (and
    the first) exactly on its step, the others at most `MAX_SHIFT` steps away, so that the
    steps between notes less than a beat apart are in `DURATIONS`; least total shift.

    >>> decoded_onsets([CorpusNote(0, 3, 60), CorpusNote(3, 3, 62), CorpusNote(8, 3, 64),
    ...                 CorpusNote(12, 3, 65)])
    [0, 2, 8, 12]
    """
    shifts = range(-MAX_SHIFT, MAX_SHIFT + 1)
    t = [n.onset_step for n in notes]
    # cost[e]: least total |shift| of notes so far with the current one shifted by e
    cost = {0: 0}
    back: list[dict[int, int]] = [{0: 0}]
    for i in range(1, len(t)):
        ioi = t[i] - t[i - 1]
        allowed = (0,) if ioi >= GRID_PER_BEAT else shifts
        new_cost, new_back = {}, {}
        for e_now in allowed:
            best = None
            for e_before, c in cost.items():
                d = ioi + e_now - e_before
                if d < 1 or (ioi < GRID_PER_BEAT and d not in _DURATION_INDEX):
                    continue
                if best is None or c < best[0]:
                    best = (c, e_before)
            if best is not None:
                new_cost[e_now], new_back[e_now] = best[0] + abs(e_now), best[1]
        cost = new_cost
        back.append(new_back)
    e = min(cost, key=lambda k: (cost[k], abs(k)))
    shift = [0] * len(t)
    for i in range(len(t) - 1, -1, -1):
        shift[i] = e
        e = back[i][e]
    return [onset + s for onset, s in zip(t, shift)]


def encode_solo(solo: CorpusSolo) -> list[Event]:
    """The events of a corpus solo from the start of its bar 0 (rests before the first note)."""
    return encode_notes(solo.notes, solo.n_steps)


def decode_events(events: Sequence[Event], start_step: int = 0) -> list[CorpusNote]:
    """Notes played by `events` from `start_step`: each note lasts its event's steps.

    The inverse of `encode_notes` up to what the module docstring says is lost.

    >>> decode_events([Event(None, 12), Event(60, 3), Event(None, 9), Event(62, 6)], 48)
    [CorpusNote(onset_step=60, duration_steps=3, pitch=60, velocity=None), \
CorpusNote(onset_step=72, duration_steps=6, pitch=62, velocity=None)]
    """
    notes, position = [], start_step
    for event in events:
        if event.pitch is not None:
            notes.append(CorpusNote(position, event.steps, event.pitch))
        position += event.steps
    return notes


def event_onsets(events: Sequence[Event], start_step: int = 0) -> np.ndarray:
    """Onset step of every event, (n_events,)."""
    steps = np.fromiter((e.steps for e in events), dtype=np.int64, count=len(events))
    return start_step + np.concatenate([[0], np.cumsum(steps)[:-1]]).astype(np.int64) \
        if len(events) else np.zeros(0, dtype=np.int64)


# --------------------------------------------------------------------------- a solo, encoded

@dataclass
class EncodedSolo:
    """A solo's events as tokens, with the controls at each event's onset."""

    name: str
    pitch: np.ndarray          # (n,) pitch tokens
    duration: np.ndarray       # (n,) duration tokens
    controls: ControlIndices
    sounding: float | None = None   # mean sounding fraction of its runs' notes, as played
                                    # (`voice.sounding_fraction`; the tokens hold no lengths)

    def __len__(self) -> int:
        return len(self.pitch)

    @functools.cached_property
    def plan(self) -> np.ndarray:
        """The phrase plan (n, N_PLAN) of the whole solo as played (`phrase_plan.sequence_plan`),
        computed once: training reads it for every window cut from the solo."""
        return sequence_plan(self.pitch, token_steps(self.duration), REST)

    def slice(self, start: int, end: int) -> "EncodedSolo":
        """Events start..end-1 with their controls."""
        c = self.controls
        cut = ControlIndices(c.root[start:end], c.pcs[start:end], c.next_root[start:end],
                             c.next_pcs[start:end], c.change_beats[start:end],
                             c.bar_step[start:end], c.beat[start:end], c.bar_start[start:end],
                             c.tempo)
        return EncodedSolo(self.name, self.pitch[start:end], self.duration[start:end], cut,
                           self.sounding)


def encoded_profile(solo: EncodedSolo, labels=(None, None, None)) -> VoiceProfile:
    """The voice profile of an encoded solo (`encodings.voice`: notes per beat, register),
    with its (player, style, instrument) labels."""
    steps = token_steps(solo.duration)
    onsets = np.concatenate([[0], np.cumsum(steps)[:-1]])
    notes = np.flatnonzero(solo.pitch != REST)
    if not len(notes):
        raise EncodingError(f"{solo.name}: no notes, so no voice profile")
    last = notes[-1]
    return measured_profile(solo.pitch[notes].astype(int) + PITCH_LOW, onsets[notes],
                            float(onsets[last] + steps[last]), labels)


def encode_corpus_solo(solo: CorpusSolo) -> EncodedSolo:
    """A corpus solo as tokens and control indices (untransposed)."""
    events = encode_solo(solo)
    tokens = np.array([encode_event(e) for e in events], dtype=np.int16).reshape(-1, 2)
    controls = control_indices(timeline_of_solo(solo), event_onsets(events))
    sounding = sounding_fraction(np.array([n.onset_step for n in solo.notes]),
                                 np.array([n.duration_steps for n in solo.notes]))
    return EncodedSolo(solo.name, tokens[:, 0].copy(), tokens[:, 1].copy(), controls, sounding)


def transpose_range(solo: EncodedSolo, max_shift: int = MAX_TRANSPOSE) -> list[int]:
    """The shifts in -max_shift..max_shift that keep every pitch of the solo in range."""
    notes = solo.pitch[solo.pitch != REST].astype(int)
    if not len(notes):
        return list(range(-max_shift, max_shift + 1))
    low, high = int(notes.min()), int(notes.max())
    shifts = [k for k in range(-max_shift, max_shift + 1) if low + k >= 0 and high + k < N_PITCHES]
    return shifts or [0]


def transpose_encoded(solo: EncodedSolo, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """(pitch tokens, control matrix) of the solo `shift` semitones higher.

    Pitches that would leave the range are folded back by octaves (`transpose_range` gives
    the shifts that need no folding).
    """
    pitch = solo.pitch.astype(np.int64)
    notes = pitch != REST
    moved = pitch[notes] + shift
    moved = np.where(moved < 0, moved + 12 * ((-moved + 11) // 12), moved)
    moved = np.where(moved >= N_PITCHES, moved - 12 * ((moved - N_PITCHES) // 12 + 1), moved)
    pitch[notes] = moved
    return pitch, control_matrix(solo.controls, shift)


def token_steps(duration: np.ndarray) -> np.ndarray:
    """Grid steps of duration tokens.

    >>> token_steps(np.array([0, 7, 15])).tolist()
    [1, 12, 48]
    """
    return _STEPS[np.asarray(duration, dtype=int)]


def step_input(event: tuple[int, int] | None, control: np.ndarray, last: int = -1,
               last2: int = -1, plan: np.ndarray | None = None) -> np.ndarray:
    """One step's input (N_INPUTS,): the previous event's (pitch, duration) tokens (None at the
    start), the controls, the pitch tokens of the last two notes (-1: none) and the phrase plan
    (N_PLAN,) (None: no phrase under way), as `model_inputs` gives them for a whole sequence."""
    x = np.zeros(N_INPUTS, dtype=np.float64)
    if event is not None:
        x[event[0]] = 1.0
        x[N_PITCH_TOKENS + event[1]] = 1.0
    start = N_PITCH_TOKENS + N_DURATION_TOKENS
    x[start:start + N_CONTROLS] = control
    context = start + N_CONTROLS
    root = control_roots(control[None])[0]
    if last >= 0 and root >= 0:
        x[context + (last + PITCH_LOW - root) % 12] = 1.0
    if last >= 0 and last2 >= 0:
        x[context + 12 + interval_bucket(last - last2)] = 1.0
    x[context + N_CONTEXT:] = plan_features(0, 0)[0] if plan is None else plan
    return x


def step_pitch_indices(control: np.ndarray, last: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """`pitch_indices` of one step, from its controls and the last note's pitch token."""
    root = control_roots(control[None])[0]
    pitches = np.arange(N_PITCHES)
    relative = (pitches + PITCH_LOW - root) % 12 if root >= 0 else np.full(N_PITCHES, NO_ROOT)
    interval = interval_bucket(pitches - last) if last >= 0 else np.full(N_PITCHES, NO_NOTE)
    return relative, interval


def interval_bucket(semitones):
    """Index of an interval in 0..N_INTERVALS-1: 0 a leap down of more than an octave, then
    -12 .. +12 semitones, then a leap up of more than an octave.

    >>> interval_bucket(-13), interval_bucket(-12), interval_bucket(0), interval_bucket(20)
    (0, 1, 13, 26)
    """
    semitones = np.asarray(semitones)
    bucket = np.clip(semitones, -MAX_INTERVAL - 1, MAX_INTERVAL + 1) + MAX_INTERVAL + 1
    return bucket if bucket.ndim else int(bucket)


def last_notes(pitch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pitch tokens of the last note and the note before it played before each event
    (-1 where there is none), each (n,).

    >>> last_notes(np.array([REST, 24, REST, 26, 28]))
    (array([-1, -1, 24, 24, 26]), array([-1, -1, -1, -1, 24]))
    """
    pitch = np.asarray(pitch, dtype=np.int64)
    n = len(pitch)
    at = np.where(pitch != REST, np.arange(n), -1)
    upto = np.maximum.accumulate(at) if n else at          # last note index <= t
    before = np.concatenate([[-1], upto[:-1]])[:n]          # last note index < t
    before2 = np.where(before >= 0, before[np.maximum(before, 0)], -1)
    return (np.where(before >= 0, pitch[np.maximum(before, 0)], -1),
            np.where(before2 >= 0, pitch[np.maximum(before2, 0)], -1))


def note_context(pitch: np.ndarray, controls: np.ndarray) -> np.ndarray:
    """Context features (n, N_CONTEXT): the last note's pitch class above the chord root now
    (one-hot, zeros without a chord or a note), and the interval between the last two notes
    (one-hot over `interval_bucket`, zeros before the second note)."""
    last, last2 = last_notes(pitch)
    roots = control_roots(controls)
    n = len(last)
    out = np.zeros((n, N_CONTEXT), dtype=np.float32)
    rows = np.flatnonzero((last >= 0) & (roots >= 0))
    out[rows, (last[rows] + PITCH_LOW - roots[rows]) % 12] = 1.0
    rows = np.flatnonzero(last2 >= 0)
    out[rows, 12 + interval_bucket(last[rows] - last2[rows])] = 1.0
    return out


def pitch_indices(pitch: np.ndarray, controls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the pitch head, at each event and for each of the N_PITCHES pitches: its pitch
    class above the chord root now (`NO_ROOT` without a chord) and the bucket of its interval
    from the last note (`NO_NOTE` before the first), each (n, N_PITCHES) int32."""
    last, _ = last_notes(pitch)
    roots = control_roots(controls)
    pitches = np.arange(N_PITCHES)[None, :]
    relative = np.where(roots[:, None] >= 0, (pitches + PITCH_LOW - roots[:, None]) % 12, NO_ROOT)
    interval = np.where(last[:, None] >= 0, interval_bucket(pitches - last[:, None]), NO_NOTE)
    return relative.astype(np.int32), interval.astype(np.int32)


def model_inputs(pitch: np.ndarray, duration: np.ndarray, controls: np.ndarray,
                 plan: np.ndarray | None = None) -> np.ndarray:
    """The model's inputs (n, N_INPUTS): the previous event one-hot (zeros before the first
    event), the controls at this event's onset, `note_context` and the phrase plan (n, N_PLAN)
    (None: the phrases of the events as they are played, `phrase_plan.sequence_plan`)."""
    n = len(pitch)
    x = np.zeros((n, N_INPUTS), dtype=np.float32)
    rows = np.arange(1, n)
    x[rows, pitch[:-1].astype(int)] = 1.0
    x[rows, N_PITCH_TOKENS + duration[:-1].astype(int)] = 1.0
    start = N_PITCH_TOKENS + N_DURATION_TOKENS
    x[:, start:start + N_CONTROLS] = controls
    context = start + N_CONTROLS
    x[:, context:context + N_CONTEXT] = note_context(pitch, controls)
    x[:, context + N_CONTEXT:] = sequence_plan(pitch, token_steps(duration), REST) \
        if plan is None else plan
    return x


def vocabularies() -> dict:
    """The encoding's token tables and sizes, saved beside a model's weights."""
    return {"pitch_low": PITCH_LOW, "pitch_high": PITCH_HIGH, "rest_token": REST,
            "durations_steps": list(DURATIONS), "grid_per_beat": GRID_PER_BEAT,
            "bar_positions": BAR_POSITIONS, "max_beats": MAX_BEATS,
            "change_beats": CHANGE_BEATS, "tempo_anchors_qpm": list(TEMPO_ANCHORS),
            "n_controls": N_CONTROLS, "max_interval": MAX_INTERVAL, "n_plan": N_PLAN,
            "n_inputs": N_INPUTS}


__all__ = ["DURATIONS", "N_CONTROLS", "N_DURATION_TOKENS", "N_INPUTS", "N_PITCH_TOKENS",
           "PITCH_HIGH", "PITCH_LOW", "REST", "ChordTimeline", "ControlIndices", "EncodedSolo",
           "EncodingError", "Event", "chord_features", "control_indices", "control_matrix",
           "decode_event", "decode_events", "encode_corpus_solo", "encode_event", "encoded_profile",
           "encode_notes", "encode_solo", "event_onsets", "fold_pitch", "interval_bucket",
           "last_notes", "melody_notes", "model_inputs", "note_context", "pitch_indices",
           "rest_steps", "step_input", "step_pitch_indices", "token_steps", "tempo_features",
           "timeline_of_measures",
           "timeline_of_solo", "transpose_encoded", "transpose_range", "vocabularies"]
