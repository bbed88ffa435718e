"""A solo written as a MusicXML lead sheet, read back with music21 as a notation program would."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pretty_midi
import pytest
from music21 import chord, converter, duration, harmony, key, meter, note, stream, tempo

from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.errors import ConfigError, OutputExistsError
from jazzsolo.music.notes import Note
from jazzsolo.music.chords import chord_from_midi
from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir
from jazzsolo.export.solo_midi import write_solo_midi
from jazzsolo.generate.measures import Solo, generate_solo
from jazzsolo.export.musicxml import (chord_symbol_for, lead_sheet_key, parse_key, spell_pitch,
                                      write_solo_musicxml)
from jazzsolo.export.rhythm import rhythm_pieces
from jazzsolo.music.progression import PROGRESSIONS, parse_progression

QPM = 120.0


@pytest.fixture(scope="module")
def model():
    return load_model_dir(PRETRAINED_MODEL_DIR)


@pytest.fixture(scope="module")
def blues(model, tmp_path_factory):
    """A blues solo (seed 0) written as MIDI and as a lead sheet in F, and the lead sheet read back."""
    chords = parse_progression(PROGRESSIONS["blues"])
    solo = generate_solo(model.weights, model.indices_values, chords, seed=0)
    folder = tmp_path_factory.mktemp("lead_sheet")
    midi_path = write_solo_midi(solo, folder / "blues.mid", qpm=QPM)
    xml_path = write_solo_musicxml(solo, folder / "blues.musicxml", title="Blues in F", qpm=QPM,
                                   key="F")
    return {"solo": solo, "midi": midi_path, "xml": xml_path, "score": converter.parse(xml_path)}


def written_notes(score: stream.Score) -> list[tuple[int, float, float]]:
    """(MIDI pitch, offset, duration) of every note, tied notes merged, in quarter lengths."""
    merged = score.parts[0].stripTies()
    return [(n.pitch.midi, float(n.offset), float(n.quarterLength))
            for n in merged.flatten().getElementsByClass(note.Note)]


def played_notes(solo: Solo) -> list[tuple[int, float, float]]:
    return [(t.pitches[0], t.offset_ql, t.duration_ql) for t in solo.timed_notes()]


def assert_same_notes(written, played):
    assert len(written) == len(played)
    for (w_midi, w_offset, w_length), (p_midi, p_offset, p_length) in zip(written, played):
        assert w_midi == p_midi
        assert w_offset == pytest.approx(p_offset, abs=1e-6)
        assert w_length == pytest.approx(p_length, abs=1e-6)


def test_the_file_is_musicxml(blues):
    assert ET.parse(blues["xml"]).getroot().tag == "score-partwise"


def test_as_many_measures_as_the_midi_has_bars(blues):
    midi = pretty_midi.PrettyMIDI(str(blues["midi"]))
    bars = midi.get_end_time() * QPM / 60 / 4
    measures = blues["score"].parts[0].getElementsByClass(stream.Measure)
    assert len(measures) == round(bars) == 12
    assert all(m.duration.quarterLength == 4.0 for m in measures)


def test_the_notes_are_the_solos_notes(blues):
    assert_same_notes(written_notes(blues["score"]), played_notes(blues["solo"]))


def test_rests_fill_every_silence(blues):
    for measure in blues["score"].parts[0].getElementsByClass(stream.Measure):
        sounding = sum(e.quarterLength for e in measure.notesAndRests
                       if not isinstance(e, harmony.ChordSymbol))
        assert sounding == 4.0


def test_a_chord_symbol_at_each_change_with_its_root(blues):
    bars = PROGRESSIONS["blues"].split("|")
    expected = []
    for number, bar in enumerate(bars):
        symbols = bar.split()
        for i, symbol in enumerate(symbols):
            expected.append((number * 4.0 + i * 4.0 / len(symbols), parse_chord_symbol(symbol).root_pc))
    written = [(float(h.getOffsetInHierarchy(blues["score"])), h.root().pitchClass)
               for h in blues["score"].recurse().getElementsByClass(harmony.ChordSymbol)]
    assert written == expected
    names = [h.root().name for h in blues["score"].recurse().getElementsByClass(harmony.ChordSymbol)]
    assert "B-" in names and "A#" not in names                   # Bb7, spelled in F


def test_time_signature_tempo_title_and_key(blues):
    score = blues["score"]
    assert [ts.ratioString for ts in score.recurse().getElementsByClass(meter.TimeSignature)] == ["4/4"]
    assert [m.number for m in score.recurse().getElementsByClass(tempo.MetronomeMark)] == [QPM]
    assert score.metadata.bestTitle == "Blues in F"
    keys = list(score.recurse().getElementsByClass(key.KeySignature))
    assert [k.sharps for k in keys] == [-1]
    names = {n.pitch.name for n in score.recurse().getElementsByClass(note.Note)}
    assert not any("#" in name for name in names)               # in F: Bb, Eb, Ab, never A#


def test_the_key_is_inferred_when_not_given(blues):
    assert lead_sheet_key(blues["solo"]) == key.Key("F")        # not the Bb of its dominants
    assert spell_pitch(70, key.Key("F")).name == "B-"
    assert spell_pitch(70, key.Key("E")).name == "A#"
    assert spell_pitch(61, key.Key("d", "minor")).name == "C#"  # the leading tone of D minor


def test_a_waltz_is_written_in_three_four(model, tmp_path):
    chords = parse_progression("Dm7 | G7 | Cmaj7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7", measure_ql=3.0)
    solo = generate_solo(model.weights, model.indices_values, chords, seed=1,
                         time_signatures=["3/4"] * 8)
    score = converter.parse(write_solo_musicxml(solo, tmp_path / "waltz.musicxml", qpm=QPM))
    assert [ts.ratioString for ts in score.recurse().getElementsByClass(meter.TimeSignature)] == ["3/4"]
    measures = score.parts[0].getElementsByClass(stream.Measure)
    assert [m.duration.quarterLength for m in measures] == [3.0] * 8
    assert_same_notes(written_notes(score), played_notes(solo))


def test_a_pickup_and_a_change_of_metre(tmp_path):
    lengths, signatures = [1.0, 3.0, 4.0], ["3/4", "3/4", "4/4"]
    notes = [[Note(0.0, 1.0, 67, "C")], [Note(0.0, 3.0, 72, "C")],
             [Note(1.0, 2.5, 74, "C")]]
    chords = [parse_progression("G7", measure_ql=q)[0] for q in lengths]
    solo = Solo(3.0, [[], [], []], notes, chords, lengths, signatures)
    path = write_solo_musicxml(solo, tmp_path / "pickup.musicxml", qpm=QPM, key="C")
    score = converter.parse(path)
    measures = list(score.parts[0].getElementsByClass(stream.Measure))
    assert [m.number for m in measures] == [0, 1, 2]            # the pickup is bar 0
    assert [m.duration.quarterLength for m in measures] == [1.0, 3.0, 4.0]
    assert [ts.ratioString for ts in score.recurse().getElementsByClass(meter.TimeSignature)] == \
        ["3/4", "4/4"]
    assert ET.parse(path).getroot().find("part/measure").get("implicit") == "yes"
    assert_same_notes(written_notes(score), played_notes(solo))


def triplet_solo() -> Solo:
    """Eighth-note triplets, a quarter-note triplet, a triplet tied over the beat, and a
    16th + triplet-eighth run off the beat, over one 4/4 bar of C."""
    third = 1 / 3
    events = [Note(0.0, third, 60, "C"), Note(third, third, 62, "S"),
              Note(2 * third, third, 64, "C"), Note(1.0, 2 * third, 65, "S"),
              Note(1 + 2 * third, 2 * third, 67, "C"), Note(2 + third, 0.25, 69, "S"),
              Note(2 + third + 0.25, third, 71, "A"), Note(3.0, 1.0, 72, "C")]
    return Solo(4.0, [[]], [events], [parse_progression("C")[0]], [4.0], ["4/4"])


def test_triplets_come_back_as_triplets(tmp_path):
    solo = triplet_solo()
    path = write_solo_musicxml(solo, tmp_path / "triplets.musicxml", qpm=QPM, key="C")
    assert b"<time-modification>" in path.read_bytes()
    score = converter.parse(path)
    tuplets = [n for n in score.recurse().getElementsByClass(note.Note) if n.duration.tuplets]
    assert len(tuplets) >= 6
    assert all((t.numberNotesActual, t.numberNotesNormal) == (3, 2)
               for n in tuplets for t in n.duration.tuplets)
    assert_same_notes(written_notes(score), played_notes(solo))


def test_a_note_held_over_the_bar_line_is_tied_into_the_next_bar(tmp_path):
    """An anticipation (the and of 4 held into the next bar, as the note model plays it: one
    note lasting past its measure) is written tied over the bar line, not cut short."""
    events = [[Note(0.0, 3.5, 60, "C"), Note(3.5, 1.5, 65, "C")], [Note(1.0, 3.0, 64, "C")]]
    solo = Solo(4.0, [[], []], events, parse_progression("C | F"), [4.0, 4.0], ["4/4"] * 2)
    score = converter.parse(write_solo_musicxml(solo, tmp_path / "held.musicxml", qpm=QPM,
                                                key="C"))
    first, second = score.parts[0].getElementsByClass(stream.Measure)
    last, opening = list(first.notes.getElementsByClass(note.Note))[-1], \
        list(second.notes.getElementsByClass(note.Note))[0]
    assert (last.pitch.midi, last.tie.type) == (65, "start") and last.offset == 3.5
    assert (opening.pitch.midi, opening.tie.type, opening.offset) == (65, "stop", 0.0)
    assert float(opening.quarterLength) == 1.0
    assert_same_notes(written_notes(score), played_notes(solo))


def test_every_span_of_a_bar_is_written_as_plain_notes_or_triplets():
    for phase in (0, 4):
        for start in range(48):
            for end in range(start + 1, 49):
                events = [(0, start, True)] * (start > 0) + [(start, end, False)] + \
                    [(end, 48, True)] * (end < 48)
                for (a, b, _), pieces in zip(events, rhythm_pieces(events, 48, phase=phase)):
                    assert pieces[0].start == a and pieces[-1].end == b
                    assert all(x.end == y.start for x, y in zip(pieces, pieces[1:]))
                    for piece in pieces:
                        length = Fraction(piece.end - piece.start, 12)
                        written = duration.Duration(length * (Fraction(3, 2) if piece.triplet else 1))
                        assert written.type not in ("complex", "inexpressible") or piece.bar_rest
                        assert not written.tuplets and written.dots <= 1


def test_chord_symbols_keep_the_symbol_as_written(tmp_path):
    chords = []
    for offset, text in ((0.0, "C-7"), (2.0, "Bb7/Ab"), (3.0, "N.C.")):
        c = chord.Chord(["C3"], quarterLength=1.0)
        c.offset, c.symbol = offset, parse_chord_symbol(text)
        chords.append(c)
    solo = Solo(4.0, [[]], [[Note(0.0, 4.0, 72, "C")]], [chords], [4.0], ["4/4"])
    path = write_solo_musicxml(solo, tmp_path / "symbols.musicxml", qpm=QPM, key="Bb")
    assert b'<kind text="-7">minor-seventh</kind>' in path.read_bytes()
    written = list(converter.parse(path).recurse().getElementsByClass(harmony.Harmony))
    assert [type(h).__name__ for h in written] == ["ChordSymbol", "ChordSymbol", "NoChord"]
    assert [(h.root().name, h.bass().name) for h in written[:2]] == [("C", "C"), ("B-", "A-")]
    assert [float(h.offset) for h in written] == [0.0, 2.0, 3.0]


def test_chords_read_from_midi_are_named_from_their_pitches():
    f_major = key.Key("F")
    bb7 = chord_symbol_for(chord_from_midi([46, 50, 53, 56]), f_major)     # Bb D F G#, as read
    assert (bb7.root().name, bb7.chordKind) == ("B-", "dominant-seventh")
    dm7_over_c = chord_symbol_for(chord_from_midi([48, 50, 53, 57]), f_major)
    assert (dm7_over_c.root().name, dm7_over_c.bass().name, dm7_over_c.chordKind) == \
        ("D", "C", "minor-seventh")                  # the lowest note is the bass, not the root
    assert isinstance(chord_symbol_for(chord.Chord(), f_major), harmony.NoChord)


def test_an_existing_file_is_kept_unless_overwrite(tmp_path):
    path = tmp_path / "solo.musicxml"
    path.write_text("mine")
    with pytest.raises(OutputExistsError, match=r"solo.musicxml: exists already$"):
        write_solo_musicxml(triplet_solo(), path, qpm=QPM)
    assert path.read_text() == "mine"
    write_solo_musicxml(triplet_solo(), path, qpm=QPM, overwrite=True)
    assert ET.parse(path).getroot().tag == "score-partwise"
    assert [p.name for p in tmp_path.iterdir()] == ["solo.musicxml"]     # no temporary left


def test_bad_key_and_tempo_are_config_errors(tmp_path):
    assert parse_key("Bb") == key.Key("B-") and parse_key("C-") == key.Key("c")
    assert parse_key("F# minor") == key.Key("f#")
    with pytest.raises(ConfigError, match="unreadable key 'H'"):
        write_solo_musicxml(triplet_solo(), tmp_path / "a.musicxml", qpm=QPM, key="H")
    with pytest.raises(ConfigError, match="qpm must be between"):
        write_solo_musicxml(triplet_solo(), tmp_path / "b.musicxml", qpm=0)
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------------------------
# Notation a musician can read: readable rhythm, the chart's key, natural roots, the part's clef
# and transposition, the end of the piece (issue 21).

NEFERTITI_LIKE = ("Abmaj7b5 | Db7sus | G-7b5 | C7b9 | Bmaj7 | B7sus | Bb-7 | Eb7sus | Emaj7 | "
                  "D7#11 | Abmaj7 | E7#11 | Bb7sus")     # the root motion of a tune in Ab
F7_BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7"


def xml_of(path) -> ET.Element:
    return ET.parse(path).getroot()


def fifths_and_mode(path) -> list[tuple[int, str]]:
    return [(int(k.findtext("fifths")), k.findtext("mode")) for k in xml_of(path).iter("key")]


def tuplet_ratios(path) -> set[tuple[str, str]]:
    return {(t.findtext("actual-notes"), t.findtext("normal-notes"))
            for t in xml_of(path).iter("time-modification")}


def assert_brackets_never_nest(path):
    open_brackets = 0
    for t in xml_of(path).iter("tuplet"):
        open_brackets += {"start": 1, "stop": -1}[t.get("type")]
        assert open_brackets in (0, 1)
    assert open_brackets == 0


def assert_measures_fill_their_bars(score):
    for measure in score.parts[0].getElementsByClass(stream.Measure):
        written = sum(Fraction(e.quarterLength) for e in measure.notesAndRests
                      if not isinstance(e, harmony.Harmony))
        assert written == Fraction(measure.barDuration.quarterLength) - \
            Fraction(measure.paddingLeft) - Fraction(measure.paddingRight), measure.number


def uneven_solo() -> Solo:
    """Notes of 7/12 and 5/6 of a beat, a triplet tied over the beat and a 16th against
    triplets: what became 12:7 and 6:5 tuplets, nested brackets and split rests."""
    events = [Note(0.0, 7 / 12, 60, "C"), Note(7 / 12, 5 / 12, 62, "C"), Note(1.0, 5 / 6, 64, "C"),
              Note(1 + 5 / 6, 1 / 2, 65, "C"), Note(2 + 1 / 3, 1 / 4, 67, "C"),
              Note(2 + 7 / 12, 1 / 3, 69, "C")]
    chords = [parse_progression("C")[0]] * 2
    return Solo(4.0, [[], []], [events, [Note(0.0, 0.25, 72, "C")]], chords, [4.0, 4.0],
                ["4/4", "4/4"])


def test_only_three_in_two_triplets_never_nested_and_the_notes_kept(tmp_path):
    solo = uneven_solo()
    path = write_solo_musicxml(solo, tmp_path / "uneven.musicxml", qpm=QPM, key="C")
    assert tuplet_ratios(path) == {("3", "2")}
    assert_brackets_never_nest(path)
    score = converter.parse(path)
    assert_measures_fill_their_bars(score)
    assert_same_notes(written_notes(score), played_notes(solo))
    ties = [n for n in score.recurse().getElementsByClass(note.Note) if n.tie is not None]
    assert len(ties) >= 4                                      # 7/12 and 5/6 are tied triplets


def test_rests_are_one_per_beat_and_an_empty_bar_is_one_bar_rest(tmp_path):
    solo = Solo(4.0, [[], []], [[Note(0.0, 0.25, 72, "C")], []], [parse_progression("C")[0], []],
                [4.0, 4.0], ["4/4", "4/4"])
    path = write_solo_musicxml(solo, tmp_path / "rests.musicxml", qpm=QPM, key="C")
    first, second = converter.parse(path).parts[0].getElementsByClass(stream.Measure)
    assert [float(r.quarterLength) for r in first.getElementsByClass(note.Rest)] == [0.75, 1.0, 2.0]
    assert [float(r.quarterLength) for r in second.getElementsByClass(note.Rest)] == [4.0]
    assert xml_of(path).findall("part/measure")[1].find("note/rest").get("measure") == "yes"


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_generated_solos_have_only_triplets_and_full_bars(model, tmp_path, seed):
    chords = parse_progression(PROGRESSIONS["blues"])
    solo = generate_solo(model.weights, model.indices_values, chords, seed=seed)
    path = write_solo_musicxml(solo, tmp_path / "solo.musicxml", qpm=QPM)
    assert tuplet_ratios(path) <= {("3", "2")}
    assert_brackets_never_nest(path)
    score = converter.parse(path)
    assert_measures_fill_their_bars(score)
    assert_same_notes(written_notes(score), played_notes(solo))


def grid_solo(seed: int, n_measures: int = 8) -> Solo:
    """Notes anywhere on the 1/12-beat grid, of any length, with gaps: the note models' rhythm
    (they play the players' timing, rounded to twelfths of a beat)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    measures = []
    for _ in range(n_measures):
        notes, now = [], int(rng.integers(0, 6))
        while now < 48:
            length = int(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 18, 20, 30]))
            notes.append(Note(now / 12, min(length, 48 - now) / 12, int(rng.integers(55, 80)), "C"))
            now += length + int(rng.choice([0, 0, 0, 1, 2, 3, 5, 7, 12]))
        measures.append(notes)
    chords = parse_progression(" | ".join(["Bb-7 Eb7", "Abmaj7"] * (n_measures // 2)))
    return Solo(4.0, [[] for _ in measures], measures, chords, [4.0] * n_measures,
                ["4/4"] * n_measures)


@pytest.mark.parametrize("seed", range(6))
def test_any_rhythm_on_the_grid_is_written_in_threes_in_full_bars(tmp_path, seed):
    solo = grid_solo(seed)
    path = write_solo_musicxml(solo, tmp_path / "grid.musicxml", qpm=QPM)
    assert tuplet_ratios(path) == {("3", "2")}
    assert_brackets_never_nest(path)
    score = converter.parse(path)
    assert_measures_fill_their_bars(score)
    assert_same_notes(written_notes(score), played_notes(solo))
    assert fifths_and_mode(path) == [(-4, "major")]


def test_natural_roots_carry_no_alter(blues, tmp_path):
    raw = blues["xml"].read_bytes()
    assert b"<root-alter>0</root-alter>" not in raw and b"<bass-alter>0" not in raw
    roots = [(h.findtext("root/root-step"), h.findtext("root/root-alter"))
             for h in xml_of(blues["xml"]).iter("harmony")]
    assert ("B", None) in roots and ("B", "-1") in roots           # Bdim7 and Bb7
    # why the bytes are edited: music21 itself writes the natural's 0, which renderers draw
    from music21.musicxml.m21ToXml import GeneralObjectExporter
    from jazzsolo.export.musicxml import solo_to_lead_sheet
    exporter = GeneralObjectExporter(solo_to_lead_sheet(blues["solo"], qpm=QPM, key="F"))
    exporter.makeNotation = False
    raw_music21 = exporter.parse()
    assert b"<root-alter>0</root-alter>" in raw_music21
    unedited = tmp_path / "unedited.musicxml"
    unedited.write_bytes(raw_music21)
    drawn = [text for _, _, text, _ in chord_symbols_drawn(verovio_svg(unedited))]
    assert "B" + SMUFL_CHORD_NATURAL + "dim7" in drawn            # "B♮dim7"


def test_a_chart_in_a_flat_without_a_key_gets_four_flats_and_flat_spellings(model, tmp_path):
    chords = parse_progression(NEFERTITI_LIKE)
    solo = generate_solo(model.weights, model.indices_values, chords, seed=3)
    path = write_solo_musicxml(solo, tmp_path / "ab.musicxml", qpm=QPM)
    assert fifths_and_mode(path) == [(-4, "major")]
    names = [n.pitch.name for n in converter.parse(path).recurse().getElementsByClass(note.Note)]
    assert any("-" in name for name in names) and not any("#" in name for name in names)


def test_an_f7_blues_is_in_f_major(model, tmp_path):
    solo = generate_solo(model.weights, model.indices_values, parse_progression(F7_BLUES), seed=1)
    path = write_solo_musicxml(solo, tmp_path / "f7.musicxml", qpm=QPM)
    assert fifths_and_mode(path) == [(-1, "major")]


def test_the_key_given_wins(model, tmp_path):
    solo = generate_solo(model.weights, model.indices_values, parse_progression(F7_BLUES), seed=1)
    assert fifths_and_mode(write_solo_musicxml(solo, tmp_path / "d.musicxml", qpm=QPM,
                                               key="D")) == [(2, "major")]
    assert fifths_and_mode(write_solo_musicxml(solo, tmp_path / "cm.musicxml", qpm=QPM,
                                               key="Cm")) == [(-3, "minor")]
    assert fifths_and_mode(write_solo_musicxml(solo, tmp_path / "over.musicxml", qpm=QPM,
                                               key="D", chart_key="Bb")) == [(2, "major")]
    assert fifths_and_mode(write_solo_musicxml(solo, tmp_path / "chart.musicxml", qpm=QPM,
                                               chart_key="Bb")) == [(-2, "major")]
    odd = write_solo_musicxml(solo, tmp_path / "odd.musicxml", qpm=QPM, chart_key="Bb dorian")
    assert fifths_and_mode(odd) == [(-1, "major")]             # the chords' key, F


def test_tenor_parts_are_written_a_major_ninth_up(model, tmp_path):
    solo = generate_solo(model.weights, model.indices_values, parse_progression(NEFERTITI_LIKE),
                         seed=3)
    concert = write_solo_musicxml(solo, tmp_path / "concert.musicxml", qpm=QPM)
    tenor = write_solo_musicxml(solo, tmp_path / "tenor.musicxml", qpm=QPM, transpose_for="tenor")
    assert fifths_and_mode(tenor) == [(-2, "major")]                # Ab concert: Bb for tenor
    transpose = xml_of(tenor).find("part/measure/attributes/transpose")
    assert (transpose.findtext("diatonic"), transpose.findtext("chromatic")) == ("-1", "-2")
    assert transpose.findtext("octave-change") == "-1"
    tenor_score = converter.parse(tenor)
    assert tenor_score.parts[0].atSoundingPitch is False
    written = [midi for midi, _, _ in written_notes(tenor_score)]
    assert written == [midi + 14 for midi, _, _ in written_notes(converter.parse(concert))]
    roots = [h.root().name for h in tenor_score.recurse().getElementsByClass(harmony.ChordSymbol)]
    assert roots[:4] == ["B-", "E-", "A", "D"]                     # Abmaj7 Db7sus G-7b5 C7b9
    sounding = tenor_score.parts[0].toSoundingPitch().stripTies()       # as a player hears it
    assert [n.pitch.midi for n in sounding.flatten().getElementsByClass(note.Note)] == \
        [midi for midi, _, _ in played_notes(solo)]


def test_alto_and_trumpet_keys(blues, tmp_path):
    alto = write_solo_musicxml(blues["solo"], tmp_path / "a.musicxml", qpm=QPM, key="F",
                               transpose_for="alto")
    trumpet = write_solo_musicxml(blues["solo"], tmp_path / "t.musicxml", qpm=QPM, key="F",
                                  transpose_for="trumpet")
    assert fifths_and_mode(alto) == [(2, "major")] and fifths_and_mode(trumpet) == [(1, "major")]
    with pytest.raises(ConfigError, match="transpose_for must be one of concert, tenor"):
        write_solo_musicxml(blues["solo"], tmp_path / "x.musicxml", qpm=QPM, transpose_for="oboe")


def clef_of(path) -> tuple[str, str, str | None]:
    c = xml_of(path).find("part/measure/attributes/clef")
    return c.findtext("sign"), c.findtext("line"), c.findtext("clef-octave-change")


def line_solo(low: int, high: int) -> Solo:
    """Two bars of quarters running from `low` to `high` and back (MIDI numbers)."""
    pitches = [low + (high - low) * i // 7 for i in range(8)]
    notes = [[Note(float(i), 1.0, midi, "C") for i, midi in enumerate(pitches[:4])],
             [Note(float(i), 1.0, midi, "C") for i, midi in enumerate(pitches[4:])]]
    return Solo(4.0, [[], []], notes, [parse_progression("C")[0]] * 2, [4.0, 4.0], ["4/4"] * 2)


def test_the_clef_fits_the_instrument_and_the_range(tmp_path):
    guitar = write_solo_musicxml(line_solo(52, 72), tmp_path / "g.musicxml", qpm=QPM,
                                 solo_program=26)
    assert clef_of(guitar) == ("G", "2", "-1")                      # treble-8vb
    assert xml_of(guitar).findtext("part-list/score-part/part-name") == "Electric Guitar"
    high = write_solo_musicxml(line_solo(69, 88), tmp_path / "h.musicxml", qpm=QPM,
                               solo_program=26)
    assert clef_of(high) == ("G", "2", None)
    assert xml_of(high).findtext("part-list/score-part/part-name") == \
        "Electric Guitar (concert pitch)"
    low = write_solo_musicxml(line_solo(36, 55), tmp_path / "l.musicxml", qpm=QPM,
                              solo_program=57)                       # trombone
    assert clef_of(low) == ("F", "4", None)
    sax = write_solo_musicxml(line_solo(45, 64), tmp_path / "s.musicxml", qpm=QPM,
                              transpose_for="tenor")
    assert clef_of(sax) == ("G", "2", None)


def test_a_final_bar_line_and_the_tunes_title(blues):
    barlines = xml_of(blues["xml"]).findall("part/measure/barline")
    assert [(b.get("location"), b.findtext("bar-style")) for b in barlines] == \
        [("right", "light-heavy")]
    assert xml_of(blues["xml"]).findall("part/measure")[-1].find("barline") is not None
    root = xml_of(blues["xml"])
    assert (root.findtext("work/work-title"), root.findtext("movement-title")) == \
        ("Blues in F", "Blues in F")


def test_a_pickup_shows_one_chord_symbol_per_beat_over_its_own_note(tmp_path):
    pickup = []
    for offset, text in ((0.0, "C7"), (0.5, "Db7"), (1.0, "G7")):
        c = chord.Chord(["C3"], quarterLength=0.5)
        c.offset, c.symbol = offset, parse_chord_symbol(text)
        pickup.append(c)
    bar = parse_progression("Fmaj7 Gb7", measure_ql=4.0)[0]
    solo = Solo(4.0, [[], []], [[], [Note(0.0, 4.0, 65, "C")]], [pickup, bar], [2.0, 4.0],
                ["4/4", "4/4"])
    score = converter.parse(write_solo_musicxml(solo, tmp_path / "p.musicxml", qpm=QPM))
    first, second = score.parts[0].getElementsByClass(stream.Measure)
    assert [(float(h.offset), h.figure) for h in first.getElementsByClass(harmony.Harmony)] == \
        [(0.0, "C7"), (1.0, "G7")]                         # Db7, half a beat on, left out
    for measure in (first, second):
        starts = {float(e.offset) for e in measure.notesAndRests
                  if not isinstance(e, harmony.Harmony)}
        assert {float(h.offset) for h in measure.getElementsByClass(harmony.Harmony)} <= starts
    assert [n.tie.type for n in second.getElementsByClass(note.Note)] == ["start", "stop"]


def verovio_svg(path) -> str:
    """The lead sheet as Verovio draws it, every page (its fonts found as the practice room's
    engraver finds them: a toolkit made after one in another thread has no default path)."""
    from importlib.resources import files

    import verovio

    toolkit = verovio.toolkit(False)
    toolkit.setResourcePath(str(files("verovio") / "data"))
    assert toolkit.loadData(Path(path).read_text())
    return "".join(toolkit.renderToSVG(page) for page in range(1, toolkit.getPageCount() + 1))


SMUFL_TUPLET_DIGITS = re.compile(r"#(E88\d)")                    # tuplet0 ... tuplet9
SMUFL_CHORD_NATURAL = "\uea65"                                    # csymAccidentalNatural


def chord_symbols_drawn(svg: str) -> list[tuple[int, int, str, float]]:
    """(y, x, text, font size) of every chord symbol Verovio drew, line by line."""
    drawn = []
    for match in re.finditer(r'class="harm">\s*<text x="(\d+)" y="(\d+)"(.*?)</text>', svg, re.S):
        spans = re.findall(r'<tspan[^>]*font-size="(\d+)px"[^>]*>([^<]*)</tspan>', match.group(3))
        drawn.append((int(match.group(2)), int(match.group(1)), "".join(t for _, t in spans),
                      max((float(size) for size, _ in spans), default=0.0)))
    return sorted(drawn)


def assert_symbols_apart(svg: str):
    """Chord symbols on one line do not overlap (a character is at least half its size wide)."""
    drawn = chord_symbols_drawn(svg)
    for (y1, x1, text, size), (y2, x2, _, _) in zip(drawn, drawn[1:]):
        if y1 == y2:
            assert x2 - x1 >= 0.5 * size * len(text), (text, x1, x2)


def test_verovio_draws_triplets_bars_and_chord_symbols_as_written(blues):
    svg = verovio_svg(blues["xml"])
    numbers = [tuple(SMUFL_TUPLET_DIGITS.findall(group))
               for group in re.findall(r'class="tupletNum">(.*?)</g>', svg, re.S)]
    assert numbers and set(numbers) == {("E883",)}                 # every tuplet is a "3"
    midi_bars = round(pretty_midi.PrettyMIDI(str(blues["midi"])).get_end_time() * QPM / 60 / 4)
    assert svg.count('class="measure"') == midi_bars == 12
    symbols = [text for _, _, text, _ in chord_symbols_drawn(svg)]
    assert len(symbols) == 15 and not any(SMUFL_CHORD_NATURAL in t for t in symbols)
    assert "Bdim7" in symbols
    assert_symbols_apart(svg)
    assert 'class="barLine"' in svg


def test_verovio_keeps_a_pickups_symbols_apart(tmp_path):
    pickup = []
    for offset, text in ((0.0, "C7"), (1.0, "G7")):
        c = chord.Chord(["C3"], quarterLength=1.0)
        c.offset, c.symbol = offset, parse_chord_symbol(text)
        pickup.append(c)
    solo = Solo(4.0, [[], []], [[], [Note(0.0, 4.0, 65, "C")]],
                [pickup, parse_progression("Fmaj7 Gb7")[0]], [2.0, 4.0], ["4/4", "4/4"])
    svg = verovio_svg(write_solo_musicxml(solo, tmp_path / "p.musicxml", qpm=QPM))
    assert [text for _, _, text, _ in chord_symbols_drawn(svg)] == ["C7", "G7", "Fmaj7", "G\uea647"]
    assert_symbols_apart(svg)


# ---------------------------------------------------------------------------------------------
# Through the command line: --key, --transpose_for and the chart's own key and title.

def generate_lead_sheet(tmp_path, *args) -> tuple[int, Path]:
    from jazzsolo.cli import main

    out = tmp_path / "out"
    code = main(["generate", "--model", "course", "--seed", "2", "--musicxml", "--output_dir",
                 str(out), *args])
    return code, out


def test_cli_key_overrides_and_transposes(tmp_path):
    code, out = generate_lead_sheet(tmp_path, "--progression", "blues", "--key", "Bb",
                                    "--transpose_for", "tenor")
    assert code == 0
    (path,) = out.glob("*.musicxml")
    assert fifths_and_mode(path) == [(0, "major")]                  # Bb concert: C for tenor
    assert xml_of(path).findtext("part-list/score-part/part-name") == "Tenor Saxophone"
    assert xml_of(path).findtext("work/work-title") == "blues"


def test_cli_a_key_that_is_nonsense_is_one_line_and_nothing_is_written(tmp_path, capsys):
    code, out = generate_lead_sheet(tmp_path, "--progression", "blues", "--key", "nonsense")
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "unreadable key 'nonsense'" in lines[0] and "--key" in lines[0]
    assert not out.exists()
    code, out = generate_lead_sheet(tmp_path, "--progression", "blues", "--transpose_for", "oboe")
    assert code == 2 and "--transpose_for" in capsys.readouterr().err and not out.exists()
    from jazzsolo.cli import main

    assert main(["generate", "--model", "course", "--progression", "blues", "--key", "F",
                 "--output_dir", str(out)]) == 2                  # no lead sheet to key
    assert "--key sets how the MusicXML lead sheet is written" in capsys.readouterr().err
    assert not out.exists()


def test_cli_a_chart_states_its_key_and_titles_the_sheet(tmp_path):
    from jazzsolo.ingest.ireal import make_ireal_link

    chart = tmp_path / "tune.txt"          # F major's chords, but the chart says D minor
    chart.write_text(make_ireal_link([("Stated Key", "Me", "Swing", "D-",
                                       "T44F^7 |G-7 C7 |F^7 |G-7 C7 Z")]))
    code, out = generate_lead_sheet(tmp_path, "--chords_from", str(chart))
    assert code == 0
    (path,) = out.glob("*.musicxml")
    assert fifths_and_mode(path) == [(-1, "minor")]
    assert xml_of(path).findtext("work/work-title") == "Stated Key"
    assert "seed 2" in xml_of(path).findtext("identification/creator")
