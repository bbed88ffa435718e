"""Notes on the written grid → notes as a band plays them: swing, dynamics and articulation.

The model, the `Solo` and the MusicXML keep the straight grid; this stage runs only when the
performance MIDI (and from it the WAV) is written.

Swing
    An off-beat eighth (an onset half a beat after a quarter-note beat) is played late, at
    ``s = ratio / (1 + ratio)`` of the beat, where the ratio is the first eighth's length over
    the second's.  Sixteenths are left even: a beat with an onset on its first or last quarter
    (a sixteenth run) is played straight, as soloists play them (WJazzD: in beats divided in
    4, the 2nd-4th sixteenths sit at 0.24-0.27, 0.47-0.52 and 0.78-0.80 of the beat at every
    tempo; ``scripts/measure_swing.py`` prints the table).  Triplets and other tuplets stay
    where they are written (they are swing already); a beat whose onsets would then fall out
    of order is played straight.  Only metres with quarter-note (or longer) beats swing: in
    6/8 and other eighth-note metres the eighths are the beat or its triplet division and stay
    even.  Beats and downbeats never move.  A note that ends where another starts ends where
    that note now starts (legato stays legato); an end on the sixteenth grid of a swung beat
    moves with the beat's piecewise-linear warp (half beat to ``s``); any other end moves with
    its own onset, never past the beat it was written to end in.
    The default ratio depends on the tempo: `SWING_TABLE`, medians measured from the Weimar
    Jazz Database by ``scripts/measure_swing.py``; ``swing_ratio=1`` plays straight.

Dynamics (solo; velocities 1-127, before a random ±3 of human variation)
    * Phrases are the runs of notes between rests of an eighth or longer.
    * Contour: each phrase rises from `CONTOUR_START` to `CONTOUR_PEAK` at its peak (its highest
      note, the first if repeated), then tapers to `CONTOUR_END` at its last note, around
      `BASE_VELOCITY`.
    * Accents: the peak note (`PEAK_ACCENT`); syncopations (`SYNCOPATION_ACCENT`): an off-beat
      note that is held across the next beat (a tie over the beat), lasts longer than the note
      before it, or leads into a longer note; the first note of a bar (`DOWNBEAT_ACCENT`); the
      off-beat eighths of an eighth-note line, the swing "lilt" (`LILT_ACCENT`); the top of a
      turn inside a phrase, a note higher than both its neighbours (`TURN_ACCENT`).
    * Softer: ghost notes (`GHOST_DROP`): a short note (a sixteenth or triplet eighth, at most a
      third of a beat) on a weak subdivision (neither on the beat nor on the half beat) inside
      a fast run (short notes on both sides), unless it is the top of a turn; passing notes
      (`PASSING_DROP`): off the beat, reached and left by step in one direction.
    * Only one of syncopation, turn, ghost and passing applies to a note, in that order.

Articulation (a note's sounding length as a fraction of its slot: the time to the next onset
when the next note follows at once, else its own written length; all after swing)
    * A note followed at once by the next sounds for the fraction of its slot the players
      give it (`CONNECTED_TABLE`, measured from WJazzD: 0.84 in eighth-note and faster runs,
      0.80 up to a beat, `CONNECTED` 0.64 for a beat or longer).
    * A syncopated note held across the beat keeps its full length: `HELD`.
    * The last note before a rest is detached (`DETACHED`), or short staccato (`STACCATO`) when
      it is an eighth or shorter; the solo's very last note rings (`LAST`).
    * Each solo has its touch, a legato factor on every length: the touch of the training solo
      it plays as when the model gives one (`encodings.voice.measured_touch`: Parker's runs sound
      4 % longer than the training solos' mean), else drawn once (`ARTICULATION_STYLE_SD`).
      Each length varies by a random 20 % on top (`LENGTH_JITTER`; never past the next onset,
      never longer than its slot): the WJazzD players' spread between solos and within one.

Randomness comes from a `np.random.Generator` passed in (derived from the solo's seed), so the
same seed gives the same performance, byte for byte.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from jazzsolo.errors import ConfigError
from jazzsolo.music.metre import parse_time_signature, time_signature_ql
from jazzsolo.music.notes import TimedNotes

# Swing ratio (first eighth : second eighth) of off-beat eighths by tempo, medians of 30,079
# notes on the 2nd tatum of a beat divided in 2 in the 410 solos of the Weimar Jazz Database
# (Jazzomat Research Project, HfM Weimar; ODbL 1.0), measured by scripts/measure_swing.py
# (40 bpm bins, tempo = 60 / beatdur):
#   bpm     40-80  80-120 120-160 160-200 200-240 240-280 280-320 320-360
#   notes     227    1099    3900    4759    6095    7497    5822     680
#   median   1.32    1.38    1.59    1.56    1.43    1.31    1.15    1.04
# (tempo in quarter notes per minute, bin centre; ratio) — interpolated, held at the ends.
SWING_TABLE = ((60.0, 1.32), (100.0, 1.38), (140.0, 1.59), (180.0, 1.56), (220.0, 1.43),
               (260.0, 1.31), (300.0, 1.15), (340.0, 1.04))
MIN_SWING_RATIO, MAX_SWING_RATIO = 0.5, 4.0    # 1 = straight, 2 = triplet swing, 3 = dotted
_EPS = 1e-6

BASE_VELOCITY = 80
CONTOUR_START, CONTOUR_PEAK, CONTOUR_END = -8, 6, -12
PEAK_ACCENT = 10
SYNCOPATION_ACCENT = 10
DOWNBEAT_ACCENT = 4
LILT_ACCENT = 3
TURN_ACCENT = 4
GHOST_DROP = 16
PASSING_DROP = 6
VELOCITY_JITTER = 3.0                  # standard deviation, velocity steps
MIN_VELOCITY, MAX_VELOCITY = 24, 124
PHRASE_REST_QL = 0.5                   # a rest this long (quarter lengths) ends a phrase

# Sounding fraction of a note that the next note follows at once, by the time to that next
# onset: means over 179,751 notes of the 410 WJazzD solos, measured by
# scripts/measure_articulation.py (the players tongue their lines; eighths are not slurred):
#   time to the next onset   <= 1/2 beat   1/2-1 beat   1-2 beats   > 2 beats
#   notes                      122,238       31,638       18,020       7,855
#   mean fraction                 0.84         0.80         0.64        0.38
# Notes of more than two beats are held as those of one to two: the players' 0.38 there mostly
# marks notes that die away before a pause, and a pause is written as a rest here.
CONNECTED_TABLE = ((0.55, 0.84), (0.9, 0.80))   # (at most this many beats, fraction)
CONNECTED = 0.64                                 # a note followed at once, a beat or longer
HELD, DETACHED, STACCATO, LAST = 1.0, 0.85, 0.5, 0.95
LENGTH_JITTER = 0.2                    # standard deviation, fraction of the sounding length:
                                       # the WJazzD players' spread within a solo (0.21 of the
                                       # median for notes 1/2 beat or less apart, median solo)
ARTICULATION_STYLE_SD = 0.12           # standard deviation of log(solo's legato factor): how
                                       # far the players' solos differ (log sd of their medians)
MIN_SOUNDING_QL = 1 / 16


def swing_ratio_for(qpm: float) -> float:
    """The median swing ratio of jazz soloists at `qpm`, from `SWING_TABLE` (interpolated).

    >>> swing_ratio_for(140), swing_ratio_for(160), swing_ratio_for(400)
    (1.59, 1.575, 1.04)
    """
    tempos, ratios = zip(*SWING_TABLE)
    return round(float(np.interp(qpm, tempos, ratios)), 4)


def check_swing_ratio(ratio: float) -> float:
    """A swing ratio in range, as a float; anything else is a ConfigError."""
    try:
        value = float(ratio)
    except (TypeError, ValueError):
        value = math.nan
    if not MIN_SWING_RATIO <= value <= MAX_SWING_RATIO:
        raise ConfigError(f"swing ratio must be from {MIN_SWING_RATIO:g} to {MAX_SWING_RATIO:g} "
                          f"(1 = straight, 2 = triplet swing), got {ratio!r}")
    return value


# ---------------------------------------------------------------------------------------------
# The metre: which beats swing, where the beats and bars are.

@dataclass(frozen=True)
class _Segment:
    """A stretch of one time signature: from `start_ql`, bars of `bar_ql`, beats of `beat_ql`."""

    start_ql: float
    bar_ql: float
    beat_ql: float                     # the felt beat: a quarter, a dotted quarter in 6/8, ...
    swings: bool                       # quarter-note beats: the eighths between them swing


def _segments(time_signatures: Sequence[tuple[float, str]]) -> list[_Segment]:
    changes = sorted(time_signatures, key=lambda c: c[0]) or [(0.0, "4/4")]
    segments = []
    for start, text in changes:
        numerator, denominator = parse_time_signature(text)
        compound = denominator >= 8 and numerator > 3 and numerator % 3 == 0
        beat = 1.5 * 8 / denominator if compound else min(1.0, 4.0 / denominator)
        segments.append(_Segment(float(start), time_signature_ql(text), beat, denominator <= 4))
    return segments


def _segment_at(segments: list[_Segment], offset: float) -> _Segment:
    found = segments[0]
    for segment in segments:
        if segment.start_ql <= offset + _EPS:
            found = segment
    return found


def _beat_of(segments, offset: float) -> tuple[_Segment, int, float]:
    """(segment, beat index in it, fraction of the beat) of an offset."""
    segment = _segment_at(segments, offset)
    position = (offset - segment.start_ql) / segment.beat_ql
    index = math.floor(position + _EPS)
    return segment, index, max(0.0, position - index)


def _on_sixteenth_grid(fraction: float) -> bool:
    return abs(fraction * 4 - round(fraction * 4)) < _EPS * 4


def _is_sixteenth(fraction: float) -> bool:
    """On the first or last quarter of a beat: a sixteenth that is no eighth."""
    return _on_sixteenth_grid(fraction) and abs(fraction * 2 - round(fraction * 2)) > _EPS


def _warp(fraction: float, s: float) -> float:
    """A position within a beat (0-1) swung so that the half beat lands on `s`."""
    return fraction * 2 * s if fraction <= 0.5 else s + (fraction - 0.5) * 2 * (1 - s)


# ---------------------------------------------------------------------------------------------
# Swing

def swing(notes: Sequence[TimedNotes], ratio: float, *,
          time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),)) -> list[TimedNotes]:
    """The notes with their off-beat eighths (and sixteenths) played late by `ratio` (see the
    module's docstring); velocities are kept.

    >>> [n.offset_ql for n in swing([TimedNotes(0.0, 0.5, (60,)), TimedNotes(0.5, 0.5, (62,))], 2.0)]
    [0.0, 0.6666666666666666]
    """
    ratio = check_swing_ratio(ratio)
    if abs(ratio - 1.0) < _EPS or not notes:
        return list(notes)
    s = ratio / (1.0 + ratio)
    segments = _segments(time_signatures)
    onsets = sorted({n.offset_ql for n in notes})
    by_beat: dict[tuple[float, int], list[float]] = {}
    for onset in onsets:
        segment, index, _ = _beat_of(segments, onset)
        by_beat.setdefault((segment.start_ql, index), []).append(onset)
    moved: dict[float, float] = {}
    straight_beats = set()
    for key, beat_onsets in by_beat.items():
        mapped = [_swing_point(segments, o, s) for o in beat_onsets]
        if any(_is_sixteenth(_beat_of(segments, o)[2]) for o in beat_onsets) \
                or any(b <= a + _EPS for a, b in zip(mapped, mapped[1:])):
            straight_beats.add(key)
            mapped = beat_onsets
        moved.update(zip(beat_onsets, mapped))
    moved_at = {_key(onset): new for onset, new in moved.items()}
    played = []
    for n in notes:
        start = moved[n.offset_ql]
        end = _swung_end(segments, n, start, s, moved_at, straight_beats)
        played.append(replace(n, offset_ql=start, duration_ql=end - start))
    return played


def _swing_point(segments, offset: float, s: float) -> float:
    segment, index, fraction = _beat_of(segments, offset)
    if not segment.swings or not _on_sixteenth_grid(fraction) or fraction < _EPS:
        return offset
    return segment.start_ql + (index + _warp(fraction, s)) * segment.beat_ql


def _key(offset: float) -> int:
    """An offset as a dictionary key, equal for offsets that differ by rounding only."""
    return round(offset * 1e5)


def _swung_end(segments, n: TimedNotes, start: float, s: float, moved_at: dict[int, float],
               straight_beats: set) -> float:
    end = n.offset_ql + n.duration_ql
    if _key(end) in moved_at:                      # ends where a note starts: stays legato
        return max(moved_at[_key(end)], start + min(MIN_SOUNDING_QL, n.duration_ql))
    segment, index, fraction = _beat_of(segments, end)
    beat_end = segment.start_ql + (index + (1 if fraction > _EPS else 0)) * segment.beat_ql
    if (segment.start_ql, index) not in straight_beats and _on_sixteenth_grid(fraction):
        new_end = _swing_point(segments, end, s)
    else:
        new_end = min(end + (start - n.offset_ql), max(beat_end, end))
    return max(new_end, start + min(MIN_SOUNDING_QL, n.duration_ql))


# ---------------------------------------------------------------------------------------------
# Dynamics and articulation of a solo line

def phrases(notes: Sequence[TimedNotes], rest_ql: float = PHRASE_REST_QL) -> list[list[int]]:
    """Indices of the notes (sorted by onset) in each phrase: a rest of `rest_ql` or more
    between one note's end and the next onset starts a new phrase.

    >>> phrases([TimedNotes(0, 1, (60,)), TimedNotes(1, 1, (62,)), TimedNotes(3, 1, (64,))])
    [[0, 1], [2]]
    """
    groups: list[list[int]] = []
    for i, n in enumerate(notes):
        if i and n.offset_ql - (notes[i - 1].offset_ql + notes[i - 1].duration_ql) < rest_ql - _EPS:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


@dataclass(frozen=True)
class _Context:
    """What the rules need to know of one note of a line."""

    fraction: float                    # position within its beat, 0-1
    beat_ql: float
    downbeat: bool                     # the first beat of a bar
    crosses_beat: bool                 # held past the next beat
    previous: TimedNotes | None        # neighbours within the phrase
    following: TimedNotes | None


def _contexts(notes: Sequence[TimedNotes], segments, groups) -> list[_Context]:
    contexts = []
    for group in groups:
        for j, i in enumerate(group):
            n = notes[i]
            segment, index, fraction = _beat_of(segments, n.offset_ql)
            bar_position = (n.offset_ql - segment.start_ql) % segment.bar_ql
            next_beat = segment.start_ql + (index + 1) * segment.beat_ql
            contexts.append(_Context(
                fraction, segment.beat_ql,
                fraction < _EPS and min(bar_position, segment.bar_ql - bar_position) < _EPS,
                n.offset_ql + n.duration_ql > next_beat + _EPS,
                notes[group[j - 1]] if j else None,
                notes[group[j + 1]] if j + 1 < len(group) else None))
    return contexts


def _is_syncopated(n: TimedNotes, c: _Context) -> bool:
    if c.fraction < _EPS:
        return False
    longer_than_before = c.previous is not None and n.duration_ql > c.previous.duration_ql + _EPS
    leads_into_longer = c.following is not None and c.following.duration_ql > n.duration_ql + _EPS \
        and abs(c.following.offset_ql - (n.offset_ql + n.duration_ql)) < _EPS
    return c.crosses_beat or longer_than_before or leads_into_longer


def _is_turn(n: TimedNotes, c: _Context) -> bool:
    """The top of a run: higher than the notes on both sides."""
    return c.previous is not None and c.following is not None \
        and max(n.pitches) > max(c.previous.pitches) and max(n.pitches) > max(c.following.pitches)


def _is_ghost(n: TimedNotes, c: _Context) -> bool:
    if _is_turn(n, c):
        return False
    weak = c.fraction > _EPS and abs(c.fraction - 0.5) > _EPS
    short = n.duration_ql <= c.beat_ql / 3 + _EPS
    in_run = c.previous is not None and c.following is not None \
        and c.previous.duration_ql <= c.beat_ql / 2 + _EPS \
        and c.following.duration_ql <= c.beat_ql / 2 + _EPS
    return weak and short and in_run


def _is_passing(n: TimedNotes, c: _Context) -> bool:
    if c.fraction < _EPS or c.previous is None or c.following is None:
        return False
    into, out = n.pitches[0] - c.previous.pitches[0], c.following.pitches[0] - n.pitches[0]
    return 1 <= abs(into) <= 2 and 1 <= abs(out) <= 2 and into * out > 0


def solo_velocities(notes: Sequence[TimedNotes], rng: np.random.Generator, *,
                    time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),)) -> list[int]:
    """A velocity per note of a line (sorted by onset, straight grid), by the rules of the
    module's docstring."""
    segments = _segments(time_signatures)
    groups = phrases(notes)
    contexts = _contexts(notes, segments, groups)
    velocities = []
    for group in groups:
        pitches = [max(notes[i].pitches) for i in group]
        peak = int(np.argmax(pitches))
        last = len(group) - 1
        for j, i in enumerate(group):
            n, c = notes[i], contexts[i]
            if not last:
                contour = 0.0
            elif j <= peak:
                contour = CONTOUR_START + (CONTOUR_PEAK - CONTOUR_START) * (j / peak if peak else 1.0)
            else:
                contour = CONTOUR_PEAK + (CONTOUR_END - CONTOUR_PEAK) * (j - peak) / (last - peak)
            v = BASE_VELOCITY + contour
            v += PEAK_ACCENT if last and j == peak else 0
            if _is_syncopated(n, c):
                v += SYNCOPATION_ACCENT
            elif _is_turn(n, c) and j != peak:
                v += TURN_ACCENT
            elif _is_ghost(n, c) and j != peak:
                v -= GHOST_DROP
            elif _is_passing(n, c):
                v -= PASSING_DROP
            if c.downbeat:
                v += DOWNBEAT_ACCENT
            elif abs(c.fraction - 0.5) < _EPS and n.duration_ql <= c.beat_ql / 2 + _EPS \
                    and c.previous is not None:
                v += LILT_ACCENT
            v += rng.normal(0.0, VELOCITY_JITTER)
            velocities.append(int(np.clip(round(v), MIN_VELOCITY, MAX_VELOCITY)))
    return velocities


def articulation(notes: Sequence[TimedNotes], *,
                 time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),)) -> list[float]:
    """The sounding fraction of each note's slot (see the module's docstring), before the
    random variation; `notes` sorted by onset, on the straight grid."""
    segments = _segments(time_signatures)
    contexts = _contexts(notes, segments, phrases(notes))
    fractions = []
    later = _next_onsets(notes)
    for i, (n, c) in enumerate(zip(notes, contexts)):
        following = notes[later[i]] if later[i] is not None else None
        connected = following is not None \
            and following.offset_ql - (n.offset_ql + n.duration_ql) < _EPS
        if following is None:
            fractions.append(LAST)
        elif c.crosses_beat and c.fraction > _EPS:
            fractions.append(HELD if not connected else connected_fraction(n.duration_ql / c.beat_ql))
        elif connected:
            fractions.append(connected_fraction(n.duration_ql / c.beat_ql))
        else:
            fractions.append(STACCATO if n.duration_ql <= c.beat_ql / 2 + _EPS else DETACHED)
    return fractions


