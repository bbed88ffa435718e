"""The course's preprocessing: a tune's measures read by `ingest.preprocess`, then encoded as
grammar strings here; the course's `jazzsolo.preprocess` names reach both halves."""
from jazzsolo.encodings.course_data import (encode_tune, get_corpus_data, get_musical_data,
                                            load_training_corpus, measure_grammars)
from jazzsolo.ingest.preprocess import read_tune_measures

from conftest import chord_tone_melody, write_tiny_midi


def test_the_grammar_is_the_encoding_of_the_measures_read(metheny_midi):
    tune = read_tune_measures(metheny_midi, "course")
    data = get_musical_data(metheny_midi, "course")
    assert data.abstract_grammars == measure_grammars(tune.measures, tune.chords)
    assert len(data.abstract_grammars) == len(tune.measures) == len(tune.chords)
    assert sum(len(g.split()) for g in data.abstract_grammars) == 193
    assert encode_tune(tune).abstract_grammars == data.abstract_grammars
    corpus, values, _, _ = get_corpus_data(data.abstract_grammars)
    assert (len(corpus), len(values)) == (193, 78)


def test_a_folder_with_one_unusable_file_is_read_and_the_file_reported(tmp_path):
    progression = [[50, 53, 57, 60], [43, 47, 50, 53], [48, 52, 55, 59], [48, 52, 55, 59]]
    folder = tmp_path / "tunes"
    folder.mkdir()
    write_tiny_midi(folder / "a.mid", chord_tone_melody(4, progression),
                    chords=[(c, 4 * i, 4) for i, c in enumerate(progression)])
    (folder / "broken.mid").write_bytes(b"MThd not really")
    corpus = load_training_corpus([folder])
    assert [p.name for p in corpus.sources] == ["a.mid"]
    assert [p.name for p, _ in corpus.skipped] == ["broken.mid"]
    assert len(corpus.abstract_grammars) == 4


def test_the_course_names_stay_importable():
    from jazzsolo import preprocess

    for name in ("find_training_midi", "get_corpus_data", "get_musical_data",
                 "get_musical_data_auto", "load_training_corpus", "parse_midi_file"):
        assert callable(getattr(preprocess, name)), name
    assert preprocess.get_musical_data is get_musical_data
