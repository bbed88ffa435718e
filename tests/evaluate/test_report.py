"""The report card: each metric on tiny solos written here, the baselines, and the Metheny tune."""
import json
import math

import mido
import numpy as np
import pretty_midi
import pytest

from jazzsolo.evaluate import baselines as bl
from jazzsolo.evaluate import report as ev
from jazzsolo.evaluate import solo_metrics as sm
from jazzsolo.errors import (ConfigError, InputFileError, JazzsoloError, MidiContentError,
                             NoChordsError)

from conftest import note_track

CMAJ7 = [60, 64, 67, 71]
C_TRIAD = [60, 64, 67]


def write_solo(path, notes, chords=(), *, names=("Solo", "Chords"), ticks_per_beat=480):
    """A type-1 MIDI file: named solo and chord tracks of (pitches, start beat, length beats)."""
    midi_file = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    for name, events, channel in ((names[0], notes, 0), (names[1], chords, 1)):
        if name is not None:
            midi_file.tracks.append(note_track(events, channel, name=name,
                                               ticks_per_beat=ticks_per_beat))
    midi_file.save(str(path))
    return path


def take_of(tmp_path, notes, chords, name="solo.mid"):
    """Write a tiny solo and read it back as a take, as `jazzsolo evaluate` does."""
    return sm.take_from_midi(sm.read_midi_tracks(write_solo(tmp_path / name, notes, chords)))


def line(pitches, length=1.0):
    """Consecutive notes of one length from beat 0."""
    return [(p, i * length, length) for i, p in enumerate(pitches)]


# --- Harmony ------------------------------------------------------------------------------------

def test_a_solo_of_chord_tones_only_has_chord_tone_share_one(tmp_path):
    take = take_of(tmp_path, line([76, 79, 83, 72]), [(CMAJ7, 0, 4)])
    shares = sm.harmony_shares([take])
    assert shares.note_share == {"C": 1.0, "S": 0.0, "A": 0.0, "X": 0.0}
    assert shares.time_share["C"] == 1.0 and shares.n_notes == 4


def test_c_major_scale_over_cmaj7_gives_the_grammars_shares(tmp_path):
    # The grammar's scale over Cmaj7 is music21's best-fitting major scale, G major (C E G B
    # fits both): F is then a semitone off E, an approach tone, and D, A scale tones.
    take = take_of(tmp_path, line([60, 62, 64, 65, 67, 69, 71, 72], 0.5), [(CMAJ7, 0, 4)])
    assert sm.note_classes(take) == ["C", "S", "C", "A", "C", "S", "C", "C"]
    assert sm.harmony_shares([take]).note_share == {"C": 5 / 8, "S": 2 / 8, "A": 1 / 8, "X": 0.0}


def test_one_note_of_each_class_and_time_shares_weigh_by_duration(tmp_path):
    # Over C-E-G: C chord tone, D scale tone, C# approach (a semitone off C), B- other.
    take = take_of(tmp_path, [(72, 0, 2.5), (74, 2.5, 0.5), (73, 3, 0.5), (70, 3.5, 0.5)],
                   [(C_TRIAD, 0, 4)])
    shares = sm.harmony_shares([take])
    assert sm.note_classes(take) == ["C", "S", "A", "X"]
    assert shares.note_share == {"C": 0.25, "S": 0.25, "A": 0.25, "X": 0.25}
    assert shares.time_share == pytest.approx({"C": 2.5 / 4, "S": 0.5 / 4, "A": 0.5 / 4,
                                               "X": 0.5 / 4})


def test_each_note_is_measured_against_the_chord_sounding_in_its_measure(tmp_path):
    # E is a chord tone of C major (measure 1) and a scale tone over D minor (measure 2).
    take = take_of(tmp_path, [(64, 0, 1), (64, 4, 1)], [(C_TRIAD, 0, 4), ([62, 65, 69], 4, 4)])
    assert len(take.chords) == 2
    assert sm.note_classes(take) == ["C", "S"]


# --- Pitch and rhythm statistics ------------------------------------------------------------------

def test_two_overlapping_notes_give_polyphony_and_touching_notes_do_not(tmp_path):
    overlapping = take_of(tmp_path, [(60, 0, 2), (64, 1, 2)], [(C_TRIAD, 0, 4)], "a.mid")
    touching = take_of(tmp_path, [(60, 0, 2), (64, 2, 2)], [(C_TRIAD, 0, 4)], "b.mid")
    assert sm.pitch_rhythm_statistics(overlapping).polyphony_rate == pytest.approx(1 / 4)
    assert sm.pitch_rhythm_statistics(touching).polyphony_rate == 0.0


