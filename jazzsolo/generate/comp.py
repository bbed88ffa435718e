"""Chord measures → an accompaniment: piano voicings in comping rhythms and a bass line, both in
the metre of each bar; and the form (where the choruses start) for the drummer.

Chords made from a symbol (`music.chords.SymbolChord`) are played from the symbol: the bass takes
the written root (or slash bass) and the voicings keep the third and seventh as written; N.C.
is silent.  Chords read from MIDI (a tune's own piano) are played from music21's root, each
lasting until the next chord or the bar's end.

The comp follows the metre.  In 4/4 a bar with one chord is struck in a Charleston rhythm (1
and the "and" of 2), a reverse Charleston (the "and" of 1 and 3), on 1 and the "and" of 3, or
held for the whole bar (more often in a ballad); with a generator the choice is seeded per bar,
and the next bar's chord may be anticipated on the "and" of 4 (its downbeat is then not struck
again).  In 3/4 the piano plays the waltz's 2 and 3 (or 2 held, the "and" of 1 and 3, or 1
held), the bass 1 and 3 (or 1 held, or walks); in 6/8 and other compound metres both feel the
bar in dotted quarters: bass on each dotted beat, piano on the second.  Other metres walk in
quarter notes with a hit on each chord.  Without a generator each bar takes the first choice
(Charleston, 2 and 3, ...), the same every time.  Offsets are the straight grid; swing, when
wanted, is applied by `jazzsolo.generate.performance`.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from typing import Sequence

import numpy as np
from music21 import chord

from jazzsolo.music.chord_symbols import ChordSymbol
from jazzsolo.music.metre import parse_time_signature, time_signature_for, time_signature_ql
from jazzsolo.music.notes import TimedNotes

VOICING_LOW, VOICING_HIGH = 52, 72       # E3-C5: piano comping register, below the solo
BASS_LOW, BASS_HIGH = 31, 50             # G1-D3: the double bass's walking register
MAX_VOICING_NOTES = 4                    # a rootless voicing: guide tones plus two colours
_EPS = 1e-6

# Comping rhythms for a bar holding one chord: (name, ((offset, length) in quarter lengths, ...),
# weight of the seeded choice).  The first of each metre is the one played without a generator.
BAR_PATTERNS = {
    "4/4": (("charleston", ((0.0, 1.5), (1.5, 2.5)), 0.40),
            ("reverse charleston", ((0.5, 1.5), (2.0, 2.0)), 0.25),
            ("one and the and of three", ((0.0, 1.0), (2.5, 1.5)), 0.15),
            ("sustained", ((0.0, 4.0),), 0.20)),
    "3/4": (("two and three", ((1.0, 1.0), (2.0, 1.0)), 0.50),
            ("two held", ((1.0, 2.0),), 0.20),
            ("and of one and three", ((0.5, 1.5), (2.0, 1.0)), 0.15),
            ("sustained", ((0.0, 3.0),), 0.15)),
}
# Hits for a chord sharing its bar (4/4 and other simple metres), for a chord of 2 beats or more.
CHORD_PATTERNS = ((((0.0, 1.5),), 0.5), (((0.5, None),), 0.3), (((0.0, None),), 0.2))  # None: to its end
BALLAD_QPM = 90                        # slower than this, held chords are four times as likely
ANTICIPATION_PROBABILITY = 0.2         # of striking the next bar's new chord on the "and" of 4
COMP_VELOCITY, PUSH_ACCENT, HELD_DROP, ANTICIPATION_ACCENT = 62, 6, 6, 8
COMP_LENGTH, HELD_LENGTH = 0.9, 0.98   # sounding fraction of a hit's written length
BASS_VELOCITY, BASS_CHANGE_ACCENT, BASS_GHOST_VELOCITY = 80, 6, 54
BASS_LENGTH = 0.95
SKIP_PROBABILITY = 0.12                # a walking bar's third beat split into note + ghost eighth
WALTZ_BASS = (("one and three", 0.6), ("one held", 0.15), ("walking", 0.25))  # (name, weight)
JITTER = 3.0                           # velocity steps (standard deviation), with a generator


def _symbol(c: chord.Chord) -> ChordSymbol | None:
    """The chord symbol a chord was made from, if any."""
    return getattr(c, "symbol", None)


def is_silent(c: chord.Chord) -> bool:
    """True for N.C. (or any chord without pitches): nothing is played over it."""
    symbol = _symbol(c)
    return (symbol is not None and symbol.is_no_chord) or not c.pitches


def bass_pitch_class(c: chord.Chord) -> int:
    """The pitch class the bass plays on the chord's downbeat: the slash bass, else the root.

    >>> from jazzsolo.music.progression import parse_chord_symbol
    >>> bass_pitch_class(parse_chord_symbol("Bb7")), bass_pitch_class(parse_chord_symbol("C7/E"))
    (10, 4)
    """
    symbol = _symbol(c)
    return symbol.bass_pc if symbol is not None else c.root().midi % 12


def _pitch_classes(c: chord.Chord) -> list[int]:
    """The chord's pitch classes, root first, then by interval above the root."""
    symbol = _symbol(c)
    root = symbol.root_pc if symbol is not None else c.root().midi % 12
    pcs = symbol.pitch_classes if symbol is not None else {p.midi % 12 for p in c.pitches}
    return sorted(set(pcs), key=lambda pc: (pc - root) % 12)


