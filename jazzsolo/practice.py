"""The practice room's library calls: settings (a chart as text, a link or a file) → the chart
as a grid of bars, a take (solo + band as MIDI and MusicXML bytes, WAV when rendered), the
band alone to trade over, and the model's answer to a phrase heard.

The page (`jazzsolo.server`) makes one of these calls per request and the command line makes
the same ones underneath (`export.solo_files.solo_midi` / `solo_lead_sheet`), so the page
adds no music of its own: bar times, turns and chords all come from here.
"""
from __future__ import annotations

import contextlib
import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import mido

from jazzsolo.config import DEFAULT_MODEL, MODEL_NAMES
from jazzsolo.errors import ChartError, ChordSymbolError, ConfigError
from jazzsolo.export.audio import DEFAULT_SOLO_INSTRUMENT
from jazzsolo.export.relations import (RELATION_COLOURS, RELATIONS, colour_by_relation,
                                       note_relations)
from jazzsolo.generate.improvise import GenerateSettings, play, prepare, sampling_options

VOLUME_CC = 7                          # MIDI channel volume: the solo's level against the band
DEFAULT_SOLO_LEVEL = 100               # General MIDI's default channel volume (0-127)
TRADE_BARS = (2, 4, 8)                 # bars per turn when trading: twos, fours, eights
MAX_REPEATS = 1000                     # repeats of a looped range the ramps are counted to
MAX_TEMPO_STEP_QPM = 40.0              # the most a tempo ramp adds (or takes) per repeat
DOWNLOAD_KINDS = ("mid", "musicxml", "wav", "mp3", "stems")


@functools.lru_cache(maxsize=len(MODEL_NAMES))
def practice_model(name: str | None = None):
    """A shipped model (`config.MODEL_NAMES`), loaded once per process and shared by every
    request: the page offers names only, never a directory."""
    from jazzsolo.generate.families import load_model

    if name is not None and name not in MODEL_NAMES:
        raise ConfigError(f"unknown model {name!r}; the practice room plays "
                          f"{', '.join(MODEL_NAMES)}", setting="model")
    return load_model(name)


# --------------------------------------------------------------------------- the chart grid

def grid_of_measures(measures: Sequence, time_signatures: Sequence[str]) -> list[dict]:
    """Each bar played: its number (from 1), metre and chords (symbol, offset, length in QL)."""
    return [{"number": i + 1, "time_signature": signature,
             "chords": [{"symbol": c.symbol.symbol if getattr(c, "symbol", None) else
                         c.pitchedCommonName, "offset_ql": float(c.offset),
                         "duration_ql": float(c.quarterLength)} for c in measure]}
            for i, (measure, signature) in enumerate(zip(measures, time_signatures))]


def _marked_bars(bars: Sequence[Sequence[str]], signatures: Sequence[str]) -> list[dict]:
    """Bars of symbols as written, each unreadable one carrying the reader's reason."""
    from jazzsolo.music.chord_symbols import parse_chord_symbol

    grid = []
    for i, (bar, signature) in enumerate(zip(bars, signatures)):
        chords = []
        for text in bar:
            try:
                parse_chord_symbol(text)
                chords.append({"symbol": text})
            except ChordSymbolError as e:
                chords.append({"symbol": text, "error": str(e)})
        grid.append({"number": i + 1, "time_signature": signature, "chords": chords})
    return grid


def _written_bars(settings: GenerateSettings) -> tuple[list[list[str]], list[str]] | None:
    """The symbols of each bar as written (text, or a chart read without its symbols being
    read), for marking the unreadable ones; None when there is nothing to mark."""
    from jazzsolo.ingest.chord_files import chord_source, read_chart
    from jazzsolo.music.progression import get_progression

    if settings.backing_chords is not None or settings.progression is not None:
        text = settings.backing_chords if settings.backing_chords is not None \
            else get_progression(settings.progression)
        bars = [bar.split() for bar in text.split("|")]
        return bars, [settings.time_signature or "4/4"] * len(bars)
    if settings.chords_from is None:
        return None
    kind, source = chord_source(settings.chords_from)
    if kind == "midi":
        return None
    chart = read_chart(kind, source, settings.tune)
    return [[text for _, text in bar.chords] for bar in chart.bars], \
        [bar.time_signature for bar in chart.bars]


