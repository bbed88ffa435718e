"""A solo → a MusicXML lead sheet: the line with chord symbols, key, metre, tempo and title.

What a musician reads, written with music21 (its ``makeNotation`` beams, ties and spells
accidentals against the key signature):

* one part, one measure per solo measure with its own time signature (a short first measure is
  a pickup, bar 0); notes spelled in the key (Bb, not A#, in F), rests where the solo is silent;
* the rhythm as played, on the 1/12-quarter grid the solo's onsets and durations lie on (16ths
  and 8th-note triplets add up to it).  A note that is no single written value (a triplet tied
  over the beat, 5/12 of a beat) is written as tied notes that each fit within a beat
  (`rhythm_pieces`), so a triplet is a triplet (``<time-modification>``) and no note needs a
  duration music21 cannot write.  Swing eighths are written straight, as on any lead sheet;
* a chord symbol above each chord change: from the chord's ``.symbol`` (a
  `jazzsolo.music.chord_symbols.ChordSymbol`, root, bass and text as written) when it has one, else
  named from its pitches, the root spelled in the key.
"""
from __future__ import annotations

import functools
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from music21 import (clef, duration, harmony, key, meter, metadata, note, pitch, stream, tempo,
                     tie)
from music21.musicxml.m21ToXml import GeneralObjectExporter

from jazzsolo.music.chord_symbols import ChordSymbol
from jazzsolo.config import check_setting
from jazzsolo.errors import ConfigError, OutputExistsError
from jazzsolo.music.metre import time_signature_ql
from jazzsolo.files import write_atomic

if TYPE_CHECKING:
    from jazzsolo.music.notes import Note
    from jazzsolo.generate.measures import Solo

GRID_PER_QUARTER = 12        # offsets and durations are written on 1/12 quarter: 16ths, triplets
_TUPLET_IN_BEAT = (1, 2, 4, 8)          # twelfths: 32nd, 16th, 8th and quarter triplets
_BEAT_CUTS = (6, 3, 9, 4, 8)            # where a beat is split first: half, quarters, thirds
_EXOTIC_KINDS = {"Neapolitan", "Italian", "French", "German", "Tristan", "pedal"}
_DEGREE_SEMITONES = {1: 0, 2: 2, 3: 4, 4: 5, 5: 7, 6: 9, 7: 11, 9: 2, 11: 5, 13: 9}
_KEY_RE = re.compile(r"^([A-Ga-g])([#b♯♭]?)\s*(m|min|minor|-|maj|major)?$")
_KEY_EXAMPLES = "e.g. F, Bb, Eb major, C-, F#m"


def write_solo_musicxml(solo: Solo, path: str | os.PathLike, *, title: str = "Jazz solo",
                        qpm: float, key: str | None = None, overwrite: bool = False,
                        model_name: str | None = None) -> Path:
    """Write the solo as a MusicXML lead sheet; the key is estimated from the notes if not given.

    `key` is written as in a chart: ``"F"``, ``"Bb"``, ``"C-"`` or ``"Cm"`` (minor); the credits
    name `model_name`, the model that played.  The file is written atomically and an existing
    one is kept unless `overwrite` is set.
    """
    path = Path(path)
    if path.exists() and not path.is_dir() and not overwrite:   # before the work, not only after
        raise OutputExistsError(f"{path}: exists already")
    score = solo_to_lead_sheet(solo, title=title, qpm=qpm, key=key, model_name=model_name)
    return write_atomic(path, musicxml_bytes(score), overwrite=overwrite)


def musicxml_bytes(score: stream.Score) -> bytes:
    """The bytes of a MusicXML file (score-partwise) of a score whose notation is made."""
    exporter = GeneralObjectExporter(score)
    exporter.makeNotation = False               # `solo_to_lead_sheet` made it, ties included
    return exporter.parse()


