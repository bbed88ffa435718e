"""Preprocessing the Metheny tune gives the course's numbers; the tune is found as documented."""
from collections import Counter
from pathlib import Path

import pytest

from jazzsolo.errors import ConfigError, InputFileError
from jazzsolo.encodings.course_data import get_corpus_data, get_musical_data
from jazzsolo.ingest.preprocess import find_training_midi


def test_course_preset_gives_the_course_values(musical_data):
    corpus, values, values_indices, indices_values = get_corpus_data(musical_data.abstract_grammars)
    assert len(corpus) == 193
    assert len(values) == 78
    classes = Counter(value[0] for value in corpus)
    assert classes == {"C": 117, "S": 44, "A": 25, "X": 7}          # no rests ("R") among them
    assert len(musical_data.measures) == 18
    assert len(musical_data.chords) == 18
    assert musical_data.n_chord_groups == 19          # the 19th starts on the window's end


def test_first_measure_matches_the_course(musical_data):
    first = musical_data.abstract_grammars[0].split()
    assert first[:4] == ["C,0.500", "C,0.333,<P1,d-5>", "C,0.250,<M-2,m-6>", "C,0.250,<M3,d-3>"]
    assert len(first) == 12


def test_vocabulary_is_sorted_and_indexed_consistently(musical_data):
    _, values, values_indices, indices_values = get_corpus_data(musical_data.abstract_grammars)
    assert values == sorted(values)
    assert all(indices_values[values_indices[v]] == v for v in values)
    reversed_input = list(reversed(musical_data.abstract_grammars))
    assert get_corpus_data(reversed_input)[1] == values


def test_chords_are_relative_to_their_measure(musical_data):
    for measure in musical_data.chords:
        assert measure, "every measure has at least one chord"
        assert all(0 <= c.offset < 4 for c in measure)
    for measure in musical_data.measures:
        assert all(0 <= n.offset < 4 for n in measure)


def test_explicit_path_wins_over_environment(tmp_path, monkeypatch, metheny_midi):
    monkeypatch.setenv("JAZZSOLO_MIDI", str(tmp_path / "missing.mid"))
    assert find_training_midi(metheny_midi) == metheny_midi
    with pytest.raises(InputFileError, match="missing.mid: no such file"):
        find_training_midi()


def test_missing_tune_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.delenv("JAZZSOLO_MIDI", raising=False)
    monkeypatch.chdir(tmp_path)                       # no data/ and no ../shared/data/ here
    with pytest.raises(InputFileError, match="data/"):
        find_training_midi()


def test_non_midi_file_is_refused(tmp_path):
    text = tmp_path / "notes.mid"
    text.write_text("not a midi file")
    with pytest.raises(InputFileError, match="not a MIDI file"):
        get_musical_data(text)


def test_unknown_preset_lists_valid_ones(metheny_midi):
    with pytest.raises(ConfigError, match="valid presets: course"):
        get_musical_data(metheny_midi, "nonexistent")


def test_directory_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="is a directory"):
        get_musical_data(Path(tmp_path))
