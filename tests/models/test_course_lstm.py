"""The course model: shared layers, training that learns, and inference that matches NumPy."""
import keras
import numpy as np

from jazzsolo.generate.sampling import (LSTMWeights, ValueSampler, music_inference_model,
                                        predict_and_sample)
from jazzsolo.models.course_lstm import djmodel, make_shared_layers


def test_djmodel_shares_one_cell_across_time_steps():
    reshaper, LSTM_cell, densor = make_shared_layers(78, 64)
    model = djmodel(30, LSTM_cell, densor, reshaper)
    assert [tuple(i.shape) for i in model.inputs] == [(None, 30, 78), (None, 64), (None, 64)]
    assert len(model.outputs) == 30
    assert sum(isinstance(layer, keras.layers.LSTM) for layer in model.layers) == 1
    assert sum(isinstance(layer, keras.layers.Lambda) for layer in model.layers) == 0
    assert model.count_params() == 4 * 64 * (78 + 64 + 1) + 64 * 78 + 78


def test_training_100_epochs_learns_the_tune(trained):
    loss, accuracy = trained["history"]["loss"], trained["history"]["accuracy"]
    print(f"100 epochs: loss {loss[0]:.2f} -> {loss[-1]:.2f}, accuracy {accuracy[-1]:.3f}")
    assert len(loss) == 100
    assert loss[-1] < 0.25 * loss[0]
    assert accuracy[-1] > 0.8


def test_inference_model_shapes_and_argmax_at_temperature_zero(trained):
    inference_model = music_inference_model(trained["LSTM_cell"], trained["densor"], Ty=50)
    x0, a0, c0 = np.zeros((1, 1, 78)), np.zeros((1, 64)), np.zeros((1, 64))
    results, indices = predict_and_sample(inference_model, x0, a0, c0, temperature=0.0)
    assert results.shape == (50, 78) and indices.shape == (50, 1)
    assert (results.sum(axis=-1) == 1).all()
    again = predict_and_sample(inference_model, x0, a0, c0, temperature=0.0)[1]
    np.testing.assert_array_equal(indices, again)


def test_numpy_sampler_matches_keras_probabilities_and_choices(trained):
    inference_model = music_inference_model(trained["LSTM_cell"], trained["densor"], Ty=20)
    x0, a0, c0 = np.zeros((1, 1, 78)), np.zeros((1, 64)), np.zeros((1, 64))
    noise = 1.0 * np.random.default_rng(5).gumbel(size=(1, 20, 78)).astype(np.float32)
    keras_probs, keras_choices = inference_model.predict([x0, a0, c0, noise], verbose=0)
    sampler = ValueSampler(LSTMWeights.from_model(inference_model))
    rng = np.random.default_rng(5)
    for t in range(20):
        probs = sampler.probabilities()
        np.testing.assert_allclose(probs, keras_probs[0, t], atol=1e-5)
        index = int(np.argmax(np.log(probs + 1e-12) + rng.gumbel(size=78)))
        assert index == int(np.argmax(keras_choices[0, t]))
        sampler.x = np.eye(78)[index]


def test_seeded_sampling_is_repeatable_and_seeds_differ(trained):
    inference_model = music_inference_model(trained["LSTM_cell"], trained["densor"], Ty=50)
    x0, a0, c0 = np.zeros((1, 1, 78)), np.zeros((1, 64)), np.zeros((1, 64))
    def draw(seed):
        return predict_and_sample(inference_model, x0, a0, c0, temperature=1.0,
                                  rng=np.random.default_rng(seed))[1]
    np.testing.assert_array_equal(draw(1), draw(1))
    assert not np.array_equal(draw(1), draw(2))
