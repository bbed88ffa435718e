"""A request for a voice (player, style, instrument, density, phrase length, register) → what
the note model is told for one solo and the phrasing it plays by.

A solo is played *as* a training solo: one is drawn among the training solos of the player,
style and instrument asked for, at a similar tempo (and, when a density is asked for, among the
closest in density).  Its phrase lengths become the solo's phrasing (moved so that their
median is the `phrase_length` asked for, their spread narrowed), its profile the voice inputs
(with the density and register asked for in place of its own), its touch the band's legato
(`generate.performance.perform`), and the labels asked for are
told to the model; a player named alone brings his usual style and instrument.  The register
asked for, or else the instrument's range, bounds the pitches drawn; a density asked for also
steers the durations as the solo goes (`note_solo.density_tilt`).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import numpy as np

from jazzsolo.encodings.phrase_plan import MAX_PHRASE_NOTES
from jazzsolo.encodings.voice import (DENSITY_RANGE, INSTRUMENTS, VoiceProfile, instrument_code,
                                      match_name, parse_register)
from jazzsolo.errors import ConfigError

PHRASE_LENGTH_RANGE = (2, 60)            # notes per phrase that can be asked for
FEW_SOLOS = 4                            # `players_table` marks players with fewer solos
PHRASE_SPREAD = 0.5                      # a phrase length asked for: the drawn solo's phrases,
                                         # their log-spread around their median halved
DENSITY_POOL = 0.25                      # share of the candidate solos closest in density kept


@dataclass(frozen=True)
class VoiceRequest:
    """What the user asks of the soloist; None leaves it to the model (anyone, as drawn)."""

    player: str | None = None            # a performer's name, any case ("charlie parker")
    style: str | None = None             # TRADITIONAL ... FREE, any case
    instrument: str | None = None        # tenor, alto, trumpet ... or a WJazzD code
    density: float | None = None         # notes per beat
    phrase_length: float | None = None   # median notes per phrase
    register: str | None = None          # LOW-HIGH: note names (C4-G5) or MIDI numbers

    def given(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class Voice:
    """What one solo is told and plays by."""

    profile: VoiceProfile                # labels and shape told to the model
    phrasing: tuple[int, ...]            # the phrase lengths drawn from
    pitch_range: tuple[int, int] | None  # MIDI bounds asked for (register or instrument)
    model_solo: int                      # index of the training solo it plays as
    density: float | None = None         # notes per beat asked for, which sampling steers to
    touch: float | None = None           # the band sounds it as legato as that solo was played


def check_request(request: VoiceRequest, voices) -> VoiceRequest:
    """The request with its names matched to the model's (`voices`: a `VoiceVocabulary`, None
    for a model without voices) and its numbers checked; one-line errors."""
    asked = [name for name in ("player", "style", "instrument", "density")
             if getattr(request, name) is not None]
    if asked and voices is None:
        raise ConfigError(f"this model has no voices; it cannot honour --{asked[0]}",
                          setting=asked[0])
    player = match_name(request.player, voices.players, "player") if request.player else None
    style = match_name(request.style, voices.styles, "style").upper() if request.style else None
    instrument = None
    if request.instrument is not None:
        instrument = instrument_code(request.instrument)
        if instrument not in voices.instruments:
            raise ConfigError(f"the model learned no solos on {INSTRUMENTS[instrument][0]} "
                              f"(it knows: {', '.join(INSTRUMENTS[c][0] for c in voices.instruments)})",
                              setting="instrument")
    for name, (low, high) in (("density", DENSITY_RANGE), ("phrase_length", PHRASE_LENGTH_RANGE)):
        value = getattr(request, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not low <= value <= high):
            raise ConfigError(f"{name} must be between {low} and {high}, got {value!r}",
                              setting=name)
    if request.register is not None:
        parse_register(request.register)
    return dataclasses.replace(request, player=player, style=style, instrument=instrument)


def _usual(profiles, attr: str, player: str | None) -> str | None:
    """The player's most frequent style or instrument among the training solos."""
    found = Counter(getattr(p, attr) for p in profiles if p.player == player) - Counter([None])
    return found.most_common(1)[0][0] if player is not None and found else None


