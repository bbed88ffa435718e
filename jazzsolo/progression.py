"""Chord symbols and named progressions → measures of chords for the solo to be played over."""
from __future__ import annotations

import re

from music21 import chord, harmony

from jazzsolo.errors import ConfigError, NoChordsError
from jazzsolo.grammar import chord_from_midi

# Built-in progressions, bars separated by "|", for people who do not read chord symbols.
PROGRESSIONS: dict[str, str] = {
    # 12-bar jazz blues in F (with the ii-V turnarounds of bebop blues)
    "blues": "F7 | Bb7 | F7 | Cm7 F7 | Bb7 | Bdim7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7",
    # 12-bar minor blues in C
    "minor-blues": "Cm7 | Fm7 | Cm7 | Cm7 | Fm7 | Fm7 | Cm7 | Cm7 | Ab7 | G7 | Cm7 | G7",
    # ii-V-I in C, Bb, Ab and Gb: down a whole step each time
    "ii-v-i": ("Dm7 | G7 | Cmaj7 | Cmaj7 | Cm7 | F7 | Bbmaj7 | Bbmaj7 | "
               "Bbm7 | Eb7 | Abmaj7 | Abmaj7 | Abm7 | Db7 | Gbmaj7 | Gbmaj7"),
    # The A section of rhythm changes in Bb
    "rhythm-changes": "Bbmaj7 G7 | Cm7 F7 | Bbmaj7 G7 | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Ab7 | Dm7 G7 | Cm7 F7",
}

# A root or bass letter followed by "b" is a flat; music21 only reads "-" (PORTING-NOTES).
_FLAT_RE = re.compile(r"(^|/)([A-G])b")


def parse_chord_symbol(symbol: str) -> chord.Chord:
    """Read a jazz chord symbol (``Bbmaj7``, ``F#m7``, ``C7b9``, ``Dm7b5``) into a chord.

    The chord is spelled from MIDI numbers, as the MIDI importer spells the training chords,
    so the classes of notes over it mean the same as in training.

    >>> [p.midi for p in parse_chord_symbol("Bbmaj7").pitches]
    [46, 50, 53, 57]
    """
    text = _FLAT_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}-", symbol.strip())
    try:
        symbol_chord = harmony.ChordSymbol(text)
        midis = sorted({p.midi for p in symbol_chord.pitches})
    except Exception as e:  # music21 raises ValueError and its own exceptions
        raise ConfigError(f"unknown chord symbol {symbol!r} (e.g. Dm7, G7, Cmaj7, Bb7, F#m7b5)") from e
    if not midis:
        raise ConfigError(f"unknown chord symbol {symbol!r} (e.g. Dm7, G7, Cmaj7, Bb7, F#m7b5)")
    return chord_from_midi(midis)


def parse_progression(text: str, *, measure_ql: float = 4.0,
                      beats_per_chord: float | None = None) -> list[list[chord.Chord]]:
    """Turn ``"Dm7 G7 | Cmaj7"`` into measures of chords with offsets within each measure.

    Bars are separated by ``|`` and the chords of a bar share it evenly.  With
    `beats_per_chord` and no ``|``, each chord lasts that many beats and bars are filled in turn.

    >>> [[(c.offset, c.quarterLength) for c in m] for m in parse_progression("Dm7 G7 | C")]
    [[(0.0, 2.0), (2.0, 2.0)], [(0.0, 4.0)]]
    """
    if not text.strip():
        raise ConfigError("the chord progression is empty")
    if beats_per_chord is not None:
        if "|" in text:
            raise ConfigError("a chord length in beats cannot apply to chords written in bars "
                              "('|'): the bars already say how long each chord lasts")
        return _fixed_length_chords(text.split(), measure_ql, beats_per_chord)
    measures = []
    for bar in text.split("|"):
        symbols = bar.split()
        if not symbols:
            raise ConfigError(f"empty bar in the chord progression {text!r}")
        length = measure_ql / len(symbols)
        measures.append([_placed(parse_chord_symbol(s), i * length, length)
                         for i, s in enumerate(symbols)])
    return measures


def _placed(c: chord.Chord, offset_ql: float, duration_ql: float) -> chord.Chord:
    c = chord.Chord(c.pitches, quarterLength=duration_ql)
    c.offset = offset_ql
    return c


