"""Model directories: round trip, and refusal of anything missing, inconsistent or unsafe."""
import json
import shutil

import numpy as np
import pytest

from jazzsolo.errors import ModelDirError
from jazzsolo.model_dir import PRETRAINED_MODEL_DIR, load_model_dir, save_model_dir


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
    with pytest.raises(ModelDirError, match="--overwrite"):
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
    from jazzsolo.model_dir import chords_from_json, chords_to_json

    names = lambda measures: [[[p.name for p in c.pitches] for c in m] for m in measures]
    assert names(chords_from_json(chords_to_json(musical_data.chords))) == names(musical_data.chords)
