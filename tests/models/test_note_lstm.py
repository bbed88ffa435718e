"""The note LSTM: training on shared WJazzD solos, the model directory, NumPy = Keras, resume,
generation over a blues, held-out perplexity, and the shipped model in jazzsolo/pretrained/wjazzd.

Training runs use the ``tiny`` preset on 3-4 solos for 1-2 epochs; the 410 shared solos are read
from ../shared/data/wjazzd beside the project (ODbL, never copied into the repo).
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jazzsolo.ingest.corpus import read_corpus, split_by_solo
from jazzsolo.errors import ConfigError, ModelDirError, OutputExistsError
from jazzsolo.generate.measures import Solo
from jazzsolo.encodings.note_events import (DURATIONS, GRID_PER_BEAT, REST, control_matrix,
                                            encode_corpus_solo, encoded_profile)
from jazzsolo.evaluate.note_likelihood import baseline_perplexities, generated_figures, heldout_perplexity
from jazzsolo.generate.families import family_of
from jazzsolo.generate.note_solo import generate_note_solo
from jazzsolo.models.note_lstm import (FAMILY, PRETRAINED_WJAZZD_DIR, WJAZZD_SOURCE, NoteModelConfig,
                                       NoteStepModel, get_note_preset,
                                       load_note_model, model_size_bytes, save_note_model)
from jazzsolo.models.note_training import checkpoint_saver, keras_probabilities, train_note_model
from jazzsolo.models.note_training import _learning_rate, _stopped
from jazzsolo.music.progression import PROGRESSIONS, parse_progression, repeat_choruses

from conftest import wjazzd_folder

REPO = Path(__file__).resolve().parents[2]
WJAZZD = REPO.parent / "shared" / "data" / "wjazzd"
TINY = get_note_preset("tiny")


@pytest.fixture(scope="module")
def corpus():
    """The shared WJazzD solos (see conftest.wjazzd_folder)."""
    return read_corpus(wjazzd_folder())


@pytest.fixture(scope="module")
def few(corpus):
    """Three training solos and one validation solo."""
    return corpus.solos[:3], corpus.solos[3:4]


@pytest.fixture(scope="module")
def trained(few, tmp_path_factory):
    """A tiny model trained for one epoch and saved; (keras model, directory)."""
    keras_model, step_model, history = train_note_model(*few, TINY, progress=False)
    directory = tmp_path_factory.mktemp("note_model")
    save_note_model(directory, keras_model, TINY, {"data": WJAZZD_SOURCE}, history=history,
                    phrases=step_model.phrases, voices=(step_model.voices, step_model.profiles))
    return keras_model, directory


@pytest.fixture(scope="module")
def blues():
    return parse_progression(PROGRESSIONS["blues"])


def notes_of(solo: Solo) -> list[tuple]:
    return [(i, n.offset_ql, n.duration_ql, n.midi) for i, m in enumerate(solo.notes) for n in m]


# --------------------------------------------------------------------------- a trained model

def test_one_epoch_writes_a_model_directory_that_loads_without_tensorflow(trained):
    _, directory = trained
    names = sorted(p.name for p in directory.iterdir())
    assert names == ["config.json", "history.json", "vocabulary.json", "weights.npz"]
    settings = json.loads((directory / "config.json").read_text())
    assert settings["family"] == FAMILY == "note-lstm" and settings["format_version"] == 3
    assert settings["model"] == dataclasses.asdict(TINY)
    assert json.loads((directory / "history.json").read_text())["best_epoch"] == 1
    assert family_of(directory) == FAMILY
    model = load_note_model(directory)
    assert isinstance(model, NoteStepModel) and model.config == TINY


def test_numpy_step_probabilities_equal_keras(trained, corpus):
    keras_model, directory = trained
    model = load_note_model(directory)
    solo = encode_corpus_solo(corpus.solos[5]).slice(0, 200)
    controls = control_matrix(solo.controls)
    voice = model.voices.features(encoded_profile(solo))      # its own density and register
    want_pitch, want_duration = keras_probabilities(keras_model, solo.pitch, solo.duration,
                                                    controls, voice)
    model = model.voiced_like(solo)
    got_pitch, got_duration = model.sequence_probabilities(solo.pitch, solo.duration, controls)
    assert np.abs(got_pitch - want_pitch).max() < 1e-4
    assert np.abs(got_duration - want_duration).max() < 1e-4
    plan = solo.plan                                  # as the player phrased it
    state, previous = model.initial_state(), None
    for t in range(len(solo)):                        # one event at a time: the same numbers
        pitch, duration, state = model.probabilities(state, previous, controls[t], plan[t])
        assert np.abs(pitch - want_pitch[t]).max() < 1e-4
        assert np.abs(duration - want_duration[t]).max() < 1e-4
        previous = (int(solo.pitch[t]), int(solo.duration[t]))


def test_the_trained_model_improvises_over_a_blues(trained, blues):
    model = load_note_model(trained[1])
    solo = generate_note_solo(model, blues, seed=3)
    assert isinstance(solo, Solo) and solo.n_measures == 12 and solo.length_ql == 48.0
    assert solo.values == [[]] * 12 and solo.chords == [list(m) for m in blues]
    notes = [n for m in solo.notes for n in m]
    assert notes and all(48 <= n.midi <= 88 for n in notes)
    for number, measure in enumerate(solo.notes):
        for n in measure:
            assert 0 <= n.offset_ql < 4.0 and number * 4 + n.offset_ql + n.duration_ql <= 48.0
            assert round(n.offset_ql * GRID_PER_BEAT) == n.offset_ql * GRID_PER_BEAT
            assert n.note_class in {"C", "S", "A", "X"}
    assert notes_of(generate_note_solo(model, blues, seed=3)) == notes_of(solo)
    assert notes_of(generate_note_solo(model, blues, seed=4)) != notes_of(solo)


def test_a_generated_solo_is_a_midi_file_a_player_reads_back(trained, blues, tmp_path):
    import pretty_midi

    from jazzsolo.export.solo_midi import write_solo_midi

    solo = generate_note_solo(load_note_model(trained[1]), blues, seed=5, qpm=120)
    path = write_solo_midi(solo, tmp_path / "solo.mid", qpm=120, accompaniment="comp")
    midi = pretty_midi.PrettyMIDI(str(path))
    played = sorted(next(i for i in midi.instruments if i.name == "Solo").notes,
                    key=lambda n: n.start)
    steps_per_second = 120 / 60 * GRID_PER_BEAT
    written = [(round((4 * bar + n.offset_ql) * GRID_PER_BEAT), n.midi)
               for bar, measure in enumerate(solo.notes) for n in measure]
    assert len(played) == len(written) > 12
    assert [n.pitch for n in played] == [midi_pitch for _, midi_pitch in written]
    # the MIDI writer may swing off-beat eighths: each note within 2 grid steps (1/6 beat)
    assert all(abs(n.start * steps_per_second - onset) <= 2 for n, (onset, _) in
               zip(played, written))
    assert max(n.end for n in played) <= 48 * 0.5 + 1e-3
    assert len(midi.get_downbeats()) == 12


def test_generation_follows_measure_lengths_and_stops_at_the_end(trained):
    model = load_note_model(trained[1])
    waltz = parse_progression("Dm7 | G7 | Cmaj7 | A7", time_signature="3/4")
    solo = generate_note_solo(model, waltz, seed=0, temperature=1.5, pitch_range=(60, 76))
    assert solo.measure_lengths_ql == [3.0] * 4 and solo.time_signatures == ["3/4"] * 4
    for number, measure in enumerate(solo.notes):    # held over a bar line, never past the end
        assert all(n.offset_ql < 3.0 and number * 3 + n.offset_ql + n.duration_ql <= 12.0 + 1e-9
                   and 60 <= n.midi <= 76 for n in measure)
    from jazzsolo.encodings.phrase_plan import PhraseLengths

    model.phrases = PhraseLengths(((120.0, (8,)),))      # one phrasing: the seed draws nothing
    model.profiles = model.profiles[:1]
    greedy = generate_note_solo(model, waltz, temperature=0, rhythm_temperature=0, seed=1)
    assert notes_of(greedy) == notes_of(generate_note_solo(model, waltz, temperature=0,
                                                           rhythm_temperature=0, seed=2))


@pytest.mark.parametrize("options, word", [({"temperature": -1}, "temperature"),
                                           ({"top_k": 0}, "top_k"),
                                           ({"pitch_range": (70, 75)}, "pitch range"),
                                           ({"qpm": 0}, "qpm")])
def test_bad_generation_settings_are_refused(trained, blues, options, word):
    with pytest.raises(ConfigError, match=word):
        generate_note_solo(load_note_model(trained[1]), blues, **options)


def test_heldout_perplexity_is_finite_and_the_baselines_run(trained, few):
    model = load_note_model(trained[1])
    result = heldout_perplexity(model, few[1])
    assert result["n_notes"] == sum(p != REST for p in encode_corpus_solo(few[1][0]).pitch)
    assert all(np.isfinite(result[k]) and result[k] > 1 for k in
               ("pitch_perplexity", "rhythm_perplexity", "rest_perplexity"))
    baselines = baseline_perplexities(*few)
    assert set(baselines["rhythm_ngram"]) == {1, 2, 3, 4}
    assert 1 < baselines["pitch_trigram"] < 61 and 1 < baselines["rhythm_best"] < len(DURATIONS)


def test_generated_figures_compare_with_the_real_solos(trained, few):
    figures = generated_figures(load_note_model(trained[1]), few[1], seed=0)
    for side in ("generated", "real"):
        assert set(figures[side]) == {"notes_per_beat", "rest_share", "pitch_range",
                                      "chord_tone_share"}
        assert all(len(v) == 3 and v[0] <= v[1] <= v[2] for v in figures[side].values())
    assert 0.5 < figures["real"]["notes_per_beat"][1] < 4


# --------------------------------------------------------------------------- files

def test_a_model_directory_is_not_overwritten_and_config_is_written_last(trained, tmp_path):
    keras_model, directory = trained
    with pytest.raises(OutputExistsError):
        save_note_model(directory, keras_model, TINY)
    order = []
    import jazzsolo.models.note_lstm as note_model
    original = note_model.write_atomic

    def recording(path, data, **kw):
        order.append(Path(path).name)
        return original(path, data, **kw)
    note_model.write_atomic = recording
    try:
        save_note_model(tmp_path / "m", load_note_model(directory), TINY)
    finally:
        note_model.write_atomic = original
    assert order[-1] == "config.json" and len(order) == 4


def test_loading_refuses_other_families_versions_and_pickles(trained, tmp_path):
    _, directory = trained
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in directory.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    settings = json.loads((copy / "config.json").read_text())
    for change, word in (({"family": None}, "not a note-lstm"), ({"format_version": 1}, "version"),
                         ({"class_name": "Lambda"}, "unknown settings")):
        (copy / "config.json").write_text(json.dumps({**settings, **change}))
        with pytest.raises(ModelDirError, match=word):
            load_note_model(copy)
    (copy / "config.json").write_text(json.dumps(settings))
    np.savez(copy / "weights.npz", lstm0_kernel=np.array([object()], dtype=object))
    with pytest.raises(ModelDirError, match="weights"):
        load_note_model(copy)
    with pytest.raises(ModelDirError, match="no such"):
        load_note_model(tmp_path / "missing")


def test_config_refuses_bad_settings():
    with pytest.raises(ConfigError, match="n_units"):
        NoteModelConfig(n_units=0)
    with pytest.raises(ConfigError, match="dropout"):
        NoteModelConfig(dropout=1.5)
    with pytest.raises(ConfigError, match="unknown"):
        NoteModelConfig.from_dict({"units": 3})
    with pytest.raises(ConfigError, match="tiny, wjazzd"):
        get_note_preset("huge")


# --------------------------------------------------------------------------- training run

def test_early_stopping_and_step_size_follow_the_validation_loss():
    assert not _stopped([3.0, 2.0, 2.1, 2.2, 2.3], patience=4)
    assert _stopped([3.0, 2.0, 2.1, 2.2, 2.3, 2.4], patience=4)
    config = NoteModelConfig(learning_rate=1e-3, lr_decay=0.5)
    assert _learning_rate([], config) == 1e-3
    assert _learning_rate([3.0, 2.0, 2.5, 1.0, 1.5], config) == 1e-3 / 4


class Interrupt(Exception):
    pass


def test_an_interrupted_run_resumes_to_the_same_weights(few, tmp_path):
    config = dataclasses.replace(TINY, max_epochs=2)
    save = checkpoint_saver(tmp_path)
    epochs_seen = []

    def save_then_stop(state):
        save(state)
        epochs_seen.append(state.epoch)
        if state.epoch == 1:
            raise Interrupt
    with pytest.raises(Interrupt):
        train_note_model(*few, config, on_epoch_end=save_then_stop, progress=False)
    assert epochs_seen == [1]
    _, resumed, history = train_note_model(*few, config, resume=tmp_path, progress=False)
    assert len(history["val_loss"]) == 2
    _, unbroken, reference = train_note_model(*few, config, progress=False)
    assert history["val_loss"] == pytest.approx(reference["val_loss"], abs=1e-6)
    for got, want in zip(resumed.weights.arrays().values(), unbroken.weights.arrays().values()):
        assert np.allclose(got, want, atol=1e-6)


# --------------------------------------------------------------------------- the shipped model

@pytest.fixture(scope="module")
def shipped():
    assert (PRETRAINED_WJAZZD_DIR / "config.json").is_file(), "the wjazzd model is not shipped"
    return load_note_model(PRETRAINED_WJAZZD_DIR)


def test_the_shipped_model_names_its_data_and_is_small(shipped):
    settings = json.loads((PRETRAINED_WJAZZD_DIR / "config.json").read_text())
    assert settings["meta"]["data"] == WJAZZD_SOURCE
    assert "ODbL 1.0" in WJAZZD_SOURCE and "Weimar Jazz Database" in WJAZZD_SOURCE
    assert model_size_bytes(PRETRAINED_WJAZZD_DIR) <= 10 * 1024 * 1024
    assert not (PRETRAINED_WJAZZD_DIR / "checkpoints").exists()
    assert shipped.config.n_layers >= 1 and shipped.history["best_epoch"] >= 1


def test_the_shipped_model_breathes_over_a_blues(shipped, blues):
    solo = generate_note_solo(shipped, repeat_choruses(blues, 2), seed=0)
    notes = [(i * 4.0 + n.offset_ql, n) for i, m in enumerate(solo.notes) for n in m]
    per_beat = len(notes) / solo.length_ql
    assert 0.8 <= per_beat <= 3, per_beat
    gaps = [b[0] - (a[0] + a[1].duration_ql) for a, b in zip(notes, notes[1:])]
    assert max(gaps) >= 1.0, "no rest of a beat or more"


def test_the_shipped_model_beats_the_pitch_trigram_on_validation_solos(shipped, corpus):
    train_names, val_names = split_by_solo(corpus, validation_share=0.1, seed=0)
    assert val_names == shipped.meta["validation_solos"]
    by_name = {s.name: s for s in corpus.solos}
    held_out = [by_name[n] for n in val_names[:3]]
    model = heldout_perplexity(shipped, held_out)
    baselines = baseline_perplexities([by_name[n] for n in train_names], held_out,
                                      rhythm_orders=(2, 3))
    print(f"\n3 validation solos: pitch perplexity {model['pitch_perplexity']:.2f} vs trigram "
          f"{baselines['pitch_trigram']:.2f}; rhythm {model['rhythm_perplexity']:.2f} vs "
          f"{baselines['rhythm_best']:.2f}")
    assert model["pitch_perplexity"] < baselines["pitch_trigram"]
    assert model["rhythm_perplexity"] < baselines["rhythm_best"]


GENERATE_32_BARS = """
import sys, time
from jazzsolo.models.note_lstm import load_note_model
from jazzsolo.generate.families import family_of
from jazzsolo.generate.note_solo import generate_note_solo
from jazzsolo.music.progression import PROGRESSIONS, parse_progression, repeat_choruses
chords = repeat_choruses(parse_progression(PROGRESSIONS["blues"]), 3)[:32]
solo = generate_note_solo(load_note_model(), chords, seed=0)
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
heavy = "tensorflow" in sys.modules or "keras" in sys.modules
print(sum(len(m) for m in solo.notes), peak_kb, heavy)
"""


def test_32_bars_in_a_fresh_process_need_no_tensorflow_and_little_memory(shipped):
    done = subprocess.run([sys.executable, "-c", GENERATE_32_BARS], capture_output=True,
                          text=True, cwd=REPO, check=True, timeout=120)
    n_notes, peak_kb, tensorflow = done.stdout.split()
    assert int(n_notes) > 32 and tensorflow == "False"
    assert int(peak_kb) < 400 * 1024


def _runs(pitches: list[int]) -> tuple[int, int]:
    """The longest run of one pitch and the longest two-pitch alternation (x y x y ...)."""
    import itertools

    repeat = max((len(list(run)) for _, run in itertools.groupby(pitches)), default=0)
    alternation = longest = min(len(pitches), 2)
    for i in range(2, len(pitches)):
        if pitches[i] == pitches[i - 2] != pitches[i - 1]:
            longest += 1
        else:
            longest = 2
        alternation = max(alternation, longest)
    return repeat, alternation


def test_the_shipped_model_phrases_over_a_blues_without_hammering_or_trilling(shipped, blues):
    """Over three blues choruses: phrases of more than 12 notes exist (left to itself the old
    model played fragments), no pitch more than 5 times in a row, no two-pitch alternation of
    more than 8 notes."""
    from jazzsolo.evaluate.jazz_figures import phrases

    for seed in (3, 10, 11):
        solo = generate_note_solo(shipped, blues * 3, seed=seed)
        notes = [(n.offset_ql, n.duration_ql, n.pitches[0]) for n in solo.timed_notes()]
        repeat, alternation = _runs([m for _, _, m in notes])
        assert repeat <= 5 and alternation <= 8, (seed, repeat, alternation)
        assert max(len(p) for p in phrases(notes)) > 12, seed


class _Wanting:
    """A stand-in step model that always wants the pitch tokens it is given (in turn) and
    sixteenths, and plans phrases of exactly `phrase_notes` notes."""

    def __init__(self, wanted: list[int], phrase_notes: int = 96):
        from jazzsolo.encodings.phrase_plan import PhraseLengths

        self.phrases = PhraseLengths(((130.0, (phrase_notes,)),))
        self.voices, self.profiles = None, ()            # no voice inputs
        self.wanted, self.plans = wanted, []

    def initial_state(self):
        return 0

    def probabilities(self, state, previous, control, plan):
        from jazzsolo.encodings.note_events import N_DURATION_TOKENS, N_PITCH_TOKENS

        self.plans.append(plan)
        pitch = np.full(N_PITCH_TOKENS, 1e-6)
        pitch[self.wanted[state % len(self.wanted)]] = 1.0
        duration = np.full((2, N_DURATION_TOKENS), 1e-6)
        duration[:, 2] = 1.0                              # sixteenths
        return pitch / pitch.sum(), duration / duration.sum(axis=1, keepdims=True), state + 1


def _sampled(model, blues, bars: int = 2):
    from jazzsolo.encodings.note_events import timeline_of_measures
    from jazzsolo.generate.note_solo import sample_events

    timeline = timeline_of_measures(blues[:bars], [4.0] * bars, qpm=130.0)
    return sample_events(model, timeline, temperature=0.5, rng=np.random.default_rng(0))


def test_the_sampler_breaks_a_loop_on_one_pitch(blues):
    """A model that always wants the same pitch gets runs of exactly MAX_REPEATS."""
    import itertools

    from jazzsolo.config import MAX_REPEATS

    events = _sampled(_Wanting([24]), blues)                    # MIDI 60, always
    runs = [len(list(run)) for _, run in itertools.groupby(e.pitch for e in events)]
    assert max(runs) == MAX_REPEATS and len(events) == 32


def test_the_sampler_breaks_a_trill(blues):
    """A model that wants to trill C-D for ever gets alternations of exactly MAX_ALTERNATION."""
    from jazzsolo.config import MAX_ALTERNATION

    events = _sampled(_Wanting([24, 26]), blues)                # MIDI 60, 62, 60, ...
    assert _runs([e.pitch for e in events])[1] == MAX_ALTERNATION and len(events) == 32


def test_the_sampler_holds_to_the_planned_phrase(blues):
    """Phrases planned at 5 notes: a model that would never rest plays 5 notes, breathes (a
    beat or more), plays 5 more; a model that would rest after every note rests only briefly
    inside its phrase, and breathes after its fifth note."""
    from jazzsolo.encodings.phrase_plan import BREATH_STEPS, plan_features

    model = _Wanting([24, 26, 28, 29, 31, 33], phrase_notes=5)
    events = _sampled(model, blues)
    assert [e.pitch is None for e in events[:12]] == [False] * 5 + [True] + [False] * 5 + [True]
    assert events[5].steps >= BREATH_STEPS and events[11].steps >= BREATH_STEPS
    assert np.array_equal(model.plans[2], plan_features(3, 5)[0])    # 2 played, 3 to go
    assert np.array_equal(model.plans[5], plan_features(0, 5)[0])    # the phrase is over
    assert np.array_equal(model.plans[6], plan_features(0, 0)[0])    # after the breath
    resting = _Wanting([REST, 24], phrase_notes=5)                   # rest, C, rest, C, ...
    events = _sampled(resting, blues)
    notes = [i for i, e in enumerate(events) if e.pitch is not None]
    fifth = notes[4]
    assert all(events[i].steps < BREATH_STEPS for i in range(notes[0], fifth)
               if events[i].pitch is None)
    assert events[fifth + 1].pitch is None and events[fifth + 1].steps >= BREATH_STEPS


def test_a_model_without_phrase_lengths_is_refused_in_one_line(blues):
    model = _Wanting([24])
    model.phrases = None
    with pytest.raises(ConfigError, match="no phrase lengths") as error:
        _sampled(model, blues)
    assert "\n" not in str(error.value)
