"""Chord symbols, named progressions and charts → measures of chords for the solo to play over.

Every symbol is read by `jazzsolo.music.chord_symbols` and becomes a `music.chords.SymbolChord`: spelled
from its written root, with root and bass set, and the symbol attached.  "N.C." is a chord with
no pitches: the accompaniment rests, the solo goes on over the chord before it.
"""
from __future__ import annotations

import copy
from typing import Sequence

from music21 import chord

from jazzsolo.music import chord_symbols
from jazzsolo.music.chart import Chart
from jazzsolo.music.chord_symbols import ChordSymbol
from jazzsolo.errors import ChartError, ConfigError
from jazzsolo.music.chords import chord_from_symbol, link_no_chords
from jazzsolo.music.metre import time_signature_ql

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
_EPS_QL = 1e-9


def parse_chord_symbol(symbol: str) -> chord.Chord:
    """Read a jazz chord symbol (``Bbmaj7``, ``F#m7``, ``C-7``, ``C7b9``, ``G7/B``, ``N.C.``).

    >>> c = parse_chord_symbol("Bbmaj7")
    >>> [p.midi for p in c.pitches], c.root().name, c.symbol.symbol
    ([58, 62, 65, 69], 'B-', 'Bbmaj7')
    """
    return chord_from_symbol(chord_symbols.parse_chord_symbol(symbol))


def parse_progression(text: str, *, measure_ql: float = 4.0, beats_per_chord: float | None = None,
                      time_signature: str | None = None) -> list[list[chord.Chord]]:
    """Turn ``"Dm7 G7 | Cmaj7"`` into measures of chords with offsets within each measure.

    Bars are separated by ``|`` and the chords of a bar share its beats (`share_bar`).  With
    `beats_per_chord` and no ``|``, each chord lasts that many beats and bars are filled in turn.
    `time_signature` ("3/4", "6/8") sets the measure length instead of `measure_ql`.  Every
    unreadable symbol is named in one ChordSymbolError.

    >>> [[(c.offset, c.quarterLength) for c in m] for m in parse_progression("Dm7 G7 | C")]
    [[(0.0, 2.0), (2.0, 2.0)], [(0.0, 4.0)]]
    >>> [m[0].quarterLength for m in parse_progression("C | F", time_signature="3/4")]
    [3.0, 3.0]
    """
    if time_signature is not None:
        measure_ql = time_signature_ql(time_signature)
    if not text.strip():
        raise ConfigError("the chord progression is empty")
    if beats_per_chord is not None:
        if "|" in text:
            raise ConfigError("a chord length in beats cannot apply to chords written in bars "
                              "('|'): the bars already say how long each chord lasts")
        measures = _fixed_length_chords(chord_symbols.parse_chord_symbols(text.split()),
                                        measure_ql, beats_per_chord)
    else:
        compound = time_signature is not None and time_signature.split("/")[1].strip() == "8" \
            and int(time_signature.split("/")[0]) % 3 == 0
        measures = _chords_in_bars(text, measure_ql, 1.5 if compound else 1.0)
    if not _sounds(measures):
        raise ConfigError(f"the chord progression {text!r} has no chord, only N.C.")
    link_no_chords(measures)
    return measures


def _chords_in_bars(text: str, measure_ql: float, beat_ql: float = 1.0) -> list[list[chord.Chord]]:
    """One measure per ``|``-separated bar, its chords sharing it by beats (see `share_bar`)."""
    bars = [bar.split() for bar in text.split("|")]
    if not all(bars):
        raise ConfigError(f"empty bar in the chord progression {text!r}")
    symbols = iter(chord_symbols.parse_chord_symbols([s for bar in bars for s in bar]))
    measures = []
    for bar in bars:
        spans = share_bar(len(bar), measure_ql, beat_ql)
        measures.append([chord_from_symbol(next(symbols), length, offset)
                         for offset, length in spans])
    return measures


def share_bar(n_chords: int, measure_ql: float, beat_ql: float = 1.0) -> list[tuple[float, float]]:
    """(offset, length) of each of n chords written in one bar: whole beats each, the first
    chords taking the extra beat when they cannot share evenly (2 chords in 3/4: 2 + 1 beats, as
    a musician plays them); evenly when there are more chords than beats.

    >>> share_bar(2, 3.0), share_bar(2, 3.0, 1.5), share_bar(3, 4.0)
    ([(0.0, 2.0), (2.0, 1.0)], [(0.0, 1.5), (1.5, 1.5)], [(0.0, 2.0), (2.0, 1.0), (3.0, 1.0)])
    """
    beats = measure_ql / beat_ql
    if abs(beats - round(beats)) > 1e-9 or n_chords > round(beats):
        length = measure_ql / n_chords
        return [(i * length, length) for i in range(n_chords)]
    base, extra = divmod(round(beats), n_chords)
    spans, offset = [], 0.0
    for i in range(n_chords):
        length = (base + (1 if i < extra else 0)) * beat_ql
        spans.append((offset, length))
        offset += length
    return spans


