"""Chord symbols (jazz, iReal Pro, WJazzD, music21 figures) → root, bass and pitch classes."""
import csv
import doctest
import json
import os
import random
from pathlib import Path

import pytest
from music21 import harmony

from jazzsolo.music import chord_symbols
from jazzsolo.music.chord_symbols import (ChordSymbol, describe_chords,
                                          from_music21, parse_chord_symbol, parse_chord_symbols,
                                          parse_music21_figure)
from jazzsolo.errors import ChordSymbolError

WJAZZD = Path(__file__).resolve().parents[2].parent / "shared/data/wjazzd"

C, Db, D, Eb, E, F, Gb, G, Ab, A, Bb, B = range(12)


@pytest.mark.parametrize("symbol, root, bass, pitch_classes", [
    ("C-7", "C", "C", (C, Eb, G, Bb)),
    ("Bb7", "Bb", "Bb", (Bb, D, F, Ab)),
    ("Eb7", "Eb", "Eb", (Eb, G, Bb, Db)),
    ("Fm7", "F", "F", (F, Ab, C, Eb)),
    ("Bmaj7", "B", "B", (B, Eb, Gb, Bb)),
    ("C6", "C", "C", (C, E, G, A)),
    ("C69", "C", "C", (C, E, G, A, D)),
    ("C6/9", "C", "C", (C, E, G, A, D)),
    ("C13b9", "C", "C", (C, E, G, Bb, Db, A)),
    ("C13#11", "C", "C", (C, E, G, Bb, D, Gb, A)),
    ("C07", "C", "C", (C, Eb, Gb, A)),
    ("C0", "C", "C", (C, Eb, Gb)),
    ("Fm/maj7", "F", "F", (F, Ab, C, E)),
    ("Cm(maj7)", "C", "C", (C, Eb, G, B)),
    ("EbmMaj7", "Eb", "Eb", (Eb, Gb, Bb, D)),
    ("G7alt", "G", "G", (G, B, F, Ab, Bb, Eb)),
    ("Bb9sus", "Bb", "Bb", (Bb, Eb, F, Ab, C)),
    ("Dmaj9", "D", "D", (D, Gb, A, Db, E)),
    ("Cm69", "C", "C", (C, Eb, G, A, D)),
    ("CMaj7", "C", "C", (C, E, G, B)),
    ("C^7", "C", "C", (C, E, G, B)),
    ("CΔ7", "C", "C", (C, E, G, B)),
    ("C°7", "C", "C", (C, Eb, Gb, A)),
    ("Cø", "C", "C", (C, Eb, Gb, Bb)),
    ("C7(b9)", "C", "C", (C, E, G, Bb, Db)),
    ("C7(b9,#11)", "C", "C", (C, E, G, Bb, Db, Gb)),
    ("C7+5", "C", "C", (C, E, Ab, Bb)),
    ("C7-5", "C", "C", (C, E, Gb, Bb)),
    ("C7#9b13", "C", "C", (C, E, G, Bb, Eb, Ab)),
    ("Cmaj13", "C", "C", (C, E, G, B, D, A)),
    ("C13sus", "C", "C", (C, F, G, Bb, D, A)),
    ("C7b9sus", "C", "C", (C, F, G, Bb, Db)),
    ("G-7/F", "G", "F", (G, Bb, D, F)),
    ("Bb7/Ab", "Bb", "Ab", (Bb, D, F, Ab)),
    ("C/E", "C", "E", (C, E, G)),
    ("F#-", "F#", "F#", (Gb, A, Db)),
    ("B♭-7", "Bb", "Bb", (Bb, Db, F, Ab)),
    # WJazzD: tensions after the 7 with the accidental after the number
    ("D79b", "D", "D", (D, Gb, A, C, Eb)),
    ("G79#13", "G", "G", (G, B, D, F, Bb, E)),
    ("A79b13", "A", "A", (A, Db, E, G, Bb, Gb)),
    ("Bb79b13b", "Bb", "Bb", (Bb, D, F, Ab, B, Gb)),
    ("D79#11#", "D", "D", (D, Gb, A, C, F, Ab)),
    ("E6911#", "E", "E", (E, Ab, B, Db, Gb, Bb)),
    ("Ebj7", "Eb", "Eb", (Eb, G, Bb, D)),
    ("Ab+j7", "Ab", "Ab", (Ab, C, E, G)),
    ("C-j7911#", "C", "C", (C, Eb, G, B, D, Gb)),
    ("Fsus7913", "F", "F", (F, Bb, C, Eb, G, D)),
    ("Am7b5", "A", "A", (A, C, Eb, G)),
    ("Co7", "C", "C", (C, Eb, Gb, A)),
    ("Co", "C", "C", (C, Eb, Gb)),
    # iReal Pro
    ("Ch7", "C", "C", (C, Eb, Gb, Bb)),
    ("C-^7", "C", "C", (C, Eb, G, B)),
    ("C7#9#5", "C", "C", (C, E, Ab, Bb, Eb)),
    ("C7susadd3", "C", "C", (C, E, F, G, Bb)),
    ("C-#5", "C", "C", (C, Eb, Ab)),
    ("C-b6", "C", "C", (C, Eb, G, Ab)),
    ("C2", "C", "C", (C, E, G, D)),
    ("C5", "C", "C", (C, G)),
    ("C11", "C", "C", (C, E, G, Bb, D, F)),
    ("C69#11", "C", "C", (C, E, G, A, D, Gb)),
])
def test_symbols_give_root_bass_and_pitch_classes_in_order(symbol, root, bass, pitch_classes):
    chord = parse_chord_symbol(symbol)
    assert (chord.root, chord.bass, chord.pitch_classes) == (root, bass, pitch_classes)
    assert chord.root_pc == pitch_classes[0] and chord.symbol == symbol


