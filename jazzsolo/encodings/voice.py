"""Who plays and how: a solo's labels (player, style, instrument) and its profile (density,
register) → the voice inputs the note model reads beside every event.

Players differ: Parker's lines are not Miles's, and a tenor does not sit where a trumpet does.
The note model is therefore told, once per solo, who is playing and the shape of the solo, and
learns to play as told.  The **voice inputs** (`VoiceVocabulary.n_inputs` numbers, the same at
every event of a solo):

=======================  ===================================================================
block                    meaning
=======================  ===================================================================
players                  one-hot over the training solos' performers (zeros: anyone)
styles                   one-hot over their styles (TRADITIONAL ... FREE; zeros: any style)
instruments              one-hot over their instruments (WJazzD codes: ts, as, tp ...)
profile (3)              log2 of the notes per beat; the register's low and high (the 5th and
                         95th percentile of the pitches, (MIDI - 60) / 12 and (MIDI - 72) / 12)
=======================  ===================================================================

A player's voice is the sum of what the player, the style and the instrument add (one row of
the first LSTM layer's kernel each: an embedding), so a player with six solos shares what his
style and instrument know.  In training each label is dropped (zeroed) with probability
`NoteModelConfig.label_dropout` per window, so the model also plays as anyone; the profile is always the
solo's own, and in generation it is asked for (`--density`, `--register`) or taken from a
training solo of the voice asked for (`VoiceProfile`).

A profile also keeps the solo's **touch**, which is not a model input: how legato the player
sounds the notes of his runs against the training solos' mean (`measured_touch`).  The band
plays a solo with the touch of the training solo it plays as (`generate.performance.perform`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from jazzsolo.config import GRID_PER_BEAT
from jazzsolo.errors import ConfigError

STYLES = ("TRADITIONAL", "SWING", "BEBOP", "COOL", "HARDBOP", "POSTBOP", "FUSION", "FREE")
# WJazzD instrument codes → the names the command line takes, the General MIDI sound and the
# sounding range (MIDI, inclusive) the instrument plays in.
INSTRUMENTS: dict[str, tuple[str, str, tuple[int, int]]] = {
    "ts": ("tenor", "Tenor Sax", (44, 77)),
    "as": ("alto", "Alto Sax", (49, 81)),
    "ss": ("soprano", "Soprano Sax", (56, 88)),
    "bs": ("baritone", "Baritone Sax", (36, 69)),
    "tp": ("trumpet", "Trumpet", (52, 86)),
    "cor": ("cornet", "Trumpet", (52, 84)),
    "tb": ("trombone", "Trombone", (40, 77)),
    "cl": ("clarinet", "Clarinet", (50, 91)),
    "bcl": ("bass clarinet", "Clarinet", (38, 77)),
    "vib": ("vibraphone", "Vibraphone", (53, 89)),
    "p": ("piano", "Acoustic Grand Piano", (36, 96)),
    "g": ("guitar", "Electric Guitar (jazz)", (40, 88)),
    "ts-c": ("c-melody sax", "Tenor Sax", (47, 79)),
}
N_PROFILE = 3
DENSITY_RANGE = (0.25, 6.0)         # notes per beat that can be asked for


@dataclass(frozen=True)
class VoiceProfile:
    """One solo's labels and shape: who played it (None: not known) and how densely, where."""

    player: str | None = None
    style: str | None = None
    instrument: str | None = None       # a WJazzD code, e.g. "ts"
    density: float = 2.0                # notes per beat, first note to last
    low: int = 58                       # MIDI, 5th percentile of the pitches
    high: int = 79                      # MIDI, 95th percentile
    touch: float | None = None          # legato factor against the training solos' mean
                                        # (`measured_touch`); None: not measured

    def to_dict(self) -> dict:
        out = {"player": self.player, "style": self.style, "instrument": self.instrument,
               "density": round(self.density, 4), "low": self.low, "high": self.high}
        if self.touch is not None:
            out["touch"] = round(self.touch, 4)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "VoiceProfile":
        try:
            touch = data.get("touch")
            return cls(data.get("player"), data.get("style"), data.get("instrument"),
                       float(data["density"]), int(data["low"]), int(data["high"]),
                       None if touch is None else float(touch))
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            raise ConfigError(f"voice profile: needs density, low and high ({e})") from None


