"""A voice told to the note model, made stronger by guidance: the step model that plays "as
Charlie Parker" pulls its probabilities away from those it gives anyone.

The note model learned to play both as told and as anyone (each label was dropped in half its
training windows, `NoteModelConfig.label_dropout`), which is what classifier-free guidance needs
(Ho & Salimans 2022; for language models, Sanchez et al. 2023): with the step's probabilities
told the voice, ``p_told``, and told only the solo's profile with no labels, ``p_anyone``,

    p ∝ p_anyone ** (1 - g) · p_told ** g,         g = `VOICE_GUIDANCE`,

so what the labels change is changed g times as much, and g = 1 is the voice as the model
learned it.  Both views are stepped over the same events in one step of two rows (they differ
only in the first layer's bias), so guidance costs little more than one view; a solo told no
labels runs one.  A label the model was never told in training is not guided.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzsolo.encodings.voice import VoiceProfile
from jazzsolo.errors import ConfigError

VOICE_GUIDANCE = 2.0                 # g: how far the labels told are followed past the model's
                                     # own voice (1: as learned)
_FLOOR = 1e-12                       # probabilities are floored before their logs


@dataclass(frozen=True)
class GuidedStepModel:
    """One note model told a voice and told none, its two views stepped together (one
    `NoteStepModel` told both voices, `with_voice`); it answers `probabilities` as a
    `NoteStepModel` does, the guided probabilities of the two."""

    both: object                     # NoteStepModel told (the voice, no labels): two views
    guidance: float = VOICE_GUIDANCE

    @property
    def cache(self):
        return self.both.cache

    def initial_state(self):
        return self.both.initial_state()

    def probabilities(self, state, event, control: np.ndarray, plan: np.ndarray | None = None):
        """Advance both views one event: ``(pitch_probs, duration_probs, state)`` guided."""
        pitch, duration, state = self.both.probabilities(state, event, control, plan)
        return (guided(pitch[0], pitch[1], self.guidance),
                guided(duration[0], duration[1], self.guidance), state)


def guided(told: np.ndarray, anyone: np.ndarray, guidance: float) -> np.ndarray:
    """``anyone ** (1 - g) * told ** g`` normalised over the last axis.

    >>> guided(np.array([0.5, 0.5]), np.array([0.8, 0.2]), 2.0).round(3).tolist()
    [0.2, 0.8]
    """
    logs = guidance * np.log(np.maximum(told, _FLOOR)) \
        + (1.0 - guidance) * np.log(np.maximum(anyone, _FLOOR))
    logs -= logs.max(axis=-1, keepdims=True)
    out = np.exp(logs) * (told > 0)                    # what the voice rules out stays out
    return out / out.sum(axis=-1, keepdims=True)


def told_voice(model, profile: VoiceProfile, guidance: float = VOICE_GUIDANCE):
    """The step model to play `profile` with: `model` itself when it reads no voice, the model
    told the voice when it names no label the model knows (or `guidance` is 1), else guided."""
    if getattr(model, "voices", None) is None:
        return model
    if not isinstance(guidance, (int, float)) or isinstance(guidance, bool) \
            or not 0.0 <= guidance <= 8.0:
        raise ConfigError(f"voice guidance must be a number from 0 to 8, got {guidance!r}")
    vocabulary = model.voices
    told = vocabulary.features(profile)
    known = (profile.player in vocabulary.players, profile.style in vocabulary.styles,
             profile.instrument in vocabulary.instruments)
    if guidance == 1.0 or not any(known):
        return model.with_voice(told)
    anyone = vocabulary.features(profile, (False,) * 3)
    return GuidedStepModel(model.with_voice(np.stack([told, anyone])), float(guidance))


__all__ = ["GuidedStepModel", "VOICE_GUIDANCE", "guided", "told_voice"]
