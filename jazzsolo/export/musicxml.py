"""A solo → a MusicXML lead sheet: the line with chord symbols, key, metre, tempo and title.

What a musician reads, written with music21 (which spells accidentals against the key signature,
beams, and writes the file):

* one part, one measure per solo measure with its own time signature (a short first measure is
  a pickup, bar 0), a light-heavy bar line at the end; the tune's title as the title;
* the key given, else the one the chart states, else the one its chords are in
  (`jazzsolo.music.keys.infer_key`: functional analysis of the changes, not of the notes); notes
  spelled in it (Ab, Db in Ab; never G#, C#);
* the part for the instrument that plays it: a guitar in treble-8vb, as guitar music is written
  an octave above its sound (at concert pitch in treble where that needs fewer ledger lines);
  a B♭ or E♭ part (``transpose_for`` tenor, alto, trumpet) at its written pitch, key signature
  and chord symbols transposed with it and a ``<transpose>`` element so that players and
  readers still sound it right; otherwise the clef the range asks for (bass when low);
* the rhythm as played, on the 1/12-quarter grid the solo's onsets and durations lie on, in the
  values a reader expects (`jazzsolo.export.rhythm`): straight 16ths and 8ths, a beat with a
  triplet as one 3:2 triplet (nothing nested, no 12:7), ties over the beat where a single value
  would hide it, one rest per beat where one will do, an empty bar a bar rest.  Swing eighths
  are written straight, as on any lead sheet;
* a chord symbol above each chord change, a note or rest starting under each; from the chord's
  ``.symbol`` (`jazzsolo.music.chord_symbols.ChordSymbol`, root, bass and text as written) when
  it has one, else named from its pitches, the root spelled in the key.

The rhythm and its triplet brackets are made by `jazzsolo.export.rhythm`, not by music21's
``makeNotation``: that merges tied triplet notes back into one (a 7/12-quarter note becomes a
12:7 tuplet) and does not join rests.
"""
from __future__ import annotations

import functools
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Sequence

from music21 import (bar, clef, harmony, instrument, interval, key, meter, metadata,
                     note, pitch, stream, tempo, tie)
from music21.musicxml.m21ToXml import GeneralObjectExporter
from music21.stream import makeNotation

from jazzsolo.config import check_setting
from jazzsolo.errors import ConfigError, OutputExistsError
from jazzsolo.export.rhythm import (GRID_PER_QUARTER, Piece, Units, bracket_triplets, metre_units,
                                    rhythm_pieces, written_duration)
from jazzsolo.files import write_atomic
from jazzsolo.music.chord_symbols import ChordSymbol
from jazzsolo.music.keys import (WRITTEN_TRANSPOSITIONS, Change, KeyName, changes_from,
                                 check_transpose_for, infer_key, parse_key_name)
from jazzsolo.music.metre import time_signature_ql

if TYPE_CHECKING:
    from jazzsolo.generate.measures import Solo
    from jazzsolo.music.notes import Note

GUITAR_PROGRAMS = range(24, 32)                 # General MIDI guitars: written in treble-8vb
TRANSPOSING_INSTRUMENTS = {"tenor": instrument.TenorSaxophone, "alto": instrument.AltoSaxophone,
                           "trumpet": instrument.Trumpet}
_EXOTIC_KINDS = {"Neapolitan", "Italian", "French", "German", "Tristan", "pedal"}
_DEGREE_SEMITONES = {1: 0, 2: 2, 3: 4, 4: 5, 5: 7, 6: 9, 7: 11, 9: 2, 11: 5, 13: 9}
_NATURAL_ROOT_ALTER = re.compile(rb"\s*<(root|bass)-alter>0</(root|bass)-alter>")


