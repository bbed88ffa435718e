"""Bars and their metre (and the form, where known) → a jazz drummer's part on General MIDI
channel 10: ride pattern, hi-hat, feathered bass drum, snare comping, fills and crashes.

The time is kept on the ride cymbal (51): in 4/4 on every beat plus the "and" of 2 and 4
("ding, ding-da-ding, ding-da"), beats 2 and 4 a little louder; the hi-hat pedal (44) closes on
2 and 4; the bass drum (36) is feathered very softly on every beat.  A waltz (3/4) plays the ride
on 1, 2, the "and" of 2 and 3, the hi-hat on 2 and 3 and the bass drum on 1; compound metres
(6/8, 12/8) ride on the 1st and 3rd eighth of each dotted beat with the hi-hat on every second
dotted beat; other metres ride every beat with the hi-hat on the even ones.

With a generator the snare (38) comps lightly: now and then a soft hit on an "and", and rarely
a bass-drum "bomb".  At the end of every 4th bar the snare and bass drum set up the next
phrase on the "and" of the last beat; every 8th bar ends with a one-beat fill; the last bar of
a chorus (when the form is known) ends with a two-beat snare-and-tom fill, and the next chorus
opens with a crash (49) and bass drum instead of the ride.  Offsets are the straight grid; the
performance swings them with the rest of the band.  `count_off` gives a bar of hi-hat and
side-stick clicks to start on.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from jazzsolo.music.metre import parse_time_signature, time_signature_ql
from jazzsolo.music.notes import TimedNotes

# General MIDI percussion key numbers (channel 10).
KICK, SIDE_STICK, SNARE, CLOSED_HAT, HAT_PEDAL = 36, 37, 38, 42, 44
FLOOR_TOM, LOW_TOM, MID_TOM, HIGH_TOM = 43, 45, 47, 50
CRASH, RIDE = 49, 51
DRUM_NAMES = {KICK: "bass drum", SIDE_STICK: "side stick", SNARE: "snare", CLOSED_HAT: "closed hi-hat",
              HAT_PEDAL: "hi-hat pedal", FLOOR_TOM: "floor tom", LOW_TOM: "low tom",
              MID_TOM: "mid tom", HIGH_TOM: "high tom", CRASH: "crash", RIDE: "ride"}

HIT_QL = 0.25                          # written length of a drum hit (the sample decays by itself)
CRASH_QL = 1.0
RIDE_BEAT_VELOCITY, RIDE_BACKBEAT_VELOCITY, RIDE_SKIP_VELOCITY = 68, 80, 56
HAT_VELOCITY = 64
FEATHER_VELOCITY = 22                  # the bass drum felt more than heard
SNARE_COMP_PROBABILITY = 0.15          # per "and", with a generator
SNARE_COMP_VELOCITY = (28, 46)         # low, high (drawn uniformly)
BOMB_PROBABILITY = 0.03
BOMB_VELOCITY = 52
CRASH_VELOCITY, CRASH_KICK_VELOCITY = 96, 76
COUNT_OFF_VELOCITY = (96, 78)          # first beat, the others
JITTER = 3.0                           # velocity steps (standard deviation), with a generator
PHRASE_BARS, SECTION_BARS = 4, 8

# Fills: (offset before the bar's end in quarter lengths, drum, velocity).  The first of each
# kind is the one played without a generator.
CHORUS_FILLS = (
    ((2.0, SNARE, 58), (1.5, SNARE, 64), (1.0, HIGH_TOM, 72), (0.5, LOW_TOM, 80), (0.5, KICK, 66)),
    ((2.0, SNARE, 54), (1.5, SNARE, 60), (1.0, SNARE, 68), (0.5, SNARE, 78), (0.5, KICK, 70)),
    ((1.0, SNARE, 62), (2 / 3, HIGH_TOM, 70), (1 / 3, FLOOR_TOM, 82), (1 / 3, KICK, 70)),
    ((1.5, SNARE, 60), (1.0, MID_TOM, 68), (0.5, FLOOR_TOM, 84), (0.5, KICK, 72)),
)
SECTION_FILLS = (
    ((1.0, SNARE, 50), (0.5, SNARE, 64), (0.5, KICK, 56)),
    ((1.0, SNARE, 48), (2 / 3, SNARE, 56), (1 / 3, SNARE, 66)),
)
PHRASE_SETUP = ((0.5, SNARE, 56), (0.5, KICK, 48))
_EPS = 1e-6


def _beats(signature: str) -> tuple[float, list[float]]:
    """(beat length, beat offsets) of a full bar: quarters, or dotted quarters in compound metres."""
    numerator, denominator = parse_time_signature(signature)
    bar = time_signature_ql(signature)
    compound = denominator >= 8 and numerator > 3 and numerator % 3 == 0
    beat = 1.5 * 8 / denominator if compound else (1.0 if denominator <= 4 else 4.0 / denominator)
    return beat, [i * beat for i in range(int(round(bar / beat)))]


def bar_pattern(signature: str) -> list[tuple[float, int, int]]:
    """The time-keeping pattern of one full bar: (offset in quarter lengths, drum, velocity).

    >>> [(o, DRUM_NAMES[d]) for o, d, _ in bar_pattern("3/4") if d != KICK]
    [(0.0, 'ride'), (1.0, 'hi-hat pedal'), (1.0, 'ride'), (1.5, 'ride'),
     (2.0, 'hi-hat pedal'), (2.0, 'ride')]
    """
    numerator, denominator = parse_time_signature(signature)
    beat, beats = _beats(signature)
    hits: list[tuple[float, int, int]] = []
    if denominator == 4 and numerator == 3:                    # waltz: 1, 2 and-a 3
        hits += [(0.0, RIDE, RIDE_BACKBEAT_VELOCITY), (1.0, RIDE, RIDE_BEAT_VELOCITY),
                 (1.5, RIDE, RIDE_SKIP_VELOCITY), (2.0, RIDE, RIDE_BEAT_VELOCITY),
                 (1.0, HAT_PEDAL, HAT_VELOCITY), (2.0, HAT_PEDAL, HAT_VELOCITY),
                 (0.0, KICK, FEATHER_VELOCITY)]
    elif beat > 1.0 + _EPS:                                     # compound: dotted-quarter beats
        for i, b in enumerate(beats):
            hits += [(b, RIDE, RIDE_BACKBEAT_VELOCITY if i % 2 else RIDE_BEAT_VELOCITY),
                     (b + 2 * beat / 3, RIDE, RIDE_SKIP_VELOCITY), (b, KICK, FEATHER_VELOCITY)]
            if i % 2:
                hits.append((b, HAT_PEDAL, HAT_VELOCITY))
    else:                                                       # 4/4 and other simple metres
        for i, b in enumerate(beats):
            hits += [(b, RIDE, RIDE_BACKBEAT_VELOCITY if i % 2 else RIDE_BEAT_VELOCITY)]
            if i % 2:
                hits.append((b, HAT_PEDAL, HAT_VELOCITY))
                if beat == 1.0:
                    hits.append((b + 0.5, RIDE, RIDE_SKIP_VELOCITY))   # the "and" of 2 and 4
            if beat == 1.0:
                hits.append((b, KICK, FEATHER_VELOCITY))
    return sorted(hits)


def _fill_kinds(n_bars: int, full: list[bool], chorus: tuple[int, int] | None) -> list[str | None]:
    """Per bar: "chorus", "section", "phrase" or None, for what ends it (never the last bar)."""
    kinds: list[str | None] = [None] * n_bars
    first = chorus[0] if chorus is not None else next((i for i, f in enumerate(full) if f), 0)
    for i in range(first, n_bars - 1):
        number = i - first + 1                                  # bars counted from the form's start
        if chorus is not None and number % chorus[1] == 0:
            kinds[i] = "chorus"
        elif number % SECTION_BARS == 0:
            kinds[i] = "section"
        elif number % PHRASE_BARS == 0:
            kinds[i] = "phrase"
    return kinds


def drum_track(measure_lengths_ql: Sequence[float], time_signatures: Sequence[str], *,
               rng: np.random.Generator | None = None,
               chorus: tuple[int, int] | None = None) -> list[TimedNotes]:
    """The drummer's part over bars of the given lengths and (written) time signatures.

    A bar shorter than its metre (a pickup) plays the end of the pattern.  `chorus` is (first
    bar of the first chorus, bars per chorus) when the form is known (see
    `jazzsolo.generate.comp.chorus_form`).  With `rng` the snare comps, fills vary and velocities move
    by a few steps; without, the part is the same every time.
    """
    starts = np.concatenate([[0.0], np.cumsum(measure_lengths_ql)]).tolist()
    full = [abs(length - time_signature_ql(sig)) < _EPS
            for length, sig in zip(measure_lengths_ql, time_signatures)]
    kinds = _fill_kinds(len(measure_lengths_ql), full, chorus)
    hits: list[tuple[float, int, int, float]] = []              # (offset, drum, velocity, length)
    for i, (start, length, signature) in enumerate(zip(starts, measure_lengths_ql, time_signatures)):
        bar_ql = time_signature_ql(signature)
        lead = bar_ql - length                                  # a pickup is the bar's end
        fill = _fill(kinds[i], length, rng)
        fill_from = min((length - before for before, _, _ in fill), default=length)
        crash = i > 0 and kinds[i - 1] == "chorus"
        for offset, drum, velocity in bar_pattern(signature):
            offset -= lead
            if offset < -_EPS or offset >= length - _EPS:
                continue
            if crash and offset < _EPS and drum == RIDE:
                continue
            if drum == RIDE and offset % 1 and offset >= fill_from - _EPS:
                continue                                        # the hands are busy with the fill
            hits.append((start + offset, drum, velocity, HIT_QL))
        if crash:
            hits += [(start, CRASH, CRASH_VELOCITY, CRASH_QL),
                     (start, KICK, CRASH_KICK_VELOCITY, HIT_QL)]
        hits += [(start + length - before, drum, velocity, HIT_QL) for before, drum, velocity in fill
                 if length - before >= -_EPS]
        if rng is not None and full[i]:
            hits += _comping(start, signature, min(fill_from, length), rng)
    end = starts[-1]
    notes = [TimedNotes(offset, min(duration, end - offset), (drum,), _jitter(velocity, rng))
             for offset, drum, velocity, duration in sorted(hits, key=lambda h: (h[0], h[1]))
             if end - offset > _EPS]
    return notes


def _fill(kind: str | None, length: float, rng) -> tuple[tuple[float, int, int], ...]:
    if kind is None:
        return ()
    options = {"chorus": CHORUS_FILLS, "section": SECTION_FILLS, "phrase": (PHRASE_SETUP,)}[kind]
    fill = options[int(rng.integers(len(options)))] if rng is not None else options[0]
    return tuple(h for h in fill if h[0] <= length + _EPS)


def _comping(start: float, signature: str, until: float, rng) -> list[tuple[float, int, int, float]]:
    """Light snare comping and rare bass-drum bombs on the "and"s before `until`."""
    beat, beats = _beats(signature)
    hits = []
    for b in beats:
        offset = b + (2 * beat / 3 if beat > 1.0 + _EPS else beat / 2)
        if offset >= until - _EPS:
            break
        draw = rng.random()
        if draw < SNARE_COMP_PROBABILITY:
            hits.append((start + offset, SNARE, int(rng.integers(*SNARE_COMP_VELOCITY)), HIT_QL))
        elif draw < SNARE_COMP_PROBABILITY + BOMB_PROBABILITY:
            hits.append((start + offset, KICK, BOMB_VELOCITY, HIT_QL))
    return hits


def _jitter(velocity: float, rng) -> int:
    if rng is not None:
        velocity += rng.normal(0.0, JITTER)
    return int(np.clip(round(velocity), 1, 127))


def count_off(signature: str) -> list[TimedNotes]:
    """One bar of clicks before the band comes in: closed hi-hat and side stick on every beat.

    >>> [n.offset_ql for n in count_off("3/4") if n.pitches == (CLOSED_HAT,)]
    [0.0, 1.0, 2.0]
    """
    _, beats = _beats(signature)
    notes = []
    for i, b in enumerate(beats):
        velocity = COUNT_OFF_VELOCITY[0 if i == 0 else 1]
        notes += [TimedNotes(b, HIT_QL, (CLOSED_HAT,), velocity),
                  TimedNotes(b, HIT_QL, (SIDE_STICK,), velocity)]
    return notes
