"""MIDI file → measures of melody notes and measures of chords (`encodings.course_data` turns them
into the course's grammar strings)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from music21 import chord, converter, note, stream

from jazzsolo.config import GRID_PER_BEAT, TunePreset, get_tune_preset
from jazzsolo.errors import ConfigError, InputFileError, MidiContentError, TuneNotFoundError
from jazzsolo.ingest.midi_import import check_midi_file, read_solo_window

MIDI_ENV_VAR = "JAZZSOLO_MIDI"
DEFAULT_MIDI_PATHS = (Path("data/original_metheny.mid"), Path("../shared/data/original_metheny.mid"))


def find_training_midi(path: str | os.PathLike | None = None) -> Path:
    """Locate the training tune: `path`, else $JAZZSOLO_MIDI, else the default locations."""
    if path is None:
        path = os.environ.get(MIDI_ENV_VAR) or None
    if path is not None:
        return check_midi_file(Path(path))
    for candidate in DEFAULT_MIDI_PATHS:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(p) for p in DEFAULT_MIDI_PATHS)
    raise TuneNotFoundError(f"training tune not found: no path given, ${MIDI_ENV_VAR} unset, and "
                            f"none of {looked} exists (see README, 'The training tune')")


@dataclass
class TuneMeasures:
    """What reading extracts from one tune (offsets relative to each measure's start)."""

    measures: list[list[note.GeneralNote]]   # melody notes (and rests) per measure
    chords: list[list[chord.Chord]]          # chords per measure, same length as `measures`
    n_chord_groups: int                      # chord groups found in the solo window, incl. the end
    measure_ql: float = 4.0                  # length of a measure in quarter lengths


def parse_midi_file(path: Path) -> stream.Score:
    """Parse a MIDI file with music21 without its post-quantisation (see PORTING-NOTES).

    A track that plays on several channels (every part of a type-0 file is in one track) is
    split into one track per channel first: music21 would read it as one part.
    """
    try:
        split = split_channels(path)
        if split is None:
            return converter.parse(str(path), format="midi", quantizePost=False)
        from music21 import midi as m21midi

        midi_file = m21midi.MidiFile()
        midi_file.readstr(split)
        return m21midi.translate.midiFileToStream(midi_file, quantizePost=False)
    except Exception as e:  # mido and music21 raise many unrelated types on corrupt files
        raise InputFileError(f"{path}: not a readable MIDI file ({type(e).__name__}: {e})") from e


def split_channels(path: Path) -> bytes | None:
    """The MIDI file rewritten with one track per channel, or None if no track mixes channels.

    Meta messages (tempo, metre, key) go to a first track of their own; times stay in ticks.
    """
    import io

    import mido

    source = mido.MidiFile(str(path))
    mixed = [t for t in source.tracks
             if len({m.channel for m in t if hasattr(m, "channel")}) > 1]
    if not mixed:
        return None
    split = mido.MidiFile(type=1, ticks_per_beat=source.ticks_per_beat)
    for track in source.tracks:
        now, by_channel, meta = 0, {}, []
        for message in track:
            now += message.time
            key = getattr(message, "channel", None)
            by_channel.setdefault(key, []).append((now, message)) if key is not None \
                else meta.append((now, message))
        for key in [None] + sorted(by_channel):
            events = meta if key is None else by_channel[key]
            if key is None and not events:
                continue
            out, last = mido.MidiTrack(), 0
            for when, message in events:
                if message.type != "end_of_track":
                    out.append(message.copy(time=when - last))
                    last = when
            split.tracks.append(out)
    buffer = io.BytesIO()
    split.save(file=buffer)
    return buffer.getvalue()


def _window(part: stream.Part, preset: TunePreset, margin_ql: float) -> stream.Part:
    """The part's notes around the solo window, ties joined, offsets and durations quantised."""
    window = stream.Part()
    for element in part.flatten().getElementsByOffset(
            preset.solo_start_ql - margin_ql, preset.solo_end_ql + margin_ql,
            includeEndBoundary=True):
        if isinstance(element, (note.Note, chord.Chord)):
            window.insert(element.offset, element)
    return quantize_part(window, preset.quantize_divisors)


def _group_by_measure(elements, preset: TunePreset) -> dict[int, list]:
    """Group elements in the solo window by measure number (offset // beats_per_measure)."""
    groups: dict[int, list] = {}
    for element in elements:
        offset = float(element.offset)
        if preset.solo_start_ql <= offset <= preset.solo_end_ql:
            groups.setdefault(int(offset // preset.beats_per_measure), []).append(element)
    return groups


def extract_measures(score: stream.Score, preset: TunePreset) -> tuple[dict, dict]:
    """Melody notes and chords of the solo window, grouped by measure number."""
    parts = list(score.parts)
    for index, role in ((preset.melody_part, "melody"), (preset.chord_part, "chord")):
        if index >= len(parts):
            raise MidiContentError(
                f"preset {preset.name!r} wants {role} part {index}, the file has {len(parts)} parts")
    margin = float(preset.beats_per_measure)
    melody = _window(parts[preset.melody_part], preset, margin).flatten()
    # Melody chords (two notes at once) and rests are dropped, as the course's importer did.
    melody_notes = [n for n in melody.notes if isinstance(n, note.Note)]
    harmony = _window(parts[preset.chord_part], preset, margin).flatten()
    block_chords = [c for c in harmony.notes if isinstance(c, chord.Chord)]
    return _group_by_measure(melody_notes, preset), _group_by_measure(block_chords, preset)


def relative_to_measure(elements, start_ql: float) -> list:
    """Copies of music21 elements with offsets measured from `start_ql`."""
    moved = []
    for element in elements:
        offset = float(element.offset) - start_ql
        element = element.__deepcopy__()
        element.offset = offset
        moved.append(element)
    return moved


READERS = ("fast", "music21")          # jazzsolo.ingest.midi_import, or music21's own importer


def read_tune_measures(path: str | os.PathLike, preset: TunePreset | str = "course", *,
                       reader: str = "fast") -> TuneMeasures:
    """Read a tune's solo window into measures of melody notes and measures of chords.

    Measures are the ones holding melody notes, in order; a measure's chords are those that
    start in it (the course's grouping).  A measure without chords is skipped.  `reader`
    "fast" reads the MIDI bytes with `midi_import` (~0.1 s); "music21" parses the whole score
    with music21 (seconds); both give the course preset's notes exactly.
    """
    preset = get_tune_preset(preset) if isinstance(preset, str) else preset
    path = check_midi_file(Path(path))
    if reader == "music21":
        melody_groups, chord_groups = extract_measures(parse_midi_file(path), preset)
    elif reader == "fast":
        melody, harmony = read_solo_window(path, preset)
        melody_groups = _group_by_measure(melody, preset)
        chord_groups = _group_by_measure(harmony, preset)
    else:
        raise ConfigError(f"unknown reader {reader!r}; valid readers: {', '.join(READERS)}")
    measures, chords = [], []
    for number in sorted(melody_groups):
        if number not in chord_groups:
            continue
        start = float(number * preset.beats_per_measure)
        measures.append(relative_to_measure(melody_groups[number], start))
        chords.append(relative_to_measure(chord_groups[number], start))
    if not measures:
        raise MidiContentError(f"{path}: no measure of the solo window has both melody and chords")
    return TuneMeasures(measures, chords, len(chord_groups),
                        measure_ql=float(preset.beats_per_measure))


def quantize_part(part: stream.Part, divisors: tuple[int, ...]) -> stream.Part:
    """A part's notes with ties joined, offsets then durations quantised.

    Offsets and durations are quantised in separate passes: together, music21 snaps a
    duration onto the next note's offset, which changes 9 of the course's 193 values.
    """
    notes = stream.Part()
    for element in part.flatten().notes:
        notes.insert(element.offset, element)
    notes = notes.stripTies()
    notes.quantize(divisors, processOffsets=True, processDurations=False, inPlace=True)
    notes.quantize(divisors, processOffsets=False, processDurations=True, inPlace=True)
    return notes


def melody_line(part: stream.Part) -> list[note.Note]:
    """A melody part as single, quantised notes of non-zero length, in onset order."""
    from jazzsolo.ingest.parts import melody_notes

    return [n for n in melody_notes(quantize_part(part, (4, 3))) if n.quarterLength > 0]


def notes_in_measure(notes: list[note.Note], number: int, measure_ql: float) -> list[note.Note]:
    """Copies of the notes starting in measure `number`, offsets from the measure's start."""
    start = number * measure_ql
    return relative_to_measure([n for n in notes if start <= float(n.offset) < start + measure_ql],
                               start)


MIN_REST_QL = 0.25                     # a shorter gap between notes is articulation, not a rest


def with_rests(measure_notes: list[note.Note], measure_ql: float) -> list[note.GeneralNote]:
    """A measure's notes with its silences as rests, so the values keep the phrasing.

    A gap of at least MIN_REST_QL (a sixteenth) before, between or after the notes becomes a
    rest; a shorter one lengthens the note before it; a note that overlaps the next is cut at
    its onset.  A measure without notes is one whole-measure rest.
    """
    timed, position = [], 0.0
    ordered = sorted(measure_notes, key=lambda n: float(n.offset))
    for i, n in enumerate(ordered):
        onset = float(n.offset)
        if onset - position >= MIN_REST_QL - 1e-9:
            timed.append(_rest(position, onset - position))
        end = float(ordered[i + 1].offset) if i + 1 < len(ordered) else measure_ql
        length = float(n.quarterLength)
        if i + 1 < len(ordered) and (onset + length > end or end - onset - length < MIN_REST_QL):
            n.quarterLength = max(end - onset, 1 / GRID_PER_BEAT)   # overlap cut, gap closed
        timed.append(n)
        position = max(position, onset + float(n.quarterLength))
    if measure_ql - position >= MIN_REST_QL - 1e-9:
        timed.append(_rest(position, measure_ql - position))
    return timed


def _rest(offset_ql: float, duration_ql: float) -> note.Rest:
    rest = note.Rest(quarterLength=duration_ql)
    rest.offset = offset_ql
    return rest


def read_tune_measures_auto(path: str | os.PathLike, *, melody_part: int | None = None,
                            chord_parts: list[int] | None = None) -> TuneMeasures:
    """Read any tune with a melody and an accompaniment: the whole piece, no preset needed.

    The melody part is chosen by `parts.choose_melody_part` unless given; the chords are read
    off the other pitched parts (or `chord_parts`), one per half bar in 4/4 and one per bar
    otherwise; measures follow the file's first time signature.
    """
    from jazzsolo.ingest.parts import (accompaniment_indices, chords_per_window, choose_melody_part,
                                       describe_parts, group_chords_by_measure, measure_length_ql)

    path = check_midi_file(Path(path))
    score = parse_midi_file(path)
    infos = describe_parts(score)
    for index in [melody_part] + list(chord_parts or []):
        if index is not None and not 0 <= index < len(infos):
            raise MidiContentError(f"{path}: part {index} does not exist; the file has parts "
                                   f"0-{len(infos) - 1} (see 'jazzsolo inspect {path}')")
    melody = choose_melody_part(infos) if melody_part is None else melody_part
    accompaniment = chord_parts if chord_parts is not None else \
        accompaniment_indices(infos, melody)
    if not accompaniment or not any(infos[i].n_notes for i in accompaniment):
        raise MidiContentError(f"{path}: no accompaniment part to take chords from "
                               f"(the melody is part {melody})")
    measure_ql = measure_length_ql(score)
    notes = melody_line(score.parts[melody])
    parts = [score.parts[i] for i in accompaniment]
    length = max(float(p.highestTime) for p in parts)
    window = measure_ql / 2 if measure_ql == 4.0 else measure_ql
    n_measures = int(-(-max(length, float(score.highestTime)) // measure_ql))
    chord_measures = group_chords_by_measure(chords_per_window(parts, length_ql=length, window_ql=window),
                                             measure_ql, n_measures)
    measures, chords = [], []
    first = int(float(notes[0].offset) // measure_ql) if notes else n_measures
    last = int(float(notes[-1].offset) // measure_ql) if notes else -1
    for number in range(first, min(last, n_measures - 1) + 1):
        if not chord_measures[number]:
            continue
        measures.append(with_rests(notes_in_measure(notes, number, measure_ql), measure_ql))
        chords.append(chord_measures[number])
    if not measures:
        raise MidiContentError(f"{path}: no measure has both melody notes and chords")
    return TuneMeasures(measures, chords, len([m for m in chord_measures if m]),
                        measure_ql=measure_ql)


MIDI_SUFFIXES = (".mid", ".midi")


def expand_midi_paths(paths: list[str | os.PathLike]) -> list[Path]:
    """Files as given, and the MIDI files inside any directory given (sorted by name)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in MIDI_SUFFIXES)
            if not found:
                raise InputFileError(f"{path}: a directory with no .mid or .midi files")
            files.extend(found)
        else:
            files.append(path)
    return files


def preset_for(path: Path) -> str:
    """The preset a file calls for: a tune preset that names this file, else "auto"."""
    from jazzsolo.config import TUNE_PRESETS

    for name, preset in TUNE_PRESETS.items():
        if path.name in preset.file_names:
            return name
    return "auto"
