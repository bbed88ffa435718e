"""The one NumPy LSTM step: the logistic function without overflow, Keras's gate order, and the
sequence run that equals stepping one input at a time."""
import warnings

import numpy as np

from jazzsolo.models.course_step import CourseStepModel, LSTMWeights
from jazzsolo.models.lstm_step import lstm_sequence, lstm_step, sigmoid, softmax


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=0, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # 1 / (1 + exp(1000)) warns
        assert sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    probs = softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(probs, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_gates_are_in_keras_order_input_forget_cell_output():
    units = 2
    kernel = np.zeros((1, 4 * units))
    bias = np.zeros(4 * units)
    bias[:units] = 50.0                    # input gate open
    bias[units:2 * units] = -50.0          # forget gate shut: the old cell state is dropped
    bias[2 * units:3 * units] = 50.0       # candidate tanh(50) = 1
    bias[3 * units:] = -50.0               # output gate shut: h = 0
    h, c = lstm_step(np.zeros(1), np.zeros(units), np.full(units, 7.0), kernel,
                     np.zeros((units, 4 * units)), bias)
    np.testing.assert_allclose(c, 1.0)
    np.testing.assert_allclose(h, 0.0, atol=1e-20)


def test_a_sequence_run_equals_one_step_at_a_time():
    rng = np.random.default_rng(0)
    n_in, units, n = 5, 3, 12
    kernel, recurrent = rng.normal(size=(n_in, 4 * units)), rng.normal(size=(units, 4 * units))
    bias, x = rng.normal(size=4 * units), rng.normal(size=(n, n_in))
    h, c, stepped = np.zeros(units), np.zeros(units), []
    for t in range(n):
        h, c = lstm_step(x[t], h, c, kernel, recurrent, bias)
        stepped.append(h)
    np.testing.assert_allclose(lstm_sequence(x, kernel, recurrent, bias), stepped, atol=1e-12)


def test_the_course_step_model_feeds_primes_and_resets():
    rng = np.random.default_rng(1)
    n_values, n_a = 6, 4
    weights = LSTMWeights(rng.normal(size=(n_values, 4 * n_a)), rng.normal(size=(n_a, 4 * n_a)),
                          rng.normal(size=4 * n_a), rng.normal(size=(n_a, n_values)),
                          rng.normal(size=n_values))
    model = CourseStepModel(weights)
    first = model.probabilities()
    assert first.shape == (n_values,) and abs(first.sum() - 1.0) < 1e-12
    model.feed(3)
    assert model.x.tolist() == [0, 0, 0, 1, 0, 0]
    after_primer = CourseStepModel(weights)
    after_primer.prime([3])
    np.testing.assert_array_equal(after_primer.probabilities(), model.probabilities())
    model.reset()
    np.testing.assert_array_equal(model.probabilities(), first)
