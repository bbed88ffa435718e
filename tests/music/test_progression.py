"""Chord symbols, bars and named progressions become measures of chords."""
import pytest
from music21 import harmony, meter, note, stream

from jazzsolo.music.chart import Chart, ChartBar
from jazzsolo.errors import (ChartError, ChordSymbolError, ConfigError, InputFileError,
                             JazzsoloError, NoChordsError)
from jazzsolo.ingest.ireal import make_ireal_link
from jazzsolo.ingest.chord_files import read_chords_file
from jazzsolo.music.progression import (PROGRESSIONS, chart_time_signatures, chart_to_measures,
                                        get_progression, measure_lengths, parse_chord_symbol,
                                        parse_progression, repeat_choruses)

from conftest import write_tiny_midi


def pcs(c):
    return sorted({p.midi % 12 for p in c.pitches})


@pytest.mark.parametrize("symbol, classes", [
    ("Dm7", [0, 2, 5, 9]), ("G7", [2, 5, 7, 11]), ("Cmaj7", [0, 4, 7, 11]),
    ("Bbmaj7", [2, 5, 9, 10]), ("Bb7", [2, 5, 8, 10]), ("Ebm7", [1, 3, 6, 10]),
    ("F#m7", [1, 4, 6, 9]), ("Dm7b5", [0, 2, 5, 8]), ("C7b9", [0, 1, 4, 7, 10]),
])
def test_chord_symbols_give_the_right_pitch_classes(symbol, classes):
    assert pcs(parse_chord_symbol(symbol)) == classes


def test_flat_bass_note_is_read_as_a_flat():
    assert min(p.midi for p in parse_chord_symbol("Ebm7/Gb").pitches) % 12 == 6


@pytest.mark.parametrize("symbol", ["Xq7", "H7", "C7q", ""])
def test_unknown_symbols_are_refused(symbol):
    with pytest.raises(ChordSymbolError, match="unreadable chord symbol"):
        parse_chord_symbol(symbol)


def test_every_unreadable_symbol_of_a_progression_is_named_at_once():
    with pytest.raises(ChordSymbolError, match="symbols: 'Xq7', 'H7' ") as raised:
        parse_progression("Dm7 Xq7 | G7 | H7 Cmaj7 | Xq7")
    assert isinstance(raised.value, JazzsoloError)


@pytest.mark.parametrize("symbol, names", [
    ("C-7", ["C", "E-", "G", "B-"]), ("C69", ["C", "E", "G", "A", "D"]),
    ("C13b9", ["C", "E", "G", "B-", "D-", "A"]), ("C13#11", ["C", "E", "G", "B-", "D", "F#", "A"]),
    ("C07", ["C", "E-", "G-", "B--"]), ("Db7", ["D-", "F", "A-", "C-"]),
])
def test_symbols_music21_misread_are_spelled_from_their_root(symbol, names):
    c = parse_chord_symbol(symbol)
    assert [p.name for p in c.pitches] == names
    assert c.root().name == names[0] and c.symbol.symbol == symbol


def test_chords_are_stacked_from_the_root_with_the_slash_bass_below():
    c = parse_chord_symbol("G-7/F")
    assert [p.nameWithOctave for p in c.pitches] == ["F2", "G3", "B-3", "D4", "F4"]
    assert (c.root().name, c.bass().name) == ("G", "F")
    assert [p.midi for p in c.pitches] == sorted(p.midi for p in c.pitches)


def test_the_built_in_progressions_keep_their_roots_as_written():
    measures = parse_progression(get_progression("blues"))
    bb7 = measures[1][0]
    assert (bb7.root().name, bb7.bass().name, bb7.symbol.symbol) == ("B-", "B-", "Bb7")
    assert [p.name for p in bb7.pitches] == ["B-", "D", "F", "A-"]
    for name in PROGRESSIONS:
        for m in parse_progression(get_progression(name)):
            for c in m:
                assert c.root().pitchClass == c.symbol.root_pc
                assert c.root().name.replace("-", "b") == c.symbol.root


def test_no_chord_is_a_chord_without_pitches():
    measures = parse_progression("C7 N.C. | F7")
    assert not measures[0][1].pitches and measures[0][1].symbol.is_no_chord
    assert measure_lengths(measures) == [4.0, 4.0]
    with pytest.raises(ConfigError, match="only N.C."):
        parse_progression("N.C. | NC")


@pytest.mark.parametrize("signature, length, second", [
    ("3/4", 3.0, 2.0), ("6/8", 3.0, 1.5), ("5/4", 5.0, 3.0), ("7/8", 3.5, 1.75), ("2/2", 4.0, 2.0)])
def test_a_time_signature_sets_the_bar_length(signature, length, second):
    """Two chords in a bar change on a beat: 2 + 1 in 3/4, 3 + 2 in 5/4, half and half in 6/8."""
    measures = parse_progression("Dm7 G7 | C", time_signature=signature)
    assert [[(c.offset, c.quarterLength) for c in m] for m in measures] == [
        [(0.0, second), (second, length - second)], [(0.0, length)]]


