"""Chord symbols and MIDI pitches → music21 chords: the one chord type every stage shares
(`SymbolChord`, a music21 chord that carries the symbol it was made from)."""
from __future__ import annotations

from typing import Sequence

from music21 import chord, pitch

from jazzsolo.music.chord_symbols import ChordSymbol

ROOT_LOW_MIDI = 48                              # C3: a symbol chord's root lies in C3-B3,
                                                # its slash bass an octave lower (C2-B2)


def chord_from_midi(midis: Sequence[int], duration_ql: float = 1.0,
                    offset_ql: float = 0.0) -> chord.Chord:
    """A chord spelled pitch by pitch as music21's MIDI importer spells its notes.

    ``chord.Chord([56, 65, 60])`` spells relative to its first note (G#, E#, B#); classes
    compare note names, so every chord made from MIDI numbers must be built through here.

    >>> [p.name for p in chord_from_midi([56, 65, 60]).pitches]
    ['G#', 'F', 'C']
    """
    made = chord.Chord([pitch.Pitch(midi=int(m)) for m in midis], quarterLength=duration_ql)
    made.offset = offset_ql
    return made


class SymbolChord(chord.Chord):
    """A music21 chord made from a chord symbol, which it carries as `.symbol`.

    `.solo_symbol` is the chord the solo's notes are classified over: the symbol itself, or,
    for N.C. (a chord with no pitches, silent in the accompaniment), the chord before it.
    Both survive ``copy.deepcopy`` and music21's ``__deepcopy__``.
    """

    def __init__(self, notes=None, *, symbol: ChordSymbol | None = None,
                 solo_symbol: ChordSymbol | None = None, **keywords):
        super().__init__(notes, **keywords)
        self.symbol = symbol
        sounding = symbol is not None and not symbol.is_no_chord
        self.solo_symbol = solo_symbol if solo_symbol is not None else symbol if sounding else None

    def _reprInternal(self) -> str:
        return self.symbol.symbol if self.symbol is not None else super()._reprInternal()


def chord_from_symbol(symbol: ChordSymbol, duration_ql: float = 1.0,
                      offset_ql: float = 0.0) -> SymbolChord:
    """A chord spelled from its written root, stacked upward from the root in octave 3.

    A slash bass lies in octave 2; root and bass are set on the chord, not guessed.  N.C.
    gives a chord with no pitches.

    >>> from jazzsolo.music.chord_symbols import parse_chord_symbol
    >>> c = chord_from_symbol(parse_chord_symbol("Bb7/Ab"), 2.0)
    >>> [p.nameWithOctave for p in c.pitches], c.root().name, c.bass().name, c.symbol.symbol
    (['A-2', 'B-3', 'D4', 'F4', 'A-4'], 'B-', 'A-', 'Bb7/Ab')
    """
    if symbol.is_no_chord:
        made = SymbolChord([], symbol=symbol, quarterLength=duration_ql)
    else:
        midis = [ROOT_LOW_MIDI + symbol.root_pc]
        for pc in symbol.pitch_classes[1:]:
            midis.append(midis[-1] + (pc - midis[-1]) % 12)
        pitches = [_spelled(name, m) for name, m in zip(symbol.note_names(), midis)]
        if symbol.bass != symbol.root:
            pitches.insert(0, _spelled(symbol.bass, ROOT_LOW_MIDI - 12 + symbol.bass_pc))
        made = SymbolChord(pitches, symbol=symbol, quarterLength=duration_ql)
        made.root(made.pitches[1 if symbol.bass != symbol.root else 0])
        made.bass(made.pitches[0])
    made.offset = offset_ql
    return made


def link_no_chords(measures: Sequence[Sequence[chord.Chord]]) -> None:
    """Classify the solo over each N.C. by the chord sounding before it (a leading N.C. by
    the first chord that sounds); other chords are left alone."""
    chords = [c for measure in measures for c in measure if isinstance(c, SymbolChord)]
    sounding = [c.symbol for c in chords if c.symbol is not None and not c.symbol.is_no_chord]
    previous = sounding[0] if sounding else None
    for c in chords:
        if c.symbol is not None and c.symbol.is_no_chord:
            c.solo_symbol = previous
        elif c.symbol is not None:
            previous = c.symbol


def _spelled(name: str, midi: int) -> pitch.Pitch:
    """The pitch `midi` spelled as `name` ('Bb', 'F#', 'Cb' ...).

    >>> _spelled("Cb", 59).nameWithOctave, _spelled("B#", 48).nameWithOctave
    ('C-4', 'B#2')
    """
    made = pitch.Pitch(name[0] + name[1:].replace("b", "-"), octave=4)
    made.octave += (midi - made.midi) // 12
    return made


__all__ = ["ROOT_LOW_MIDI", "SymbolChord", "chord_from_midi", "chord_from_symbol", "link_no_chords"]