def solo_to_lead_sheet(solo: Solo, *, title: str = "Jazz solo", qpm: float,
                       key: str | None = None, model_name: str | None = None) -> stream.Score:
    """The solo as a music21 lead sheet: one part of measures, chord symbols, key, metre, tempo;
    the credits name the model that played (`model_name`), when given."""
    check_setting("qpm", qpm)
    the_key = parse_key(key) if key is not None else estimate_key(solo)
    part = stream.Part(id="Solo")
    part.partName = "Solo"
    previous_chord = None
    for number in range(solo.n_measures):
        measure, length, phase = _empty_measure(solo, number)
        if number == 0:
            measure.insert(0, clef.TrebleClef())
            measure.insert(0, the_key)
            measure.insert(0, tempo.MetronomeMark(number=qpm, referent=note.Note(type="quarter")))
        for offset, element in _line(solo.notes[number], length, the_key, phase):
            measure.insert(offset, element)
        for c in solo.chords[number] if number < len(solo.chords) else ():
            offset = max(round(float(c.offset) * GRID_PER_QUARTER), 0)
            if _chord_key(c) != previous_chord and offset < length:   # a symbol at each change
                previous_chord = _chord_key(c)
                measure.insert(Fraction(offset, GRID_PER_QUARTER), chord_symbol_for(c, the_key))
        part.append(measure)
    score = stream.Score(id="LeadSheet")
    composer = f"jazzsolo, model {model_name}" if model_name else "jazzsolo"
    score.metadata = metadata.Metadata(title=title, composer=composer)
    score.insert(0, part)
    score.makeNotation(inPlace=True)
    _carry_accidentals_over_ties(part)
    return score


def _empty_measure(solo: Solo, number: int) -> tuple[stream.Measure, int, int]:
    """Measure `number` with its bar number, padding and (when it changes) time signature;
    also its length and the part of its bar missing before it (a pickup's), in twelfths.

    A first measure shorter than its bar is a pickup: bar 0, not counted, its notes at the
    bar's end; a later short measure stops early.
    """
    length = _twelfths(solo.measure_length_ql(number), f"measure {number + 1}'s length")
    signature = solo.time_signature(number)
    missing = _twelfths(time_signature_ql(signature), f"a bar of {signature}") - length
    first_bar = 0 if _twelfths(solo.measure_length_ql(0), "the first measure's length") < \
        _twelfths(time_signature_ql(solo.time_signature(0)), "its bar") else 1
    measure = stream.Measure(number=number + first_bar)
    if number == 0:
        measure.paddingLeft = Fraction(missing, GRID_PER_QUARTER)
        if first_bar == 0:
            measure.showNumber = stream.enums.ShowNumber.NEVER     # <measure implicit="yes">
    else:
        measure.paddingRight = Fraction(missing, GRID_PER_QUARTER)
    if number == 0 or signature != solo.time_signature(number - 1):
        measure.insert(0, meter.TimeSignature(signature))
    return measure, length, missing if number == 0 else 0


def _carry_accidentals_over_ties(part: stream.Part) -> None:
    """Give every note of a tie the accidental of its first note, hidden.

    makeNotation shows a natural sign on the first note only and leaves the others without
    one; readers (music21's stripTies) then see G-natural tied to a different G.
    """
    first = None
    for n in part.recurse().getElementsByClass(note.Note):
        if n.tie is not None and n.tie.type == "start":
            first = n
        elif n.tie is not None and first is not None and n.pitch.midi == first.pitch.midi:
            if first.pitch.accidental is not None and n.pitch.accidental is None:
                n.pitch.accidental = pitch.Accidental(first.pitch.accidental.name)
                n.pitch.accidental.displayStatus = False
        if n.tie is None or n.tie.type == "stop":
            first = None


# ---------------------------------------------------------------------------------------------
# Rhythm: notes and rests on the 1/12-quarter grid, split into pieces written as one note each.