def _fixed_length_chords(symbols: list[str], measure_ql: float,
                         beats_per_chord: float) -> list[list[chord.Chord]]:
    """Chords of equal length laid into measures; a chord crossing a barline is split."""
    if beats_per_chord <= 0:
        raise ConfigError(f"beats per chord must be positive, got {beats_per_chord}")
    measures: list[list[chord.Chord]] = []
    position = 0.0
    for symbol in symbols:
        parsed, remaining = parse_chord_symbol(symbol), beats_per_chord
        while remaining > 1e-9:
            number, offset = int(position // measure_ql), position % measure_ql
            length = min(remaining, measure_ql - offset)
            while len(measures) <= number:
                measures.append([])
            measures[number].append(_placed(parsed, offset, length))
            position, remaining = position + length, remaining - length
    return measures


def get_progression(name: str) -> str:
    """The chord symbols of a built-in progression; an unknown name lists the valid ones."""
    try:
        return PROGRESSIONS[name]
    except KeyError:
        valid = ", ".join(sorted(PROGRESSIONS))
        raise ConfigError(f"unknown progression {name!r}; valid progressions: {valid}") from None


def repeat_choruses(measures: list[list[chord.Chord]], choruses: int) -> list[list[chord.Chord]]:
    """The progression played `choruses` times in a row."""
    if choruses < 1:
        raise ConfigError(f"the number of choruses must be at least 1, got {choruses}")
    return [[_placed(c, c.offset, c.quarterLength) for c in m] for _ in range(choruses) for m in measures]


def read_chords_file(path, *, measure_ql: float = 4.0) -> list[list[chord.Chord]]:
    """Chord measures from a MusicXML lead sheet (its <harmony> symbols) or a MIDI file's
    accompaniment (every pitched part but the melody, one chord per half bar)."""
    from pathlib import Path

    from music21 import converter

    from jazzsolo.errors import InputFileError
    from jazzsolo.parts import chord_part_indices, chords_per_window, describe_parts, group_chords_by_measure
    from jazzsolo.preprocess import check_midi_file, parse_midi_file

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file" if not path.exists() else
                             f"{path}: is a directory, expected a MIDI or MusicXML file")
    if path.read_bytes()[:4] == b"MThd":
        score = parse_midi_file(check_midi_file(path))
        accompaniment = [score.parts[i] for i in chord_part_indices(describe_parts(score), path)]
        length = max(float(p.highestTime) for p in accompaniment)
        timed = chords_per_window(accompaniment, length_ql=length)
        measures = [m for m in group_chords_by_measure(timed, measure_ql,
                                                       int(-(-length // measure_ql))) if m]
        if not measures:
            raise NoChordsError(f"{path}: no chords: its parts never sound two pitch classes "
                                f"together")
        return measures
    try:
        score = converter.parse(str(path), format="musicxml")
    except Exception as e:
        raise InputFileError(f"{path}: neither a MIDI file nor readable MusicXML ({e})") from e
    return _harmony_measures(score, path, measure_ql)


def _harmony_measures(score, path, measure_ql: float) -> list[list[chord.Chord]]:
    """Chord symbols of a lead sheet, each lasting until the next, grouped by measure."""
    from jazzsolo.errors import MidiContentError

    symbols = sorted(score.flatten().getElementsByClass(harmony.ChordSymbol),
                     key=lambda h: float(h.offset))
    symbols = [h for h in symbols if h.pitches]
    if not symbols:
        raise MidiContentError(f"{path}: no chord symbols (<harmony>) in the lead sheet")
    end = max(float(score.highestTime), float(symbols[-1].offset) + measure_ql)
    measures: list[list[chord.Chord]] = [[] for _ in range(int(-(-end // measure_ql)))]
    for i, h in enumerate(symbols):
        start = float(h.offset)
        stop = float(symbols[i + 1].offset) if i + 1 < len(symbols) else end
        midis = sorted({p.midi for p in h.pitches})
        while start < stop - 1e-9:
            number, offset = int(start // measure_ql), start % measure_ql
            length = min(stop - start, measure_ql - offset)
            measures[number].append(chord_from_midi(midis, length, offset))
            start += length
    return [m for m in measures if m]