def chart_grid(settings: GenerateSettings, model=None) -> dict:
    """The chart the settings name as the reader plays it out (choruses included), or, when a
    symbol cannot be read, the bars as written with each unreadable symbol's reason and the
    reader's one-line error; any other error is raised."""
    model = model or practice_model(settings.model)
    try:
        take = prepare(settings, model)
    except ChordSymbolError as e:
        written = _written_bars(settings)
        if written is None:
            raise
        return {"bars": _marked_bars(*written), "error": str(e), "title": ""}
    backing = take.backing
    return {"bars": grid_of_measures(backing.measures, backing.time_signatures),
            "error": None, "title": backing.title or settings.progression or ""}


# --------------------------------------------------------------------------- a take

@dataclass
class Take:
    """One improvisation as the page shows it and the user takes it home."""

    title: str                      # the tune's title ("" for chord symbols)
    file_stem: str                  # `<tune>_seed<S>`: the downloads' name
    model_name: str
    seed: int
    qpm: float
    grid: list[dict]                # `grid_of_measures`
    bar_starts_s: list[float]       # when each bar starts in the audio, then the end
    notes: list[tuple[float, float, int]]    # the solo: (onset_ql, duration_ql, MIDI)
    midi: bytes                     # at `solo_level`
    musicxml: bytes
    solo_instrument: str
    solo_level: int = DEFAULT_SOLO_LEVEL
    repeat: Repeat | None = None    # which repeat of a looped range, at what tempo and key
    preview: dict[str, bytes] = field(default_factory=dict)   # "band", "solo": the player's
    svg: list[str] = field(default_factory=list)    # the lead sheet engraved, page by page
    extras: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Repeat:
    """The k-th repeat of a looped range (0: the first time), as iReal Pro ramps it: the tempo
    `tempo_step_qpm` faster and the chords `transpose_step` semitones higher each time."""

    number: int = 0
    tempo_step_qpm: float = 0.0
    transpose_step: int = 0

    def __post_init__(self) -> None:
        checks = (("repeat", self.number, 0, MAX_REPEATS, int),
                  ("tempo_step", self.tempo_step_qpm, -MAX_TEMPO_STEP_QPM, MAX_TEMPO_STEP_QPM,
                   (int, float)),
                  ("transpose_step", self.transpose_step, -11, 11, int))
        for name, value, low, high, kind in checks:
            if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
                raise ConfigError(f"{name} must be from {low:g} to {high:g}, got {value!r}",
                                  setting=name)

    @property
    def qpm_change(self) -> float:
        """How much faster than the first time this repeat plays."""
        return self.number * float(self.tempo_step_qpm)

    @property
    def semitones(self) -> int:
        """How far above the first time this repeat's chords lie, within an octave (0-11)."""
        return (self.number * self.transpose_step) % 12


def transpose_measures(measures: Sequence[Sequence], semitones: int) -> list[list]:
    """Measures of chords `semitones` higher: each symbol by `ChordSymbol.transposed` (roots
    named with flats, F# for 6), a chord read from MIDI by music21's transpose; offsets and
    lengths kept, N.C. linked again to the chord before it."""
    from jazzsolo.music.chords import chord_from_symbol, link_no_chords

    if semitones % 12 == 0:
        return [list(m) for m in measures]
    moved = []
    for measure in measures:
        bar = []
        for c in measure:
            symbol = getattr(c, "symbol", None)
            if symbol is not None:
                new = chord_from_symbol(symbol.transposed(semitones), float(c.quarterLength),
                                        float(c.offset))
            else:
                new = c.transpose(semitones)
                new.offset = c.offset
            bar.append(new)
        moved.append(bar)
    link_no_chords(moved)
    return moved


def transposed_key(text: str | None, semitones: int) -> str | None:
    """A key written as in a chart ("Bb", "C-") `semitones` higher, named as the chords are
    (flats, F# for 6); None stays None.

    >>> transposed_key("Bb", 2), transposed_key("C-", 6), transposed_key(None, 3)
    ('C', 'F#-', None)
    """
    from jazzsolo.music.chord_symbols import parse_chord_symbol
    from jazzsolo.music.keys import KeyName, parse_key_name

    if text is None or semitones % 12 == 0:
        return text
    try:
        name = parse_key_name(text)
    except ConfigError:
        return None                          # a chart's unreadable key: the chords' key instead
    tonic = parse_chord_symbol(name.tonic).transposed(semitones).root
    return str(KeyName(tonic, name.mode))