def connected_fraction(slot_beats: float) -> float:
    """The sounding fraction of a note the next one follows at once, `slot_beats` apart."""
    for most_beats, fraction in CONNECTED_TABLE:
        if slot_beats <= most_beats + _EPS:
            return fraction
    return CONNECTED


def _next_onsets(notes: Sequence[TimedNotes]) -> list[int | None]:
    """For each note (sorted by onset), the index of the first note starting after it."""
    later: list[int | None] = []
    j = 0
    for i, n in enumerate(notes):
        j = max(j, i + 1)
        while j < len(notes) and notes[j].offset_ql <= n.offset_ql + _EPS:
            j += 1
        later.append(j if j < len(notes) else None)
    return later


def perform(notes: Sequence[TimedNotes], *, qpm: float, swing_ratio: float | None = None,
            time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),),
            rng: np.random.Generator | None = None, dynamics: bool = True,
            touch: float | None = None) -> list[TimedNotes]:
    """A solo line as played: velocities and articulation from the written grid (with
    `dynamics`), then swing at `swing_ratio` (None: `swing_ratio_for(qpm)`; 1: straight).
    `touch` is the solo's legato factor (None: drawn from `rng`).

    `notes` are offsets from the piece's start in quarter lengths; `time_signatures` the
    (offset, "N/D") changes of metre, as the MIDI file's tempo track has them.
    """
    ratio = swing_ratio_for(qpm) if swing_ratio is None else check_swing_ratio(swing_ratio)
    notes = sorted(notes, key=lambda n: (n.offset_ql, n.pitches))
    if not dynamics or not notes:
        return swing(notes, ratio, time_signatures=time_signatures)
    rng = rng if rng is not None else np.random.default_rng(0)
    velocities = solo_velocities(notes, rng, time_signatures=time_signatures)
    fractions = articulation(notes, time_signatures=time_signatures)
    swung = swing(notes, ratio, time_signatures=time_signatures)
    later = _next_onsets(notes)
    style = math.exp(rng.normal(0.0, ARTICULATION_STYLE_SD)) if touch is None else touch
    played = []
    for i, (n, velocity, fraction) in enumerate(zip(swung, velocities, fractions)):
        following = swung[later[i]] if later[i] is not None else None
        connected = following is not None and \
            notes[later[i]].offset_ql - (notes[i].offset_ql + notes[i].duration_ql) < _EPS
        slot = following.offset_ql - n.offset_ql if connected else n.duration_ql
        length = slot * min(1.0, fraction * style * (1.0 + rng.normal(0.0, LENGTH_JITTER)))
        if following is not None:
            length = min(length, following.offset_ql - n.offset_ql)
        length = max(length, min(MIN_SOUNDING_QL, slot))
        played.append(replace(n, duration_ql=length, velocity=velocity))
    return played