def _pool(profiles, phrases, request: VoiceRequest, qpm: float) -> list[int]:
    """Indices of the training solos to play as: those with the labels asked for (player
    first; a label that would leave none is not narrowed by), then those in `qpm`'s tempo band
    when any is (`PhraseLengths.in_band`), then the closest in density when one is asked for."""
    pool = list(range(len(profiles)))
    for attr in ("player", "style", "instrument"):
        wanted = getattr(request, attr)
        pool = [i for i in pool if wanted is not None and getattr(profiles[i], attr) == wanted] \
            or pool
    pool = phrases.in_band(qpm, pool)
    if request.density is not None:
        pool.sort(key=lambda i: (abs(np.log(profiles[i].density / request.density)), i))
        pool = pool[:max(1, int(np.ceil(DENSITY_POOL * len(pool))))]
    return pool


def choose_voice(model, request: VoiceRequest, qpm: float, rng: np.random.Generator) -> Voice:
    """The voice and phrasing of one solo asked for by `request` (checked) at `qpm`; draws one
    number from `rng`, the training solo to play as."""
    request = check_request(request, model.voices)
    solos = model.phrases.solos                          # (qpm, phrase lengths) per solo
    profiles = model.profiles or tuple(VoiceProfile() for _ in solos)
    if len(profiles) != len(solos):
        raise ConfigError(f"the model holds {len(profiles)} voice profiles for {len(solos)} "
                          f"solos' phrasings")
    pool = _pool(profiles, model.phrases, request, qpm)
    chosen = pool[int(rng.integers(len(pool)))]
    phrasing = solos[chosen][1]
    if request.phrase_length is not None:       # around the length asked for, spread narrowed
        median = float(np.median(phrasing))
        phrasing = tuple(int(min(max(round(request.phrase_length * (n / median) ** PHRASE_SPREAD),
                                         1), MAX_PHRASE_NOTES)) for n in phrasing)
    own = profiles[chosen]
    style = request.style or _usual(profiles, "style", request.player)
    instrument = request.instrument or _usual(profiles, "instrument", request.player)
    low, high = own.low, own.high
    pitch_range = None
    if request.register is not None:
        low, high = pitch_range = parse_register(request.register)
    elif instrument is not None and (request.instrument or request.player):
        pitch_range = INSTRUMENTS[instrument][2]
    profile = VoiceProfile(request.player, style, instrument,
                           request.density or own.density, low, high)
    return Voice(profile, phrasing, pitch_range, chosen, request.density, own.touch)


def players_table(model_spec=None) -> str:
    """`jazzsolo players`: the players, styles and instruments a model can play as, each with
    its number of training solos; players with few solos are marked (their voice leans on
    their style's and instrument's)."""
    from jazzsolo.generate.families import PlaysVoices, load_model

    model = load_model(model_spec)
    if not isinstance(model, PlaysVoices):
        raise ConfigError(f"the {model.family} model {model.name!r} has no players or styles "
                          f"to choose from")
    counts = model.voice_counts()
    lines = [f"{model.name}: {sum(counts['player'].values())} training solos by "
             f"{len(counts['player'])} players", "", "players (solos):"]
    for name, n in sorted(counts["player"].items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {name:28s} {n:3d}" + ("   few: leans on style and instrument"
                                               if n < FEW_SOLOS else ""))
    lines += ["", "styles (solos):"]
    lines += [f"  {name.lower():28s} {n:3d}" for name, n in counts["style"].most_common()]
    lines += ["", "instruments (solos):"]
    lines += [f"  {INSTRUMENTS.get(code, (code,))[0]:28s} {n:3d}"
              for code, n in counts["instrument"].most_common()]
    return "\n".join(lines)


__all__ = ["FEW_SOLOS", "PHRASE_LENGTH_RANGE", "players_table", "Voice", "VoiceRequest", "check_request", "choose_voice"]