def _twelfths(ql: float, what: str) -> int:
    """Quarter lengths as a whole number of grid steps; off the grid is a ConfigError."""
    steps = round(ql * GRID_PER_QUARTER)
    if abs(steps - ql * GRID_PER_QUARTER) > 1e-4 or steps <= 0:
        raise ConfigError(f"{what} ({ql:g} quarter lengths) is not a whole number of "
                          f"1/{GRID_PER_QUARTER} quarter notes; it cannot be written")
    return steps


@functools.lru_cache(maxsize=None)
def _is_plain(steps: int) -> bool:
    """True when `steps` twelfths are one written note with at most one dot and no tuplet."""
    if steps % 3:
        return False
    written = duration.Duration(Fraction(steps, GRID_PER_QUARTER))
    return written.type not in ("complex", "inexpressible") and not written.tuplets \
        and written.dots <= 1


def rhythm_pieces(start: int, end: int, phase: int = 0) -> list[tuple[int, int]]:
    """Split a note or rest [start, end) (twelfths of a quarter) into pieces written as one note.

    A note off the 16th grid (a triplet) is cut at the beats, and a piece within a beat that is
    no single note (5/12, 7/12 ...) at its half, quarter or third; whole beats join up again.
    `phase` is where beat 1 lies before the measure's start (a pickup's missing part).

    >>> rhythm_pieces(0, 6), rhythm_pieces(4, 16), rhythm_pieces(3, 8)
    ([(0, 6)], [(4, 12), (12, 16)], [(3, 6), (6, 8)])
    """
    if (start + phase) % 3 == 0 and (end + phase) % 3 == 0 and _is_plain(end - start):
        return [(start, end)]
    beat = GRID_PER_QUARTER
    cuts = [start] + [b - phase for b in range(0, end + phase, beat)
                      if start < b - phase < end] + [end]
    pieces: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        pieces += _within_beat(a, b, phase)
    joined: list[tuple[int, int]] = []
    for a, b in pieces:                          # whole beats written as one longer note
        if joined and (joined[-1][0] + phase) % beat == 0 and (b - a) == beat \
                and (joined[-1][1] - joined[-1][0]) % beat == 0 and _is_plain(b - joined[-1][0]):
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return joined


def _within_beat(a: int, b: int, phase: int) -> list[tuple[int, int]]:
    """Pieces of a span inside one beat: a 16th value or a triplet each."""
    if (b - a) % 3 == 0 or (b - a) in _TUPLET_IN_BEAT:
        return [(a, b)]
    beat_start = a - (a + phase) % GRID_PER_QUARTER
    for cut in _BEAT_CUTS:
        p = beat_start + cut
        if a < p < b and ((p - a) % 3 == 0 or (p - a) in _TUPLET_IN_BEAT):
            return [(a, p)] + _within_beat(p, b, phase)
    return [(a, a + 1)] + _within_beat(a + 1, b, phase)


def _spans(events: Sequence[Note], length: int) -> list[tuple[int, int, int]]:
    """(start, end, MIDI pitch) of a measure's notes in twelfths, inside the measure, one at a
    time: a note that would overlap the next after rounding to the grid is cut short."""
    spans: list[tuple[int, int, int]] = []
    for e in sorted((e for e in events if e.midi is not None), key=lambda e: e.offset_ql):
        start = round(e.offset_ql * GRID_PER_QUARTER)
        end = min(round((e.offset_ql + e.duration_ql) * GRID_PER_QUARTER), length)
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], start, spans[-1][2])
            if spans[-1][1] <= spans[-1][0]:
                spans.pop()
        if end > start >= 0:
            spans.append((start, end, e.midi))
    return spans


