"""Chord changes → the key of a chart: a key as a chart writes it (``"Ab"``, ``"C-"``) read, or
inferred from the chords by functional analysis when the chart does not say.

The analysis reads harmony the way a jazz player does, not a pitch profile of the notes: each of
the 24 keys is scored by how much of the tune's time its chords are diatonic to it (root on a
scale degree with that degree's quality: ii-7, V7, Imaj7 ...), by the V7-I and ii-V motions that
resolve into its tonic, and by the first and last chords standing on its tonic.  A blues in F
(F7 Bb7 F7 C7) is in F, though F7 is the V7 of Bb; a tune whose chords wander (Nefertiti) keeps
the key its cadences and its first chord point to.  Hand-written, as music21's key analysis
(Krumhansl-Schmuckler) weighs pitch classes and has no notion of a cadence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Sequence

from jazzsolo.errors import ConfigError

_KEY_RE = re.compile(r"^([A-Ga-g])([#b♯♭]?)\s*(m|min|minor|-|maj|major)?$")
KEY_EXAMPLES = "e.g. F, Bb, Eb major, C-, Cm, F#m"

# The chord each scale degree carries (semitones above the tonic → quality), as jazz writes a
# key: major Imaj7 ii-7 iii-7 IVmaj7 V7 vi-7 viiø; minor i-7 iiø bIIImaj7 iv-7 V7 bVImaj7 bVII7
# vii°7 (harmonic and natural minor together, as minor-key tunes use both).
_DEGREE_QUALITIES = {
    "major": {0: "maj", 2: "min", 4: "min", 5: "maj", 7: "dom", 9: "min", 11: "half-dim"},
    "minor": {0: "min", 2: "half-dim", 3: "maj", 5: "min", 7: "dom", 8: "maj", 10: "dom",
              11: "dim"},
}
# Tonic names written with the fewer accidentals (Db, not C#); F#/Gb and D#-/Eb- follow the
# chart's own spelling, flats when it has none.
_MAJOR_TONICS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_MINOR_TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
_SHARP_TWINS = {("major", 6): "F#", ("minor", 3): "D#"}
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

DIATONIC_FIT = 1.0          # per bar of a chord on a degree of the key with that degree's quality
ROOT_FIT = 0.4              # per bar of a chord whose root is on a degree, in another quality
BLUES_FIT = 0.8             # per bar of I7 or IV7 in major: the blues' tonic and subdominant
CADENCE_WEIGHT = 2.0        # a V7 resolving to the tonic chord (half for a tonic that is a 7th)
TWO_FIVE_WEIGHT = 1.0       # a ii-V (iiø-V in minor) towards the tonic
FIRST_CHORD_WEIGHT = 2.0    # the first chord on the tonic, in the key's quality
LAST_CHORD_WEIGHT = 2.0     # the last chord on the tonic (a quarter as much for a last V7:
                            # a turnaround back to the top)
BAR_QL = 4.0                # quarter lengths a "bar" of chord time is counted in

# The parts a lead sheet can be written for: how far above concert pitch each is written
# (music21 interval names).  Tenor sax: a major ninth; alto sax: a major sixth; trumpet: a
# major second; concert: as it sounds.
WRITTEN_TRANSPOSITIONS = {"concert": "P1", "tenor": "M9", "alto": "M6", "trumpet": "M2"}


@dataclass(frozen=True)
class KeyName:
    """A key as a chart writes it: a tonic ('Ab', 'F#') and major or minor."""

    tonic: str
    mode: str = "major"                     # "major" or "minor"

    def __str__(self) -> str:
        return self.tonic + ("-" if self.mode == "minor" else "")

    @property
    def tonic_pc(self) -> int:
        """Pitch class of the tonic (C = 0)."""
        return (_LETTER_PC[self.tonic[0]] + self.tonic.count("#") - self.tonic.count("b")) % 12


@dataclass(frozen=True)
class Change:
    """One chord of the progression, as the analysis sees it: root, tones, how long it lasts."""

    root_pc: int                            # 0-11, C = 0
    intervals: frozenset[int]               # semitones above the root
    duration_ql: float                      # quarter lengths
    root_name: str = ""                     # as written ('Bb', 'A#'), when known: for spelling

    @property
    def quality(self) -> str | None:
        """maj, min, dom, dim or half-dim, as far as the tones say; None for other chords."""
        i = self.intervals
        if 4 in i:
            return "dom" if 10 in i else "maj" if 8 not in i or 7 in i else None
        if 3 in i:
            if 6 in i and 7 not in i:
                return "half-dim" if 10 in i else "dim"
            return "min"
        return "dom" if 5 in i and 10 in i else None          # 7sus4: a dominant


def parse_key_name(text: str) -> KeyName:
    """A key written as in a chart or on the command line: a root, then ``m``, ``min``,
    ``minor`` or ``-`` for minor (``maj``/``major`` allowed); anything else is a ConfigError.

    >>> str(parse_key_name("Ab")), str(parse_key_name("C-")), str(parse_key_name("f# minor"))
    ('Ab', 'C-', 'F#-')
    >>> parse_key_name("H")
    Traceback (most recent call last):
    jazzsolo.errors.ConfigError: unreadable key 'H' (e.g. F, Bb, Eb major, C-, Cm, F#m)
    """
    match = _KEY_RE.match(str(text).strip())
    if match is None:
        raise ConfigError(f"unreadable key {text!r} ({KEY_EXAMPLES})")
    letter, accidental, mode = match.groups()
    tonic = letter.upper() + {"♭": "b", "♯": "#"}.get(accidental, accidental)
    return KeyName(tonic, "minor" if mode in ("m", "min", "minor", "-") else "major")


def check_transpose_for(name: str) -> str:
    """The name of a part to write for, refused in one line unless it is a known one.

    >>> check_transpose_for("tenor")
    'tenor'
    """
    if name not in WRITTEN_TRANSPOSITIONS:
        raise ConfigError(f"transpose_for must be one of {', '.join(WRITTEN_TRANSPOSITIONS)}, "
                          f"not {name!r}", setting="transpose_for")
    return name


def infer_key(changes: Sequence[Change]) -> KeyName:
    """The key the chord changes are in, by the score described in the module docstring;
    C major for a tune without chords.

    >>> blues = [Change(r, frozenset({0, 4, 7, 10}), 4.0) for r in (5, 10, 5, 5, 10, 10, 5, 5, 0)]
    >>> str(infer_key(blues))
    'F'
    >>> minor7, dominant7, major7 = (frozenset(t) for t in ({0, 3, 7, 10}, {0, 4, 7, 10},
    ...                                                    {0, 4, 7, 11}))
    >>> two_five_one = [Change(2, minor7, 4.0), Change(7, dominant7, 4.0), Change(0, major7, 8.0)]
    >>> str(infer_key(two_five_one))
    'C'
    """
    changes = [c for c in changes if c.duration_ql > 0]
    if not changes:
        return KeyName("C")
    best = max(((_score(changes, tonic, mode), -tonic, mode == "major", tonic, mode)
                for mode in ("major", "minor") for tonic in range(12)))
    tonic, mode = best[-2], best[-1]
    return KeyName(_tonic_name(tonic, mode, changes), mode)


def _score(changes: Sequence[Change], tonic: int, mode: str) -> float:
    """How well the changes fit the key: diatonic chord time plus cadences and the tonic's
    place at the start and the end."""
    degrees = _DEGREE_QUALITIES[mode]
    tonic_quality = degrees[0]
    score = sum(_fit(c, tonic, mode) * c.duration_ql / BAR_QL for c in changes)
    for before, chord, after in zip([None] + changes[:-1], changes, changes[1:] + [None]):
        if (chord.root_pc - tonic) % 12 != 7 or chord.quality != "dom":
            continue
        if after is not None and after.root_pc == tonic and after.quality in (tonic_quality, "dom"):
            score += CADENCE_WEIGHT * (1.0 if after.quality == tonic_quality else 0.5)
        if before is not None and (before.root_pc - tonic) % 12 == 2 \
                and before.quality == degrees[2]:
            score += TWO_FIVE_WEIGHT
    first, last = changes[0], changes[-1]
    if first.root_pc == tonic and _on_tonic(first, mode):
        score += FIRST_CHORD_WEIGHT
    if last.root_pc == tonic and _on_tonic(last, mode):
        score += LAST_CHORD_WEIGHT
    elif (last.root_pc - tonic) % 12 == 7 and last.quality == "dom":
        score += LAST_CHORD_WEIGHT / 4
    return score


def _fit(change: Change, tonic: int, mode: str) -> float:
    """How diatonic one chord is to the key, from 0 (root outside the scale) to 1."""
    degree = (change.root_pc - tonic) % 12
    expected = _DEGREE_QUALITIES[mode].get(degree)
    if expected is None:
        return 0.0
    if change.quality == expected:
        return DIATONIC_FIT
    if mode == "major" and degree in (0, 5) and change.quality == "dom":
        return BLUES_FIT
    return ROOT_FIT


def _on_tonic(change: Change, mode: str) -> bool:
    """True when a chord on the tonic can be the key's tonic chord (I7 can in a major blues)."""
    return change.quality in (("maj", "dom") if mode == "major" else ("min",))


def _tonic_name(tonic: int, mode: str, changes: Sequence[Change]) -> str:
    """The tonic's name: the one with fewer accidentals; F#/Gb (D#-/Eb-) as the chart spells
    its roots, flats when it spells none."""
    names = [c.root_name for c in changes if c.root_name[1:2] in ("#", "b")]
    sharps = sum(name[1] == "#" for name in names)
    if (mode, tonic) in _SHARP_TWINS and sharps > len(names) - sharps:
        return _SHARP_TWINS[(mode, tonic)]
    return (_MAJOR_TONICS if mode == "major" else _MINOR_TONICS)[tonic]


def changes_from(chords: Sequence[tuple[int, Collection[int], float, str]]) -> list[Change]:
    """(root pitch class, semitones above it, duration_ql, root as written) → `Change` list,
    a chord held over several entries counted once with their time joined."""
    out: list[Change] = []
    for root, intervals, duration_ql, name in chords:
        change = Change(root % 12, frozenset(i % 12 for i in intervals), float(duration_ql), name)
        if out and (out[-1].root_pc, out[-1].intervals) == (change.root_pc, change.intervals):
            out[-1] = Change(change.root_pc, change.intervals,
                             out[-1].duration_ql + change.duration_ql, out[-1].root_name)
        else:
            out.append(change)
    return out


__all__ = ["WRITTEN_TRANSPOSITIONS", "Change", "KeyName", "changes_from", "check_transpose_for",
           "infer_key", "parse_key_name"]
