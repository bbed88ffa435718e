"""The fast paths compute what the course's paths compute: sequence-layer training, MIDI reading."""
import keras
import mido
import numpy as np
import pytest

from jazzsolo.config import TrainConfig, TunePreset
from jazzsolo.errors import ConfigError, InputFileError, OutputExistsError
from jazzsolo.generate.sampling import LSTMWeights, music_inference_model, predict_and_sample
from jazzsolo.ingest.midi_import import (ImportedNote, NoteMessage, merge_chords, pair_notes, quantize_ql,
                                         read_midi)
from jazzsolo.models.course_lstm import (_keras_train_step, _tensorflow_train_step, compile_djmodel,
                                         course_optimizer, djmodel, sequence_model, shared_layers_from,
                                         summed_crossentropy, train_fast)
from jazzsolo.encodings.course_data import get_musical_data

from conftest import note_track

TX, N_VALUES, N_A = 12, 20, 16           # small shapes: the equivalence holds for any


def _windows(m: int, seed: int = 0):
    """Random one-hot windows X (m, Tx, n_values) with a zero start, Y (Tx, m, n_values)."""
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, N_VALUES, size=(m, TX + 1))
    eye = np.eye(N_VALUES, dtype=np.float32)
    X, Y = eye[indices[:, :TX]], eye[indices[:, 1:]]
    X[:, 0] = 0.0
    return X, np.swapaxes(Y, 0, 1).copy()


def _peaky_sequence_model(seed: int = 3) -> keras.Model:
    """A sequence model with large random weights, so probabilities are far from uniform."""
    model = sequence_model(TX, N_VALUES, N_A)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.8, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    return model


def _course_outputs(model: keras.Model, X: np.ndarray) -> np.ndarray:
    zeros = np.zeros((len(X), N_A), dtype=np.float32)
    return np.stack(model.predict([X, zeros, zeros], verbose=0), axis=1)   # (m, Tx, n_values)


def test_same_weights_give_the_same_probabilities_at_every_step():
    fast = _peaky_sequence_model()
    reshaper, LSTM_cell, densor = shared_layers_from(fast)
    course = djmodel(TX, LSTM_cell, densor, reshaper)
    X, _ = _windows(16)
    fast_probs = fast.predict(X, verbose=0)                               # (m, Tx, n_values)
    assert fast_probs.max() > 0.5                                         # not near uniform
    np.testing.assert_allclose(fast_probs, _course_outputs(course, X), atol=1e-5)


def test_summed_loss_and_one_gradient_step_match_the_course_model():
    X, Y = _windows(32, seed=1)
    fast = _peaky_sequence_model()
    reshaper, LSTM_cell, densor = shared_layers_from(fast)
    course = djmodel(TX, LSTM_cell, densor, reshaper)
    compile_djmodel(course, TrainConfig())
    zeros = np.zeros((len(X), N_A), dtype=np.float32)
    course_loss = course.evaluate([X, zeros, zeros], list(Y), verbose=0)[0]
    fast_loss = float(summed_crossentropy(np.swapaxes(Y, 0, 1), fast(X)))
    assert fast_loss == pytest.approx(course_loss, rel=1e-5)

    course.train_on_batch([X, zeros, zeros], list(Y))
    step = _tensorflow_train_step(fast, course_optimizer(TrainConfig()))
    step(X, np.swapaxes(Y, 0, 1))
    after = LSTMWeights.from_layers(LSTM_cell, densor)
    for course_w, fast_w in zip((after.kernel, after.recurrent_kernel, after.bias,
                                 after.dense_kernel, after.dense_bias), fast.get_weights()):
        np.testing.assert_allclose(fast_w, course_w, atol=1e-5)


def test_keras_train_step_matches_the_tensorflow_step():
    X, Y = _windows(8, seed=2)
    Y_seq = np.swapaxes(Y, 0, 1).copy()
    models = [_peaky_sequence_model(), _peaky_sequence_model()]
    losses = []
    for model, make_step in zip(models, (_tensorflow_train_step, _keras_train_step)):
        step = make_step(model, course_optimizer(TrainConfig()))
        losses.append([float(step(X, Y_seq)[0]) for _ in range(3)])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_train_fast_ends_within_ten_percent_of_the_course_loss(trained, metheny_midi):
    from jazzsolo.encodings.tensors import load_music_utils

    course_history = trained["history"]
    X, Y = load_music_utils(metheny_midi)[:2]                 # what the course model trained on
    np.testing.assert_array_equal(X, trained["X"])
    model, LSTM_cell, densor, history = train_fast(X, Y, config=TrainConfig(epochs=100),
                                                   progress=False)
    loss, course_loss = history["loss"], course_history["loss"]
    print(f"100 epochs: fast loss {loss[-1]:.3f}, course loss {course_loss[-1]:.3f}")
    assert len(loss) == len(history["accuracy"]) == 100
    assert loss[0] == pytest.approx(course_loss[0], rel=0.05)    # same initial weights
    assert abs(loss[-1] - course_loss[-1]) <= 0.10 * course_loss[-1]
    assert history["accuracy"][-1] > 0.8

    weights = LSTMWeights.from_layers(LSTM_cell, densor)
    for fast_w, shared_w in zip(model.get_weights(), (weights.kernel, weights.recurrent_kernel,
                                                      weights.bias, weights.dense_kernel,
                                                      weights.dense_bias)):
        np.testing.assert_array_equal(fast_w, shared_w)
    inference_model = music_inference_model(LSTM_cell, densor, Ty=10)
    n_values, n_a = densor.units, LSTM_cell.units
    results, indices = predict_and_sample(inference_model, np.zeros((1, 1, n_values)),
                                          np.zeros((1, n_a)), np.zeros((1, n_a)),
                                          temperature=0.0)
    assert results.shape == (10, n_values) and indices.shape == (10, 1)