def _apply_repeat(take, settings: GenerateSettings, repeat: Repeat) -> GenerateSettings:
    """A prepared take moved to a repeat's tempo and key (chords, the chart's key, the key
    asked for); returns the settings the lead sheet is then written with."""
    import dataclasses

    from jazzsolo.config import check_setting

    if repeat.qpm_change:
        qpm = take.qpm + repeat.qpm_change
        try:
            check_setting("qpm", qpm)
        except ConfigError as e:
            raise ConfigError(f"repeat {repeat.number} of the tempo ramp: {e}",
                              setting="tempo_step") from None
        take.qpm = qpm
    if repeat.semitones:
        take.backing.measures = transpose_measures(take.backing.measures, repeat.semitones)
        take.backing.key = transposed_key(take.backing.key, repeat.semitones)
        settings = dataclasses.replace(settings, key=transposed_key(settings.key,
                                                                    repeat.semitones))
    return settings


def bar_starts_s(lengths_ql: Sequence[float], qpm: float, *, count_off_ql: float = 0.0
                 ) -> list[float]:
    """When each bar starts in the audio, in seconds, then where the last one ends; a
    count-off bar comes first.

    >>> bar_starts_s([4.0, 4.0], 120.0, count_off_ql=4.0)
    [2.0, 4.0, 6.0]
    """
    starts, now = [], count_off_ql
    for length in list(lengths_ql) + [0.0]:
        starts.append(round(now * 60.0 / qpm, 6))
        now += length
    return starts


def check_solo_level(level) -> int:
    """A solo level (MIDI channel volume) is a whole number from 0 to 127; else one line."""
    if isinstance(level, bool) or not (isinstance(level, int) and 0 <= level <= 127):
        raise ConfigError(f"solo level must be a whole number from 0 to 127, got {level!r}",
                          setting="solo_level")
    return level


def set_solo_level(midi_file: mido.MidiFile, level: int) -> mido.MidiFile:
    """The solo track's channel volume (controller 7, 0-127) set at its start, so the solo sits
    louder or softer against the band in the file and in its audio."""
    check_solo_level(level)
    for track in midi_file.tracks:
        names = [m.name for m in track if m.type == "track_name"]
        programs = [i for i, m in enumerate(track) if m.type == "program_change"]
        if names[:1] == ["Solo"] and programs:
            channel = track[programs[0]].channel
            track.insert(programs[0] + 1, mido.Message("control_change", control=VOLUME_CC,
                                                       value=level, channel=channel))
    return midi_file


def improvise_take(settings: GenerateSettings, *, solo_level: int = DEFAULT_SOLO_LEVEL,
                   model=None, repeat: Repeat = Repeat()) -> Take:
    """One solo over the settings' chords, in memory: the MIDI the command line writes (with
    the solo's level), the MusicXML lead sheet, the grid and the bar times; a `repeat` of a
    looped range plays at its ramped tempo over its transposed chords."""
    from jazzsolo.export.audio import gm_program
    from jazzsolo.export.midi import midi_bytes
    from jazzsolo.export.musicxml import musicxml_bytes
    from jazzsolo.export.solo_files import (file_stem, solo_lead_sheet, solo_midi, solo_sound,
                                           tune_title)
    from jazzsolo.music.metre import time_signature_ql

    program = gm_program(solo_sound(settings))
    check_solo_level(solo_level)                                # before the work
    take = prepare(settings, model or practice_model(settings.model))
    settings = _apply_repeat(take, settings, repeat)
    seed = take.seeds[0]
    solo = play(take, settings, seed)
    midi_file = solo_midi(take, settings, solo, seed, solo_program=program)
    at_default = midi = midi_bytes(midi_file)
    if solo_level != DEFAULT_SOLO_LEVEL:
        midi = midi_bytes(set_solo_level(midi_file, solo_level))
    lengths = [solo.measure_length_ql(i) for i in range(solo.n_measures)]
    count_off = time_signature_ql(solo.time_signature(0)) if settings.count_off else 0.0
    title = tune_title(settings, take)
    stem = f"{file_stem(title)}_seed{seed}" + (f"_repeat{repeat.number}" if repeat.number else "")
    return Take(title=title, file_stem=stem, model_name=take.model.name, seed=seed,
                qpm=take.qpm,
                grid=grid_of_measures(take.backing.measures, take.backing.time_signatures),
                bar_starts_s=bar_starts_s(lengths, take.qpm, count_off_ql=count_off),
                notes=[(t.offset_ql, t.duration_ql, t.pitches[0]) for t in solo.timed_notes()],
                midi=midi,
                musicxml=musicxml_bytes(solo_lead_sheet(take, settings, solo, seed,
                                                        solo_program=program)),
                solo_instrument=solo_sound(settings), solo_level=solo_level, repeat=repeat,
                extras={"midi_at_default": at_default, "relations": note_relations(solo)})