def _line(events: Sequence[Note], length: int, the_key: key.Key,
          phase: int) -> list[tuple[Fraction, note.GeneralNote]]:
    """(offset, note or rest) of one measure: the notes in pieces tied together, rests between."""
    placed: list[tuple[Fraction, note.GeneralNote]] = []
    now = 0
    for start, end, midi in _spans(events, length) + [(length, length, None)]:
        for a, b in rhythm_pieces(now, start, phase) if start > now else ():
            placed.append((Fraction(a, GRID_PER_QUARTER),
                           note.Rest(quarterLength=Fraction(b - a, GRID_PER_QUARTER))))
        if midi is None:
            break
        pieces = rhythm_pieces(start, end, phase)
        for i, (a, b) in enumerate(pieces):
            n = note.Note(spell_pitch(midi, the_key), quarterLength=Fraction(b - a, GRID_PER_QUARTER))
            if len(pieces) > 1:
                n.tie = tie.Tie("start" if i == 0 else "stop" if i == len(pieces) - 1 else "continue")
            placed.append((Fraction(a, GRID_PER_QUARTER), n))
        now = end
    return placed


# ---------------------------------------------------------------------------------------------
# Pitch: the key, and notes and chord roots spelled in it.

def parse_key(text: str) -> key.Key:
    """A key written as in a chart: a root, then ``m``, ``min``, ``minor`` or ``-`` for minor.

    >>> parse_key("Bb"), parse_key("C-"), parse_key("F# minor")
    (<music21.key.Key of B- major>, <music21.key.Key of c minor>, <music21.key.Key of f# minor>)
    """
    match = _KEY_RE.match(str(text).strip())
    if match is None:
        raise ConfigError(f"unreadable key {text!r} ({_KEY_EXAMPLES})")
    letter, accidental, mode = match.groups()
    tonic = letter.upper() + {"b": "-", "♭": "-", "♯": "#"}.get(accidental, accidental)
    minor = mode in ("m", "min", "minor", "-")
    return key.Key(tonic.lower() if minor else tonic, "minor" if minor else "major")


KEY_HINT_MARGIN = 0.1          # correlation a key may lose to the best and still be chosen


def estimate_key(solo: Solo) -> key.Key:
    """The key music21's analysis (Krumhansl-Schmuckler) hears in the solo and its chords.

    Notes and chord tones count as long as they sound.  Dominant chords pull the analysis a
    fourth up (a blues in F reads as Bb), so among the keys within `KEY_HINT_MARGIN` of the best
    the one of the first chord (then the last), as a jazz tune states its tonic, is preferred.
    An empty solo is in C.
    """
    sounding = stream.Stream()
    for timed in solo.timed_notes() + solo.timed_chords():
        for midi in timed.pitches:
            if timed.duration_ql > 0:
                sounding.insert(timed.offset_ql, note.Note(midi, quarterLength=timed.duration_ql))
    if not sounding.notes:
        return key.Key("C")
    best = sounding.analyze("key")
    candidates = [best] + [k for k in best.alternateInterpretations
                           if k.correlationCoefficient >= best.correlationCoefficient - KEY_HINT_MARGIN]
    chords = [c for measure in solo.chords for c in measure if _root_and_tones(c) is not None]
    for c in chords[:1] + chords[-1:]:
        root, tones = _root_and_tones(c)
        mode = "minor" if 3 in tones and 4 not in tones else "major"
        for k in candidates:
            if k.tonic.pitchClass == root and k.mode == mode:
                return key.Key(k.tonic.name, k.mode)
    return key.Key(best.tonic.name, best.mode)


def _spelled_name(pitch_class: int, the_key: key.Key) -> str:
    """A pitch class named as in the key: its scale's name (a minor key's raised 6th and 7th
    included), else a flat in flat keys, a sharp in sharp keys, music21's name in C and A minor."""
    scale = list(the_key.getPitches())
    if the_key.mode == "minor":
        scale += [the_key.tonic.transpose("M6"), the_key.tonic.transpose("M7")]
    for p in scale:
        if p.pitchClass == pitch_class:
            return p.name
    name = pitch.Pitch(pitch_class).name
    if (the_key.sharps > 0 and "-" in name) or (the_key.sharps < 0 and "#" in name):
        return pitch.Pitch(pitch_class).getEnharmonic().name
    return name


