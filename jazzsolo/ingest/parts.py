"""A parsed MIDI score → its parts described, the melody part chosen, chords read off the others."""
from __future__ import annotations

from dataclasses import dataclass

from music21 import chord, note, stream

from jazzsolo.errors import MidiContentError, NoChordsError
from jazzsolo.music.chords import chord_from_midi

MIN_MELODY_NOTES = 16                  # fewer notes than this cannot carry a tune
MELODY_MIN_MEAN_PITCH = 55             # G3: a bass line sits below this on average
CHORD_WINDOW_BEATS = 2.0               # one chord per half bar of 4/4
CHORD_MIN_SHARE = 0.15                 # a pitch class must sound this share of a window to count


@dataclass(frozen=True)
class PartInfo:
    """What `jazzsolo inspect` shows of one part."""

    index: int
    name: str
    program: int | None                # General MIDI program, 0-based
    is_drum: bool
    n_notes: int                       # as a musician counts them (`sounding_notes`)
    lowest: int | None                 # MIDI pitch
    highest: int | None
    polyphony: float                   # share of its notes and chords that are chords or
                                       # start while another still sounds
    mean_pitch: float

    def line(self) -> str:
        """One row of the inspect table."""
        span = f"{self.lowest}-{self.highest}" if self.lowest is not None else "-"
        program = "drums" if self.is_drum else (str(self.program) if self.program is not None else "?")
        return (f"{self.index:>3}  {self.name[:20]:<20} {program:>7} {self.n_notes:>6}  "
                f"{span:>7}  {self.polyphony:>9.2f}")


def _pitches_and_spans(part: stream.Part) -> list[tuple[float, float, list[int]]]:
    """Every note or chord of a part as (onset, end, MIDI pitches), in quarter lengths."""
    spans = []
    for element in part.flatten().notes:
        onset = float(element.offset)
        spans.append((onset, onset + float(element.quarterLength),
                      [int(p.midi) for p in element.pitches]))
    return sorted(spans, key=lambda s: s[0])


def sounding_notes(part: stream.Part) -> list[tuple[float, float, int | None]]:
    """Every note of a part as a musician counts it, (onset, end, MIDI pitch) in quarter
    lengths, in onset order: a chord as its notes, a note tied over bar lines (music21 cuts a
    long MIDI note at each bar line and ties the pieces) as one note, a drum hit as a note
    without a pitch (None)."""
    notes: list[tuple[float, float, int | None]] = []
    last_of_pitch: dict[int, int] = {}          # MIDI pitch -> index of its latest note
    for element in part.flatten().notes:
        onset = float(element.offset)
        end = onset + float(element.quarterLength)
        for piece in (element.notes if isinstance(element, chord.ChordBase) else [element]):
            if not isinstance(piece, note.Note):
                notes.append((onset, end, None))               # unpitched: a drum hit
                continue
            midi, tie = int(piece.pitch.midi), piece.tie or element.tie
            last = last_of_pitch.get(midi)
            if tie is not None and tie.type in ("stop", "continue") and last is not None \
                    and abs(notes[last][1] - onset) < 1e-3:
                notes[last] = (notes[last][0], end, midi)      # the tied piece goes on sounding
            else:
                last_of_pitch[midi] = len(notes)
                notes.append((onset, end, midi))
    return sorted(notes, key=lambda n: n[0])


def describe_part(index: int, part: stream.Part) -> PartInfo:
    """Name, program, note count (`sounding_notes`), range and polyphony of one part."""
    instruments = list(part.getInstruments(returnDefault=False))
    instrument = instruments[0] if instruments else None
    # The importer adds one instrument from the track name and one per program change; the
    # last one with a program is what the file plays.
    programs = [i.midiProgram for i in instruments if i.midiProgram is not None]
    program = programs[-1] if programs else None
    notes = sounding_notes(part)
    pitches = [midi for _, _, midi in notes if midi is not None]
    is_drum = any(i.midiChannel == 9 for i in instruments) or (bool(notes) and not pitches)
    spans = _pitches_and_spans(part)          # polyphony by music21 element, a chord as one
    overlapping, last_end = 0, float("-inf")
    for onset, end, ps in spans:
        if len(ps) > 1 or onset < last_end - 1e-3:
            overlapping += 1
        last_end = max(last_end, end)
    name = (part.partName or (instrument.instrumentName if instrument else None) or f"part {index}")
    return PartInfo(index, str(name).strip(), program, is_drum, len(notes),
                    min(pitches) if pitches else None, max(pitches) if pitches else None,
                    overlapping / len(spans) if spans else 0.0,
                    sum(pitches) / len(pitches) if pitches else 0.0)


def describe_parts(score: stream.Score) -> list[PartInfo]:
    """`describe_part` for every part of a score."""
    return [describe_part(i, part) for i, part in enumerate(score.parts)]