def practice_take(settings: GenerateSettings, *, solo_level: int = DEFAULT_SOLO_LEVEL,
                  folder: str | Path | None = None, sample_rate: int | None = None,
                  repeat: Repeat = Repeat()) -> Take:
    """What the page's "Improvise" shows: `improvise_take`, its lead sheet engraved
    (`engrave_svg`; the notes coloured by their relation to the chord, `export.relations`,
    which the page shows or leaves black) and its audio as two stems, the band and the solo
    at the default level (`render_take_stems`, in `folder`), which the page's player mixes
    at the level asked."""
    take = improvise_take(settings, solo_level=solo_level, repeat=repeat)
    take.svg = engrave_svg(colour_by_relation(take.musicxml, take.extras["relations"]))
    take.preview = render_take_stems(take.extras["midi_at_default"], folder, split="solo-band",
                                     solo_instrument=take.solo_instrument,
                                     sample_rate=sample_rate)
    return take


@contextlib.contextmanager
def _scratch_file(data: bytes, name: str, folder: str | Path | None):
    """`data` written as `name` in a fresh temporary folder inside `folder` (the session's
    scratch; None: the system's), removed with everything in it afterwards."""
    with tempfile.TemporaryDirectory(dir=folder, prefix="render-") as scratch:
        path = Path(scratch) / name
        path.write_bytes(data)
        yield path


def render_take_stems(midi: bytes, folder: str | Path | None = None, *, split: str = "tracks",
                      solo_instrument: str = DEFAULT_SOLO_INSTRUMENT,
                      sample_rate: int | None = None) -> dict[str, bytes]:
    """A take's MIDI as stems (`export.audio.render_stems`: one WAV per track, or the solo and
    the band), each as long as the take's WAV, rendered in a scratch `folder`."""
    from jazzsolo.export.audio import SAMPLE_RATE, render_stems

    with _scratch_file(midi, "take.mid", folder) as path:
        return render_stems(path, split=split, solo_instrument=solo_instrument,
                            sample_rate=sample_rate or SAMPLE_RATE)


def stems_zip(take: Take, folder: str | Path | None = None, *,
              solo_level: int | None = None) -> bytes:
    """The take's per-instrument stems (44.1 kHz WAVs, the solo at its level) in one zip,
    each named `<tune>_seed<S>_<track>_<instrument>.wav`; stored, not deflated (PCM audio
    hardly shrinks, and deflating 40 MB would cost seconds)."""
    import io
    import zipfile

    stems = render_take_stems(take_midi(take, solo_level), folder,
                              solo_instrument=take.solo_instrument)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, wav in stems.items():
            archive.writestr(f"{take.file_stem}_{name}.wav", wav)
    return buffer.getvalue()


def take_midi(take: Take, solo_level: int | None = None) -> bytes:
    """The take's MIDI with the solo at `solo_level` (None: the level it was made at)."""
    import io

    if solo_level is None or solo_level == take.solo_level:
        return take.midi
    from jazzsolo.export.midi import midi_bytes

    midi_file = mido.MidiFile(file=io.BytesIO(take.extras.get("midi_at_default", take.midi)))
    if solo_level != DEFAULT_SOLO_LEVEL:
        set_solo_level(midi_file, solo_level)
    return midi_bytes(midi_file)