# --- Preprocessing: the MIDI reader gives music21's notes, so the course's values --------------

def _describe(elements):
    return [(float(e.offset), float(e.quarterLength), tuple(p.nameWithOctave for p in e.pitches))
            for e in elements]


def test_fast_reader_gives_every_value_of_the_music21_reader(metheny_midi):
    fast = get_musical_data(metheny_midi, "course", reader="fast")
    slow = get_musical_data(metheny_midi, "course", reader="music21")
    assert fast.abstract_grammars == slow.abstract_grammars
    assert sum(len(g.split()) for g in fast.abstract_grammars) == 193
    assert fast.n_chord_groups == slow.n_chord_groups
    for fast_measure, slow_measure in zip(fast.measures, slow.measures, strict=True):
        assert _describe(fast_measure) == _describe(slow_measure)
    for fast_chords, slow_chords in zip(fast.chords, slow.chords, strict=True):
        assert _describe(fast_chords) == _describe(slow_chords)
        assert [c.quality for c in fast_chords] == [c.quality for c in slow_chords]


def test_fast_reader_matches_music21_on_a_tiny_tune_off_the_grid(tmp_path):
    from conftest import write_tiny_midi

    # Melody slightly early/late (as played), a triplet, a long note across a barline.
    melody = [(60, 0.02, 0.5), (64, 0.49, 0.33), (67, 0.85, 0.31), (65, 1.17, 0.36),
              (62, 1.52, 0.98), (60, 2.5, 2.4), (71, 5.0, 0.25), (72, 5.26, 0.74),
              (74, 6.0, 1.0), (76, 7.01, 0.99)]
    chords = [([48, 52, 55, 59], 0.0, 2.0), ([50, 53, 57, 60], 2.0, 2.0),
              ([43, 47, 50, 53], 4.0, 4.0)]
    path = write_tiny_midi(tmp_path / "tiny.mid", melody, chords=chords)
    preset = TunePreset(name="tiny", melody_part=0, chord_part=1, solo_start_ql=0.0,
                        solo_end_ql=7.5)
    fast = get_musical_data(path, preset, reader="fast")
    slow = get_musical_data(path, preset, reader="music21")
    assert fast.abstract_grammars == slow.abstract_grammars
    assert [_describe(m) for m in fast.measures] == [_describe(m) for m in slow.measures]
    assert [_describe(c) for c in fast.chords] == [_describe(c) for c in slow.chords]


def test_unknown_reader_lists_valid_ones(metheny_midi):
    with pytest.raises(ConfigError, match="valid readers: fast, music21"):
        get_musical_data(metheny_midi, reader="mido")


def test_note_ons_share_the_next_note_off_as_music21_pairs_them():
    events = [NoteMessage(0, True, 60, 0), NoteMessage(10, True, 60, 0), NoteMessage(20, False, 60, 0),
              NoteMessage(30, True, 62, 0)]                      # the last is never switched off
    assert [(on, off) for on, off, _ in pair_notes(events)] == [(0, 20), (10, 20)]


def test_chords_take_their_last_note_duration_and_keep_late_endings_apart():
    def on(tick, pitch):
        return NoteMessage(tick, True, pitch, 0)
    notes = [(0, 96, on(0, 60)), (2, 90, on(2, 64)), (3, 200, on(3, 67)), (100, 150, on(100, 72))]
    assert merge_chords(notes, 96) == [ImportedNote(0, 88, (60, 64)), ImportedNote(3, 200, (67,)),
                                       ImportedNote(100, 150, (72,))]


def test_quantize_prefers_sixteenths_on_a_tie_and_never_rounds_a_note_to_zero():
    assert quantize_ql(0.125, (4, 3)) == 0.0
    assert quantize_ql(1 / 3 + 0.01, (4, 3)) == pytest.approx(1 / 3)
    assert quantize_ql(0.02, (4, 3), zero_allowed=False) == 0.25


def test_read_midi_finds_the_parts_music21_finds(metheny_midi):
    midi = read_midi(metheny_midi)
    assert midi.ticks_per_quarter == 96
    assert len(midi.parts) == 19
    assert midi.measure_ticks == 4 * 96


