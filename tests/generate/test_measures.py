"""A generated solo, read back from its MIDI file, is what a listener expects."""
import numpy as np
import pretty_midi
import pytest

from jazzsolo.generate.sampling import LSTMWeights
from jazzsolo.models.model_dir import load_model_dir
from jazzsolo.export.solo_midi import generate_music, write_solo_midi
from jazzsolo.generate.measures import generate_solo

QPM = 130.0


def beats(midi: pretty_midi.PrettyMIDI, seconds: float) -> float:
    """A time in the file converted back to beats through its own tempo map."""
    return midi.time_to_tick(seconds) / midi.resolution


@pytest.fixture(scope="module")
def solo_midi(trained, tmp_path_factory):
    path = tmp_path_factory.mktemp("solo") / "my_music.midi"
    weights = LSTMWeights.from_layers(trained["LSTM_cell"], trained["densor"])
    generate_music(weights, trained["indices_values"], trained["chords"], 1.0, seed=7,
                   output_path=path, qpm=QPM)
    return pretty_midi.PrettyMIDI(str(path))


def test_solo_and_chord_tracks(solo_midi):
    names = [i.name for i in solo_midi.instruments]
    assert names == ["Solo", "Chords", "Drums"]              # the tune's chords, and a drummer
    solo, chords, _ = solo_midi.instruments
    assert len(solo.notes) >= 18 * 4                       # a few notes in every measure
    assert len(chords.notes) > 18


def test_total_length_is_the_chord_measures(solo_midi):
    solo = solo_midi.instruments[0]
    end_beats = beats(solo_midi, max(n.end for n in solo.notes))
    assert abs(end_beats - 18 * 4) <= 1.0


def test_no_two_solo_notes_overlap_and_each_stays_in_its_measure(solo_midi):
    notes = sorted(solo_midi.instruments[0].notes, key=lambda n: n.start)
    for a, b in zip(notes, notes[1:]):
        assert a.end <= b.start + 1e-6
    for n in notes:
        measure = int(beats(solo_midi, n.start) // 4)
        assert beats(solo_midi, n.end) <= (measure + 1) * 4


def test_every_measure_is_filled_exactly(trained):
    weights = LSTMWeights.from_layers(trained["LSTM_cell"], trained["densor"])
    solo = generate_solo(weights, trained["indices_values"], trained["chords"], seed=3)
    assert solo.n_measures == 18
    for values, notes in zip(solo.values, solo.notes):
        assert sum(v.duration_ql for v in values) == pytest.approx(4.0)
        assert notes[0].offset_ql == 0.0
        assert notes[-1].offset_ql + notes[-1].duration_ql == pytest.approx(4.0)


def test_same_seed_same_bytes_other_seed_other_solo(trained, tmp_path):
    model = load_model_dir(trained["model_dir"])
    paths = []
    for name, seed in (("a.mid", 11), ("b.mid", 11), ("c.mid", 12)):
        solo = generate_solo(model.weights, model.indices_values, model.chords,
                             temperature=1.0, seed=seed)
        paths.append(write_solo_midi(solo, tmp_path / name))
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c


def test_temperature_zero_follows_the_model(trained):
    weights = LSTMWeights.from_layers(trained["LSTM_cell"], trained["densor"])
    first = generate_solo(weights, trained["indices_values"], trained["chords"],
                          temperature=0.0, seed=1)
    second = generate_solo(weights, trained["indices_values"], trained["chords"],
                           temperature=0.0, seed=2)
    assert [str(v) for v in first.values[0]] == [str(v) for v in second.values[0]]


def test_a_primer_opens_the_solo_and_the_model_continues_it(trained, tmp_path):
    from conftest import write_tiny_midi

    from jazzsolo.generate.measures import read_primer

    phrase = [(62, 0, 0.5), (65, 0.5, 0.5), (69, 1, 0.5), (72, 1.5, 0.5), (71, 2, 1), (67, 3, 1)]
    path = write_tiny_midi(tmp_path / "primer.mid", phrase)
    model = load_model_dir(trained["model_dir"])
    primer = read_primer(path, model.chords)
    assert [v.duration_ql for v in primer.values[0]] == [d for _, _, d in phrase]
    assert all(v.note_class in {"C", "S", "A", "X"} for v in primer.values[0])
    primed = generate_solo(model.weights, model.indices_values, model.chords, seed=4,
                           temperature=1.0, primer=primer)
    plain = generate_solo(model.weights, model.indices_values, model.chords, seed=4,
                          temperature=1.0)
    assert primed.n_measures == 18
    assert [(n.offset_ql, n.midi) for n in primed.notes[0]] == [(s, p) for p, s, _ in phrase]
    assert [str(v) for v in primed.values[1]] != [str(v) for v in plain.values[1]]


@pytest.mark.parametrize("name", ["blues", "ii-v-i"])
def test_solos_over_a_progression_sit_on_chord_and_scale_tones(name, musical_data):
    """Each bar's notes are classed against that bar's chords; chord + scale tones take at least
    the share they have in the training tune (83 % of its values)."""
    from jazzsolo.encodings.grammar import _pitch_name, chord_at, classify_note
    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR
    from jazzsolo.music.progression import get_progression, parse_progression

    corpus = [v for g in musical_data.abstract_grammars for v in g.split()]
    tune_share = sum(v[0] in {"C", "S"} for v in corpus) / len(corpus)
    model = load_model_dir(PRETRAINED_MODEL_DIR)
    chords = parse_progression(get_progression(name))
    shares = []
    for seed in range(5):
        solo = generate_solo(model.weights, model.indices_values, chords, seed=seed)
        on, total = 0.0, 0.0
        for bar_notes, bar_chords in zip(solo.notes, chords):
            for n in bar_notes:
                note_class = classify_note(_pitch_name(n.midi), chord_at(bar_chords, n.offset_ql))
                total += n.duration_ql
                on += n.duration_ql * (note_class in {"C", "S"})
        shares.append(on / total)
    print(f"{name}: chord+scale share of note time {np.round(shares, 3)}, tune {tune_share:.3f}")
    assert np.mean(shares) >= tune_share


def test_the_copy_guard_blocks_runs_longer_than_its_limit():
    from jazzsolo.generate.measures import CopyGuard

    guard = CopyGuard([1, 2, 3, 4, 1, 2, 3, 5], max_copy=3)
    assert guard.blocked([9, 1, 2, 3]) == {4, 5}
    assert guard.blocked([2, 3]) == set()
    assert guard.blocked([3, 2, 1]) == set()


def test_guarded_solos_copy_at_most_max_copy_values_of_the_tune(musical_data):
    """With the guard (the CLI's default of 8), the memorising model borrows and recombines:
    no run of more than 8 consecutive values of the tune, over 10 seeds at temperature 1."""
    from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR
    from jazzsolo.generate.measures import copy_guard_for
    from jazzsolo.evaluate.solo_metrics import longest_copied_run

    model = load_model_dir(PRETRAINED_MODEL_DIR)
    corpus = [v for g in musical_data.abstract_grammars for v in g.split()]
    assert model.corpus == corpus
    guard = copy_guard_for(model, 8)
    runs, unguarded = [], []
    for seed in range(10):
        for target, copy_guard in ((runs, guard), (unguarded, None)):
            solo = generate_solo(model.weights, model.indices_values, model.chords,
                                 temperature=1.0, seed=seed, copy_guard=copy_guard)
            values = [str(v) for measure in solo.values for v in measure]
            target.append(longest_copied_run(values, corpus))
    print(f"longest copied run with the guard {runs}, without {unguarded}")
    assert max(runs) <= 8
    assert max(unguarded) > 8