def download_name(take: Take, kind: str) -> str:
    """The file name a download is saved as: `<tune>_seed<S>.<kind>`, the stems
    `<tune>_seed<S>_stems.zip`."""
    return f"{take.file_stem}_stems.zip" if kind == "stems" else f"{take.file_stem}.{kind}"


def render_take_wav(midi: bytes, folder: str | Path | None = None, *,
                    solo_instrument: str = DEFAULT_SOLO_INSTRUMENT,
                    sample_rate: int | None = None) -> bytes:
    """A take's MIDI rendered as `jazzsolo generate --wav` renders it (`export.audio`), in a
    scratch `folder` (a fresh temporary one when None); returns the WAV's bytes."""
    from jazzsolo.export.audio import SAMPLE_RATE, render_wav

    with _scratch_file(midi, "take.mid", folder) as path:
        return render_wav(path, solo_instrument=solo_instrument,
                          sample_rate=sample_rate or SAMPLE_RATE).read_bytes()


def render_take_mp3(wav: bytes, folder: str | Path | None = None) -> bytes:
    """A take's WAV as an MP3 (`export.audio.render_mp3`; needs ffmpeg)."""
    from jazzsolo.export.audio import render_mp3

    with _scratch_file(wav, "take.wav", folder) as source:
        return render_mp3(source, source.with_suffix(".mp3")).read_bytes()


def engrave_svg(musicxml: bytes, *, page_width: int = 2100) -> list[str]:
    """A MusicXML lead sheet engraved by Verovio: one SVG per page, chord symbols included."""
    from importlib.resources import files

    import verovio

    toolkit = verovio.toolkit(False)         # its fonts: set per toolkit, as a thread of the
    toolkit.setResourcePath(str(files("verovio") / "data"))   # server's pool has no default
    toolkit.setOptions({"pageWidth": page_width, "adjustPageHeight": True, "scale": 40,
                        "header": "none", "footer": "none", "breaks": "auto"})
    if not toolkit.loadData(musicxml.decode("utf-8")):
        raise ChartError("Verovio could not read the lead sheet")
    return [toolkit.renderToSVG(page) for page in range(1, toolkit.getPageCount() + 1)]


def can_make_mp3() -> bool:
    """Whether MP3s can be made here (ffmpeg is installed)."""
    from jazzsolo.export.audio import find_ffmpeg

    return find_ffmpeg() is not None


def take_download(take: Take, kind: str, *, folder: str | Path | None = None,
                  solo_level: int | None = None) -> bytes:
    """A take's file to take home, the solo at `solo_level` (None: the take's): "mid",
    "musicxml", "wav" (44.1 kHz), "mp3" (from that WAV, with ffmpeg) or "stems" (`stems_zip`).
    The WAV and MP3 of the last level asked are kept; the stems are rendered each time."""
    if kind not in DOWNLOAD_KINDS:
        raise ConfigError(f"no download of kind {kind!r}; valid: {', '.join(DOWNLOAD_KINDS)}")
    if solo_level is not None:
        check_solo_level(solo_level)
    if kind == "musicxml":
        return take.musicxml
    if kind == "mid":
        return take_midi(take, solo_level)
    if kind == "stems":
        return stems_zip(take, folder, solo_level=solo_level)
    level = take.solo_level if solo_level is None else solo_level
    if take.extras.get("audio_level") != level:
        take.extras.update(audio_level=level, wav=render_take_wav(
            take_midi(take, level), folder, solo_instrument=take.solo_instrument))
        take.extras.pop("mp3", None)
    if kind == "wav":
        return take.extras["wav"]
    if "mp3" not in take.extras:
        take.extras["mp3"] = render_take_mp3(take.extras["wav"], folder)
    return take.extras["mp3"]


def chart_tunes(path: str | Path) -> list[str]:
    """The titles of an iReal Pro playlist (to pick one); [] for any other chord file, which
    is read (and refused in one line when it cannot be) as the command line reads it."""
    from jazzsolo.ingest.chord_files import chord_source, read_backing as read_chart_backing
    from jazzsolo.ingest.ireal import list_ireal_tunes

    kind, source = chord_source(path)
    if kind in ("ireal", "ireal-link"):
        return list_ireal_tunes(source)
    read_chart_backing(source)
    return []