def perform_part(notes: Sequence[TimedNotes], *, qpm: float, swing_ratio: float | None = None,
                 time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),)) -> list[TimedNotes]:
    """A rhythm-section part (comp, bass, drums) as played: its own velocities and lengths,
    swung like the solo."""
    ratio = swing_ratio_for(qpm) if swing_ratio is None else check_swing_ratio(swing_ratio)
    return swing(notes, ratio, time_signatures=time_signatures)


def shift(notes: Sequence[TimedNotes], by_ql: float) -> list[TimedNotes]:
    """The notes `by_ql` quarter lengths later (a count-off before them)."""
    return [replace(n, offset_ql=n.offset_ql + by_ql) for n in notes]


# ---------------------------------------------------------------------------------------------
# The band: how a solo and its accompaniment are played (`export.solo_midi.band_midi` writes it).

@dataclass(frozen=True)
class Band:
    """How the band plays a solo when its MIDI file is written."""

    swing_ratio: float | None = None   # 1st eighth : 2nd; None: SWING_TABLE at the tempo; 1: straight
    dynamics: bool = True              # phrase dynamics and articulation in the solo (else flat)
    drums: bool = True                 # a drum track on channel 10
    bass: bool = True                  # the bass line under a "comp" accompaniment
    comp: bool = True                  # the piano: the comp, or the chords as given ("block")
    count_off: bool = False            # a bar of hi-hat clicks first (the band starts a bar later)
    seed: int = 0                      # seeds every random choice of the performance, 0 or more

    def __post_init__(self) -> None:
        if self.swing_ratio is not None:
            check_swing_ratio(self.swing_ratio)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ConfigError(f"the performance seed must be a whole number from 0, got {self.seed!r}")