def spell_pitch(midi: int, the_key: key.Key) -> pitch.Pitch:
    """A MIDI note spelled in the key.

    >>> spell_pitch(70, key.Key("F")).nameWithOctave, spell_pitch(70, key.Key("E")).nameWithOctave
    ('B-4', 'A#4')
    """
    spelled = pitch.Pitch(_spelled_name(midi % 12, the_key) + "4")
    spelled.octave += (midi - int(spelled.midi)) // 12
    return spelled


@functools.lru_cache(maxsize=1)
def _kinds() -> dict[str, frozenset[int]]:
    """music21's chord kinds (the jazz ones) as sets of semitones above the root."""
    kinds = {}
    for kind, (degrees, _) in harmony.CHORD_TYPES.items():
        if kind in _EXOTIC_KINDS:
            continue
        semitones = set()
        for degree in degrees.split(","):
            number = int(degree.lstrip("-#"))
            semitones.add((_DEGREE_SEMITONES[number] + degree.count("#") - degree.count("-")) % 12)
        kinds[kind] = frozenset(semitones)
    return kinds


def _closest_kind(intervals: set[int]) -> tuple[int, int, str]:
    """(tones differing, -tones shared, kind) of the music21 kind nearest these semitones."""
    return min((len(intervals ^ semitones), -len(intervals & semitones), kind)
               for kind, semitones in _kinds().items())


def _music21_name(name: str) -> str:
    """A note name as jazz writes it ('Bb', 'F#') in music21's spelling ('B-', 'F#')."""
    return name[0] + name[1:].replace("b", "-").replace("♭", "-").replace("♯", "#")


def _chord_key(c) -> tuple:
    """What makes two chords the same symbol: the symbol as written, else the pitch classes
    and the bass."""
    symbol = getattr(c, "symbol", None)
    if isinstance(symbol, ChordSymbol):
        return ("symbol", symbol.symbol)
    pitches = sorted(c.pitches, key=lambda p: p.midi)
    return ("pitches", frozenset(p.pitchClass for p in pitches),
            pitches[0].pitchClass if pitches else None)


def _root_and_tones(c) -> tuple[int, frozenset[int]] | None:
    """A chord's root pitch class and its tones as semitones above the root; None for N.C.

    From the chord's jazzsolo ``.symbol`` when it has one; else the lowest note is the root
    unless another pitch class makes a closer music21 chord kind.
    """
    symbol = getattr(c, "symbol", None)
    if isinstance(symbol, ChordSymbol):
        return None if symbol.is_no_chord else (symbol.root_pc, frozenset(symbol.intervals))
    pitches = sorted(c.pitches, key=lambda p: p.midi)
    if not pitches:
        return None
    classes = {p.pitchClass for p in pitches}
    roots = list(dict.fromkeys(p.pitchClass for p in pitches))      # lowest note first
    *_, root = min((*_closest_kind({(pc - r) % 12 for pc in classes})[:2], rank, r)
                   for rank, r in enumerate(roots))
    return root, frozenset((pc - root) % 12 for pc in classes)


def chord_symbol_for(c, the_key: key.Key) -> harmony.Harmony:
    """The music21 chord symbol written above the staff for one chord of the solo.

    A chord with a jazzsolo ``.symbol`` keeps its root, bass and written text (``<kind
    text="-7">``); any other chord is named from its pitches (`_root_and_tones`), root and bass
    spelled in the key.  A chord without pitches, or N.C., is N.C.
    """
    found = _root_and_tones(c)
    if found is None:
        return harmony.NoChord()
    root, tones = found
    kind = _closest_kind(set(tones))[2]
    symbol = getattr(c, "symbol", None)
    if isinstance(symbol, ChordSymbol):
        written = harmony.ChordSymbol(root=_music21_name(symbol.root),
                                      bass=_music21_name(symbol.bass), kind=kind)
        if symbol.suffix:
            written.chordKindStr = symbol.suffix
        return written
    bass = min(c.pitches, key=lambda p: p.midi).pitchClass
    return harmony.ChordSymbol(root=_spelled_name(root, the_key),
                               bass=_spelled_name(bass, the_key), kind=kind)