def page_options() -> dict:
    """What the page offers: the shipped models with the players, styles and instruments each
    can play as, the built-in progressions, the parts a lead sheet is written for, trading,
    and the colours of the notes' relations to the chord (`export.relations`)."""
    from jazzsolo.generate.families import PlaysVoices
    from jazzsolo.generate.trading import Trades
    from jazzsolo.music.keys import WRITTEN_TRANSPOSITIONS
    from jazzsolo.music.progression import PROGRESSIONS

    models = {}
    for name in MODEL_NAMES:
        model = practice_model(name)
        voices = model.voice_counts() if isinstance(model, PlaysVoices) else {}
        models[name] = {"family": model.family, "trades": isinstance(model, Trades),
                        **{kind: sorted(voices.get(kind, {})) for kind in
                           ("player", "style", "instrument")}}
    return {"models": models, "default_model": DEFAULT_MODEL, "progressions": PROGRESSIONS,
            "transpose_for": list(WRITTEN_TRANSPOSITIONS), "trade_bars": list(TRADE_BARS),
            "mp3": can_make_mp3(), "solo_level": DEFAULT_SOLO_LEVEL,
            "relations": [{"class": c, "name": name, "colour": RELATION_COLOURS[c]}
                          for c, name in RELATIONS.items()]}


# --------------------------------------------------------------------------- trading

def trade_turns(n_bars: int, bars_per_turn: int) -> list[dict]:
    """Who plays which bars when trading: the user first, then the model, in turns of
    `bars_per_turn` bars (2, 4 or 8) to the chart's end (the last turn may be shorter).

    >>> [(t["who"], t["start_bar"], t["n_bars"]) for t in trade_turns(10, 4)]
    [('you', 0, 4), ('model', 4, 4), ('you', 8, 2)]
    """
    if bars_per_turn not in TRADE_BARS:
        raise ConfigError(f"trade in turns of {', '.join(map(str, TRADE_BARS))} bars, got "
                          f"{bars_per_turn!r}", setting="bars_per_turn")
    return [{"who": ("you", "model")[k % 2], "start_bar": start,
             "n_bars": min(bars_per_turn, n_bars - start)}
            for k, start in enumerate(range(0, n_bars, bars_per_turn))]


def band_take(settings: GenerateSettings, *, model=None, folder: str | Path | None = None,
              sample_rate: int | None = None) -> Take:
    """The band alone over the settings' chords (an empty solo), to trade over, with its
    audio rendered in `folder`."""
    from jazzsolo.export.midi import midi_bytes
    from jazzsolo.export.solo_files import file_stem, solo_midi, solo_sound, tune_title
    from jazzsolo.generate.families import solo_from_notes
    from jazzsolo.music.metre import time_signature_ql

    take = prepare(settings, model or practice_model(settings.model))
    backing, seed = take.backing, take.seeds[0]
    silent = solo_from_notes([], backing.measures, measure_lengths_ql=backing.lengths_ql,
                             time_signatures=backing.time_signatures)
    midi_file = solo_midi(take, settings, silent, seed, solo_program=0)
    count_off = time_signature_ql(backing.time_signatures[0]) if settings.count_off else 0.0
    title = tune_title(settings, take)
    return Take(title=title, file_stem=f"{file_stem(title)}_band_seed{seed}",
                model_name=take.model.name, seed=seed, qpm=take.qpm,
                grid=grid_of_measures(backing.measures, backing.time_signatures),
                bar_starts_s=bar_starts_s(backing.lengths_ql, take.qpm, count_off_ql=count_off),
                notes=[], midi=midi_bytes(midi_file), musicxml=b"",
                solo_instrument=solo_sound(settings),
                preview={"band": render_take_wav(midi_bytes(midi_file), folder,
                                                 sample_rate=sample_rate)},
                extras={"improvisation": take, "answers": {}})


MAX_HEARD_NOTES = 2000                 # notes of a phrase heard that an answer reads


