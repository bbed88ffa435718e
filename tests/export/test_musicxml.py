"""A solo written as a MusicXML lead sheet, read back with music21 as a notation program would."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

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
from jazzsolo.export.musicxml import (chord_symbol_for, estimate_key, parse_key, rhythm_pieces,
                                      spell_pitch, write_solo_musicxml)
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


def test_the_key_is_estimated_when_not_given(blues):
    assert estimate_key(blues["solo"]) == key.Key("F")          # not the Bb of its dominants
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


def test_every_span_of_a_bar_is_written_as_plain_notes_or_triplets():
    for phase in (0, 4):
        for start in range(48):
            for end in range(start + 1, 49):
                pieces = rhythm_pieces(start, end, phase)
                assert pieces[0][0] == start and pieces[-1][1] == end
                assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
                for a, b in pieces:
                    written = duration.Duration(Fraction(b - a, 12))
                    assert written.type not in ("complex", "inexpressible")
                    assert all((t.numberNotesActual, t.numberNotesNormal) == (3, 2)
                               for t in written.tuplets)


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
