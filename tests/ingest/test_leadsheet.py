"""Tests for jazzsolo/ingest/leadsheet.py: MusicXML lead sheets read back bar by bar, as a musician would."""
from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
from music21 import bar, harmony, key, metadata, meter, note, repeat, spanner, stream, tempo

from jazzsolo.music.chart import Chart
from jazzsolo.errors import ChartError
from jazzsolo.ingest.leadsheet import MAX_FILE_BYTES, chord_text, is_musicxml, read_lead_sheet

ROOTS = ["C", "D", "E", "F", "G", "A", "B"]


def _measure(number: int, length_ql: float, chords=(), ts: str | None = None) -> stream.Measure:
    """A bar of rests of `length_ql` with chord symbols (music21 figures, or None for N.C.)."""
    m = stream.Measure(number=number)
    if ts:
        m.insert(0, meter.TimeSignature(ts))
    for offset, figure in chords:
        m.insert(offset, harmony.NoChord() if figure is None else harmony.ChordSymbol(figure))
    m.insert(0, note.Rest(quarterLength=length_ql))
    return m


def _write(tmp_path: Path, measures, name="sheet.musicxml", *, spanners=(), title="Test Tune",
           fmt="musicxml") -> Path:
    part = stream.Part()
    for m in measures:
        part.append(m)
    for s in spanners:
        part.insert(0, s)
    score = stream.Score()
    score.insert(0, metadata.Metadata(title=title, composer="Test Composer"))
    score.append(part)
    path = tmp_path / name
    score.write(fmt, fp=path)
    return path


def _eight_bars(ts="4/4", length=4.0, first=1):
    return [_measure(i, length, [(0, f"{ROOTS[(i - 1) % 7]}7"), (2, "B-m7")],
                     ts=ts if i == first else None) for i in range(first, first + 8)]


def test_three_four_sheet_gives_eight_bars_of_three_beats(tmp_path):
    chart = read_lead_sheet(_write(tmp_path, _eight_bars("3/4", 3.0)))
    assert isinstance(chart, Chart) and len(chart.bars) == 8
    assert {(b.time_signature, b.length_ql) for b in chart.bars} == {("3/4", 3.0)}
    assert chart.bars[0].chords == ((0.0, "C7"), (2.0, "Bbm7"))
    assert chart.bars[7].chords == ((0.0, "C7"), (2.0, "Bbm7"))
    assert (chart.title, chart.composer) == ("Test Tune", "Test Composer")


def _pickup_with_endings(tmp_path, *, forward_repeat: bool) -> Path:
    pickup = _measure(0, 1.0, [(0, "G7")], ts="4/4")
    pickup.paddingLeft = 3.0
    bars = [_measure(i, 4.0, [(0, f"{ROOTS[i - 1]}m7"), (3, "G7")]) for i in range(1, 7)]
    ending1 = _measure(7, 4.0, [(0, "Dm7"), (2, "G7")])
    ending2 = _measure(8, 4.0, [(0, "Cmaj7")])
    ending1.rightBarline = bar.Repeat(direction="end")
    if forward_repeat:
        bars[0].leftBarline = bar.Repeat(direction="start")
    brackets = [spanner.RepeatBracket(ending1, number=1), spanner.RepeatBracket(ending2, number=2)]
    return _write(tmp_path, [pickup, *bars, ending1, ending2], spanners=brackets)


@pytest.mark.parametrize("forward_repeat", [True, False])
def test_pickup_and_first_second_endings_play_as_written(tmp_path, forward_repeat):
    chart = read_lead_sheet(_pickup_with_endings(tmp_path, forward_repeat=forward_repeat))
    # pickup, bars 1-6, ending 1, bars 1-6 again, ending 2: the pickup is not played twice
    assert chart.extra["measure_numbers"] == (0, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 8)
    assert len(chart.bars) == 15
    assert chart.bars[0].length_ql == 1.0 and chart.bars[0].chords == ((0.0, "G7"),)
    assert chart.bars[1].chords == ((0.0, "Cm7"), (3.0, "G7"))        # bar 1: downbeat, beat 4
    assert chart.bars[7].chords == ((0.0, "Dm7"), (2.0, "G7"))        # ending 1
    assert chart.bars[8].chords == ((0.0, "Cm7"), (3.0, "G7"))        # bar 1, second time
    assert chart.bars[14].chords == ((0.0, "Cmaj7"),)                 # ending 2
    assert all(b.length_ql == 4.0 for b in chart.bars[1:])


