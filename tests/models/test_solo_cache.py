"""The solo cache: a player's own licks, played earlier in the solo, become likelier again."""
import json

import numpy as np
import pytest

from jazzsolo.errors import ConfigError, ModelDirError
from jazzsolo.models.note_lstm import (NoteModelConfig, NoteStepModel, NoteWeights, load_note_model,
                                       save_note_model)
from jazzsolo.models.note_training import build_note_model
from jazzsolo.models.solo_cache import CacheConfig, SoloCache, cached_note_probabilities

N = 61                                           # note pitch tokens, as the note encoding has


def uniform():
    return np.full(N, 1.0 / N)


def test_nothing_played_leaves_the_model_alone():
    cache = SoloCache(CacheConfig(), N)
    assert np.array_equal(cache.mix(uniform()), uniform())


def test_a_lick_played_twice_is_expected_the_third_time():
    cache = SoloCache(CacheConfig(), N)
    lick = [24, 28, 31, 34]                       # C E G Bb from MIDI 60
    for token in lick * 2 + lick[:3]:
        cache.add(token)
    mixed = cache.mix(uniform())
    assert mixed.sum() == pytest.approx(1.0)
    assert mixed[34] > 0.3 > 1.0 / N, mixed[34]   # after C E G, the Bb it played twice
    assert int(np.argmax(mixed)) == 34


def test_the_rest_keeps_its_probability():
    cache = SoloCache(CacheConfig(), N)
    for token in (5, 6, 5, 6, 5):
        cache.add(token)
    probs = np.append(uniform() * 0.7, 0.3)       # a rest with probability 0.3
    mixed = cache.mix_with_rest(probs, N)
    assert mixed[N] == pytest.approx(0.3)
    assert mixed.sum() == pytest.approx(1.0)
    assert mixed[6] > probs[6]


def test_without_a_cache_the_model_scores_alone():
    probs = np.tile(uniform(), (3, 1))
    tokens = np.array([1, 1, 1])
    assert np.allclose(cached_note_probabilities(probs, tokens, None), 1.0 / N)
    cached = cached_note_probabilities(probs, tokens, CacheConfig())
    assert cached[1] == pytest.approx(1.0 / N)    # one note: no context followed yet
    assert cached[2] > cached[1]                  # the second time 1 follows 1


@pytest.mark.parametrize("settings, message", [
    ({"weights": [0.5, 1.5]}, "cache weights"),
    ({"beta": 0}, "cache beta"),
    ({"weights": [0.1], "gamma": 1}, "unknown cache settings"),
])
def test_bad_cache_settings_are_refused(settings, message):
    with pytest.raises(ConfigError, match=message):
        CacheConfig.from_dict(settings)


TINY = NoteModelConfig(n_units=8, n_layers=1, window=8, batch_size=2, max_epochs=1)


def test_the_cache_is_saved_with_the_model_and_an_older_directory_has_none(tmp_path):
    keras_model = build_note_model(TINY)
    save_note_model(tmp_path / "m", keras_model, TINY)
    model = load_note_model(tmp_path / "m")
    assert model.cache == CacheConfig()
    model.cache = CacheConfig((0.2,), 2.0)
    save_note_model(tmp_path / "m2", model, TINY)
    assert load_note_model(tmp_path / "m2").cache == CacheConfig((0.2,), 2.0)
    settings = json.loads((tmp_path / "m2" / "config.json").read_text())
    del settings["cache"]                         # as models saved before the cache
    (tmp_path / "m2" / "config.json").write_text(json.dumps(settings))
    assert load_note_model(tmp_path / "m2").cache is None


def test_a_bad_cache_in_a_model_directory_is_one_line(tmp_path):
    save_note_model(tmp_path / "m", NoteStepModel(NoteWeights.from_keras(build_note_model(TINY)),
                                                  TINY), TINY)
    settings = json.loads((tmp_path / "m" / "config.json").read_text())
    settings["cache"] = {"weights": "lots"}
    (tmp_path / "m" / "config.json").write_text(json.dumps(settings))
    with pytest.raises(ModelDirError, match="refused, cache weights") as error:
        load_note_model(tmp_path / "m")
    assert "\n" not in str(error.value)
