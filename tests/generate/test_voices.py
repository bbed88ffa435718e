"""Choosing the soloist: a note model trained with WJazzD's labels plays as a player, a style or
an instrument, at a density, phrase length and register asked for; bad requests are one line.

A tiny model is trained for one epoch on five solos by two players (Art Pepper, Ben Webster),
with their labels from ../shared/data/wjazzd/solo_info.csv (ODbL, never copied here).
"""
from __future__ import annotations

import numpy as np
import pretty_midi
import pytest

from jazzsolo.cli import main
from jazzsolo.encodings.note_controls import N_CONTROLS
from jazzsolo.encodings.voice import (VoiceProfile, VoiceVocabulary, instrument_code, match_name,
                                      parse_register)
from jazzsolo.errors import ConfigError
from jazzsolo.generate.guidance import VOICE_GUIDANCE, GuidedStepModel, told_voice
from jazzsolo.generate.note_solo import generate_note_solo
from jazzsolo.generate.voices import VoiceRequest, choose_voice
from jazzsolo.ingest.corpus import read_corpus
from jazzsolo.ingest.solo_info import read_solo_labels
from jazzsolo.models.note_lstm import NoteStepModel, get_note_preset, load_note_model, save_note_model
from jazzsolo.models.note_training import train_note_model
from jazzsolo.music.progression import PROGRESSIONS, parse_progression

from conftest import message_lines, wjazzd_folder


@pytest.fixture(scope="module")
def voiced(tmp_path_factory):
    """A tiny voiced model's directory, trained on the first six solos (5 + 1 held out)."""
    folder = wjazzd_folder()
    solos = read_corpus(folder, limit=6).solos
    labels = read_solo_labels(folder)
    _, model, _ = train_note_model(solos[:5], solos[5:], get_note_preset("tiny"), labels=labels,
                                   progress=False)
    directory = tmp_path_factory.mktemp("voiced")
    save_note_model(directory, model, model.config, {"data": "test"}, overwrite=True)
    return directory


@pytest.fixture(scope="module")
def blues():
    return parse_progression(PROGRESSIONS["blues"]) * 2


def _generate(directory, out, *extra) -> int:
    return main(["generate", "--model", str(directory), "--progression", "blues", "--seed", "3",
                 "--output_dir", str(out), "--no-drums", "--no-bass", "--no-comp", *extra])


def _solo_notes(path) -> list:
    midi = pretty_midi.PrettyMIDI(str(path))
    return next(i for i in midi.instruments if i.name == "Solo").notes


def test_the_model_knows_its_players_styles_and_instruments(voiced, capsys):
    model = load_note_model(voiced)
    assert model.voices.players == ("Art Pepper", "Ben Webster")
    assert set(model.voices.styles) == {"COOL", "SWING"}
    assert len(model.profiles) == len(model.phrases.solos) == 5
    assert main(["players", str(voiced)]) == 0
    table = capsys.readouterr().out
    assert "Art Pepper                     4" in table and "Ben Webster" in table
    assert "few: leans on style and instrument" in table and "cool" in table


def test_player_style_density_and_register_are_honoured_and_seeded(voiced, tmp_path):
    out = tmp_path / "out"
    args = ("--player", "pepper", "--style", "cool", "--density", "2.5", "--register", "C4-C6",
            "--phrase_length", "12")
    assert _generate(voiced, out, *args) == 0
    first = (out / "blues_seed3.mid").read_bytes()
    notes = _solo_notes(out / "blues_seed3.mid")
    assert notes and all(60 <= n.pitch <= 84 for n in notes)        # the register asked for
    assert _generate(voiced, out, *args, "--overwrite") == 0
    assert (out / "blues_seed3.mid").read_bytes() == first           # same seed, same bytes
    assert _generate(voiced, out, "--overwrite") == 0
    assert (out / "blues_seed3.mid").read_bytes() != first           # the voice changes the solo


def test_the_voice_is_told_to_the_model(voiced, blues):
    model = load_note_model(voiced)
    as_pepper = VoiceRequest(player="Art Pepper")
    voice = choose_voice(model, as_pepper, 120.0, np.random.default_rng(0))
    assert voice.profile.player == "Art Pepper" and voice.profile.style == "COOL"
    assert model.profiles[voice.model_solo].player == "Art Pepper"   # plays as one of his solos
    assert voice.pitch_range == (49, 81)                 # his instrument (alto sax)'s range
    told = model.voices.features(voice.profile)
    assert told[model.voices.players.index("Art Pepper")] == 1.0
    dense = choose_voice(model, VoiceRequest(density=3.0, phrase_length=20), 120.0,
                         np.random.default_rng(0))
    assert dense.profile.density == 3.0 and np.median(dense.phrasing) == pytest.approx(20, abs=1)
    one = generate_note_solo(model, blues, seed=1, voice=as_pepper)
    assert one.notes == generate_note_solo(model, blues, seed=1, voice=as_pepper).notes


@pytest.mark.parametrize("extra, words", [
    (("--player", "Charlie Parkr"), "unknown player 'Charlie Parkr'"),
    (("--player", "Art Peper"), "did you mean Art Pepper?"),
    (("--style", "bop"), "unknown style 'bop'"),
    (("--instrument", "trumpet"), "learned no solos on trumpet"),
    (("--instrument", "kazoo"), "unknown instrument 'kazoo'"),
    (("--density", "9"), "--density must be between 0.25 and 6.0"),
    (("--register", "C4-E4"), "at least an octave"),
    (("--register", "low-high"), "neither a note name"),
])
def test_a_bad_request_is_one_line_and_writes_nothing(voiced, tmp_path, capsys, extra, words):
    out = tmp_path / "out"
    assert _generate(voiced, out, *extra) == 2
    lines = message_lines(capsys.readouterr().err)
    assert len(lines) == 1 and words in lines[0], lines
    assert not out.exists() or not any(out.iterdir())