RUN_GAP_BEATS = 0.55                # `measured_touch`: notes at most this far apart are a run


def sounding_fraction(onsets_steps: np.ndarray, durations_steps: np.ndarray) -> float | None:
    """The mean sounding fraction of a solo's notes in runs: each note's length over the time to
    the next onset (capped at 1), for notes followed within `RUN_GAP_BEATS`; None without any.
    `measured_touch` divides it by the training solos' mean.

    >>> sounding_fraction(np.array([0, 6, 12, 18]), np.array([6, 3, 6, 6]))   # eighths
    0.8333333333333334
    """
    order = np.argsort(onsets_steps, kind="stable")
    onsets = np.asarray(onsets_steps, dtype=float)[order]
    durations = np.asarray(durations_steps, dtype=float)[order]
    gaps = np.diff(onsets)
    run = (gaps > 0) & (gaps <= RUN_GAP_BEATS * GRID_PER_BEAT)
    if not run.any():
        return None
    return float(np.mean(np.minimum(durations[:-1][run], gaps[run]) / gaps[run]))


def measured_touch(fractions: list[float | None]) -> list[float | None]:
    """Each solo's touch: its `sounding_fraction` over the mean of the solos' (None stays None).
    In the shipped model Parker's runs sound 4 % longer than the mean, Liebman's 1 % shorter.

    >>> measured_touch([0.75, 0.25, None])
    [1.5, 0.5, None]
    """
    known = [f for f in fractions if f is not None]
    mean = float(np.mean(known)) if known else 1.0
    return [None if f is None else f / mean for f in fractions]


def measured_profile(pitches: np.ndarray, onsets_steps: np.ndarray, end_steps: float,
                     labels: tuple[str | None, str | None, str | None] = (None, None, None)
                     ) -> VoiceProfile:
    """A solo's profile from its notes' MIDI pitches and onsets (grid steps), `end_steps` being
    where its last note ends.

    >>> p = measured_profile(np.array([60, 62, 64, 65]), np.array([0, 6, 12, 18]), 24)
    >>> p.density, p.low, p.high
    (2.0, 60, 65)
    """
    pitches = np.asarray(pitches)
    if not len(pitches):
        raise ConfigError("a solo without notes has no voice profile")
    beats = max((end_steps - float(np.min(onsets_steps))) / GRID_PER_BEAT, 1.0)
    low, high = np.percentile(pitches, [5, 95])
    return VoiceProfile(*labels, density=len(pitches) / beats, low=int(round(low)),
                        high=int(round(high)))


@dataclass(frozen=True)
class VoiceVocabulary:
    """The labels a model knows (from its training solos) and the layout of its voice inputs."""

    players: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()

    @property
    def n_inputs(self) -> int:
        return len(self.players) + len(self.styles) + len(self.instruments) + N_PROFILE

    @classmethod
    def of_profiles(cls, profiles) -> "VoiceVocabulary":
        """Every label that some profile carries, sorted (styles in `STYLES` order)."""
        def known(attr):
            return {getattr(p, attr) for p in profiles} - {None}
        styles = known("style")
        return cls(tuple(sorted(known("player"))), tuple(s for s in STYLES if s in styles),
                   tuple(sorted(known("instrument"))))

    def features(self, profile: VoiceProfile, keep=(True, True, True), shift: int = 0
                 ) -> np.ndarray:
        """The voice inputs (n_inputs,) float32 of a profile; `keep` says which of player,
        style and instrument are told (the others zero); `shift` semitones move the register
        with a transposed solo."""
        out = np.zeros(self.n_inputs, dtype=np.float32)
        start = 0
        for told, names, label in zip(keep, (self.players, self.styles, self.instruments),
                                      (profile.player, profile.style, profile.instrument)):
            if told and label in names:
                out[start + names.index(label)] = 1.0
            start += len(names)
        out[start:] = (np.log2(profile.density), (profile.low + shift - 60) / 12,
                       (profile.high + shift - 72) / 12)
        return out

    def to_dict(self) -> dict:
        return {"players": list(self.players), "styles": list(self.styles),
                "instruments": list(self.instruments)}

    @classmethod
    def from_dict(cls, data: dict) -> "VoiceVocabulary":
        try:
            return cls(*(tuple(str(x) for x in data[k])
                         for k in ("players", "styles", "instruments")))
        except (TypeError, KeyError) as e:
            raise ConfigError(f"voice vocabulary: needs players, styles and instruments "
                              f"({e})") from None