def voicing_classes(c: chord.Chord) -> list[int]:
    """The pitch classes a voicing holds, by interval above the root.

    Three notes or fewer: all.  Otherwise rootless: the guide tones (3rd, or the 4th/2nd of a
    sus chord; 7th, or the 6th of a 6 chord, else the 5th) and colour tones up to four notes:
    the highest tensions first (13 before 11 before 9), an unaltered fifth last.

    >>> from jazzsolo.music.progression import parse_chord_symbol
    >>> voicing_classes(parse_chord_symbol("Bb7")), voicing_classes(parse_chord_symbol("C13"))
    ([2, 5, 8], [2, 4, 9, 10])
    """
    symbol = _symbol(c)
    classes = _pitch_classes(c)
    if len(classes) <= 3:
        return classes
    if symbol is None or len(symbol.degrees) != len(symbol.pitch_classes):
        return classes[1:]
    tones = list(zip(symbol.degrees, symbol.pitch_classes))[1:]
    guides = [_first(tones, (3,), (4, 2)), _first(tones, (7,), (6, 13), (5,))]
    colours = sorted((t for t in tones if t not in guides),
                     key=lambda t: (t[0] == 5 and (t[1] - symbol.root_pc) % 12 == 7, -t[0]))
    chosen = [t for t in guides if t is not None]
    chosen += colours[:max(0, MAX_VOICING_NOTES - len(chosen))]
    root = symbol.root_pc
    return sorted({pc for _, pc in chosen}, key=lambda pc: (pc - root) % 12)


def _first(tones: list[tuple[int, int]], *choices: tuple[int, ...]) -> tuple[int, int] | None:
    """The first (degree, pitch class) whose degree is in the first choice that has one."""
    for degrees in choices:
        found = [t for t in tones if t[0] in degrees]
        if found:
            return found[0]
    return None


def voice_chord(c: chord.Chord, previous: Sequence[int] | None = None) -> tuple[int, ...]:
    """A close voicing of the chord in the comping register, nearest to the previous voicing.

    With four or more notes the root is left out (the bass plays it), as jazz pianists do.

    >>> voice_chord(chord.Chord(["D3", "F3", "A3", "C4"]))
    (53, 57, 60)
    """
    classes = voicing_classes(c)
    candidates = []
    for bottom in range(VOICING_LOW, VOICING_LOW + 12):
        if bottom % 12 not in classes:
            continue
        voicing = [bottom]
        for pc in classes[classes.index(bottom % 12) + 1:] + classes[:classes.index(bottom % 12)]:
            voicing.append(voicing[-1] + (pc - voicing[-1]) % 12)
        if voicing[-1] <= VOICING_HIGH:
            candidates.append(tuple(voicing))
    if not candidates:
        return tuple(sorted(VOICING_LOW + (pc - VOICING_LOW) % 12 for pc in classes))
    if previous:
        centre = sum(previous) / len(previous)
        return min(candidates, key=lambda v: (abs(sum(v) / len(v) - centre), v))
    return candidates[0]


def measure_starts(measures: Sequence[Sequence[chord.Chord]],
                   measure_ql: float | Sequence[float] = 4.0) -> list[float]:
    """Where each measure starts, in quarter lengths: `measure_ql` is one length or one per measure.

    >>> measure_starts([[], [], []], [3.0, 4.0, 4.0])
    [0.0, 3.0, 7.0]
    """
    return [0.0] + list(accumulate(_lengths(measures, measure_ql)[:len(measures) - 1]))