def _fixed_length_chords(symbols: list[ChordSymbol], measure_ql: float,
                         beats_per_chord: float) -> list[list[chord.Chord]]:
    """Chords of equal length laid into measures; a chord crossing a barline is split."""
    if beats_per_chord <= 0:
        raise ConfigError(f"beats per chord must be positive, got {beats_per_chord}")
    measures: list[list[chord.Chord]] = []
    position = 0.0
    for symbol in symbols:
        remaining = beats_per_chord
        while remaining > _EPS_QL:
            number, offset = int(position // measure_ql), position % measure_ql
            length = min(remaining, measure_ql - offset)
            while len(measures) <= number:
                measures.append([])
            measures[number].append(chord_from_symbol(symbol, length, offset))
            position, remaining = position + length, remaining - length
    return measures


def get_progression(name: str) -> str:
    """The chord symbols of a built-in progression; an unknown name lists the valid ones."""
    try:
        return PROGRESSIONS[name]
    except KeyError:
        valid = ", ".join(sorted(PROGRESSIONS))
        raise ConfigError(f"unknown progression {name!r}; valid progressions: {valid}") from None


def repeat_choruses(measures: list[list[chord.Chord]], choruses: int, *,
                    last: list[list[chord.Chord]] | None = None) -> list[list[chord.Chord]]:
    """The progression played `choruses` times in a row (copies, symbols kept); `last`, when
    given, is played instead as the last chorus (an iReal Pro chart ending at END)."""
    if choruses < 1:
        raise ConfigError(f"the number of choruses must be at least 1, got {choruses}")
    played = [measures] * (choruses - 1) + [measures if last is None else last]
    repeated = [[copy.deepcopy(c) for c in m] for chorus in played for m in chorus]
    link_no_chords(repeated)
    return repeated


def measure_lengths(measures: Sequence[Sequence[chord.Chord]]) -> list[float]:
    """Each measure's length in quarter lengths: the sum of its chords' lengths.

    Exact for measures from `parse_progression` written in bars and from `chart_to_measures`,
    which fill every measure with chords (N.C. included).

    >>> measure_lengths(parse_progression("C | F G", time_signature="3/4"))
    [3.0, 3.0]
    """
    return [float(sum(c.quarterLength for c in m)) for m in measures]


def chart_to_measures(chart: Chart, *, measure_ql: float | None = None,
                      source: str | None = None) -> list[list[chord.Chord]]:
    """A chart's bars in playing order as measures of chords, all symbols read at once.

    Each chord starts at its offset and lasts to the next chord or the bar's end; a bar with
    no symbol keeps the chord before it from offset 0, a first bar without one is N.C.  With
    `measure_ql` None every measure has its bar's own length (3.0 in 3/4, shorter for a
    pickup); with a number the chart's harmony is cut into measures of that length instead,
    the last chord filling the last measure.  `source` (else the chart's title) prefixes the
    one error that names every unreadable symbol.
    """
    name = source or chart.title or "the chart"
    if not chart.bars:
        raise ChartError(f"{name}: no bars")
    texts = [text for bar in chart.bars for _, text in bar.chords]
    symbols = iter(chord_symbols.parse_chord_symbols(texts, source=name))
    spans: list[tuple[float, ChordSymbol]] = [(0.0, chord_symbols.parse_chord_symbol("N.C."))]
    start = 0.0
    for bar in chart.bars:
        spans.extend((start + float(offset), next(symbols)) for offset, _ in bar.chords)
        start += float(bar.length_ql)
    lengths = [float(bar.length_ql) for bar in chart.bars]
    if measure_ql is not None:
        lengths = [measure_ql] * max(1, int(-(-(start - _EPS_QL) // measure_ql)))
    measures = _cut(spans, lengths)
    if not _sounds(measures):
        raise ChartError(f"{name}: no chord symbols, only N.C.")
    link_no_chords(measures)
    return measures


def chart_time_signatures(chart: Chart) -> list[str]:
    """Each bar's time signature, in playing order, as `chart_to_measures` gives its measures."""
    return [bar.time_signature for bar in chart.bars]


def _cut(spans: list[tuple[float, ChordSymbol]], lengths: list[float]) -> list[list[chord.Chord]]:
    """Symbols sounding from their start to the next one's, cut into measures of `lengths`."""
    measures, start, i = [], 0.0, 0
    for length in lengths:
        end, measure = start + length, []
        while i + 1 < len(spans) and spans[i + 1][0] <= start + _EPS_QL:
            i += 1                                   # the span sounding at the measure's start
        j = i
        while j < len(spans) and spans[j][0] < end - _EPS_QL:
            begin = max(spans[j][0], start)
            stop = min(spans[j + 1][0], end) if j + 1 < len(spans) else end
            if stop - begin > _EPS_QL:
                measure.append(chord_from_symbol(spans[j][1], stop - begin, begin - start))
            j += 1
        measures.append(measure)
        start = end
    return measures


def _sounds(measures: Sequence[Sequence[chord.Chord]]) -> bool:
    """True when some chord of the measures has pitches (not everything is N.C.)."""
    return any(c.pitches for m in measures for c in m)
