"""A chord source on disk (a MIDI accompaniment, a MusicXML lead sheet, an iReal Pro link or
file) → measures of chords to play over, each with its time signature (`Backing`).

What a source is, is told from its first bytes (`chord_source`), not trusted from its name; a chart is
read by `leadsheet` or `ireal` and laid out by `jazzsolo.music.progression.chart_to_measures`;
a MIDI accompaniment's chords are read off its parts (`parts`) in the file's one metre.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from music21 import chord

from jazzsolo.errors import ChartError, ConfigError, InputFileError, NoChordsError
from jazzsolo.music.chart import Chart
from jazzsolo.music.metre import time_signature_ql
from jazzsolo.music.progression import chart_time_signatures, chart_to_measures, measure_lengths

_IREAL_SCHEMES = (b"irealb://", b"irealbook://")
_SNIFF_BYTES = 1 << 20                   # bytes looked at to tell MusicXML and iReal files apart


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
    last_chorus: tuple[list, list[str]] | None = None   # (measures, time signatures) of a last
                                            # chorus that ends sooner (an iReal chart's END)

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
    kind, source = chord_source(path)
    if kind == "midi":
        _no_tune(tune, source)
        file_ql, signature = _midi_metre(source)
        measures = _midi_measures(source, file_ql)
        return Backing(measures, [signature] * len(measures), title=source.stem)
    chart = read_chart(kind, source, tune)
    measures = chart_to_measures(chart, source=chart.title or str(path))
    lengths = measure_lengths(measures)
    signatures = chart_time_signatures(chart)
    if any(abs(a - time_signature_ql(ts)) > 1e-9 for a, ts in zip(lengths[1:], signatures[1:])):
        raise ChartError(f"{path}: a bar after the first is shorter or longer than its metre")
    pickup = lengths[0] if lengths and abs(lengths[0] - time_signature_ql(signatures[0])) > 1e-9 \
        else None
    last = None
    if chart.last_chorus_bars is not None:
        ending = Chart(title=chart.title, bars=chart.last_chorus_bars)
        last = chart_to_measures(ending, source=chart.title), chart_time_signatures(ending)
    return Backing(measures, signatures, title=chart.title, key=chart.key, qpm=chart.qpm,
                   pickup_ql=pickup, last_chorus=last)


def chord_source(path) -> tuple[str, str | Path]:
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


def read_chart(kind: str, source, tune: str | None) -> Chart:
    """The chart of a lead sheet or an iReal Pro source that `chord_source` recognised."""
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
    kind, source = chord_source(path)
    if kind == "midi":
        _no_tune(tune, source)
        return _midi_measures(source, measure_ql)
    chart = read_chart(kind, source, tune)
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


__all__ = ["Backing", "read_backing", "read_chords_file"]
