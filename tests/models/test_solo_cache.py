"""The solo cache: a player's own licks, played earlier in the solo, become likelier again."""
import json

import numpy as np
import pytest

from jazzsolo.encodings.note_events import N_PITCHES, PITCH_HIGH, Event, encode_event
from jazzsolo.errors import ConfigError, ModelDirError
from jazzsolo.models.note_lstm import (NoteModelConfig, NoteStepModel, NoteWeights, load_note_model,
                                       save_note_model)
from jazzsolo.models.note_training import build_note_model
from jazzsolo.models.solo_cache import CacheConfig, SoloCache, cached_note_probabilities

N = N_PITCHES                                    # note pitch tokens, 61 in the note encoding


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


def played(cache: SoloCache, tokens) -> SoloCache:
    for token in tokens:
        cache.add(token)
    return cache


def test_a_motif_moved_to_a_new_pitch_brings_its_next_note_there():
    # C4 D4 Eb4 G4, then the same steps from F4: F4 G4 Ab4, and the cache expects C5.
    # Intervals +2 +1 +4 -2 +2 +1: the last two, (+2, +1), were followed once, by +4.
    midi = [60, 62, 63, 67, 65, 67, 68]
    tokens = [encode_event(Event(m, 6))[0] for m in midi]
    cache = played(SoloCache(CacheConfig(interval_weights=(0.0, 0.6), beta=2.0), N), tokens)
    mixed = cache.mix(uniform())
    c5 = encode_event(Event(72, 6))[0]
    w = 0.6 * 1 / (1 + 2.0)                       # weight · c / (c + beta), c = 1
    expected = np.full(N, (1.0 - w) / N)
    expected[c5] += w
    assert np.allclose(mixed, expected, rtol=0, atol=1e-15)
    # the pitch contexts alone (Ab4 never played before) expect nothing
    pitch_only = played(SoloCache(CacheConfig(beta=2.0), N), tokens)
    assert np.array_equal(pitch_only.mix(uniform()), uniform())


def test_pitch_and_interval_contexts_mix_in_order_of_their_span():
    # pitches 10 12 11 20 22 25 10 12: pitch 12 was followed by 11 once; the interval +2 by
    # -1 (to 11) and +3 (to 15).  Pitch 1-context first, then the interval 1-context.
    cache = played(SoloCache(CacheConfig(weights=(0.5,), beta=1.0, interval_weights=(0.5,)), N),
                   [10, 12, 11, 20, 22, 25, 10, 12])
    mixed = cache.mix(uniform())
    w_pitch, w_interval = 0.5 * 1 / 2, 0.5 * 2 / 3
    assert (w_pitch, w_interval) == (0.25, pytest.approx(1 / 3))
    assert mixed[11] == pytest.approx((1 - w_interval) * ((1 - w_pitch) / N + w_pitch)
                                      + w_interval / 2)          # 0.5 / N + 1/3
    assert mixed[15] == pytest.approx((1 - w_interval) * (1 - w_pitch) / N + w_interval / 2)
    assert mixed[0] == pytest.approx(0.5 / N)
    assert mixed.sum() == pytest.approx(1.0)


def test_an_interval_that_would_leave_the_range_gets_nothing():
    top = encode_event(Event(PITCH_HIGH, 6))[0]  # C7, the last token
    assert top == N - 1 == 60
    config = CacheConfig(weights=(), beta=1.0, interval_weights=(0.5,))
    # 50 52 60: +2 then +8 to the top; after 56 58 (+2 again) +8 would call for token 66
    cache = played(SoloCache(config, N), [top - 10, top - 8, top, top - 4, top - 2])
    assert np.array_equal(cache.mix(uniform()), uniform())
    # +2 was also followed by -1 once, in range: only that count is read (c = 1)
    cache = played(SoloCache(config, N), [top - 10, top - 8, top, 20, 22, 21, top - 4, top - 2])
    mixed = cache.mix(uniform())
    w = 0.5 * 1 / (1 + 1.0)
    assert mixed[top - 3] == pytest.approx((1 - w) / N + w)
    assert mixed.sum() == pytest.approx(1.0)


def test_a_transposed_motif_scores_better_with_interval_contexts():
    motif = [0, 3, 4, 9, 7, 14, 12, 13]           # no two steps in a row come back inside it
    tokens = np.array([20 + m for m in motif] + [27 + m for m in motif] + [15 + m for m in motif])
    probs = np.tile(uniform(), (len(tokens), 1))
    pitch_only = cached_note_probabilities(probs, tokens, CacheConfig())
    both = cached_note_probabilities(probs, tokens, CacheConfig(interval_weights=(0, 0.3, 0.5)))
    assert np.array_equal(both[:11], pitch_only[:11])   # the motif moved: 2 notes heard
    assert np.all(both[11:16] > pitch_only[11:16])      # then its steps are expected
    assert np.all(both[19:] > pitch_only[19:])          # and so the third time
    assert np.sum(np.log(both)) > np.sum(np.log(pitch_only))


def test_older_cache_settings_read_without_interval_contexts():
    older = CacheConfig.from_dict({"weights": [0.05, 0.3, 0.5, 0.6], "beta": 5.0})
    assert older == CacheConfig() and older.interval_weights == ()
    newer = CacheConfig((0.1,), 3.0, (0.0, 0.2))
    assert CacheConfig.from_dict(json.loads(json.dumps(newer.to_dict()))) == newer


@pytest.mark.parametrize("settings, message", [
    ({"interval_weights": [0.5, 2]}, "cache interval weights must be at most 8 numbers in 0-1"),
    ({"interval_weights": "lots"}, "cache interval weights"),
    ({"weights": [0.1] * 9}, "cache weights"),
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
    model.cache = CacheConfig((0.2,), 2.0, (0.0, 0.4))
    save_note_model(tmp_path / "m2", model, TINY)
    assert load_note_model(tmp_path / "m2").cache == CacheConfig((0.2,), 2.0, (0.0, 0.4))
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