@pytest.mark.parametrize("symbol, quality", [
    ("C-7", "min"), ("C7", "dom"), ("Cmaj7", "maj"), ("C", "maj"), ("Co7", "dim"),
    ("Cm7b5", "half-dim"), ("C+", "aug"), ("C-j7", "min-maj"), ("Csus7", "sus"), ("C5", "power"),
])
def test_quality_names_the_chord_family(symbol, quality):
    assert parse_chord_symbol(symbol).quality == quality


@pytest.mark.parametrize("symbol, names", [
    ("Bb7", ["Bb", "D", "F", "Ab"]), ("F#7", ["F#", "A#", "C#", "E"]),
    ("Db7", ["Db", "F", "Ab", "Cb"]), ("C07", ["C", "Eb", "Gb", "Bbb"]),
    ("G79#13", ["G", "B", "D", "F", "A#", "E"]), ("Bbsus79", ["Bb", "Eb", "F", "Ab", "C"]),
])
def test_note_names_are_spelled_from_the_written_root(symbol, names):
    assert parse_chord_symbol(symbol).note_names() == names


@pytest.mark.parametrize("text", ["N.C.", "NC", "N.C", "n.c.", " nc "])
def test_no_chord_has_no_root_and_no_pitches(text):
    chord = parse_chord_symbol(text)
    assert chord.is_no_chord and (chord.root, chord.bass, chord.pitch_classes) == (None, None, ())
    assert (chord.root_pc, chord.bass_pc, chord.note_names()) == (None, None, [])


def test_dash_after_the_root_is_minor_but_a_music21_flat_in_figures():
    assert parse_chord_symbol("B-7").pitch_classes == (B, D, Gb, A)
    assert parse_music21_figure("B-7").pitch_classes == (Bb, D, F, Ab)


def _wjazzd_symbols() -> list[str]:
    """The distinct chord symbols of the WJazzD beat tables, read in place (never copied)."""
    folder = WJAZZD / "beats"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the Weimar Jazz Database beside the project: {folder}")
        pytest.skip(f"Weimar Jazz Database not available: {folder}")
    symbols = set()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as file:
            symbols.update(row["chord"] for row in csv.DictReader(file) if row["chord"])
    return sorted(symbols)


def test_every_wjazzd_symbol_reads_with_a_root():
    symbols = _wjazzd_symbols()
    assert len(symbols) == 414
    chords = parse_chord_symbols(symbols, source="WJazzD")
    assert [c.symbol for c in chords if c.is_no_chord] == ["NC"]
    for chord in chords:
        if not chord.is_no_chord:
            assert chord.symbol.startswith(chord.root) and chord.root_pc == chord.pitch_classes[0]
            assert {4, 3, 5, 2} & set(chord.intervals) or chord.intervals == (0, 7), chord


def test_wjazzd_minor_chords_have_a_minor_third_and_sevenths_a_seventh():
    chords = parse_chord_symbols(_wjazzd_symbols())
    for chord in chords:
        suffix = chord.suffix
        if suffix.startswith("-") or suffix.startswith("m7b5") or suffix.startswith("o"):
            assert 3 in chord.intervals and 4 not in chord.intervals, chord
        if "7" in suffix:
            assert {9, 10, 11} & set(chord.intervals), chord
        if "j7" in suffix:
            assert 11 in chord.intervals, chord


@pytest.mark.parametrize("symbol", ["C-7", "G79#13", "Fm/maj7", "Ab+j7/C", "C7(b9,#11)",
                                    "Db-69/Ab", "E6911#", "C07", "Bbsus7913", "F#m7b5/E"])