def write_solo_musicxml(solo: Solo, path: str | os.PathLike, *, title: str = "Jazz solo",
                        qpm: float, key: str | None = None, overwrite: bool = False,
                        model_name: str | None = None, seed: int | None = None,
                        solo_program: int | None = None, transpose_for: str = "concert",
                        chart_key: str | None = None) -> Path:
    """Write the solo as a MusicXML lead sheet in the key given, else the chart's, else the
    chords' key.

    `key` is written as in a chart: ``"F"``, ``"Bb"``, ``"C-"`` or ``"Cm"`` (minor), at concert
    pitch; `chart_key` is the key the chart states, in the same words (one that cannot be read
    is passed over); `transpose_for` ("concert", "tenor", "alto", "trumpet") the part it is
    written for; `solo_program` the General MIDI program that plays it (a guitar: treble-8vb).
    The credits name `model_name`, the model that played, and the `seed`.  The file is written
    atomically and an existing one is kept unless `overwrite` is set.
    """
    path = Path(path)
    if path.exists() and not path.is_dir() and not overwrite:   # before the work, not only after
        raise OutputExistsError(f"{path}: exists already")
    score = solo_to_lead_sheet(solo, title=title, qpm=qpm, key=key, model_name=model_name,
                               seed=seed, solo_program=solo_program, transpose_for=transpose_for,
                               chart_key=chart_key)
    return write_atomic(path, musicxml_bytes(score), overwrite=overwrite)


def musicxml_bytes(score: stream.Score) -> bytes:
    """The bytes of a MusicXML file (score-partwise) of a score whose notation is made.

    music21 writes ``<root-alter>0</root-alter>`` for a natural root (and bass) of a chord
    symbol, and renderers (Verovio, MuseScore) then draw "G♮m7b5"; MusicXML's default for a
    missing alter is 0, so the element is dropped from the bytes music21 writes.
    """
    exporter = GeneralObjectExporter(score)
    exporter.makeNotation = False               # `solo_to_lead_sheet` made it, ties included
    return _NATURAL_ROOT_ALTER.sub(b"", exporter.parse())


def solo_to_lead_sheet(solo: Solo, *, title: str = "Jazz solo", qpm: float,
                       key: str | None = None, model_name: str | None = None,
                       seed: int | None = None, solo_program: int | None = None,
                       transpose_for: str = "concert", chart_key: str | None = None
                       ) -> stream.Score:
    """The solo as a music21 lead sheet: one part of measures, chord symbols, key, metre, tempo,
    at the written pitch of the instrument `transpose_for` names; see `write_solo_musicxml`."""
    check_setting("qpm", qpm)
    shift = interval.Interval(WRITTEN_TRANSPOSITIONS[check_transpose_for(transpose_for)])
    written_key = transposed_key(lead_sheet_key(solo, key, chart_key=chart_key), shift)
    part = stream.Part(id="Solo")
    part.insert(0, _solo_instrument(transpose_for, solo_program))
    part.atSoundingPitch = shift.semitones == 0
    _append_measures(part, solo, written_key=written_key, shift=shift)
    first = part.getElementsByClass(stream.Measure).first()
    first.insert(0, _clef_for(part, transpose_for, solo_program))
    first.insert(0, written_key)
    first.insert(0, tempo.MetronomeMark(number=qpm, referent=note.Note(type="quarter")))
    _make_notation(part)
    score = stream.Score(id="LeadSheet")
    credits = ", ".join(["jazzsolo"] + [f"model {model_name}"] * bool(model_name)
                        + [f"seed {seed}"] * (seed is not None))
    score.metadata = metadata.Metadata(title=title, composer=credits)
    score.insert(0, part)
    return score


def _append_measures(part: stream.Part, solo: Solo, *, written_key: key.Key,
                     shift: interval.Interval) -> None:
    """The solo's measures, appended to the part: each one's notes and rests at written pitch,
    and a chord symbol at each chord change.  A note held over the bar line goes on in the next
    measure, tied (`_tie_over`)."""
    previous_chord, held, last_note = None, [], None
    for number in range(solo.n_measures):
        measure, length, phase = _empty_measure(solo, number)
        symbols = _chord_symbols(solo, number, length=length, previous=previous_chord,
                                 written_key=written_key, shift=shift)
        previous_chord = symbols[-1][2] if symbols else previous_chord
        line = _line(list(solo.notes[number]) + held, length, written_key=written_key,
                     phase=phase, units=metre_units(solo.time_signature(number)),
                     anchors={offset for offset, _, _ in symbols}, shift=shift)
        if held:
            _tie_over(last_note, line)
        held, last_note = _held_over(solo.notes[number] + held, length), _last_note(line, length)
        for offset, element in line:
            measure.insert(offset, element)
        for offset, symbol, _ in symbols:
            measure.insert(Fraction(offset, GRID_PER_QUARTER), symbol)
        part.append(measure)