def test_pitch_class_entropy_is_log2_12_for_all_twelve_and_zero_for_one(tmp_path):
    chromatic = take_of(tmp_path, line(range(60, 72), 1 / 3), [(C_TRIAD, 0, 4)], "a.mid")
    repeated = take_of(tmp_path, line([67] * 4), [(C_TRIAD, 0, 4)], "b.mid")
    assert sm.pitch_rhythm_statistics(chromatic).pitch_class_entropy_bits == pytest.approx(
        math.log2(12))
    assert sm.pitch_rhythm_statistics(repeated).pitch_class_entropy_bits == 0.0


def test_empty_beats_count_beats_where_nothing_sounds(tmp_path):
    # Notes in beats 0 and 2 of a 4-beat measure; a note ending on a beat leaves the next empty.
    take = take_of(tmp_path, [(60, 0, 1), (64, 2, 1)], [(C_TRIAD, 0, 4)])
    assert sm.pitch_rhythm_statistics(take).empty_beat_rate == 0.5


def test_scale_statistics_range_intervals_lengths_and_onsets(tmp_path):
    take = take_of(tmp_path, line([60, 62, 64, 65, 67, 69, 71, 72], 0.5), [(CMAJ7, 0, 4)])
    stats = sm.pitch_rhythm_statistics(take)
    assert stats.pitch_range == 12 and stats.n_notes == 8
    assert stats.interval[sm.MAX_INTERVAL + 2] == 5 and stats.interval[sm.MAX_INTERVAL + 1] == 2
    eighth = sm.LENGTH_CLASSES_QL.index(0.5)
    assert stats.note_length[eighth] == 8 and stats.note_length.sum() == 8
    assert stats.ioi[eighth] == 7 and stats.mean_ioi_ql == 0.5
    assert stats.polyphony_rate == 0.0 and stats.empty_beat_rate == 0.0
    np.testing.assert_array_equal(np.nonzero(stats.pitch_class)[0], [0, 2, 4, 5, 7, 9, 11])


def test_histogram_distances():
    p, q = np.array([3, 1, 0, 0]), np.array([0, 0, 2, 2])
    assert sm.histogram_overlap(p, p) == 1.0 and sm.kl_divergence_bits(p, p) == 0.0
    assert sm.histogram_overlap(p, q) == 0.0 and sm.kl_divergence_bits(p, q) > 1.0
    assert sm.histogram_overlap(p, np.array([1, 1, 1, 1])) == pytest.approx(0.5)


# --- Novelty ------------------------------------------------------------------------------------

def test_longest_copied_run_and_copied_ngram_shares():
    corpus = "a b c d e f g h i j".split()
    assert sm.longest_copied_run("x c d e y a b".split(), corpus) == 3
    assert sm.longest_copied_run("x y z".split(), corpus) == 0
    assert sm.longest_copied_run(corpus, corpus) == len(corpus)
    assert sm.copied_ngram_share("a b c d x".split(), corpus, 4) == 0.5
    assert sm.copied_ngram_share(corpus, corpus, 8) == 1.0
    assert math.isnan(sm.copied_ngram_share("a b".split(), corpus, 4))


# --- Baselines ----------------------------------------------------------------------------------

def test_markov_chains_are_add_k_smoothed_distributions():
    corpus = [0, 1, 0, 1, 0, 2]
    uniform, unigram, bigram = (bl.MarkovChain(order, corpus, 4, add_k=0.5) for order in (0, 1, 2))
    np.testing.assert_allclose(uniform.probabilities(), [0.25] * 4)
    np.testing.assert_allclose(unigram.probabilities(), np.array([3.5, 2.5, 1.5, 0.5]) / 8)
    bigram.feed(0)                                            # after 0 came 1, 1, 2
    np.testing.assert_allclose(bigram.probabilities(), np.array([0.5, 2.5, 1.5, 0.5]) / 5)
    bigram.feed(3)                                            # never a context: back off to counts
    np.testing.assert_allclose(bigram.probabilities(), unigram.probabilities())
    with pytest.raises(ConfigError):
        bl.MarkovChain(2, corpus, 4, add_k=0.0)


def test_unseen_values_have_finite_loss_and_uniform_loss_is_log_v():
    sequence = [0, 1, 0, 1, 0, 1, 3]                          # 3 is never in the first six
    for order in (0, 1, 2, 3):
        losses = bl.value_losses_nats(bl.MarkovChain(order, sequence[:6], 5), sequence, 6)
        assert np.isfinite(losses).all()
    uniform = bl.value_losses_nats(bl.MarkovChain(0, sequence[:6], 5), sequence, 2)
    np.testing.assert_allclose(uniform, math.log(5))


