"""Training windows have the course's shapes and Y is X shifted by one step."""
import numpy as np
import pytest

from jazzsolo.encodings.tensors import data_processing, load_music_utils
from jazzsolo.errors import MidiContentError


@pytest.fixture(scope="module")
def course_data(metheny_midi):
    return load_music_utils(metheny_midi)


def test_course_shapes(course_data):
    X, Y, n_values, indices_values, chords = course_data
    assert X.shape == (60, 30, 78)
    assert Y.shape == (30, 60, 78)
    assert n_values == 78 and len(indices_values) == 78
    assert len(chords) == 18


def test_start_input_is_zero_and_targets_are_shifted(course_data):
    X, Y, *_ = course_data
    assert not X[:, 0].any()
    for t in range(29):
        np.testing.assert_array_equal(Y[t], X[:, t + 1])
    assert (X[:, 1:].sum(axis=-1) == 1).all()
    assert (Y.sum(axis=-1) == 1).all(), "every target, the last one too, is one value"


def test_windows_are_real_stretches_of_the_corpus():
    corpus = [f"C,0.{i:03d}" for i in range(50)]
    indices = {v: i for i, v in enumerate(corpus)}
    X, Y, n_values = data_processing(corpus, indices, m=5, Tx=10, seed=3)
    for window in np.argmax(Y, axis=-1).T:                   # (m, Tx) target indices
        assert list(np.diff(window)) == [1] * 9


def test_same_seed_same_windows_and_other_seed_others():
    corpus = [f"C,0.{i:03d}" for i in range(80)]
    indices = {v: i for i, v in enumerate(corpus)}
    a = data_processing(corpus, indices, m=6, Tx=10, seed=1)[0]
    b = data_processing(corpus, indices, m=6, Tx=10, seed=1)[0]
    c = data_processing(corpus, indices, m=6, Tx=10, seed=2)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_a_tune_shorter_than_a_window_is_refused():
    corpus = ["C,0.250"] * 10
    with pytest.raises(MidiContentError, match="fewer than Tx"):
        data_processing(corpus, {"C,0.250": 0}, m=4, Tx=30)