def test_the_course_model_has_no_players(tmp_path, capsys):
    assert main(["generate", "--model", "course", "--player", "Parker", "--seed", "1",
                 "--output_dir", str(tmp_path / "o")]) == 2
    lines = message_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "cannot honour player" in lines[0]
    assert main(["players", "course"]) == 2
    assert "has no players" in message_lines(capsys.readouterr().err)[0]


def test_names_are_matched_as_a_musician_writes_them():
    known = ["Charlie Parker", "Miles Davis", "Sonny Rollins", "Sonny Stitt"]
    assert match_name("MILES davis", known, "player") == "Miles Davis"
    assert match_name("rollins", known, "player") == "Sonny Rollins"
    with pytest.raises(ConfigError, match="Sonny Rollins or Sonny Stitt"):
        match_name("sonny", known, "player")
    assert instrument_code("Alto Sax") == "as" and instrument_code("trumpet") == "tp"
    assert parse_register("Bb3-F5") == (58, 77) and parse_register("48-72") == (48, 72)


def test_voice_features_follow_a_transposed_solo():
    vocabulary = VoiceVocabulary(("A", "B"), ("BEBOP",), ("ts",))
    profile = VoiceProfile("B", "BEBOP", "ts", density=2.0, low=60, high=84)
    told = vocabulary.features(profile)
    assert told.tolist()[:4] == [0.0, 1.0, 1.0, 1.0] and told[4] == 1.0     # log2(2)
    assert vocabulary.features(profile, (False, True, False))[:4].tolist() == [0, 0, 1, 0]
    moved = vocabulary.features(profile, shift=12)
    assert moved[5] == pytest.approx(1.0) and moved[6] == pytest.approx(2.0)


def test_an_instrument_asked_for_brings_its_range_and_its_sound(voiced, tmp_path):
    out = tmp_path / "out"
    assert _generate(voiced, out, "--instrument", "tenor") == 0
    midi = pretty_midi.PrettyMIDI(str(out / "blues_seed3.mid"))
    solo = next(i for i in midi.instruments if i.name == "Solo")
    assert pretty_midi.program_to_instrument_name(solo.program) == "Tenor Sax"
    assert solo.notes and all(44 <= n.pitch <= 77 for n in solo.notes)   # a tenor's range
    assert _generate(voiced, out, "--instrument", "tenor", "--solo_instrument", "Trumpet",
                     "--overwrite") == 0
    solo = next(i for i in pretty_midi.PrettyMIDI(str(out / "blues_seed3.mid")).instruments
                if i.name == "Solo")
    assert pretty_midi.program_to_instrument_name(solo.program) == "Trumpet"


def test_a_voice_is_sounded_with_the_touch_of_the_solo_it_plays_as(voiced, blues):
    model = load_note_model(voiced)
    touches = [p.touch for p in model.profiles]
    assert all(t is not None for t in touches)
    assert np.mean(touches) == pytest.approx(1.0, abs=0.02)     # relative to the training mean
    request = VoiceRequest(player="Ben Webster")
    chosen = choose_voice(model, request, 120.0, np.random.default_rng(1))
    assert chosen.touch == model.profiles[chosen.model_solo].touch
    assert generate_note_solo(model, blues, seed=1, voice=request).touch == chosen.touch


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sum(p * np.log(np.maximum(p, 1e-12) / np.maximum(q, 1e-12))))


def test_guidance_pulls_a_told_voice_further_from_anyones(voiced, blues):
    model = load_note_model(voiced)
    profile = VoiceProfile("Art Pepper", "COOL", None, 2.0, 60, 80)
    assert isinstance(told_voice(model, VoiceProfile(density=2.0)), NoteStepModel)  # no label
    assert isinstance(told_voice(model, profile, 1.0), NoteStepModel)      # as learned
    guided = told_voice(model, profile)
    assert isinstance(guided, GuidedStepModel) and guided.guidance == VOICE_GUIDANCE > 1.0
    anyone = model.with_voice(model.voices.features(profile, (False,) * 3))
    as_learned = model.with_voice(model.voices.features(profile))
    control = np.zeros(N_CONTROLS, dtype=np.float32)
    steps = [m.probabilities(m.initial_state(), None, control)[0]
             for m in (guided, as_learned, anyone)]
    assert all(p.sum() == pytest.approx(1.0) for p in steps)
    views = guided.both.probabilities(guided.initial_state(), None, control)[0]   # in one step
    assert np.allclose(views, [steps[1], steps[2]], rtol=0, atol=1e-12)
    assert _kl(steps[0], steps[2]) > _kl(steps[1], steps[2]) > 0.0   # the voice, g times over
    as_pepper = VoiceRequest(player="Art Pepper")
    one = generate_note_solo(model, blues, seed=2, voice=as_pepper)
    assert one.notes == generate_note_solo(model, blues, seed=2, voice=as_pepper).notes
    with pytest.raises(ConfigError, match="voice guidance must be a number from 0 to 8"):
        told_voice(model, profile, 9.0)