def choose_melody_part(infos: list[PartInfo]) -> int:
    """Pick the part that carries the tune.

    The rule: among parts that are not drums, have at least MIN_MELODY_NOTES notes, sit in a
    melody register (mean pitch at least G3) and are mostly monophonic (at most half of their
    notes start over another), take the one with the most single-line notes, i.e. the largest
    notes × (1 - polyphony): the lead plays the most and plays one note at a time.  When no part
    qualifies, the least polyphonic pitched part is used.
    """
    candidates = [p for p in infos if not p.is_drum and p.n_notes >= MIN_MELODY_NOTES]
    if not candidates:
        raise MidiContentError(f"no part with at least {MIN_MELODY_NOTES} pitched notes to use "
                               f"as the melody (drums are not a melody)")
    melodic = [p for p in candidates if _is_melodic(p)]
    if melodic:
        return max(melodic, key=lambda p: (p.n_notes * (1 - p.polyphony), -p.index)).index
    return min(candidates, key=lambda p: (p.polyphony, -p.n_notes)).index


def chord_part_indices(infos: list[PartInfo], path) -> list[int]:
    """The parts of a file given for its chords: all pitched parts but a melody, if one stands
    out (a file of chords alone has none); a file holding only a melody has no chords."""
    pitched = [i.index for i in infos if not i.is_drum and i.n_notes]
    if not pitched:
        raise NoChordsError(f"{path}: no pitched notes to read chords from")
    melodic = [i for i in pitched if _is_melodic(infos[i])]
    if len(pitched) == 1 and melodic:
        raise NoChordsError(f"{path}: its only part is a single melody line, not chords")
    melody = choose_melody_part(infos) if melodic and len(pitched) > 1 else None
    return [i for i in pitched if i != melody]


def _is_melodic(info: PartInfo) -> bool:
    """A part that could carry the tune: enough notes, melody register, mostly one at a time."""
    return (info.n_notes >= MIN_MELODY_NOTES and info.mean_pitch >= MELODY_MIN_MEAN_PITCH
            and info.polyphony <= 0.5)


def accompaniment_indices(infos: list[PartInfo], melody: int) -> list[int]:
    """The parts that accompany the melody: every pitched part with notes but the melody."""
    return [i.index for i in infos if i.index != melody and not i.is_drum and i.n_notes]


def chords_per_window(parts: list[stream.Part], *, length_ql: float,
                      window_ql: float = CHORD_WINDOW_BEATS) -> list[tuple[float, chord.Chord]]:
    """The chord of each window (half bar by default) of the accompaniment parts.

    Written by hand rather than with music21's ``chordify``: chordify slices at every onset of
    every part, and those slices would still have to be merged per window; weighing the pitch
    classes that sound in each window does both at once.  Windows where nothing sounds keep the
    previous chord.
    """
    spans = [s for part in parts for s in _pitches_and_spans(part)]
    return chords_from_spans(spans, length_ql=length_ql, window_ql=window_ql)


def chords_from_spans(spans: list[tuple[float, float, list[int]]], *, length_ql: float,
                      window_ql: float = CHORD_WINDOW_BEATS) -> list[tuple[float, chord.Chord]]:
    """`chords_per_window` over (onset, end, MIDI pitches) spans in quarter lengths."""
    n_windows = int(-(-length_ql // window_ql))
    chords: list[tuple[float, chord.Chord]] = []
    previous = None
    for w in range(n_windows):
        start, end = w * window_ql, (w + 1) * window_ql
        weight: dict[int, float] = {}
        lowest: dict[int, int] = {}
        for onset, stop, pitches in spans:
            overlap = min(stop, end) - max(onset, start)
            if overlap <= 0:
                continue
            for p in pitches:
                weight[p % 12] = weight.get(p % 12, 0.0) + overlap
                lowest[p % 12] = min(lowest.get(p % 12, 128), p)
        total = sum(weight.values())
        kept = sorted(lowest[pc] for pc, w_ in weight.items() if total and w_ / total >= CHORD_MIN_SHARE)
        current = kept if len(kept) >= 2 else previous
        if current is not None:
            chords.append((start, chord_from_midi(current, window_ql)))
            previous = current
    return chords


def group_chords_by_measure(timed: list[tuple[float, chord.Chord]], measure_ql: float,
                            n_measures: int) -> list[list[chord.Chord]]:
    """Chords at absolute offsets → lists per measure with offsets within the measure."""
    measures: list[list[chord.Chord]] = [[] for _ in range(n_measures)]
    for offset, c in timed:
        number = int(offset // measure_ql)
        if number < n_measures:
            c.offset = offset - number * measure_ql
            measures[number].append(c)
    return measures


def measure_length_ql(score: stream.Score) -> float:
    """The length of a measure in quarter lengths from the first time signature (4 if none)."""
    signatures = score.flatten().getElementsByClass("TimeSignature")
    return float(signatures[0].barDuration.quarterLength) if signatures else 4.0


def melody_notes(part: stream.Part) -> list[note.Note]:
    """The part's single notes in onset order (chords reduced to their top note)."""
    notes = []
    for element in part.flatten().notes:
        if isinstance(element, chord.Chord):
            top = note.Note(max(element.pitches, key=lambda p: p.midi),
                            quarterLength=element.quarterLength)
            top.offset = element.offset
            element = top
        notes.append(element)
    return sorted(notes, key=lambda n: n.offset)
