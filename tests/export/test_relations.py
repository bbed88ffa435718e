"""A lead sheet's notes coloured by their relation to the chord (`export.relations`): chord,
scale and approach tones over C7 and F7, a tied piece as its note, rests left alone, and a
part written for tenor saxophone coloured as it sounds."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from jazzsolo.export.musicxml import musicxml_bytes, solo_to_lead_sheet
from jazzsolo.export.relations import RELATION_COLOURS, colour_by_relation, note_relations
from jazzsolo.generate.measures import Solo
from jazzsolo.music.notes import Note
from jazzsolo.music.progression import parse_progression

CHORD, SCALE, APPROACH = (RELATION_COLOURS[c] for c in "CSA")


def solo() -> Solo:
    """Over C7: E4 (its third), D4 (the scale's 9th), G-flat 4 (a semitone under G; the chart
    is in F), B-flat 4
    held over the bar line; over F7, after a rest, F4 (its root)."""
    first = [Note(0.0, 1.0, 64), Note(1.0, 1.0, 62), Note(2.0, 1.0, 66), Note(3.0, 2.0, 70)]
    return Solo(4.0, [[], []], [first, [Note(2.0, 1.0, 65)]], parse_progression("C7 | F7"),
                [4.0, 4.0], ["4/4"] * 2)


def coloured_notes(transpose_for: str = "concert") -> list[tuple[str, str | None, bool]]:
    """(written step, colour, tied from before) of each note of the coloured lead sheet, rests
    as ("rest", colour, False)."""
    line = solo()
    score = solo_to_lead_sheet(line, qpm=120.0, transpose_for=transpose_for)
    root = ET.fromstring(colour_by_relation(musicxml_bytes(score), note_relations(line)))
    out = []
    for n in root.iter("note"):
        step = "rest" if n.find("rest") is not None else n.findtext("pitch/step")
        tied = any(t.get("type") == "stop" for t in n.findall("tie"))
        out.append((step, n.get("color"), tied))
    return out


def test_each_note_takes_the_colour_of_its_relation_to_the_chord():
    assert note_relations(solo()) == {(0, 0): "C", (0, 12): "S", (0, 24): "A", (0, 36): "C",
                                      (1, 24): "C"}
    notes = [n for n in coloured_notes() if n[0] != "rest"]
    assert notes == [("E", CHORD, False), ("D", SCALE, False), ("G", APPROACH, False),
                     ("B", CHORD, False), ("B", CHORD, True), ("F", CHORD, False)]


def test_rests_are_left_alone():
    rests = [n for n in coloured_notes() if n[0] == "rest"]
    assert len(rests) >= 2 and all(colour is None for _, colour, _ in rests)


@pytest.mark.parametrize("transpose_for", ["tenor"])
def test_a_transposed_part_is_coloured_as_it_sounds(transpose_for):
    concert = [colour for step, colour, _ in coloured_notes() if step != "rest"]
    written = [(step, colour) for step, colour, _ in coloured_notes(transpose_for)
               if step != "rest"]
    assert [colour for _, colour in written] == concert
    assert written[0][0] == "F"                    # E4 sounds, F#5 is written for tenor