def _lengths(measures, measure_ql) -> list[float]:
    return [float(measure_ql)] * len(measures) if isinstance(measure_ql, (int, float)) \
        else [float(q) for q in measure_ql]


def metre_feel(signature: str) -> str:
    """How the rhythm section feels a bar: "4/4", "3/4" (a waltz), "compound" (6/8, 9/8, 12/8:
    dotted-quarter beats) or "simple" (anything else: quarter-note walking).

    >>> [metre_feel(t) for t in ("4/4", "3/4", "6/8", "5/4", "2/2")]
    ['4/4', '3/4', 'compound', 'simple', 'simple']
    """
    numerator, denominator = parse_time_signature(signature)
    if denominator >= 8 and numerator > 3 and numerator % 3 == 0:
        return "compound"
    if denominator == 4 and numerator in (3, 4):
        return f"{numerator}/4"
    return "simple"


@dataclass
class Bar:
    """One measure as the rhythm section reads it."""

    start_ql: float                    # from the start of the piece
    length_ql: float                   # as played: shorter than its metre for a pickup
    signature: str                     # as written, e.g. "3/4"
    chords: list[tuple[float, float, chord.Chord]]   # (offset in the bar, length, chord)

    @property
    def feel(self) -> str:
        return metre_feel(self.signature)

    @property
    def is_full(self) -> bool:
        return abs(self.length_ql - time_signature_ql(self.signature)) < _EPS

    def chord_at(self, offset_ql: float) -> chord.Chord | None:
        """The chord sounding at an offset within the bar."""
        found = None
        for offset, _, c in self.chords:
            if offset <= offset_ql + _EPS:
                found = c
        return found


def bars_of(measures: Sequence[Sequence[chord.Chord]], measure_ql: float | Sequence[float] = 4.0,
            time_signatures: Sequence[str] | None = None) -> list[Bar]:
    """The measures as bars: each chord lasts until the next one or the bar's end (two chords
    at one offset: the one with more notes); time signatures default to those of the lengths."""
    lengths = _lengths(measures, measure_ql)
    signatures = list(time_signatures) if time_signatures is not None \
        else [time_signature_for(length) for length in lengths]
    bars = []
    for start, length, signature, measure in zip(measure_starts(measures, lengths), lengths,
                                                 signatures, measures):
        by_offset: dict[float, chord.Chord] = {}
        for c in sorted(measure, key=lambda c: float(c.offset)):
            offset = round(float(c.offset), 6)
            if offset < length - _EPS and (offset not in by_offset
                                           or len(c.pitches) > len(by_offset[offset].pitches)):
                by_offset[offset] = c
        offsets = sorted(by_offset)
        ends = offsets[1:] + [length]
        bars.append(Bar(start, length, signature,
                        [(o, e - o, by_offset[o]) for o, e in zip(offsets, ends)]))
    return bars


def _choose(options, rng: np.random.Generator | None, weights=None):
    """The first option without a generator, else one drawn by weight."""
    if rng is None:
        return options[0]
    weights = np.array(weights if weights is not None else [o[-1] for o in options], dtype=float)
    return options[int(rng.choice(len(options), p=weights / weights.sum()))]


def _jitter(velocity: float, rng: np.random.Generator | None) -> int:
    if rng is not None:
        velocity += rng.normal(0.0, JITTER)
    return int(np.clip(round(velocity), 1, 127))


def _comp_hits(bar: Bar, rng, qpm) -> list[tuple[float, float, str]]:
    """(offset in the bar, written length, "hit"/"push"/"held") of the piano in one bar."""
    single = len(bar.chords) == 1 and bar.chords[0][0] < _EPS and bar.is_full
    if single and bar.feel in BAR_PATTERNS:
        options = BAR_PATTERNS[bar.feel]
        weights = [w * (4 if name == "sustained" and qpm is not None and qpm < BALLAD_QPM else 1)
                   for name, _, w in options]
        name, pattern, _ = _choose(options, rng, weights)
        return [(o, d, "held" if name == "sustained" else "push" if o % 1 else "hit")
                for o, d in pattern]
    if single and bar.feel == "compound":
        return [(1.5, bar.length_ql - 1.5, "hit")]               # the second dotted beat
    hits = []
    for offset, span, _ in bar.chords:
        if bar.feel == "3/4" and offset < _EPS and span >= 2 - _EPS:
            hits.append((offset + 1.0, span - 1.0, "hit"))       # the waltz's 2
        elif bar.feel in ("4/4", "simple") and span >= 2 - _EPS:
            pattern, _ = _choose(CHORD_PATTERNS, rng)
            hits += [(offset + o, (span - o if d is None else d), "push" if o % 1 else "hit")
                     for o, d in pattern]
        else:
            hits.append((offset, span, "hit"))
    return hits