def instrument_code(name: str) -> str:
    """The WJazzD code of an instrument named on the command line (``tenor``, ``ts``, ``Tenor
    Sax``), case-insensitive; an unknown name is refused with the close ones.

    >>> instrument_code("Tenor"), instrument_code("tp")
    ('ts', 'tp')
    """
    wanted = name.strip().lower()
    names = {code: code for code in INSTRUMENTS}
    for code, (word, _, _) in INSTRUMENTS.items():
        names[word] = code
    for code, (_, sound, _) in INSTRUMENTS.items():
        names.setdefault(sound.lower(), code)             # "trumpet" is the trumpet's sound
    names.setdefault("sax", "ts")
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, [n for n in names if len(n) > 2], n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise ConfigError(f"unknown instrument {name!r}{hint} (known: "
                      f"{', '.join(w for w, _, _ in INSTRUMENTS.values())})",
                      setting="instrument")


def match_name(name: str, known, what: str) -> str:
    """The one name of `known` that `name` stands for: the same letters in any case, or the
    only one with that last name ("parker"); otherwise a one-line error naming the close ones.

    >>> match_name("charlie PARKER", ["Charlie Parker", "Miles Davis"], "player")
    'Charlie Parker'
    >>> match_name("Davis", ["Charlie Parker", "Miles Davis"], "player")
    'Miles Davis'
    """
    known = list(known)
    wanted = " ".join(name.lower().split())
    by_lower = {k.lower(): k for k in known}
    if wanted in by_lower:
        return by_lower[wanted]
    by_word = [k for k in known if wanted in k.lower().split()]
    if len(by_word) == 1:
        return by_word[0]
    close = difflib.get_close_matches(wanted, list(by_lower), n=3, cutoff=0.6)
    if by_word:
        hint = f"; it could be {' or '.join(by_word)}"
    elif close:
        hint = f"; did you mean {' or '.join(by_lower[c] for c in close)}?"
    elif len(known) <= 12:
        hint = f" (known: {', '.join(known).lower() if what == 'style' else ', '.join(known)})"
    else:
        hint = f"; `jazzsolo players` lists the {len(known)} this model knows"
    raise ConfigError(f"unknown {what} {name!r}{hint}", setting=what)


def parse_register(text: str) -> tuple[int, int]:
    """A register ``LOW-HIGH`` in note names (``C4-G5``, ``Bb3-F5``) or MIDI numbers
    (``60-79``) → (low, high) MIDI, at least an octave apart.

    >>> parse_register("C4-G5"), parse_register("55-80"), parse_register("Bb3-F#5")
    ((60, 79), (55, 80), (58, 78))
    """
    from music21 import pitch

    parts = text.replace("–", "-").split("-")
    if len(parts) == 3 and not parts[0] and parts[1]:      # a leading minus: not a register
        parts = []
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ConfigError(f"--register wants LOW-HIGH such as C4-G5 or 60-79, got {text!r}",
                          setting="register")
    values = []
    for part in parts:
        part = part.strip()
        try:
            values.append(int(part) if part.isdigit() else
                          int(pitch.Pitch(part.replace("b", "-") if len(part) > 1 else part).midi))
        except Exception:
            raise ConfigError(f"--register: {part!r} is neither a note name (C4, Bb3) nor a "
                              f"MIDI number", setting="register") from None
    low, high = values
    if high - low < 12:
        raise ConfigError(f"--register {text}: the highest note must be at least an octave "
                          f"above the lowest", setting="register")
    return low, high


__all__ = ["DENSITY_RANGE", "INSTRUMENTS", "N_PROFILE", "STYLES",
           "VoiceProfile", "VoiceVocabulary", "instrument_code", "match_name",
           "measured_profile", "parse_register", "measured_touch", "sounding_fraction"]