@pytest.mark.parametrize("signature", ["3", "3/5", "0/4", "x/4", "40/4"])
def test_an_unreadable_time_signature_is_refused(signature):
    with pytest.raises(ConfigError, match="time signature"):
        parse_progression("C", time_signature=signature)


def test_beats_per_chord_is_refused_with_bars():
    with pytest.raises(ConfigError, match="cannot apply to chords written in bars"):
        parse_progression("C | F", beats_per_chord=2)


def test_bars_share_their_length_evenly():
    measures = parse_progression("Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7")
    assert [[(c.offset, c.quarterLength) for c in m] for m in measures] == [
        [(0.0, 2.0), (2.0, 2.0)], [(0.0, 4.0)], [(0.0, 2.0), (2.0, 2.0)], [(0.0, 4.0)]]


def test_beats_per_chord_without_bars_splits_at_barlines():
    measures = parse_progression("Dm7 G7 Cmaj7", beats_per_chord=3)
    assert [[(c.offset, c.quarterLength) for c in m] for m in measures] == [
        [(0.0, 3.0), (3.0, 1.0)], [(0.0, 2.0), (2.0, 2.0)], [(0.0, 1.0)]]


def test_named_progressions_have_their_lengths():
    lengths = {name: len(parse_progression(get_progression(name))) for name in PROGRESSIONS}
    assert lengths == {"blues": 12, "minor-blues": 12, "ii-v-i": 16, "rhythm-changes": 8}
    with pytest.raises(ConfigError, match="valid progressions: blues"):
        get_progression("bossa")


def test_choruses_repeat_the_form():
    measures = parse_progression(get_progression("blues"))
    repeated = repeat_choruses(measures, 3)
    assert len(repeated) == 36
    assert [c.symbol.symbol for c in repeated[25]] == ["Bb7"]
    assert repeated[25][0] is not measures[1][0]
    with pytest.raises(ConfigError):
        repeat_choruses(measures, 0)


def test_chords_from_a_musicxml_lead_sheet(tmp_path):
    part = stream.Part()
    part.append(meter.TimeSignature("4/4"))
    for symbols in (["Dm7", "G7"], ["Cmaj7"]):
        measure = stream.Measure()
        for i, symbol in enumerate(symbols):
            measure.insert(i * 4 / len(symbols), harmony.ChordSymbol(symbol))
        measure.insert(0, note.Note("C4", quarterLength=4))
        part.append(measure)
    score = stream.Score([part])
    path = tmp_path / "lead.musicxml"
    score.write("musicxml", fp=str(path))
    measures = read_chords_file(path)
    assert [[pcs(c) for c in m] for m in measures] == [
        [[0, 2, 5, 9], [2, 5, 7, 11]], [[0, 4, 7, 11]]]


def test_chords_from_a_midi_accompaniment(tmp_path):
    melody = [(72 + (i % 5), i * 0.5, 0.5) for i in range(32)]          # 4 bars of eighths
    chords = [([50, 53, 57, 60], 0, 4), ([43, 47, 50, 53], 4, 4),
              ([48, 52, 55, 59], 8, 4), ([48, 52, 55, 59], 12, 4)]
    path = write_tiny_midi(tmp_path / "tune.mid", melody, chords=chords)
    measures = read_chords_file(path)
    assert len(measures) == 4
    assert pcs(measures[0][0]) == [0, 2, 5, 9]
    assert pcs(measures[1][0]) == [2, 5, 7, 11]


def test_a_midi_without_accompaniment_has_no_chords(tmp_path):
    path = write_tiny_midi(tmp_path / "alone.mid", [(72, i * 0.5, 0.5) for i in range(32)])
    with pytest.raises(NoChordsError, match="single melody line, not chords"):
        read_chords_file(path)


def spans(measures):
    """Each measure as (offset, length, symbol) triples."""
    return [[(c.offset, c.quarterLength, c.symbol.symbol) for c in m] for m in measures]


WALTZ = Chart("Waltz", (ChartBar("3/4", 1.0, ((0.0, "G7"),)),              # pickup
                        ChartBar("3/4", 3.0, ((0.0, "C-7"), (2.0, "F7"))),
                        ChartBar("3/4", 3.0, ()),                           # keeps F7
                        ChartBar("3/4", 3.0, ((1.0, "N.C."),)),
                        ChartBar("3/4", 3.0, ((2.0, "Bbmaj7"),))))


def test_a_chart_gives_one_measure_per_bar_at_its_own_length():
    measures = chart_to_measures(WALTZ)
    assert spans(measures) == [
        [(0.0, 1.0, "G7")],
        [(0.0, 2.0, "C-7"), (2.0, 1.0, "F7")],
        [(0.0, 3.0, "F7")],
        [(0.0, 1.0, "F7"), (1.0, 2.0, "N.C.")],
        [(0.0, 2.0, "N.C."), (2.0, 1.0, "Bbmaj7")]]
    assert measure_lengths(measures) == [1.0, 3.0, 3.0, 3.0, 3.0]
    assert chart_time_signatures(WALTZ) == ["3/4"] * 5
    assert measures[4][0].solo_symbol.symbol == "F7" and not measures[4][0].pitches


