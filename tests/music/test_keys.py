"""The key of a chart from its chord changes, and keys as charts and users write them."""
import pytest

from jazzsolo.errors import ConfigError
from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.music.keys import (WRITTEN_TRANSPOSITIONS, changes_from, check_transpose_for,
                                 infer_key, parse_key_name)
from jazzsolo.music.progression import PROGRESSIONS


def key_of(chart: str) -> str:
    """The key inferred from chord symbols written in bars ("F7 | Bb7 | ..."), as a chart name."""
    rows = []
    for bar in chart.split("|"):
        symbols = [parse_chord_symbol(text) for text in bar.split()]
        rows += [(s.root_pc, s.intervals, 4.0 / len(symbols), s.root) for s in symbols
                 if not s.is_no_chord]
    return str(infer_key(changes_from(rows)))


@pytest.mark.parametrize("chart, expected", [
    ("F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7", "F"),   # not Bb, its IV
    (PROGRESSIONS["blues"], "F"),
    (PROGRESSIONS["minor-blues"], "C-"),
    (PROGRESSIONS["rhythm-changes"], "Bb"),
    ("Abmaj7b5 | Db7sus | G-7b5 | C7b9 | Bmaj7 | B7sus | Bb-7 | Eb7sus | Emaj7 | D7#11 | "
     "Abmaj7 | E7#11 | Bb7sus", "Ab"),                                   # wandering, but in Ab
    ("C-7 | F7 | Bbmaj7 | Ebmaj7 | Am7b5 | D7 | G- | G- | Am7b5 | D7 | G- | G-", "G-"),
    ("C-maj7 | C-maj7 | G-7 | C7 | Fmaj7 | Fmaj7 | F-7 | Bb7 | Ebmaj7 | Eb-7 Ab7 | Dbmaj7 | "
     "D-7b5 G7", "C-"),
    ("C6 | C6 | D7b5 | D7b5 | D-7 | G7 | C6 | D-7 G7", "C"),
    ("F#maj7 | D#-7 | G#-7 | C#7 | F#maj7", "F#"),                       # spelled as written
    ("Gbmaj7 | Eb-7 | Ab-7 | Db7 | Gbmaj7", "Gb"),
])
def test_the_key_of_a_chart_from_its_changes(chart, expected):
    assert key_of(chart) == expected


def test_no_chords_is_c_major():
    assert str(infer_key([])) == "C"


def test_keys_as_written():
    assert [str(parse_key_name(t)) for t in ("Ab", "Eb major", "C-", "Cm", "f#min", "B♭")] == \
        ["Ab", "Eb", "C-", "C-", "F#-", "Bb"]
    assert parse_key_name("Bb").tonic_pc == 10 and parse_key_name("C#m").tonic_pc == 1
    for nonsense in ("nonsense", "H", "", "Cb7", "C minor major"):
        with pytest.raises(ConfigError, match="unreadable key"):
            parse_key_name(nonsense)


def test_the_parts_a_lead_sheet_is_written_for():
    from music21 import instrument, interval

    from jazzsolo.export.musicxml import TRANSPOSING_INSTRUMENTS

    for name, made in TRANSPOSING_INSTRUMENTS.items():             # as music21 knows them
        assert made().transposition.reverse().semitones == \
            interval.Interval(WRITTEN_TRANSPOSITIONS[name]).semitones
    assert instrument.TenorSaxophone().transposition.reverse().directedName == "M9"
    with pytest.raises(ConfigError, match="transpose_for must be one of concert, tenor, alto, "
                                          "trumpet, not 'bari'"):
        check_transpose_for("bari")