def test_a_bigram_chain_improvises_a_solo_that_fills_every_measure():
    values = ["C,1.000", "S,1.000,<M2,M-2>"]
    chain = bl.MarkovChain(2, [0, 1] * 8, 2, add_k=0.01)
    chords = [[sm.make_chord(C_TRIAD, 0.0, 4.0)]] * 3
    solo = bl.improvise(chain, dict(enumerate(values)), chords, temperature=0.0, seed=1)
    take = sm.take_from_solo(solo, "bigram")
    assert [sum(float(v.split(",")[1]) for v in m) for m in take.values] == [4.0] * 3
    assert take.flat_values()[:4] == ["C,1.000", "S,1.000,<M2,M-2>"] * 2   # argmax alternates
    assert sm.harmony_shares([take]).note_share["C"] == 0.5


# --- Reading MIDI files ---------------------------------------------------------------------------

def test_a_pretty_midi_file_with_solo_and_chords_instruments_is_read(tmp_path):
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    for name, pitches, length in (("Solo", [64, 67], 1.0), ("Chords", [C_TRIAD], 4.0)):
        instrument = pretty_midi.Instrument(program=0, name=name)
        for i, ps in enumerate(pitches):
            for p in ([ps] if isinstance(ps, int) else ps):
                instrument.notes.append(pretty_midi.Note(90, p, i * length * 0.5,
                                                         (i + 1) * length * 0.5))
        midi.instruments.append(instrument)
    midi.write(str(tmp_path / "pm.mid"))
    take = sm.take_from_midi(sm.read_midi_tracks(tmp_path / "pm.mid"))
    assert [(n.offset_ql, n.duration_ql, n.midi) for n in take.notes] == [(0, 1, 64), (1, 1, 67)]
    assert take.values == [["C,1.000", "C,1.000,<d5,P1>"]]      # up a minor third, ± m3


def test_a_solo_without_chords_needs_chords_from_elsewhere(tmp_path):
    path = write_solo(tmp_path / "bare.mid", line([64, 67]), names=("Solo", None))
    tracks = sm.read_midi_tracks(path)
    with pytest.raises(NoChordsError, match="no 'Chords' track and no accompaniment"):
        sm.take_from_midi(tracks)
    take = sm.take_from_midi(tracks, chords=[[sm.make_chord(C_TRIAD, 0.0, 4.0)]])
    assert sm.note_classes(take) == ["C", "C"]


@pytest.mark.parametrize("content, error", [(b"", InputFileError), (b"hello", InputFileError),
                                            (None, MidiContentError)])
def test_bad_solo_files_raise_one_package_error(tmp_path, content, error):
    path = tmp_path / "bad.mid"
    if content is None:
        write_solo(path, [], [(C_TRIAD, 0, 4)])              # a MIDI file without solo notes
    else:
        path.write_bytes(content)
    with pytest.raises(error):
        sm.read_midi_tracks(path)


def evaluate_parser():
    """The `jazzsolo` command's parser, whose `evaluate` runs the report card."""
    from jazzsolo.cli import build_parser

    return build_parser()


def test_the_evaluate_command_refuses_a_non_midi_file(tmp_path):
    (tmp_path / "notes.txt").write_text("not music")
    args = evaluate_parser().parse_args(["evaluate", str(tmp_path / "notes.txt")])
    with pytest.raises(JazzsoloError, match="not a MIDI file"):
        args.run(args)
    args = evaluate_parser().parse_args(["evaluate", str(tmp_path / "x.mid"), "--n_solos", "0"])
    with pytest.raises(ConfigError, match="n_solos"):
        args.run(args)


# --- On the Metheny tune --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference(metheny_midi):
    return ev.load_reference(metheny_midi)


def test_training_solo_notes_have_the_classes_of_its_values(reference):
    shares = sm.harmony_shares([reference.take])
    counts = {c: round(shares.note_share[c] * shares.n_notes) for c in sm.HARMONY_CLASSES}
    assert counts == {"C": 117, "S": 44, "A": 25, "X": 7}
    assert sm.note_classes(reference.take) == [v[0] for v in reference.corpus]
    assert sm.parse_values(reference.take.notes, reference.take.chords) == reference.take.values