def test_same_seed_same_weights_other_seed_other_weights(metheny_midi):
    """Determinism: training twice with one seed on one machine gives identical weights."""
    from jazzsolo.encodings.tensors import load_music_utils
    from jazzsolo.models.course_lstm import train_fast

    X, Y, *_ = load_music_utils(metheny_midi)
    runs = [train_fast(X, Y, config=TrainConfig(epochs=5, seed=seed), progress=False)[1]
            for seed in (3, 3, 4)]
    weights = [cell.get_weights() for cell in runs]
    assert all(np.array_equal(a, b) for a, b in zip(weights[0], weights[1]))
    assert not np.array_equal(weights[0][0], weights[2][0])


# --------------------------------------------------------------------------- the one reader

def test_read_midi_gives_every_stage_what_the_file_says(tmp_path):
    """Track names, metre, tempo and notes come from one reader, whoever asks."""
    from jazzsolo.evaluate.against_figures import from_midi_file
    from jazzsolo.evaluate.solo_metrics import read_midi_tracks
    from jazzsolo.ingest.midi_import import read_midi
    from jazzsolo.ingest.chord_files import _midi_metre

    midi_file = mido.MidiFile(type=1, ticks_per_beat=480)
    midi_file.tracks.append(mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90)),
        mido.MetaMessage("time_signature", numerator=3, denominator=4)]))
    midi_file.tracks.append(note_track([(67, 0, 1), (69, 1, 2)], 0, name="Solo"))
    midi_file.tracks.append(note_track([([60, 64, 67], 0, 3), ([62, 65, 69], 3, 3)], 1,
                                       name="Chords"))
    path = tmp_path / "waltz.mid"
    midi_file.save(str(path))

    midi = read_midi(path)
    assert midi.track_names == ["Solo", "Chords"]
    assert midi.time_signatures == [(0, 3, 4)] and midi.tempos == [(0, pytest.approx(90.0))]
    assert midi.end_ticks == [3 * 480, 6 * 480]
    tracks = read_midi_tracks(path)
    assert [(n.offset_ql, n.duration_ql, n.midi) for n in tracks.solo] == [(0, 1, 67), (1, 2, 69)]
    assert _midi_metre(path) == (3.0, "3/4")
    solo = from_midi_file(path)
    assert solo.qpm == pytest.approx(90.0) and solo.time_signatures == ["3/4", "3/4"]


def test_read_midi_refuses_what_is_not_midi_in_one_line(tmp_path):
    from jazzsolo.ingest.midi_import import read_midi

    path = tmp_path / "notes.mid"
    path.write_text("C E G")
    with pytest.raises(InputFileError, match="not a MIDI file") as error:
        read_midi(path)
    assert "\n" not in str(error.value)


# --------------------------------------------------------------------------- train_course_model

def test_an_interrupted_course_run_resumes_to_the_unbroken_model(tmp_path, monkeypatch):
    """Ctrl-C (raised from inside, after epoch 2's checkpoint) keeps the checkpoint; resuming
    ends where a run that never stopped ends."""
    from conftest import chord_tone_melody, write_tiny_midi
    from jazzsolo.models import course_training
    from jazzsolo.models.course_training import TrainingInterrupted, train_course_model
    from jazzsolo.models.model_dir import load_model_dir

    progression = [[50, 53, 57, 60], [43, 47, 50, 53], [48, 52, 55, 59], [48, 52, 55, 59]] * 2
    tune = write_tiny_midi(tmp_path / "tune.mid", chord_tone_melody(8, progression),
                           chords=[(c, 4 * i, 4) for i, c in enumerate(progression)])
    lines = []
    settings = {"midi": [str(tune)], "epochs": 4, "seed": 2, "n_a": 8, "progress": False,
                "log": lines.append}
    save_state = course_training.save_state

    def save_then_stop(directory, state, name="last"):
        save_state(directory, state, name)
        if name == "last" and state.epoch == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(course_training, "save_state", save_then_stop)
    with pytest.raises(TrainingInterrupted) as stopped:
        train_course_model(tmp_path / "model", **settings)
    assert (stopped.value.epoch, stopped.value.epochs) == (2, 4)
    assert stopped.value.directory == tmp_path / "model"
    assert lines and "1 file(s)" in lines[0]
    monkeypatch.setattr(course_training, "save_state", save_state)

    summary = train_course_model(tmp_path / "model", resume=True, progress=False)
    assert summary.startswith("Trained 4 epochs (resumed at epoch 2, ")
    with pytest.raises(OutputExistsError):
        train_course_model(tmp_path / "model", **settings)
    train_course_model(tmp_path / "unbroken", **settings)
    resumed, unbroken = (load_model_dir(tmp_path / d) for d in ("model", "unbroken"))
    assert resumed.settings["model"]["n_a"] == 8 and resumed.values == unbroken.values
    for name in ("kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias"):
        np.testing.assert_allclose(getattr(resumed.weights, name),
                                   getattr(unbroken.weights, name), atol=1e-6)


def test_course_training_refuses_bad_settings_without_naming_flags(tmp_path):
    from jazzsolo.models.course_training import train_course_model

    with pytest.raises(ConfigError, match="^epochs must be between") as error:
        train_course_model(tmp_path / "model", epochs=0, progress=False)
    assert "--" not in str(error.value)
    assert not (tmp_path / "model").exists()