def _held_over(events: Sequence[Note], length: int) -> list[Note]:
    """The rest of each note that lasts past the measure's end (`length` twelfths), as a note
    at the next measure's start."""
    from jazzsolo.music.notes import Note

    bar_ql = Fraction(length, GRID_PER_QUARTER)
    return [Note(0.0, float(e.offset_ql + e.duration_ql - bar_ql), e.midi)
            for e in events if e.midi is not None
            and round((e.offset_ql + e.duration_ql) * GRID_PER_QUARTER) > length]


def _last_note(line, length: int):
    """The measure's note sounding up to its bar line, if one does (it may be held over)."""
    for offset, element in reversed(line):
        if isinstance(element, note.Note):
            end = offset + Fraction(element.duration.quarterLength).limit_denominator(96)
            return element if end * GRID_PER_QUARTER >= length else None
        if isinstance(element, note.Rest):
            return None
    return None


def _tie_over(before, line) -> None:
    """Tie the note held over from the last measure (`before`) to its rest in this measure,
    the note at this measure's start."""
    first = next((e for offset, e in line if offset == 0 and isinstance(e, note.Note)), None)
    if before is None or first is None or first.pitch.midi != before.pitch.midi:
        return
    before.tie = tie.Tie("continue" if before.tie is not None else "start")
    first.tie = tie.Tie("continue" if first.tie is not None and first.tie.type == "start"
                        else "stop")