def test_baselines_on_held_out_measures(reference):
    split = bl.split_heldout(reference.grammars, 3)
    assert (len(split.train), len(split.heldout)) == (158, 35)
    results = bl.heldout_cross_entropy(split, bl.baseline_models(split.train, split.values_indices))
    assert results["uniform"]["cross_entropy_nats"] == pytest.approx(math.log(78))
    assert all(math.isfinite(r["cross_entropy_nats"]) for r in results.values())
    # 10 of the 35 held-out values never occur before them: context helps, counts alone do not.
    ce = {name: r["cross_entropy_nats"] for name, r in results.items()}
    assert ce["trigram"] < ce["bigram"] < ce["unigram"]


@pytest.fixture(scope="module")
def heldout_lstm(reference):
    """The course LSTM trained on the first 15 measures (20 epochs: tracing takes most of ~25 s)."""
    split = bl.split_heldout(reference.grammars, 3)
    return split, bl.train_value_lstm(split.train, split.values_indices, epochs=20)


def test_early_stopped_lstm_beats_the_unigram_chain_and_the_memorising_one_does_not(
        heldout_lstm, reference):
    """Held-out likelihood on the Metheny tune (measured: early-stopped 4.36 nats, unigram 5.16,
    bigram 4.72, trigram 4.70, uniform 4.36; the course's 100 epochs 9.3): the LSTM beats the
    chains only when stopped early, at the uniform model's level; trained on, it memorises."""
    split, memorising = heldout_lstm
    stopped, best_epoch = bl.early_stopped_lstm(split, reference.grammars)
    models = dict(bl.baseline_models(split.train, split.values_indices),
                  early=bl.LSTMValueModel(stopped), memorising=bl.LSTMValueModel(memorising))
    ce = {n: r["cross_entropy_nats"] for n, r in bl.heldout_cross_entropy(split, models).items()}
    print(f"held-out cross-entropy, nats per value (early stop at epoch {best_epoch}): {ce}")
    assert ce["early"] < ce["unigram"]
    assert ce["memorising"] > ce["early"]
    assert best_epoch < 20


def test_improvise_with_the_lstm_is_generate_solo(heldout_lstm, reference):
    from jazzsolo.generate.measures import generate_solo

    split, weights = heldout_lstm
    indices_values = {i: v for v, i in split.values_indices.items()}
    chords = reference.take.chords[:4]
    ours = bl.improvise(bl.LSTMValueModel(weights), indices_values, chords, seed=3)
    theirs = generate_solo(weights, indices_values, chords, temperature=1.0, seed=3)
    assert ours.values == theirs.values and ours.notes == theirs.notes


def test_evaluate_command_prints_the_table_and_json(heldout_lstm, reference, tmp_path):
    from jazzsolo.generate.families import load_model
    from jazzsolo.models.model_dir import TrainedModel, save_model_dir

    split, weights = heldout_lstm
    values = sorted(split.values_indices, key=split.values_indices.get)
    save_model_dir(tmp_path / "model", TrainedModel(weights, values, reference.take.chords,
                                                    {"measure_ql": 4.0}))
    solo = write_solo(tmp_path / "mine.mid", line([72, 76, 79, 76] * 2),
                      [(CMAJ7, 0, 4), (CMAJ7, 4, 4)])
    other = write_solo(tmp_path / "yours.mid", line([74, 77, 81, 77] * 2),
                       [([62, 65, 69, 72], 0, 8)], names=("Solo", "Piano"))
    argv = ["evaluate", str(solo), str(other), "--reference", str(reference.path), "--model",
            str(tmp_path / "model"), "--n_solos", "2"]
    args = evaluate_parser().parse_args(argv + ["--json"])
    report = json.loads(args.run(args))
    text = ev.format_report(report)
    model_name = load_model(str(tmp_path / "model")).name          # the model's own row
    for name in ("training solo", "mine.mid", "yours.mid", model_name, "uniform", "unigram",
                 "bigram", "trigram"):
        assert f"\n{name} " in text                                  # a row starts with it
    assert [f["name"] for f in report["files"]] == ["mine.mid", "yours.mid"]
    assert [f["harmony"]["note_share"]["C"] for f in report["files"]] == [1.0, 1.0]
    rows = {row["name"]: row for row in report["rows"]}
    assert rows["training solo"]["novelty"]["longest_copied_run"] == [193]
    assert rows["training solo"]["distance_to_training"]["pitch_class"]["overlap"] == \
        pytest.approx(1.0)
    assert rows[model_name]["n_solos"] == 2 and rows["unigram"]["heldout"]["perplexity"] > 1
