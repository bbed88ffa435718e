"""Chord symbols, named progressions and charts → measures of chords for the solo to play over.

Every symbol is read by `jazzsolo.music.chord_symbols` and becomes a `music.chords.SymbolChord`: spelled
from its written root, with root and bass set, and the symbol attached.  "N.C." is a chord with
no pitches: the accompaniment rests, the solo goes on over the chord before it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from music21 import chord

from jazzsolo.music import chord_symbols
from jazzsolo.music.chart import Chart
from jazzsolo.music.chord_symbols import ChordSymbol
from jazzsolo.errors import ChartError, ConfigError, InputFileError, NoChordsError
from jazzsolo.music.chords import chord_from_symbol, link_no_chords
from jazzsolo.export.midi import time_signature_ql

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
_IREAL_SCHEMES = (b"irealb://", b"irealbook://")
_SNIFF_BYTES = 1 << 20                   # bytes looked at to tell MusicXML and iReal files apart


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


def repeat_choruses(measures: list[list[chord.Chord]], choruses: int) -> list[list[chord.Chord]]:
    """The progression played `choruses` times in a row (copies, symbols kept)."""
    if choruses < 1:
        raise ConfigError(f"the number of choruses must be at least 1, got {choruses}")
    repeated = [[copy.deepcopy(c) for c in m] for _ in range(choruses) for m in measures]
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


@dataclass
class Backing:
    """Chords to play over, measure by measure, with each measure's time signature and what the
    source says of the tune (title, key, tempo), when it says it."""

    measures: list[list[chord.Chord]]
    time_signatures: list[str]
    title: str = ""
    key: str | None = None
    qpm: float | None = None
    pickup_ql: float | None = None          # the length of a first bar shorter than its metre

    @property
    def lengths_ql(self) -> list[float]:
        """Each measure's length in quarter lengths: its time signature's, a pickup's own."""
        lengths = [time_signature_ql(ts) for ts in self.time_signatures]
        if self.pickup_ql is not None and lengths:
            lengths[0] = self.pickup_ql
        return lengths


def read_backing(path, *, measure_ql: float = 4.0, tune: str | None = None) -> Backing:
    """`read_chords_file` with each measure's time signature and the chart's title, key, tempo.

    A MIDI accompaniment keeps the file's own metre (a file that changes metre is refused); a
    chart keeps each bar's.
    """
    kind, source = _sniff(path)
    if kind == "midi":
        _no_tune(tune, source)
        file_ql, signature = _midi_metre(source)
        measures = _midi_measures(source, file_ql)
        return Backing(measures, [signature] * len(measures), title=source.stem)
    chart = _read_chart(kind, source, tune)
    measures = chart_to_measures(chart, source=chart.title or str(path))
    lengths = measure_lengths(measures)
    signatures = chart_time_signatures(chart)
    if any(abs(a - time_signature_ql(ts)) > 1e-9 for a, ts in zip(lengths[1:], signatures[1:])):
        raise ChartError(f"{path}: a bar after the first is shorter or longer than its metre")
    pickup = lengths[0] if lengths and abs(lengths[0] - time_signature_ql(signatures[0])) > 1e-9 \
        else None
    return Backing(measures, signatures, title=chart.title, key=chart.key, qpm=chart.qpm,
                   pickup_ql=pickup)


def _sniff(path) -> tuple[str, str | Path]:
    """What a chord source is: "ireal-link" (the text itself), "midi", "musicxml" or "ireal"
    (a file holding links); a missing, unreadable or other file is refused in one line."""
    if isinstance(path, str) and path.lstrip()[:12].lower().encode().startswith(_IREAL_SCHEMES):
        return "ireal-link", path
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file" if not path.exists() else
                             f"{path}: is a directory, expected a MIDI, MusicXML or iReal Pro file")
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as e:
        raise InputFileError(f"{path}: cannot be read ({e.strerror})") from e
    if head[:4] == b"MThd":
        return "midi", path
    if path.suffix.lower() in (".musicxml", ".xml", ".mxl") or b"<score-" in head:
        return "musicxml", path
    if any(scheme in head.lower() for scheme in _IREAL_SCHEMES):
        return "ireal", path
    raise InputFileError(f"{path}: neither a MIDI file, a MusicXML lead sheet (.musicxml, .xml, "
                         f".mxl) nor an iReal Pro link (irealb://)")


def _read_chart(kind: str, source, tune: str | None) -> Chart:
    """The chart of a lead sheet or an iReal Pro source that `_sniff` recognised."""
    if kind == "musicxml":
        from jazzsolo.ingest.leadsheet import read_lead_sheet

        _no_tune(tune, source)
        return read_lead_sheet(source)
    from jazzsolo.ingest.ireal import read_ireal

    return read_ireal(source, tune=tune)


def _midi_metre(path: Path) -> tuple[float, str]:
    """A MIDI file's bar length and time signature; one that changes metre is refused."""
    from jazzsolo.ingest.midi_import import read_midi

    signatures = [f"{n}/{d}" for _, n, d in read_midi(path).time_signatures]
    if len(set(signatures)) > 1:
        raise ConfigError(f"{path}: the accompaniment changes metre ({', '.join(dict.fromkeys(signatures))}); "
                          f"chords are read from MIDI in one metre only: give a lead sheet instead")
    signature = signatures[0] if signatures else "4/4"
    return time_signature_ql(signature), signature


def read_chords_file(path, *, measure_ql: float = 4.0,
                     tune: str | None = None) -> list[list[chord.Chord]]:
    """Chord measures from a MIDI file's accompaniment, a MusicXML lead sheet or an iReal chart.

    MIDI: every pitched part but the melody, one chord per half bar, in measures of
    `measure_ql`.  MusicXML (its <harmony> symbols) and iReal Pro (an ``irealb://`` link, a file
    holding one, or an HTML export; `tune` picks a title from a playlist): one measure per bar
    played, each as long as the chart's bar (see `chart_to_measures`; `measure_ql` unused).
    """
    kind, source = _sniff(path)
    if kind == "midi":
        _no_tune(tune, source)
        return _midi_measures(source, measure_ql)
    chart = _read_chart(kind, source, tune)
    name = str(source) if kind != "ireal-link" else "the iReal Pro link"
    if kind != "musicxml" and chart.title:
        name = f"{name} ({chart.title})"
    return chart_to_measures(chart, source=name)


def _no_tune(tune: str | None, path: Path) -> None:
    if tune is not None:
        raise ConfigError(f"{path}: a tune title picks a chart from an iReal Pro playlist; "
                          f"this file is not one")


def _midi_measures(path: Path, measure_ql: float) -> list[list[chord.Chord]]:
    """The chords of a MIDI file's accompaniment, one per half bar, grouped by measure."""
    from jazzsolo.ingest.parts import (chord_part_indices, chords_per_window, describe_parts,
                                       group_chords_by_measure)
    from jazzsolo.ingest.midi_import import check_midi_file
    from jazzsolo.ingest.preprocess import parse_midi_file

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