def check_heard(heard) -> list[tuple[float, float, int]]:
    """Notes heard as (onset_ql >= 0, duration_ql > 0, MIDI 0-127); anything else is refused
    in one line."""
    import math

    if not isinstance(heard, (list, tuple)) or len(heard) > MAX_HEARD_NOTES:
        raise ConfigError(f"the notes heard must be a list of at most {MAX_HEARD_NOTES} "
                          f"[onset_ql, duration_ql, midi] triples", setting="heard")
    notes = []
    for note in heard:
        ok = isinstance(note, (list, tuple)) and len(note) == 3 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
            for x in note)
        if not ok or note[0] < 0 or note[1] <= 0 or not 0 <= note[2] <= 127:
            raise ConfigError(f"a note heard must be [onset_ql >= 0, duration_ql > 0, midi "
                              f"0-127], got {note!r}"[:200], setting="heard")
        notes.append((float(note[0]), float(note[1]), int(round(note[2]))))
    return notes


def trade_answer(take: Take, settings: GenerateSettings, *, heard: Sequence, start_bar: int,
                 n_bars: int, seed: int) -> dict:
    """The model's answer (`generate.trading.answer_phrase`) to the notes `heard` (onset_ql,
    duration_ql, MIDI from the chart's first bar line) over bars start_bar .. + n_bars - 1
    of a `band_take`, with the chords of those bars."""
    from jazzsolo.generate.trading import answer_phrase

    improvisation = take.extras["improvisation"]
    backing = improvisation.backing
    notes = answer_phrase(improvisation.model, backing.measures,
                          measure_lengths_ql=backing.lengths_ql,
                          time_signatures=backing.time_signatures, qpm=improvisation.qpm,
                          heard=check_heard(heard),
                          start_bar=start_bar, n_bars=n_bars, seed=seed,
                          options=sampling_options(settings))
    bars = take.grid[start_bar:start_bar + n_bars]
    take.extras.setdefault("answers", {})[start_bar] = (n_bars, notes, seed)
    return {"notes": [list(n) for n in notes], "start_bar": start_bar, "n_bars": n_bars,
            "chords": [[c["symbol"] for c in bar["chords"]] for bar in bars]}


def answer_notation(take: Take, settings: GenerateSettings, start_bar: int) -> list[str]:
    """The model's last answer over bars start_bar .. (`trade_answer`) engraved as the solo is
    (`solo_to_lead_sheet` → `engrave_svg`): one measure per bar of the answer, its chords."""
    from jazzsolo.export.audio import gm_program
    from jazzsolo.export.musicxml import musicxml_bytes, solo_to_lead_sheet
    from jazzsolo.export.solo_files import solo_sound
    from jazzsolo.generate.families import solo_from_notes

    answers = take.extras.get("answers", {})
    if start_bar not in answers:
        raise ConfigError(f"no answer over bar {start_bar + 1} yet (it is engraved after it "
                          f"is played)", setting="start_bar")
    n_bars, notes, seed = answers[start_bar]
    improvisation = take.extras["improvisation"]
    backing = improvisation.backing
    bars = slice(start_bar, start_bar + n_bars)
    origin = sum(backing.lengths_ql[:start_bar])
    solo = solo_from_notes([(o - origin, d, m) for o, d, m in notes], backing.measures[bars],
                           measure_lengths_ql=backing.lengths_ql[bars],
                           time_signatures=backing.time_signatures[bars])
    score = solo_to_lead_sheet(solo, title=f"Answer, bars {start_bar + 1}-{start_bar + n_bars}",
                               qpm=improvisation.qpm, key=settings.key, chart_key=backing.key,
                               model_name=improvisation.model.name, seed=seed,
                               solo_program=gm_program(solo_sound(settings)),
                               transpose_for=settings.transpose_for)
    return engrave_svg(colour_by_relation(musicxml_bytes(score), note_relations(solo)))


__all__ = ["DEFAULT_SOLO_LEVEL", "DOWNLOAD_KINDS", "Repeat", "TRADE_BARS", "Take",
           "answer_notation", "band_take", "bar_starts_s", "can_make_mp3", "chart_grid",
           "check_solo_level",
           "chart_tunes", "check_heard", "download_name", "engrave_svg", "grid_of_measures",
           "improvise_take", "page_options", "practice_model", "practice_take",
           "render_take_mp3", "render_take_stems", "render_take_wav", "set_solo_level",
           "stems_zip", "take_download", "take_midi", "trade_answer", "trade_turns",
           "transpose_measures", "transposed_key"]
