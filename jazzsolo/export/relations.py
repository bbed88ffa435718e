"""A lead sheet's notes coloured by their relation to the chord: a learner's aid for reading a
solo (the practice room's notation).

Each note is classed over the chord sounding at its onset as the course's grammar classes it
(`encodings.grammar.classify_note`): **C** a chord tone, **S** a scale tone, **A** an approach
tone (a semitone from a chord tone), **X** any other.  The classes are of the concert pitch over
the chords as played, so a part written for a B♭ instrument is coloured as it sounds.

The colours go into the MusicXML bytes `export.musicxml` wrote, as each ``<note>``'s ``color``
attribute (MusicXML 3.0; Verovio and MuseScore draw it): music21 could colour its notes before
export, but the page engraves the coloured sheet beside the plain one people download, and
writing a second MusicXML for it would cost a lead sheet's export again (0.19 s for 32 bars
of rhythm changes), while setting attributes on the parsed bytes costs 8 ms.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from music21 import pitch

from jazzsolo.encodings.grammar import chord_at, classify_note
from jazzsolo.export.rhythm import GRID_PER_QUARTER

RELATIONS = {"C": "chord tone", "S": "scale tone", "A": "approach tone", "X": "other"}
RELATION_COLOURS = {"C": "#1f5fbf", "S": "#2e8b3a", "A": "#e07000", "X": "#c62828"}

Relations = dict[tuple[int, int], str]     # (measure, onset in twelfths of a quarter) -> class


def note_relations(solo) -> Relations:
    """The class (C, S, A, X) of each note of a `Solo` over the chord sounding at its onset,
    by its measure and its onset in the measure on the lead sheet's grid; a measure without a
    chord classes none of its notes."""
    found: Relations = {}
    for number, notes in enumerate(solo.notes):
        chords = solo.chords[number] if number < len(solo.chords) else []
        for n in notes:
            if n.midi is None or not chords:
                continue
            sounding = chord_at(chords, n.offset_ql)
            found[(number, round(n.offset_ql * GRID_PER_QUARTER))] = \
                classify_note(pitch.Pitch(midi=n.midi).name, sounding)
    return found


def colour_by_relation(musicxml: bytes, relations: Relations) -> bytes:
    """The MusicXML lead sheet (one part, one measure per solo measure) with each note that
    starts where a solo note does coloured by that note's class; the tied pieces after it take
    its colour, rests and unmatched notes stay as they were."""
    root = ET.fromstring(musicxml)
    for part in root.iter("part"):
        divisions, last = 1, None
        for number, measure in enumerate(part.iter("measure")):
            now = onset = Fraction(0)
            for element in measure:
                if element.tag == "attributes" and element.findtext("divisions"):
                    divisions = int(element.findtext("divisions"))
                elif element.tag in ("backup", "forward"):
                    step = Fraction(int(element.findtext("duration")), divisions)
                    now += step if element.tag == "forward" else -step
                elif element.tag == "note" and element.find("grace") is None:
                    if element.find("chord") is None:       # a chord's notes start together
                        onset = now
                        now += Fraction(int(element.findtext("duration") or 0), divisions)
                    last = _colour_note(element, relations, number, onset, last)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        .encode("utf-8")


def _colour_note(element, relations: Relations, number: int, onset: Fraction,
                 last: str | None) -> str | None:
    """Colour one ``<note>``; returns the class a tied piece after it takes."""
    if element.find("rest") is not None:
        return None
    grid = onset * GRID_PER_QUARTER
    relation = relations.get((number, int(grid))) if grid.denominator == 1 else None
    if relation is None and any(t.get("type") == "stop" for t in element.findall("tie")):
        relation = last
    if relation is not None:
        element.set("color", RELATION_COLOURS[relation])
    return relation


__all__ = ["RELATIONS", "RELATION_COLOURS", "colour_by_relation", "note_relations"]