def _anticipates(bar: Bar, following: Bar | None) -> bool:
    """Whether the next bar's first chord can be struck on this bar's "and" of 4."""
    if following is None or bar.feel != "4/4" or not bar.is_full or not following.chords:
        return False
    offset, _, upcoming = following.chords[0]
    current = bar.chord_at(3.5)
    return offset < _EPS and not is_silent(upcoming) and current is not None \
        and not is_silent(current) and set(_pitch_classes(current)) != set(_pitch_classes(upcoming))


def comp_track(measures: Sequence[Sequence[chord.Chord]],
               measure_ql: float | Sequence[float] = 4.0, *,
               time_signatures: Sequence[str] | None = None,
               rng: np.random.Generator | None = None, qpm: float | None = None) -> list[TimedNotes]:
    """Piano comping: each chord voiced (voice-led) and struck in the metre's comping rhythm
    (see the module's docstring), with velocities.

    `measure_ql` is the length of every measure, or a list of each measure's length;
    `time_signatures` (one per measure, as written) tell a waltz from 6/8.  With `rng` the
    rhythms vary bar by bar (seeded) and velocities by a few steps; `qpm` makes slow tempos
    hold more chords.
    """
    bars = bars_of(measures, measure_ql, time_signatures)
    notes: list[TimedNotes] = []
    previous = None
    anticipated = False
    for number, bar in enumerate(bars):
        hits = _comp_hits(bar, rng, qpm)
        if anticipated:                                          # struck already, on the "and" of 4
            hits = [h for h in hits if h[0] > _EPS]
        following = bars[number + 1] if number + 1 < len(bars) else None
        anticipated = rng is not None and _anticipates(bar, following) \
            and rng.random() < ANTICIPATION_PROBABILITY
        if anticipated:
            hits = [(o, min(d, 3.5 - o), kind) for o, d, kind in hits if o < 3.5 - _EPS]
        for offset, length, kind in hits:
            c = bar.chord_at(offset)
            if c is None or is_silent(c):
                continue
            voicing = previous = voice_chord(c, previous)
            velocity = COMP_VELOCITY + {"push": PUSH_ACCENT, "held": -HELD_DROP}.get(kind, 0)
            notes.append(TimedNotes(bar.start_ql + offset,
                                    length * (HELD_LENGTH if kind == "held" else COMP_LENGTH),
                                    voicing, _jitter(velocity, rng)))
        if anticipated:
            voicing = previous = voice_chord(following.chords[0][2], previous)
            notes.append(TimedNotes(bar.start_ql + 3.5, 0.5 * HELD_LENGTH, voicing,
                                    _jitter(COMP_VELOCITY + ANTICIPATION_ACCENT, rng)))
    return notes


def _bass_note(pc: int, near: int) -> int:
    """The pitch of class `pc` in the bass register nearest to `near`."""
    options = [m for m in range(BASS_LOW, BASS_HIGH + 1) if m % 12 == pc]
    return min(options, key=lambda m: (abs(m - near), m))


def _bass_steps(bar: Bar, offset: float, span: float, rng) -> list[tuple[float, float]]:
    """(offset in the chord, length) of the bass notes under one chord, by the bar's feel."""
    walking = [(float(b), min(1.0, span - b)) for b in range(max(1, int(round(span))))]
    if bar.feel == "compound":
        return [(k * 1.5, min(1.5, span - k * 1.5)) for k in range(max(1, int(round(span / 1.5))))]
    if bar.feel == "3/4" and span >= 1 - _EPS:
        name, _ = _choose(WALTZ_BASS, rng)
        if name == "walking":
            return walking
        third = 2.0 - offset                                     # beat 3 of the bar, in the chord
        if name == "one and three" and 1 - _EPS <= third < span - _EPS:
            return [(0.0, third), (third, span - third)]
        return [(0.0, span)]
    return walking