def test_transposing_through_twelve_keys_moves_every_pitch_class(symbol):
    chord = parse_chord_symbol(symbol)
    for semitones in range(12):
        moved = chord.transposed(semitones)
        assert moved.pitch_classes == tuple((pc + semitones) % 12 for pc in chord.pitch_classes)
        assert moved.bass_pc == (chord.bass_pc + semitones) % 12
        again = parse_chord_symbol(moved.symbol)
        assert (again.pitch_classes, again.bass) == (moved.pitch_classes, moved.bass)
    assert chord.transposed(12) == chord.transposed(0)


def test_every_wjazzd_symbol_survives_transposition_and_reading_back():
    for chord in parse_chord_symbols(_wjazzd_symbols()):
        for semitones in (1, 6, 11):
            moved = chord.transposed(semitones)
            assert parse_chord_symbol(moved.symbol).pitch_classes == moved.pitch_classes


def test_one_error_lists_every_unreadable_symbol_once_in_order():
    with pytest.raises(ChordSymbolError) as caught:
        parse_chord_symbols(["C7", "Xyz", "C7q", "C7", "Xyz"], source="tune.csv")
    message = str(caught.value)
    assert message.startswith("tune.csv: unreadable chord symbols: 'Xyz', 'C7q'")
    assert message.count("Xyz") == 1 and "\n" not in message


@pytest.mark.parametrize("text", ["", "H7", "Cfoo", "C7q", "c7", "C1", "C10", "C-5", "C7/",
                                  "/E", "C/Hb", "C7b", "B--7", None])
def test_unreadable_symbols_raise_naming_the_symbol(text):
    with pytest.raises(ChordSymbolError, match="unreadable chord symbol"):
        parse_chord_symbol(text)


def test_long_input_is_refused_by_its_length():
    # (how fast: a speed target belongs in bench/, never in an assertion on the clock)
    for text in ["C" * 10_000, "C7" + "9" * 9_998, "C" + "(" * 9_999, "C" + "b9#11" * 2_000]:
        with pytest.raises(ChordSymbolError, match="1 to 40 characters"):
            parse_chord_symbol(text)
    with pytest.raises(ChordSymbolError) as caught:
        parse_chord_symbols(["C7", "C" * 10_000])
    assert len(str(caught.value)) < 200 and "'CCCCCCCCCC" in str(caught.value)   # shown cut short


def test_seeded_fuzz_gives_a_chord_or_a_chord_symbol_error():
    rng = random.Random(0)
    pieces = list("ABCDEFGabcm-+#b♯♭^Δjhoø°/(), .0123456789") + ["maj", "sus", "add", "alt",
                                                                 "dim", "omit", "13", "N.C."]
    seeds = ["C-7", "Bb79b13b", "Fm/maj7", "C7(b9,#11)", "G-7/F", "E6911#", "C7susadd3",
             "Ab+j7/C", "C07", "N.C."]
    outcomes = {"chord": 0, "error": 0}
    for case in range(2000):
        if case % 2:
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        else:
            chars = list(rng.choice(seeds))
            for _ in range(rng.randint(1, 3)):
                chars.insert(rng.randint(0, len(chars)), rng.choice(pieces))
                del chars[rng.randrange(len(chars))]
            text = "".join(chars)
        try:
            chord = parse_chord_symbol(text)
        except ChordSymbolError:
            outcomes["error"] += 1
            continue
        outcomes["chord"] += 1
        assert all(0 <= pc <= 11 for pc in chord.pitch_classes), text
        assert chord.is_no_chord or chord.root_pc in chord.pitch_classes, text
        assert len(chord.note_names()) == len(chord.pitch_classes), text
    assert outcomes["chord"] > 100 and outcomes["error"] > 100


def test_describe_chords_as_json_gives_symbol_root_bass_and_pitch_classes():
    assert json.loads(describe_chords(["C-7", "Bb7", "G-7/F", "NC"], as_json=True)) == [
        {"symbol": "C-7", "root": "C", "bass": "C", "pitch_classes": [0, 3, 7, 10]},
        {"symbol": "Bb7", "root": "Bb", "bass": "Bb", "pitch_classes": [10, 2, 5, 8]},
        {"symbol": "G-7/F", "root": "G", "bass": "F", "pitch_classes": [7, 10, 2, 5]},
        {"symbol": "NC", "root": None, "bass": None, "pitch_classes": []}]