def test_music21_alone_repeats_the_pickup_without_a_forward_repeat(tmp_path):
    """Why leadsheet adds a forward repeat at bar 1 after a pickup."""
    from music21 import converter
    score = converter.parse(_pickup_with_endings(tmp_path, forward_repeat=False), forceSource=True)
    numbers = [m.number for m in score.parts[0].expandRepeats().getElementsByClass(stream.Measure)]
    assert numbers[8] == 0          # music21 goes back to the pickup, not to bar 1


def test_last_chord_on_beat_three_of_bar_32_gives_32_bars(tmp_path):
    measures = [_measure(i, 4.0, [(0, "C7")] + ([(2, "G7")] if i == 32 else []),
                         ts="4/4" if i == 1 else None) for i in range(1, 33)]
    chart = read_lead_sheet(_write(tmp_path, measures))
    assert len(chart.bars) == 32
    assert chart.bars[-1].chords == ((0.0, "C7"), (2.0, "G7"))


def test_no_chord_bar_and_bar_without_harmony(tmp_path):
    measures = [_measure(1, 4.0, [(0, "C7")], ts="4/4"), _measure(2, 4.0, [(0, None)]),
                _measure(3, 4.0, []), _measure(4, 4.0, [(0, "F7"), (2, None)])]
    chart = read_lead_sheet(_write(tmp_path, measures))
    assert [b.chords for b in chart.bars] == [((0.0, "C7"),), ((0.0, "N.C."),), (),
                                              ((0.0, "F7"), (2.0, "N.C."))]


def test_chord_symbols_come_back_as_jazz_text(tmp_path):
    figures = ["B-7", "E-maj7", "F#m7b5", "C7b9", "Dm/C", "C7#11b9", "Cm7", "Cdim7", "C7sus4",
               "Cadd9", "CmM7", "C6", "C13", "Cmaj7/G"]
    measures = [_measure(i + 1, 4.0, [(0, f)], ts="4/4" if i == 0 else None)
                for i, f in enumerate(figures)]
    chart = read_lead_sheet(_write(tmp_path, measures))
    assert [b.chords[0][1] for b in chart.bars] == [
        "Bb7", "Ebmaj7", "F#m7b5", "C7(b9)", "Dm/C", "C7(b9,#11)", "Cm7", "Cdim7", "C7sus4",
        "Cadd9", "Cm(maj7)", "C6", "C13", "Cmaj7/G"]


def test_chord_text_of_in_memory_symbols():
    assert chord_text(harmony.ChordSymbol(root="E-", kind="half-diminished")) == "Ebm7b5"
    assert chord_text(harmony.ChordSymbol("C7 alter #5")) == "C7(#5)"
    with pytest.raises(ChartError, match="unknown chord kind"):
        chord_text(harmony.ChordSymbol(root="C", kind="other"))


def test_time_signature_changes_give_each_bar_its_own_metre(tmp_path):
    measures = [_measure(1, 4.0, [(0, "C")], ts="4/4"), _measure(2, 3.0, [(0, "D")], ts="3/4"),
                _measure(3, 3.0, [(1.5, "E")], ts="6/8"), _measure(4, 5.0, [(3, "F")], ts="5/4"),
                _measure(5, 5.0, [(0, "G")])]
    chart = read_lead_sheet(_write(tmp_path, measures))
    assert [(b.time_signature, b.length_ql) for b in chart.bars] == [
        ("4/4", 4.0), ("3/4", 3.0), ("6/8", 3.0), ("5/4", 5.0), ("5/4", 5.0)]
    assert chart.bars[2].chords == ((1.5, "E"),) and chart.bars[3].chords == ((3.0, "F"),)


def test_tempo_key_and_title(tmp_path):
    measures = _eight_bars()
    measures[0].insert(0, key.KeySignature(-2))
    measures[0].insert(0, tempo.MetronomeMark(number=160))
    chart = read_lead_sheet(_write(tmp_path, measures, title="Blue Bossa"))
    assert (chart.title, chart.qpm, chart.key) == ("Blue Bossa", 160.0, "Bb")


def test_dc_al_fine(tmp_path):
    measures = _eight_bars()
    measures[3].insert(4.0, repeat.Fine())
    measures[7].insert(4.0, repeat.DaCapoAlFine())
    chart = read_lead_sheet(_write(tmp_path, measures))
    assert chart.extra["measure_numbers"] == (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4)