def bass_track(measures: Sequence[Sequence[chord.Chord]],
               measure_ql: float | Sequence[float] = 4.0, *,
               time_signatures: Sequence[str] | None = None,
               rng: np.random.Generator | None = None) -> list[TimedNotes]:
    """A bass line: the root (or slash bass) on each chord's first beat, chord tones after,
    and a chromatic approach into the next chord's bass on its last note.

    Quarter notes in 4/4 and other simple metres (with `rng`, now and then the third beat
    split into a note and a ghosted eighth, the walking bassist's skip), 1 and 3 in a waltz,
    dotted quarters in 6/8.  N.C. is silent; before it the last note is a chord tone, at the
    end an approach to the chord's own bass.
    """
    bars = bars_of(measures, measure_ql, time_signatures)
    chords = [(bar, offset, span, c) for bar in bars for offset, span, c in bar.chords]
    notes: list[TimedNotes] = []
    current = 40                                     # E2, somewhere in the middle
    for i, (bar, offset, span, c) in enumerate(chords):
        if is_silent(c):
            continue
        start = bar.start_ql + offset
        classes = _pitch_classes(c)
        following = chords[i + 1][3] if i + 1 < len(chords) else None
        target = None if following is not None and is_silent(following) else \
            bass_pitch_class(c if following is None else following)
        steps = _bass_steps(bar, offset, span, rng)
        for k, (step, duration) in enumerate(steps):
            if k == 0:
                current = _bass_note(bass_pitch_class(c), current)
            elif k == len(steps) - 1 and target is not None:
                aim = _bass_note(target, current)
                current = aim - 1 if aim - 1 >= BASS_LOW else aim + 1
            else:
                current = _bass_note(classes[min(k, len(classes) - 1)], current)
            velocity = BASS_VELOCITY + (BASS_CHANGE_ACCENT if k == 0 else 0)
            skip = rng is not None and bar.feel in ("4/4", "simple") and len(steps) >= 3 \
                and k == 2 and duration >= 1 - _EPS and rng.random() < SKIP_PROBABILITY
            if skip:
                notes.append(TimedNotes(start + step, 0.5 * BASS_LENGTH, (current,),
                                        _jitter(velocity, rng)))
                notes.append(TimedNotes(start + step + 0.5, 0.5 * BASS_LENGTH, (current,),
                                        _jitter(BASS_GHOST_VELOCITY, rng)))
            else:
                notes.append(TimedNotes(start + step, duration * BASS_LENGTH, (current,),
                                        _jitter(velocity, rng)))
    return notes


def _measure_key(measure: Sequence[chord.Chord]) -> tuple:
    """What makes two measures the same harmony: each chord's offset, length and symbol."""
    def name(c):
        symbol = _symbol(c)
        return symbol.symbol if symbol is not None else tuple(sorted(p.midi for p in c.pitches))
    return tuple((round(float(c.offset), 4), round(float(c.quarterLength), 4), name(c))
                 for c in measure)


MIN_CHORUS_BARS = 4


def chorus_form(measures: Sequence[Sequence[chord.Chord]]) -> tuple[int, int] | None:
    """(first bar of the first chorus, bars per chorus) when the chords are one progression
    played two or more times in a row (after at most one pickup bar; the last chorus may end
    early, as an iReal chart's does at its END), else None: the form is not known.

    >>> from jazzsolo.music.progression import parse_progression, repeat_choruses
    >>> chorus_form(repeat_choruses(parse_progression("Dm7 | G7 | Cmaj7 | A7"), 3))
    (0, 4)
    >>> chorus_form(parse_progression("Dm7 | G7 | Cmaj7 | A7")) is None
    True
    >>> form = parse_progression("Dm7 | G7 | Cmaj7 | A7 | Dm7 | G7")     # ends before its turnaround
    >>> chorus_form(form + form[:4])
    (0, 6)
    >>> a, b = parse_progression("C | C | C | C | C | C | C | G7"), parse_progression("F | " * 7 + "G7")
    >>> chorus_form(a + a + b + a) is None                              # AABA, once
    True
    """
    keys = [_measure_key(m) for m in measures]
    for period in range(MIN_CHORUS_BARS, len(keys) - MIN_CHORUS_BARS + 1):
        for first in (0, 1):
            body = keys[first:]
            full, rest = divmod(len(body), period)
            # a short last chorus counts when it plays at least half the form, so a tune
            # played once whose last section repeats its first (A A B A) is not taken for one
            if (full >= 2 or (full == 1 and rest >= max(MIN_CHORUS_BARS, period / 2))) \
                    and all(body[i] == body[i + period] for i in range(len(body) - period)):
                return first, period
    return None