def _make_notation(part: stream.Part) -> None:
    """Accidentals against the key, beams and the final bar line; the ties and the triplet
    brackets are made already (see the module docstring)."""
    makeNotation.makeAccidentalsInMeasureStream(part)
    makeNotation.makeBeams(part, inPlace=True)
    _carry_accidentals_over_ties(part)
    measures = part.getElementsByClass(stream.Measure)
    if measures:
        measures.last().rightBarline = bar.Barline("final")     # light-heavy


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

    makeAccidentals shows a natural sign on the first note only and leaves the others without
    one, and over a bar line it may print a natural on the tied note where the first had none;
    readers (music21's stripTies) then see G-natural tied to a different G.
    """
    first = None
    for n in part.recurse().getElementsByClass(note.Note):
        if n.tie is not None and n.tie.type == "start":
            first = n
        elif n.tie is not None and first is not None and n.pitch.midi == first.pitch.midi:
            if first.pitch.accidental is None:
                n.pitch.accidental = None
            elif n.pitch.accidental is None or n.pitch.accidental.name != \
                    first.pitch.accidental.name:
                n.pitch.accidental = pitch.Accidental(first.pitch.accidental.name)
            if n.pitch.accidental is not None:
                n.pitch.accidental.displayStatus = False
        if n.tie is None or n.tie.type == "stop":
            first = None


# ---------------------------------------------------------------------------------------------
# The line: notes and rests of a measure, in the pieces `rhythm.rhythm_pieces` writes.

def _twelfths(ql: float, what: str) -> int:
    """Quarter lengths as a whole number of grid steps; off the grid is a ConfigError."""
    steps = round(ql * GRID_PER_QUARTER)
    if abs(steps - ql * GRID_PER_QUARTER) > 1e-4 or steps <= 0:
        raise ConfigError(f"{what} ({ql:g} quarter lengths) is not a whole number of "
                          f"1/{GRID_PER_QUARTER} quarter notes; it cannot be written")
    return steps


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


def _line(events: Sequence[Note], length: int, *, written_key: key.Key, phase: int,
          units: Units, anchors: Collection[int], shift: interval.Interval
          ) -> list[tuple[Fraction, note.GeneralNote]]:
    """(offset, note or rest) of one measure: notes in tied pieces at written pitch, rests
    between; a note or rest starts at each anchor (a chord change)."""
    timeline: list[tuple[int, int, int | None]] = []
    now = 0
    for start, end, midi in _spans(events, length) + [(length, length, None)]:
        if start > now:
            timeline.append((now, start, None))
        if midi is not None:
            timeline.append((start, end, midi + shift.semitones))
        now = end
    all_pieces = rhythm_pieces([(a, b, midi is None) for a, b, midi in timeline], length,
                               phase=phase, units=units, anchors=anchors)
    placed: list[tuple[Piece, note.GeneralNote]] = []
    for (_, _, midi), pieces in zip(timeline, all_pieces):
        for i, piece in enumerate(pieces):
            if midi is None:
                element = note.Rest(duration=written_duration(piece, units.unit))
                element.fullMeasure = True if piece.bar_rest else False
            else:
                element = note.Note(spell_pitch(midi, written_key),
                                    duration=written_duration(piece, units.unit))
                if len(pieces) > 1:
                    element.tie = tie.Tie("start" if i == 0 else
                                          "stop" if i == len(pieces) - 1 else "continue")
            placed.append((piece, element))
    bracket_triplets(placed, units, phase)
    return [(Fraction(piece.start, GRID_PER_QUARTER), element) for piece, element in placed]


# ---------------------------------------------------------------------------------------------
# Pitch: the key, the instrument's transposition and clef, notes and chord roots spelled.

def parse_key(text: str) -> key.Key:
    """A key written as in a chart (`jazzsolo.music.keys.parse_key_name`) as a music21 key.

    >>> parse_key("Bb"), parse_key("C-"), parse_key("F# minor")
    (<music21.key.Key of B- major>, <music21.key.Key of c minor>, <music21.key.Key of f# minor>)
    """
    return _music21_key(parse_key_name(text))


def _music21_key(name: KeyName) -> key.Key:
    """A `KeyName` ('Bb', minor) as music21's key ('b-' minor)."""
    tonic = _music21_name(name.tonic)
    return key.Key(tonic.lower() if name.mode == "minor" else tonic, name.mode)


def lead_sheet_key(solo: Solo, text: str | None = None, *,
                   chart_key: str | None = None) -> key.Key:
    """The concert key of the lead sheet: `text` when given (a ConfigError if unreadable),
    else the chart's `chart_key` when it can be read, else the key the solo's chords are in
    (`jazzsolo.music.keys.infer_key`)."""
    if text is not None:
        return parse_key(text)
    if chart_key:
        try:
            return parse_key(chart_key)
        except ConfigError:
            pass                         # a chart's odd key field: its chords say the key
    return _music21_key(infer_key(solo_changes(solo)))


def solo_changes(solo: Solo) -> list[Change]:
    """The solo's chord changes for the key analysis: root, tones and time of each chord."""
    rows = []
    for number, measure in enumerate(solo.chords[:solo.n_measures]):
        ordered = sorted(measure, key=lambda c: float(c.offset))
        ends = [float(c.offset) for c in ordered[1:]] + [solo.measure_length_ql(number)]
        for c, end in zip(ordered, ends):
            found = _root_and_tones(c)
            if found is not None:
                symbol = getattr(c, "symbol", None)
                name = symbol.root if isinstance(symbol, ChordSymbol) else ""
                rows.append((found[0], found[1], end - float(c.offset), name))
    return changes_from(rows)


def transposed_key(concert: key.Key, shift: interval.Interval) -> key.Key:
    """The key signature of a part written `shift` above concert pitch, with six accidentals at
    most (E major for alto is Db major, not C#).

    >>> transposed_key(key.Key("A-"), interval.Interval("M9")).sharps
    -2
    >>> transposed_key(key.Key("E"), interval.Interval("M6")).tonic.name
    'D-'
    """
    written = concert.transpose(shift) if shift.semitones else concert
    if abs(written.sharps) > 6:
        written = key.Key(written.tonic.getEnharmonic().name, written.mode)
    return key.Key(written.tonic.name, written.mode)


def _solo_instrument(transpose_for: str, solo_program: int | None) -> instrument.Instrument:
    """The part's instrument: the transposing one written for, else the General MIDI one."""
    if transpose_for in TRANSPOSING_INSTRUMENTS:
        return TRANSPOSING_INSTRUMENTS[transpose_for]()
    if solo_program is None:
        solo = instrument.Instrument()
        solo.partName = "Solo"
        return solo
    return instrument.instrumentFromMidiProgram(solo_program)


def _clef_for(part: stream.Part, transpose_for: str, solo_program: int | None) -> clef.Clef:
    """The clef that needs the fewest ledger lines for the part's notes, among those its
    instrument reads: a guitar's own treble-8vb (guitar music is written an octave above its
    sound) unless plain treble at concert pitch needs fewer; treble for a B♭/E♭ part; treble,
    or bass when low, for any other.  A guitar that is not in treble-8vb is named as written at
    concert pitch.

    Counted here, not with music21's ``bestClef``, which goes by the notes' average height and
    does not know which clefs an instrument reads.
    """
    guitar = transpose_for == "concert" and solo_program in GUITAR_PROGRAMS
    candidates = [clef.Treble8vbClef(), clef.TrebleClef()] if guitar else \
        [clef.TrebleClef()] + [clef.BassClef()] * (transpose_for == "concert")
    pitches = [n.pitch for n in part.recurse().getElementsByClass(note.Note)]
    chosen = min(candidates, key=lambda c: sum(_ledger_lines(p, c) for p in pitches))
    if guitar and not isinstance(chosen, clef.Treble8vbClef):
        solo = part.getInstrument()
        solo.partName = f"{solo.instrumentName} (concert pitch)"
    return chosen


def _ledger_lines(p: pitch.Pitch, staff_clef: clef.PitchClef) -> int:
    """How many ledger lines a note needs on a five-line staff in this clef.

    >>> [_ledger_lines(pitch.Pitch("C4"), c) for c in (clef.TrebleClef(), clef.Treble8vbClef())]
    [1, 0]
    """
    bottom = staff_clef.lowestLine                   # the bottom line's diatonic step (E4: 31)
    return max(0, (p.diatonicNoteNum - bottom - 8) // 2, (bottom - p.diatonicNoteNum) // 2)


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


# ---------------------------------------------------------------------------------------------
# Chord symbols.

def _chord_symbols(solo: Solo, number: int, *, length: int, previous: tuple | None,
                   written_key: key.Key, shift: interval.Interval
                   ) -> list[tuple[int, harmony.Harmony, tuple]]:
    """(offset in twelfths, symbol, what it is) of measure `number`'s chord changes.

    In a bar shorter than its metre (a pickup) a symbol less than a beat after the one before
    is left out: the bar is too narrow for both, and they would be drawn on top of each other.
    """
    chords = solo.chords[number] if number < len(solo.chords) else ()
    short = length < _twelfths(time_signature_ql(solo.time_signature(number)), "its bar")
    beat = metre_units(solo.time_signature(number)).beat
    out: list[tuple[int, harmony.Harmony, tuple]] = []
    for c in sorted(chords, key=lambda c: float(c.offset)):
        offset = max(round(float(c.offset) * GRID_PER_QUARTER), 0)
        what = _chord_key(c)
        if what == previous or offset >= length:
            continue
        if short and out and offset - out[-1][0] < beat:
            continue
        out.append((offset, chord_symbol_for(c, written_key, shift), what))
        previous = what
    return out


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


def _written_root(name: str, written_key: key.Key, shift: interval.Interval) -> str:
    """A chart's root or bass name moved by the part's transposition (Ab → Bb for tenor), in
    music21 spelling; a name the move makes awkward (A#, Cb, double sharps in a flat key) is
    named as in the written key."""
    if not shift.semitones:
        return _music21_name(name)
    moved = pitch.Pitch(_music21_name(name)).transpose(shift)
    against_key = ("#" in moved.name and written_key.sharps < 0) or \
        ("-" in moved.name and written_key.sharps > 0)
    if moved.name in ("C-", "F-", "E#", "B#") or abs(moved.alter) > 1 or against_key:
        return _spelled_name(moved.pitchClass, written_key)
    return moved.name


def chord_symbol_for(c, the_key: key.Key,
                     shift: interval.Interval | None = None) -> harmony.Harmony:
    """The music21 chord symbol written above the staff for one chord of the solo, in a part
    written `shift` above concert pitch (None: at concert pitch).

    A chord with a jazzsolo ``.symbol`` keeps its root, bass and written text (``<kind
    text="-7">``), moved with the part; any other chord is named from its pitches
    (`_root_and_tones`), root and bass spelled in the key.  A chord without pitches, or N.C.,
    is N.C.
    """
    shift = shift or interval.Interval("P1")
    found = _root_and_tones(c)
    if found is None:
        return harmony.NoChord()
    root, tones = found
    kind = _closest_kind(set(tones))[2]
    symbol = getattr(c, "symbol", None)
    if isinstance(symbol, ChordSymbol):
        written = harmony.ChordSymbol(root=_written_root(symbol.root, the_key, shift),
                                      bass=_written_root(symbol.bass, the_key, shift), kind=kind)
        if symbol.suffix:
            written.chordKindStr = symbol.suffix
        return written
    bass = min(c.pitches, key=lambda p: p.midi).pitchClass
    return harmony.ChordSymbol(root=_spelled_name((root + shift.semitones) % 12, the_key),
                               bass=_spelled_name((bass + shift.semitones) % 12, the_key),
                               kind=kind)