def test_ds_al_coda(tmp_path):
    measures = _eight_bars()
    measures[1].insert(0, repeat.Segno())
    measures[3].insert(4.0, repeat.Coda("To Coda"))
    measures[5].insert(4.0, repeat.DalSegnoAlCoda())
    measures[6].insert(0, repeat.Coda())
    chart = read_lead_sheet(_write(tmp_path, measures))
    assert chart.extra["measure_numbers"] == (1, 2, 3, 4, 5, 6, 2, 3, 4, 7, 8)
    assert chart.bars[9].chords == ((0.0, "B7"), (2.0, "Bbm7"))        # the coda: bar 7


def _aaba_with_endings_dc_al_coda(tmp_path) -> Path:
    measures = [_measure(i, 4.0, [(0, f"{ROOTS[(i - 1) % 7]}7")], ts="4/4" if i == 1 else None)
                for i in range(1, 15)]
    measures[0].leftBarline = bar.Repeat(direction="start")
    measures[6].rightBarline = bar.Repeat(direction="end")
    measures[9].insert(4.0, repeat.Coda("To Coda"))
    measures[11].insert(4.0, repeat.DaCapoAlCoda())
    measures[12].insert(0, repeat.Coda())
    brackets = [spanner.RepeatBracket(measures[6], number=1),
                spanner.RepeatBracket(measures[7], number=2)]
    return _write(tmp_path, measures, spanners=brackets)


def test_dc_al_coda_with_endings_takes_only_the_last_ending_after_the_jump(tmp_path):
    chart = read_lead_sheet(_aaba_with_endings_dc_al_coda(tmp_path))
    assert chart.extra["measure_numbers"] == (
        1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12,   # A A' B, to the D.C.
        1, 2, 3, 4, 5, 6, 8, 9, 10,                                # from the top, last ending, To Coda
        13, 14)                                                    # coda


def test_music21_expander_plays_first_ending_again_with_dc(tmp_path):
    """The music21 failure that made leadsheet lay out D.C./D.S. jumps itself."""
    from music21 import converter
    part = converter.parse(_aaba_with_endings_dc_al_coda(tmp_path), forceSource=True).parts[0]
    for i, m in enumerate(part.getElementsByClass(stream.Measure)):
        m.id = f"bar{i + 1}"
    played = [m.id for m in repeat.Expander(part).process().getElementsByClass(stream.Measure)]
    assert played[7:15] == ["bar1", "bar2", "bar3", "bar4", "bar5", "bar6", "bar7", "bar8"]


HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="4.0">'
          '<part-list><score-part id="P1"><part-name>Lead</part-name></score-part></part-list>'
          '<part id="P1">')
ATTRIBUTES = ('<attributes><divisions>1</divisions><key><fifths>0</fifths></key>'
              '<time><beats>4</beats><beat-type>4</beat-type></time></attributes>')


def _xml_measure(number, body, *, attributes="", implicit=False, duration=4):
    flag = ' implicit="yes"' if implicit else ""
    return (f'<measure number="{number}"{flag}>{attributes}{body}'
            f'<note><rest/><duration>{duration}</duration></note></measure>')


def _harmony(root="C", kind="dominant"):
    return f"<harmony><root><root-step>{root}</root-step></root><kind>{kind}</kind></harmony>"