def test_describe_chords_as_a_table_shows_note_names_and_quality():
    lines = describe_chords(["Db7", "G-7/F"]).splitlines()
    assert lines[0].split() == ["symbol", "root", "bass", "notes", "quality"]
    assert lines[1].split() == ["Db7", "Db", "Db", "Db", "F", "Ab", "Cb", "dom"]
    assert lines[2].split() == ["G-7/F", "G", "F", "G", "Bb", "D", "F", "min"]


def test_chords_command_prints_what_describe_chords_returns(capsys):
    from jazzsolo.cli import main

    assert main(["chords", "C-7", "Bb7", "--json"]) == 0
    assert capsys.readouterr().out.strip() == describe_chords(["C-7", "Bb7"], as_json=True)
    assert main(["chords", "C-7", "Xq7", "H7"]) == 2
    assert capsys.readouterr().err.strip() == \
        "jazzsolo: error: unreadable chord symbols: 'Xq7', 'H7' (e.g. C-7, Bbmaj7, F#7b9, " \
        "Am7b5, G7/B, N.C.)"


@pytest.mark.parametrize("figure, root, bass, pitch_classes", [
    ("B-7", "Bb", "Bb", (Bb, D, F, Ab)), ("E-maj7", "Eb", "Eb", (Eb, G, Bb, D)),
    ("Cm7", "C", "C", (C, Eb, G, Bb)), ("C7 add b9", "C", "C", (C, E, G, Bb, Db)),
    ("Cm7 alter b5", "C", "C", (C, Eb, Gb, Bb)), ("C7 alter #5", "C", "C", (C, E, Ab, Bb)),
    ("F#dim7", "F#", "F#", (Gb, A, C, Eb)), ("Bpedal", "B", "B", (B,)),
    ("Cpower", "C", "C", (C, G)), ("Cm6", "C", "C", (C, Eb, G, A)),
    ("C13", "C", "C", (C, E, G, Bb, D, A)), ("Cø7", "C", "C", (C, Eb, Gb, Bb)),
    ("C+", "C", "C", (C, E, Ab)), ("Csus2", "C", "C", (C, D, G)),
    ("C7sus4", "C", "C", (C, F, G, Bb)), ("B-/D", "Bb", "D", (Bb, D, F)),
    ("Cm/maj7", "C", "C", (C, Eb, G, B)), ("C add 6 add 9", "C", "C", (C, E, G, A, D)),
    ("E-m7/A- alter b5", "Eb", "Ab", (Eb, Gb, A, Db)), ("B-dom7dim5", "Bb", "Bb", (Bb, D, E, Ab)),
])
def test_music21_figures_read_with_dash_as_flat(figure, root, bass, pitch_classes):
    chord = parse_music21_figure(figure)
    assert (chord.root, chord.bass, chord.pitch_classes) == (root, bass, pitch_classes)


@pytest.mark.parametrize("kind", [k for k in harmony.CHORD_TYPES
                                  if k not in ("Neapolitan", "Italian", "French", "German",
                                               "Tristan")])
def test_from_music21_agrees_with_music21_on_every_jazz_kind(kind):
    chord = from_music21(harmony.ChordSymbol(root="B-", bass="D", kind=kind))
    expected = {p.pitchClass for p in harmony.ChordSymbol(root="B-", kind=kind).pitches}
    if "13th" in kind and not kind.startswith(("minor", "half")):
        expected.discard((Bb + 5) % 12)      # jazz leaves the natural 11 out of 13th chords
    assert (chord.root, chord.bass, set(chord.pitch_classes)) == ("Bb", "D", expected)


def test_from_music21_keeps_altered_tensions_and_reads_no_chord():
    symbol = harmony.ChordSymbol("C13")
    symbol.addChordStepModification(harmony.ChordStepModification("add", 11, 1))
    assert from_music21(symbol).pitch_classes == (C, E, G, Bb, D, Gb, A)
    assert from_music21(harmony.NoChord()).is_no_chord


def test_from_music21_falls_back_to_its_pitches_for_classical_kinds():
    chord = from_music21(harmony.ChordSymbol(root="C", kind="Italian"))
    assert chord.root == "C" and chord.quality == "other"
    italian = harmony.ChordSymbol(root="C", kind="Italian")
    assert set(chord.pitch_classes) == {p.pitchClass for p in italian.pitches}


@pytest.mark.parametrize("fields", [
    ("C7", "C", "C", (0, 4, 12), "dom"), ("C7", "D", "D", (0, 4, 7), "dom"),
    ("C7", "C", "X", (0, 4, 7), "dom"), ("NC", None, None, (0,), "none"),
])
def test_an_inconsistent_chord_symbol_cannot_be_built(fields):
    with pytest.raises(ChordSymbolError, match="inconsistent"):
        ChordSymbol(*fields)


def test_module_doctests_pass():
    result = doctest.testmod(chord_symbols, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0
