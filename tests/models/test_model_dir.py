"""Model directories: round trip, and refusal of anything missing, inconsistent or unsafe."""
import json
import shutil

import numpy as np
import pytest

from jazzsolo.errors import ModelDirError, OutputExistsError
from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir, save_model_dir


@pytest.fixture
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(PRETRAINED_MODEL_DIR, target)
    return target


def edit_json(path, change):
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


def test_round_trip_keeps_weights_vocabulary_and_chords(model_copy, tmp_path):
    model = load_model_dir(model_copy)
    save_model_dir(tmp_path / "again", model)
    again = load_model_dir(tmp_path / "again")
    assert again.values == model.values
    np.testing.assert_array_equal(again.weights.kernel, model.weights.kernel)
    assert [[(c.offset, [p.midi for p in c.pitches]) for c in m] for m in again.chords] == \
           [[(c.offset, [p.midi for p in c.pitches]) for c in m] for m in model.chords]


def test_saving_never_replaces_a_model_unless_asked(model_copy):
    model = load_model_dir(model_copy)
    before = (model_copy / "weights.npz").read_bytes()
    with pytest.raises(OutputExistsError, match="holds a model already"):
        save_model_dir(model_copy, model)
    assert (model_copy / "weights.npz").read_bytes() == before


@pytest.mark.parametrize("name", ["weights.npz", "vocabulary.json", "config.json", "chords.json"])
def test_a_missing_file_is_named(model_copy, name):
    (model_copy / name).unlink()
    with pytest.raises(ModelDirError, match=name):
        load_model_dir(model_copy)


def test_vocabulary_that_does_not_match_the_weights(model_copy):
    edit_json(model_copy / "vocabulary.json", lambda values: values[:-1])
    with pytest.raises(ModelDirError, match="do not match the vocabulary of 77 values"):
        load_model_dir(model_copy)


def test_a_newer_format_version_is_refused(model_copy):
    edit_json(model_copy / "config.json", lambda c: dict(c, format_version=99))
    with pytest.raises(ModelDirError, match="version 99.*upgrade jazzsolo"):
        load_model_dir(model_copy)


@pytest.mark.parametrize("change", [
    lambda c: dict(c, layers=[{"class_name": "Lambda", "config": {"function": "os.system"}}]),
    lambda c: dict(c, model={"class_name": "Evil", "module": "os", "config": {}}),
    lambda c: dict(c, train=dict(c["train"], callback="builtins.exec")),
    lambda c: ["not", "settings"],
])
def test_a_tampered_config_is_refused(model_copy, change):
    edit_json(model_copy / "config.json", change)
    with pytest.raises(ModelDirError, match="refused|not a JSON object"):
        load_model_dir(model_copy)


def test_pickled_weights_are_refused_without_running_them(model_copy, tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (marker.write_text, ("pwned",))

    arrays = dict(np.load(model_copy / "weights.npz"))
    arrays["kernel"] = np.array([Payload()], dtype=object)
    np.savez(model_copy / "weights.npz", **arrays)
    with pytest.raises(ModelDirError, match="weights"):
        load_model_dir(model_copy)
    assert not marker.exists()


def test_malformed_vocabulary_values_are_refused(model_copy):
    edit_json(model_copy / "vocabulary.json", lambda values: ["__import__('os')"] + values[1:])
    with pytest.raises(ModelDirError, match="malformed grammar value"):
        load_model_dir(model_copy)


def test_saved_chords_keep_the_training_spelling(musical_data):
    from jazzsolo.models.model_dir import chords_from_json, chords_to_json

    def names(measures):
        return [[[p.name for p in c.pitches] for c in m] for m in measures]
    assert names(chords_from_json(chords_to_json(musical_data.chords))) == names(musical_data.chords)


def test_the_keras_file_loads_safely_into_the_course_layers(model_copy):
    from jazzsolo.generate.sampling import LSTMWeights, ValueSampler
    from jazzsolo.models.course_lstm import load_keras_layers

    _, LSTM_cell, densor = load_keras_layers(model_copy)
    from_keras = ValueSampler(LSTMWeights.from_layers(LSTM_cell, densor))
    from_npz = ValueSampler(load_model_dir(model_copy).weights)
    for _ in range(5):
        np.testing.assert_allclose(from_keras.probabilities(), from_npz.probabilities(), atol=1e-6)


def test_a_keras_file_with_a_lambda_layer_is_refused_unrun(model_copy, tmp_path):
    import keras

    from jazzsolo.models.course_lstm import KERAS_FILE, load_keras_layers

    marker = tmp_path / "ran"
    target = str(marker)
    inputs = keras.Input(shape=(1, 78))
    outputs = keras.layers.Lambda(lambda x: (open(target, "w").write("pwned"), x)[1])(inputs)
    keras.Model(inputs, outputs).save(model_copy / KERAS_FILE)
    marker.unlink(missing_ok=True)
    with pytest.raises(ModelDirError, match="refused"):
        load_keras_layers(model_copy)
    assert not marker.exists()


def test_a_keras_file_with_other_layers_is_refused(model_copy):
    import keras

    from jazzsolo.models.course_lstm import KERAS_FILE, load_keras_layers

    inputs = keras.Input(shape=(4,))
    keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Dense(5)(inputs))).save(
        model_copy / KERAS_FILE)
    with pytest.raises(ModelDirError, match="unexpected layers"):
        load_keras_layers(model_copy)


def test_chords_made_from_symbols_keep_them_through_json(model_copy, tmp_path):
    from jazzsolo.models.model_dir import chords_from_json, chords_to_json
    from jazzsolo.music.progression import parse_progression

    chords = parse_progression("Bb7 | G-7/F N.C. | C-7")
    data = chords_to_json(chords)
    assert data[0][0]["symbol"] == "Bb7" and data[0][0]["pitches"] == [58, 62, 65, 68]
    assert data[1][1] == {"offset_ql": 2.0, "duration_ql": 2.0, "pitches": [],
                          "symbol": "N.C.", "solo_symbol": "G-7/F"}
    again = chords_from_json(json.loads(json.dumps(data)))
    assert [[(c.offset, c.quarterLength, c.symbol.symbol, *((c.root().name, c.bass().name)
              if c.pitches else (None, None))) for c in m] for m in again] == [
        [(0.0, 4.0, "Bb7", "B-", "B-")],
        [(0.0, 2.0, "G-7/F", "G", "F"), (2.0, 2.0, "N.C.", None, None)],
        [(0.0, 4.0, "C-7", "C", "C")]]
    assert again[1][1].solo_symbol.symbol == "G-7/F"
    model = load_model_dir(model_copy)
    model.chords = chords
    save_model_dir(tmp_path / "symbols", model)
    loaded = load_model_dir(tmp_path / "symbols")
    assert [c.symbol.symbol for m in loaded.chords for c in m] == ["Bb7", "G-7/F", "N.C.", "C-7"]


def test_the_shipped_model_without_symbols_still_loads():
    model = load_model_dir(PRETRAINED_MODEL_DIR)
    assert model.chords and all(getattr(c, "symbol", None) is None for m in model.chords for c in m)


def test_an_unreadable_saved_symbol_is_a_model_dir_error(model_copy):
    edit_json(model_copy / "chords.json",
              lambda measures: [[dict(measures[0][0], symbol="Xq7")]] + measures[1:])
    with pytest.raises(ModelDirError, match="chords.json: malformed chord measures"):
        load_model_dir(model_copy)