def _xml_file(tmp_path, measures, name="hand.musicxml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(measures) + "</part></score-partwise>", encoding="utf-8")
    return path


def test_hand_written_implicit_pickup(tmp_path):
    path = _xml_file(tmp_path, [_xml_measure(0, _harmony("G"), attributes=ATTRIBUTES,
                                             implicit=True, duration=2),
                                _xml_measure(1, _harmony("C", "major-seventh"))])
    chart = read_lead_sheet(path)
    assert [(b.length_ql, b.chords) for b in chart.bars] == [(2.0, ((0.0, "G7"),)),
                                                             (4.0, ((0.0, "Cmaj7"),))]


def test_jump_written_only_as_sound_attribute_is_refused(tmp_path):
    path = _xml_file(tmp_path, [_xml_measure(1, _harmony(), attributes=ATTRIBUTES),
                                _xml_measure(2, '<sound dacapo="yes"/>' + _harmony("F"))])
    with pytest.raises(ChartError, match="only as <sound>"):
        read_lead_sheet(path)


def test_unknown_kind_and_no_harmony_are_refused(tmp_path):
    other = _xml_file(tmp_path, [_xml_measure(1, _harmony("C", "other"), attributes=ATTRIBUTES)])
    with pytest.raises(ChartError, match="unknown chord kind"):
        read_lead_sheet(other)
    empty = _xml_file(tmp_path, [_xml_measure(1, "", attributes=ATTRIBUTES)], "empty.musicxml")
    with pytest.raises(ChartError, match="no chord symbols"):
        read_lead_sheet(empty)


def test_huge_repeat_count_is_refused(tmp_path):
    body = '<barline location="right"><repeat direction="backward" times="100000"/></barline>'
    path = _xml_file(tmp_path, [_xml_measure(1, _harmony() + body, attributes=ATTRIBUTES)])
    with pytest.raises(ChartError, match="repeats play over"):
        read_lead_sheet(path)


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "laughs.musicxml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><score-partwise>&b;</score-partwise>')
    with pytest.raises(ChartError, match="entity"):
        read_lead_sheet(path)


def test_mxl_archive_reads_like_the_uncompressed_file(tmp_path):
    plain = read_lead_sheet(_write(tmp_path, _eight_bars(), "tune.musicxml"))
    packed = _write(tmp_path, _eight_bars(), "tune.mxl", fmt="mxl")
    assert is_musicxml(packed) and zipfile.is_zipfile(packed)
    assert read_lead_sheet(packed).bars == plain.bars


def test_is_musicxml_sniffs_name_and_content(tmp_path):
    sheet = _write(tmp_path, _eight_bars())
    assert is_musicxml(sheet)
    (tmp_path / "other.xml").write_text("<html><body/></html>")
    (tmp_path / "tune.mid").write_bytes(sheet.read_bytes())
    assert not is_musicxml(tmp_path / "other.xml") and not is_musicxml(tmp_path / "tune.mid")


def _one_line_error(path: Path) -> str:
    with pytest.raises(ChartError) as info:
        read_lead_sheet(path)
    message = str(info.value)
    assert "\n" not in message and path.name in message
    return message


def test_oversized_random_and_zip_bomb_files_give_one_line_errors(tmp_path):
    big = tmp_path / "big.musicxml"
    big.write_bytes(b'<?xml version="1.0"?><score-partwise>' + b" " * (6 * 1024 * 1024))
    assert str(MAX_FILE_BYTES) in _one_line_error(big)
    noise = tmp_path / "noise.musicxml"
    noise.write_bytes(random.Random(1).randbytes(4096))
    _one_line_error(noise)
    bomb = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml", '<container><rootfiles><rootfile '
                         'full-path="score.xml"/></rootfiles></container>')
        archive.writestr("score.xml", b"<score-partwise>" + b" " * (64 * 1024 * 1024))
    assert bomb.stat().st_size < MAX_FILE_BYTES
    assert "archive unpacks to" in _one_line_error(bomb)


def _mutations(base: bytes, rng: random.Random, count: int):
    """Byte flips, truncations and deleted elements of a valid sheet, `count` in all."""
    tags = [m.start() for m in re.finditer(rb"<[a-z]", base)]
    for case in range(count):
        data = bytearray(base)
        if case % 3 == 0:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif case % 3 == 1:
            data = data[:rng.randrange(len(data))]
        else:
            start = rng.choice(tags)
            name = re.match(rb"<([a-z-]+)", base[start:]).group(1)
            end = base.find(b"</" + name + b">", start)
            data = base[:start] + (base[end + len(name) + 3:] if end > 0 else base[start + 1:])
        yield bytes(data)


@pytest.mark.filterwarnings("ignore")          # music21 warns about each damaged measure
def test_fuzzed_sheets_give_a_chart_or_a_chart_error(tmp_path):
    measures = _eight_bars()[:4]
    measures[0].leftBarline = bar.Repeat(direction="start")
    measures[1].rightBarline = bar.Repeat(direction="end")
    measures[3].insert(0, tempo.MetronomeMark(number=120))
    brackets = [spanner.RepeatBracket(measures[1], number=1),
                spanner.RepeatBracket(measures[2], number=2)]
    base = _write(tmp_path, measures, spanners=brackets).read_bytes()
    assert read_lead_sheet(tmp_path / "sheet.musicxml").extra["measure_numbers"] == (1, 2, 1, 3, 4)
    outcomes = {"chart": 0, "error": 0}
    for i, data in enumerate(_mutations(base, random.Random(0), 150)):
        path = tmp_path / f"fuzz{i}.musicxml"
        path.write_bytes(data)
        try:
            chart = read_lead_sheet(path)
        except ChartError as e:
            assert "\n" not in str(e)
            outcomes["error"] += 1
        else:
            assert isinstance(chart, Chart) and chart.bars
            outcomes["chart"] += 1
    assert outcomes["chart"] > 0 and outcomes["error"] > 0, outcomes
