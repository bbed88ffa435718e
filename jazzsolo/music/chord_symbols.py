"""Chord symbols as written (``C-7``, ``Bbmaj7``, ``D79b``, ``N.C.``) → root, bass, pitch classes.

The one reader behind every input: CLI symbols, MusicXML lead sheets, iReal Pro charts and the
Weimar Jazz Database (WJazzD).  A small hand-written tokenizer over a table of quality words;
music21's own parser is not used, as it misreads ``C-7``, ``C69``, ``C13b9`` and ``C07``.

Rules where notations disagree:

- ``-`` straight after the root means minor (``C-7`` = C Eb G Bb, as in jazz and WJazzD);
  before a number elsewhere it is a flat (``C7-5``).  Strings written by music21, where ``-``
  after the letter is a flat (``B-7``), go through :func:`parse_music21_figure` or
  :func:`from_music21`.
- ``alt`` is root, 3, b7, b9, #9, b13: no fifth (the altered scale has no natural fifth) and
  no b5/#11, so the chord is not the whole scale.
- The first plain number sets the chord: 7, 9, 11 and 13 stack the tones below them (13 leaves
  out the 11 unless the third is minor), 6 adds the sixth, 2 adds a 2nd, 5 alone is a power
  chord.  Later numbers are single tensions.  A 6 or 7 followed at once by digits starts a WJazzD
  tension run, where an accidental FOLLOWS its number: ``D79b`` = D7(b9), ``G79#13`` = G7(#9, 13),
  ``E6911#`` = E6/9(#11); after ``69`` an accidental followed by a number is that number's
  (``C69#11``), as it is everywhere else (``C7b9#11``).
- A tension with an accidental replaces the natural one of its degree (``C13b9`` has no D).
- ``/`` followed by a note name at the end is the bass (``G-7/F``); any other ``/`` belongs to
  the quality (``C6/9``, ``Fm/maj7``).
- ``^``, ``Δ``, ``j`` alone mean major seventh; ``maj``, ``M``, ``MA`` alone a major triad.
- ``0`` (right after the root), ``o``, ``°``, ``º``, ``dim`` are diminished (``C07`` = dim7,
  ``C0`` = dim triad); ``ø``, ``Ø``, ``h`` are half-diminished (``Cø`` = ``Ch7`` = ``Cm7b5``).
- ``--`` after the root (music21's double flat) is refused; symbols longer than
  ``MAX_SYMBOL_LENGTH`` characters are refused before they are scanned.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from jazzsolo.errors import ChordSymbolError

MAX_SYMBOL_LENGTH = 40   # characters; music21 figures with modifications may have twice this

_LETTERS = "CDEFGAB"
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_PC_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")  # for transposing
_ACCIDENTALS = {"#": 1, "♯": 1, "b": -1, "♭": -1}         # on a root, bass or WJazzD tension
_TENSION_ACCIDENTALS = {**_ACCIDENTALS, "+": 1, "-": -1}  # before a tension number
_NATURAL = {1: 0, 2: 2, 3: 4, 4: 5, 5: 7, 6: 9, 7: 10, 9: 2, 11: 5, 13: 9}  # semitones above root
_TENSION_DEGREE = {2: 9, 3: 3, 4: 11, 5: 5, 6: 6, 7: 7, 9: 9, 11: 11, 13: 13}
_NUMBERS = {"2", "3", "4", "5", "6", "7", "9", "11", "13"}
_STACKED = {7: (), 9: (9,), 11: (9, 11), 13: (9, 13)}          # tensions a chord number brings
_SEPARATORS = " ,()/"
_MINOR = ("m", "mi", "min", "MI")
_MAJOR = ("maj", "Maj", "MAJ", "MA", "M", "^", "Δ", "∆", "j")
_MAJOR_SEVENTH = ("^", "Δ", "∆", "j")                          # these alone mean maj7
_DIMINISHED = ("dim", "o", "°", "º")
_HALF_DIMINISHED = ("ø", "Ø", "h")
_OTHER_WORDS = ("+", "aug", "sus", "sus2", "sus4", "alt", "add", "alter", "omit", "no",
                "subtract", "power", "pedal")
# longest first, so that "maj" wins over "m", "alter" over "alt" and "omit" over "o"
_WORDS = sorted(_MINOR + _MAJOR + _DIMINISHED + _HALF_DIMINISHED + _OTHER_WORDS, key=len,
                reverse=True)
# music21 kind abbreviations that mean something else in jazz spelling
_MUSIC21_WORDS = (("dom7dim5", "7b5"), ("øb9", "ø7b9"), ("ob9", "o7b9"))
_EXAMPLES = "e.g. C-7, Bbmaj7, F#7b9, Am7b5, G7/B, N.C."


class _Unreadable(ValueError):
    """Why a symbol cannot be read; turned into a ChordSymbolError that names the symbol."""


@dataclass(frozen=True)
class ChordSymbol:
    """One chord symbol read: root and bass as written, pitch classes root first."""

    symbol: str                      # as written, e.g. 'G-7/F'
    root: str | None                 # letter + '#'/'b' as written ('Bb', 'F#'); None for N.C.
    bass: str | None                 # slash bass ('F' in 'G-7/F'), else the root; None for N.C.
    pitch_classes: tuple[int, ...]   # 0-11, C = 0: root, 3rd, 5th, 6th/7th, tensions; no slash bass
    quality: str                     # 'maj', 'min', 'dom', 'dim', 'half-dim', 'aug', 'sus', ...
    degrees: tuple[int, ...] = ()    # degree of each pitch class (1, 3, 5, 7, 9 ...), for spelling
    suffix: str = ""                 # what follows the root, without the bass, e.g. '-7', 'j7911#'

    def __post_init__(self) -> None:
        pcs, names = self.pitch_classes, (self.root, self.bass)
        no_chord = self.root is None and self.bass is None and not pcs
        chord = (all(isinstance(p, int) and 0 <= p < 12 for p in pcs) and len(set(pcs)) == len(pcs)
                 and all(_is_note_name(n) for n in names) and bool(pcs) and _pc(self.root) == pcs[0]
                 and len(self.degrees) in (0, len(pcs)))
        if not (no_chord or chord):
            raise ChordSymbolError(f"inconsistent chord symbol {self!r}")

    @property
    def is_no_chord(self) -> bool:
        """True for N.C. (no chord)."""
        return self.root is None

    @property
    def root_pc(self) -> int | None:
        """Pitch class of the root (C = 0), None for N.C."""
        return self.pitch_classes[0] if self.pitch_classes else None

    @property
    def bass_pc(self) -> int | None:
        """Pitch class of the bass (the slash bass, else the root), None for N.C."""
        return None if self.bass is None else _pc(self.bass)

    @property
    def intervals(self) -> tuple[int, ...]:
        """Semitones of each pitch class above the root, in the order of `pitch_classes`."""
        return tuple((pc - self.pitch_classes[0]) % 12 for pc in self.pitch_classes)

    def note_names(self) -> list[str]:
        """The chord's notes spelled from the written root by degree.

        >>> parse_chord_symbol("Db7").note_names(), parse_chord_symbol("C07").note_names()
        (['Db', 'F', 'Ab', 'Cb'], ['C', 'Eb', 'Gb', 'Bbb'])
        """
        if not self.degrees:
            return [_PC_NAMES[pc] for pc in self.pitch_classes]
        start, names = _LETTERS.index(self.root[0]), []
        for pc, degree in zip(self.pitch_classes, self.degrees):
            letter = _LETTERS[(start + degree - 1) % 7]
            names.append(_with_accidental(letter, (pc - _LETTER_PC[letter] + 6) % 12 - 6))
        return names

    def transposed(self, semitones: int) -> ChordSymbol:
        """The same chord `semitones` higher, root and bass named with flats (F# for 6).

        >>> parse_chord_symbol("G-7/F").transposed(3).symbol
        'Bb-7/Ab'
        """
        if self.root is None:
            return self
        root = _PC_NAMES[(self.pitch_classes[0] + semitones) % 12]
        bass = _PC_NAMES[(self.bass_pc + semitones) % 12]
        symbol = root + self.suffix + (f"/{bass}" if bass != root else "")
        pcs = tuple((pc + semitones) % 12 for pc in self.pitch_classes)
        return ChordSymbol(symbol, root, bass, pcs, self.quality, self.degrees, self.suffix)


def parse_chord_symbol(text: str) -> ChordSymbol:
    """Read one jazz chord symbol; raises ChordSymbolError naming it when it cannot be read.

    >>> c = parse_chord_symbol("Bb-7/Eb")
    >>> c.root, c.bass, c.pitch_classes, c.quality, c.note_names()
    ('Bb', 'Eb', (10, 1, 5, 8), 'min', ['Bb', 'Db', 'F', 'Ab'])
    >>> parse_chord_symbol("D79b").pitch_classes, parse_chord_symbol("N.C.").pitch_classes
    ((2, 6, 9, 0, 3), ())
    """
    try:
        return _parse(text, music21=False)
    except _Unreadable as e:
        message = f"unreadable chord symbol {_shown(text)}: {e} ({_EXAMPLES})"
        raise ChordSymbolError(message) from None


def parse_chord_symbols(texts: Iterable[str], *, source: str = "") -> list[ChordSymbol]:
    """Read many symbols; one ChordSymbolError lists every unreadable one (prefixed by `source`).

    >>> [c.root for c in parse_chord_symbols(["C-7", "F7", "NC"])]
    ['C', 'F', None]
    >>> parse_chord_symbols(["C7", "Xyz", "C7q", "Xyz"], source="tune.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    jazzsolo.errors.ChordSymbolError: tune.csv: unreadable chord symbols: 'Xyz', 'C7q' (e.g. ...)
    """
    chords, bad = [], []
    for text in texts:
        try:
            chords.append(_parse(text, music21=False))
        except _Unreadable:
            if _shown(text) not in bad:
                bad.append(_shown(text))
    if bad:
        prefix, noun = f"{source}: " if source else "", "symbols" if len(bad) > 1 else "symbol"
        raise ChordSymbolError(f"{prefix}unreadable chord {noun}: {', '.join(bad)} ({_EXAMPLES})")
    return chords


def parse_music21_figure(figure: str) -> ChordSymbol:
    """Read a music21 ``ChordSymbol.figure``, where ``-`` after a letter is a flat.

    >>> parse_music21_figure("B-7").note_names(), parse_music21_figure("Cm7 alter b5").quality
    (['Bb', 'D', 'F', 'Ab'], 'half-dim')
    >>> parse_music21_figure("E-m7/A- add 9").bass
    'Ab'
    """
    try:
        return _parse(figure, music21=True)
    except _Unreadable as e:
        raise ChordSymbolError(f"unreadable music21 chord figure {_shown(figure)}: {e}") from None


def from_music21(harmony_symbol) -> ChordSymbol:
    """Read a music21 ``harmony.ChordSymbol`` (e.g. from a lead sheet); NoChord gives N.C.

    Its figure is read with :func:`parse_music21_figure` (music21's own pitches drop altered
    tensions such as the #11 of ``C13 add #11``); kinds it cannot spell in jazz terms (Italian
    sixth, Tristan ...) keep music21's pitches, slash bass included, with quality 'other'.

    >>> from music21 import harmony
    >>> from_music21(harmony.ChordSymbol(root="B-", bass="D", kind="dominant-seventh")).bass
    'D'
    """
    from music21 import harmony

    if isinstance(harmony_symbol, harmony.NoChord) or harmony_symbol.root() is None:
        return ChordSymbol("N.C.", None, None, (), "none")
    figure = harmony_symbol.findFigure()
    try:
        return parse_music21_figure(figure)
    except ChordSymbolError:
        root, bass = harmony_symbol.root(), harmony_symbol.bass()
    pcs, degrees = [], []
    for p in sorted(harmony_symbol.pitches, key=lambda p: (p.pitchClass - root.pitchClass) % 12):
        if p.pitchClass not in pcs:
            pcs.append(p.pitchClass)
            degrees.append((_LETTERS.index(p.step) - _LETTERS.index(root.step)) % 7 + 1)
    suffix = figure.partition("/")[0][1:].lstrip("-#")
    return ChordSymbol(figure, _with_accidental(root.step, int(root.alter)),
                       _with_accidental(bass.step, int(bass.alter)), tuple(pcs), "other",
                       tuple(degrees), suffix)


def describe_chords(texts: list[str], *, as_json: bool = False) -> str:
    """A table (symbol, root, bass, notes, quality) or a JSON list, for ``jazzsolo chords``.

    >>> print(describe_chords(["C-7", "Bb7/Ab"]))
    symbol  root  bass  notes      quality
    C-7     C     C     C Eb G Bb  min
    Bb7/Ab  Bb    Ab    Bb D F Ab  dom
    >>> describe_chords(["N.C."], as_json=True)
    '[{"symbol": "N.C.", "root": null, "bass": null, "pitch_classes": []}]'
    """
    chords = parse_chord_symbols(texts)
    if as_json:
        return json.dumps([{"symbol": c.symbol, "root": c.root, "bass": c.bass,
                            "pitch_classes": list(c.pitch_classes)} for c in chords],
                          ensure_ascii=False)
    rows = [("symbol", "root", "bass", "notes", "quality")] + [
        (c.symbol, c.root or "-", c.bass or "-", " ".join(c.note_names()) or "-", c.quality)
        for c in chords]
    widths = [max(len(row[k]) for row in rows) for k in range(4)]
    return "\n".join("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths)), row[4]])
                     for row in rows)


def _parse(text: str, *, music21: bool) -> ChordSymbol:
    """Split a symbol into root, quality and bass, and read the quality."""
    if not isinstance(text, str):
        raise _Unreadable("not a string")
    written, limit = text.strip(), MAX_SYMBOL_LENGTH * (2 if music21 else 1)
    if not written or len(written) > limit:
        raise _Unreadable(f"must be 1 to {limit} characters long")
    if written.replace(".", "").replace(" ", "").upper() == "NC":
        return ChordSymbol(written, None, None, (), "none")
    head, _, modifications = written.partition(" ") if music21 else (written, "", "")
    main, _, bass_text = head.rpartition("/")
    bass = _read_note(bass_text, music21=music21) if main else None
    if bass is None or bass[2] != len(bass_text):
        main, bass = head, None
    root = _read_note(main, music21=music21)
    if root is None:
        raise _Unreadable("it does not start with a root A-G")
    suffix = main[root[2]:] + (f" {modifications}" if modifications else "")
    quality = suffix
    for music21_word, jazz in _MUSIC21_WORDS if music21 else ():
        quality = quality.replace(music21_word, jazz)
    tones = _QualityReader(quality).read()
    pcs, degrees = [], []
    for degree, semitones in sorted((d, s) for d, values in tones.items() for s in values):
        if (root[1] + semitones) % 12 not in pcs:
            pcs.append((root[1] + semitones) % 12)
            degrees.append(degree)
    return ChordSymbol(written, root[0], (bass or root)[0], tuple(pcs), _quality(tones),
                       tuple(degrees), suffix)


class _QualityReader:
    """Reads what follows the root (``-7b5``, ``j7911#``, ``7(b9,#11)``) into tones by degree."""

    def __init__(self, text: str):
        self.text, self.i = text, 0
        self.tones: dict[int, set[int]] = {1: {0}, 3: {4}, 5: {7}}  # degree -> semitones above root
        self.seventh = 10           # semitones a 7 adds: 11 after maj, 9 after dim
        self.has_number = False     # the first plain number sets the chord, later ones add tensions

    def read(self) -> dict[int, set[int]]:
        """Every token in turn; raises _Unreadable at the first one not understood."""
        text = self.text
        if text.startswith("--"):
            raise _Unreadable("'--' is music21 spelling; read it with parse_music21_figure")
        if text.rstrip().endswith(("/", ",", "(")):
            raise _Unreadable("it ends with a separator")
        if text[:1] in ("-", "0") or (text[:1] == "+" and text[1:2].isdigit()
                                            and text[1] != "5"):
            self.i = 1
            self._word({"-": "m", "0": "o", "+": "+"}[text[0]])
        while self.i < len(text):
            char, following = text[self.i], text[self.i + 1:self.i + 2]
            if char in _SEPARATORS:
                self.i += 1
            elif char.isdigit():
                self._number()
            elif char in _TENSION_ACCIDENTALS and following.isdigit():
                self.i += 1
                self._tension(self._read_number(), _TENSION_ACCIDENTALS[char])
            else:
                self._word(self._read_word())
        return self.tones

    def _read_number(self) -> int:
        """The number at the read position: 2-7, 9, 11 or 13."""
        size = 2 if self.text[self.i:self.i + 1] == "1" else 1
        number = self.text[self.i:self.i + size]
        if number not in _NUMBERS:
            raise _Unreadable(f"{self.text[self.i:]!r} does not start with 2-7, 9, 11 or 13")
        self.i += size
        return int(number)

    def _read_word(self) -> str:
        """The quality word at the read position, longest match first."""
        word = next((w for w in _WORDS if self.text.startswith(w, self.i)), None)
        if word is None:
            raise _Unreadable(f"unknown {self.text[self.i:]!r}")
        self.i += len(word)
        return word

    def _number(self) -> None:
        """A plain number: the first sets the chord, later ones (and WJazzD runs) add tensions."""
        start, number = self.i, self._read_number()
        if self.has_number:
            return self._tension(number, 0)
        self.has_number = True
        if number == 5 and start == 0:
            self.tones.pop(3, None)                                    # power chord
        elif number in (2, 6):
            self._tension(number, 0)
        elif number in _STACKED:
            self.tones.setdefault(7, {self.seventh})
            for degree in _STACKED[number]:
                self.tones.setdefault(degree, {_NATURAL[degree]})
            if number == 13 and self.tones.get(3) == {3}:
                self.tones.setdefault(11, {5})
        else:
            raise _Unreadable(f"{number} cannot be the chord's number")
        while number in (6, 7) and self.text[self.i:self.i + 1].isdigit():  # WJazzD: 79b, 7911#
            tension = self._read_number()
            accidental = _ACCIDENTALS.get(self.text[self.i:self.i + 1], 0)
            if number == 6 and self.text[self.i + 1:self.i + 2].isdigit():
                accidental = 0                         # C69#11: the # belongs to the 11
            self.i += accidental != 0
            self._tension(tension, accidental)

    def _tension(self, number: int, accidental: int) -> None:
        """Add one tone such as b9, #11, 13, b5 or add3; an altered one replaces the natural."""
        degree = 13 if number == 6 and 7 in self.tones else _TENSION_DEGREE[number]
        if degree == 7:
            if accidental:
                raise _Unreadable("a 7 cannot take an accidental")
            self.tones[7] = {self.seventh}
            return
        natural, present = _NATURAL[degree], self.tones.setdefault(degree, set())
        if accidental:
            present.discard(natural)
            present.add(natural + accidental)
        elif not present:
            present.add(natural)

    def _word(self, word: str) -> None:
        """Apply one quality word: m, maj, ^, dim, ø, +, sus, alt, add, omit ..."""
        tones = self.tones
        if word in _MINOR:
            tones[3] = {3}
        elif word in _MAJOR:
            self.seventh = 11
            alone = not self.text[self.i:self.i + 1].isdigit()
            if 7 in tones or (word in _MAJOR_SEVENTH and alone):
                tones[7] = {11}
        elif word in _DIMINISHED:
            tones.update({3: {3}, 5: {6}})
            self.seventh = 9
            if 7 in tones:
                tones[7] = {9}
        elif word in _HALF_DIMINISHED:
            tones.update({3: {3}, 5: {6}, 7: {10}})
        elif word in ("+", "aug"):
            tones[5] = {8}
        elif word.startswith("sus"):
            tones.pop(3, None)
            tones.update({2: {2}} if word == "sus2" else {4: {5}})
        elif word == "alt":
            tones.setdefault(7, {10})
            tones.pop(5, None)
            tones.update({9: {1, 3}, 13: {8}})
        elif word in ("power", "pedal"):
            tones.pop(3, None)
            if word == "pedal":
                tones.pop(5, None)
        else:
            self._modification(remove=word in ("omit", "no", "subtract"))

    def _modification(self, *, remove: bool) -> None:
        """The tension after add/alter, or the degree dropped after omit/no/subtract."""
        while self.text[self.i:self.i + 1] == " ":
            self.i += 1
        accidental = _TENSION_ACCIDENTALS.get(self.text[self.i:self.i + 1], 0)
        self.i += accidental != 0
        number = self._read_number()
        if not remove:
            return self._tension(number, accidental)
        for degree in {number, _TENSION_DEGREE[number]}:
            self.tones.pop(degree, None)


def _quality(tones: dict[int, set[int]]) -> str:
    """A short name for the chord: maj, min, dom, dim, half-dim, aug, min-maj, sus, power, pedal."""
    third, fifth, seventh = (tones.get(d) or set() for d in (3, 5, 7))
    if not third:
        if tones.get(2) or tones.get(4):
            return "sus"
        return "dom" if seventh else "power" if fifth else "pedal"
    if 4 not in third:
        if 6 in fifth and 7 not in fifth:
            return "half-dim" if 10 in seventh else "dim"
        return "min-maj" if 11 in seventh else "min"
    if seventh:
        return "dom" if 10 in seventh else "maj"
    return "aug" if 8 in fifth and 7 not in fifth else "maj"


def _read_note(text: str, *, music21: bool = False) -> tuple[str, int, int] | None:
    """The note name at the start of `text`: (name as 'Bb'/'F#', pitch class, characters read)."""
    if not text or text[0] not in _LETTER_PC:
        return None
    accidentals = {"-": -1, "#": 1} if music21 else _ACCIDENTALS
    size = 1
    while size < len(text) and text[size] in accidentals and (music21 or size == 1):
        size += 1
    alter = sum(accidentals[c] for c in text[1:size])
    return _with_accidental(text[0], alter), (_LETTER_PC[text[0]] + alter) % 12, size


def _with_accidental(letter: str, alter: int) -> str:
    """'B', -1 → 'Bb'; 'F', 2 → 'F##'."""
    return letter + ("#" * alter if alter > 0 else "b" * -alter)


def _is_note_name(name: object) -> bool:
    """True for a normalised note name: a letter A-G, then only '#' or only 'b'."""
    return (isinstance(name, str) and name[:1] in _LETTER_PC
            and name[1:] in ("#" * (len(name) - 1), "b" * (len(name) - 1)))


def _pc(name: str) -> int:
    """Pitch class of a normalised note name ('Bb' → 10)."""
    return (_LETTER_PC[name[0]] + name.count("#") - name.count("b")) % 12


def _shown(text: object) -> str:
    """A symbol for an error message, cut to the length limit."""
    shown = repr(text)
    return shown if len(shown) <= MAX_SYMBOL_LENGTH + 2 else shown[:MAX_SYMBOL_LENGTH + 1] + "..."