def test_a_chart_can_be_cut_into_measures_of_one_length():
    """13 beats in 4/4 measures: the last chord fills the last measure."""
    assert spans(chart_to_measures(WALTZ, measure_ql=4.0)) == [
        [(0.0, 1.0, "G7"), (1.0, 2.0, "C-7"), (3.0, 1.0, "F7")],
        [(0.0, 4.0, "F7")],
        [(0.0, 4.0, "N.C.")],
        [(0.0, 4.0, "Bbmaj7")]]


def test_a_first_bar_without_a_chord_is_silent():
    chart = Chart("Late start", (ChartBar(), ChartBar(chords=((0.0, "D-7"),))))
    measures = chart_to_measures(chart)
    assert spans(measures) == [[(0.0, 4.0, "N.C.")], [(0.0, 4.0, "D-7")]]
    assert measures[0][0].solo_symbol.symbol == "D-7"


def test_every_bad_symbol_of_a_chart_is_named_at_once():
    chart = Chart("Bad", (ChartBar(chords=((0.0, "Xq7"),)), ChartBar(chords=((0.0, "C7"),)),
                          ChartBar(chords=((0.0, "H7"), (2.0, "Zz")))))
    with pytest.raises(ChordSymbolError, match="^Bad: unreadable chord symbols: 'Xq7', 'H7', 'Zz'"):
        chart_to_measures(chart)
    with pytest.raises(ChartError, match="only N.C."):
        chart_to_measures(Chart("Silence", (ChartBar(chords=((0.0, "N.C."),)),)))
    with pytest.raises(ChartError, match="no bars"):
        chart_to_measures(Chart("Empty"))


def _lead_sheet(tmp_path, bars, signature="4/4", name="lead.musicxml"):
    """A MusicXML sheet of whole-bar rests under the given chord symbols (music21 figures)."""
    part = stream.Part()
    part.append(meter.TimeSignature(signature))
    length = meter.TimeSignature(signature).barDuration.quarterLength
    for symbols in bars:
        measure = stream.Measure()
        for i, symbol in enumerate(symbols):
            measure.insert(i * length / len(symbols), harmony.ChordSymbol(symbol))
        measure.insert(0, note.Rest(quarterLength=length))
        part.append(measure)
    path = tmp_path / name
    stream.Score([part]).write("musicxml", fp=str(path))
    return path


def test_a_32_bar_lead_sheet_gives_32_measures(tmp_path):
    path = _lead_sheet(tmp_path, [["B-7"], ["E-7"], ["F7"], ["B-7", "G7"]] * 8)
    measures = read_chords_file(path)
    assert len(measures) == 32
    assert [c.symbol.root for c in measures[3]] == ["Bb", "G"]
    assert measures[0][0].root().name == "B-" and measures[0][0].quarterLength == 4.0


def test_a_waltz_lead_sheet_keeps_three_beat_measures(tmp_path):
    measures = read_chords_file(_lead_sheet(tmp_path, [["Dm7"], ["G7"], ["C"]], "3/4"))
    assert measure_lengths(measures) == [3.0, 3.0, 3.0]


IREAL = make_ireal_link([("Waltz Blues", "Me", "Jazz Waltz", "F", "T34F7 |Bb7 |F7 |C-7 F7 Z"),
                         ("Tune Two", "Me", "Swing", "C", "T44C^7 |D-7 G7 Z")])


def test_an_ireal_link_file_and_page_give_measures(tmp_path):
    expected = [[(0.0, 3.0, "F7")], [(0.0, 3.0, "Bb7")], [(0.0, 3.0, "F7")],
                [(0.0, 2.0, "C-7"), (2.0, 1.0, "F7")]]
    assert spans(read_chords_file(IREAL)) == expected
    (tmp_path / "tunes.txt").write_text(IREAL)
    (tmp_path / "page.html").write_text(f'<html><a href="{IREAL}">tunes</a></html>')
    assert spans(read_chords_file(tmp_path / "tunes.txt")) == expected
    two = read_chords_file(tmp_path / "page.html", tune="tune two")
    assert spans(two) == [[(0.0, 4.0, "C^7")], [(0.0, 2.0, "D-7"), (2.0, 2.0, "G7")]]


def test_an_unknown_tune_or_a_tune_for_another_file_is_one_error(tmp_path):
    with pytest.raises(ChartError, match="no tune 'Nope'"):
        read_chords_file(IREAL, tune="Nope")
    with pytest.raises(ConfigError, match="iReal Pro playlist"):
        read_chords_file(_lead_sheet(tmp_path, [["C7"]]), tune="Tune Two")


def test_a_file_of_another_kind_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("Dm7 G7 | Cmaj7")
    with pytest.raises(InputFileError, match="neither a MIDI file"):
        read_chords_file(tmp_path / "notes.txt")
    (tmp_path / "broken.musicxml").write_text("<score-partwise")
    with pytest.raises(ChartError, match="not MusicXML"):
        read_chords_file(tmp_path / "broken.musicxml")
