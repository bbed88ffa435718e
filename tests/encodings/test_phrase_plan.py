"""The phrase plan the note model reads (`jazzsolo.encodings.phrase_plan`): what it says before
each event of a played line, the phrase lengths generation draws from, and their file form."""
from __future__ import annotations

import numpy as np
import pytest

from jazzsolo.encodings import phrase_plan as pp
from jazzsolo.encodings.note_events import (N_CONTROLS, N_INPUTS, REST, model_inputs,
                                            step_input)
from jazzsolo.encodings.phrase_plan import N_PLAN
from jazzsolo.errors import ConfigError


def line(*phrases: int, breath: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """(pitch tokens, steps): a breath, then phrases of the given numbers of sixteenths (3
    steps), each followed by a rest of `breath` steps."""
    tokens, steps = [REST], [breath]
    for size in phrases:
        tokens += [24 + i % 5 for i in range(size)] + [REST]
        steps += [3] * size + [breath]
    return np.array(tokens), np.array(steps)


def test_the_plan_counts_down_each_phrase_and_is_empty_between_them():
    left, length = pp.plan_indices(*line(3, 12), REST)
    # events: R n n n R n*12 R; the plan is read before each event, after its first note
    assert left.tolist() == [0, 0, 2, 1, 0, 0] + list(range(11, -1, -1))
    assert length.tolist() == [0, 0, 3, 3, 3, 0] + [12] * 12
    assert pp.phrase_sizes(*line(3, 12), REST) == [3, 12]


def test_a_rest_shorter_than_a_beat_stays_inside_the_phrase():
    pitch, steps = line(3, 12, breath=6)          # rests of half a beat: one phrase
    assert pp.phrase_sizes(pitch, steps, REST) == [15]
    assert pp.breaths(pitch, steps, REST).sum() == 0
    left, length = pp.plan_indices(pitch, steps, REST)
    assert left[4] == left[5] == 12 and length[4] == 15       # the rest inside: 12 still to come
    two = np.array([6, 6])                                    # two short rests make a breath
    pitch = np.array([24, REST, REST, 25])
    assert pp.phrase_sizes(pitch, np.array([3, *two, 3]), REST) == [1, 1]


def test_plan_features_are_one_hot_in_both_parts():
    features = pp.sequence_plan(*line(40, 1, 8), REST)
    assert features.shape == (1 + 41 + 2 + 9, N_PLAN)
    assert (features[:, :pp.N_LEFT].sum(axis=1) == 1).all()
    assert (features[:, pp.N_LEFT:].sum(axis=1) == 1).all()
    # 39 notes left of a 40-note phrase: the top buckets; a 1-note phrase ends at once
    assert features[2, pp.N_LEFT - 1] == 1 and features[2, N_PLAN - 1] == 1
    assert features[43, 0] == 1 and features[43, pp.N_LEFT + 1] == 1


def test_model_inputs_end_with_the_plan_and_a_step_matches_them():
    pitch, _ = line(4, 6)
    duration = np.full(len(pitch), 7)                        # token 7: 12 steps, rests breathe
    controls = np.zeros((len(pitch), N_CONTROLS), dtype=np.float32)
    x = model_inputs(pitch, duration, controls)
    assert x.shape == (len(pitch), N_INPUTS)
    assert np.array_equal(x[:, -N_PLAN:], pp.sequence_plan(pitch, np.full(len(pitch), 12), REST))
    t = 3                                           # after two notes of the 4-note phrase
    step = step_input((int(pitch[t - 1]), 7), controls[t], int(pitch[t - 1]), int(pitch[t - 2]),
                      pp.plan_features(2, 4)[0])
    assert np.array_equal(step, x[t])


def test_a_solo_takes_one_training_solos_phrasing_at_its_tempo():
    lengths = pp.PhraseLengths.from_solos([(*line(4, 4, 4), 120.0), (*line(20, 30), 250.0),
                                           (*line(), 250.0), (*line(9), 130.0)], REST)
    assert len(lengths.solos) == 3                               # the solo without notes is out
    rng = np.random.default_rng(0)
    assert {lengths.phrasing(120.0, rng) for _ in range(50)} == {(4, 4, 4), (9,)}
    assert {lengths.phrasing(300.0, rng) for _ in range(50)} == {(20, 30)}
    assert len({lengths.phrasing(60.0, rng) for _ in range(200)}) == 3   # empty band: all
    assert pp.PhraseLengths.from_dict(lengths.to_dict()) == lengths


def test_bad_phrase_lengths_are_one_line():
    with pytest.raises(ConfigError, match="tempo_edges_qpm") as error:
        pp.PhraseLengths.from_dict({"tempo_edges_qpm": [1, 2], "solos": []})
    assert "\n" not in str(error.value)
    edges = list(pp.TEMPO_EDGES_QPM)
    with pytest.raises(ConfigError, match="each solo needs qpm"):
        pp.PhraseLengths.from_dict({"tempo_edges_qpm": edges, "solos": [{"phrases": [3]}]})
    with pytest.raises(ConfigError, match="phrases of 1-"):
        pp.PhraseLengths(((120.0, (0,)),))
