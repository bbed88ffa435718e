"""The split as a value and as split.json: round trip, and every malformed file refused in one line.

Names are made up here; the shipped model's split on the shared WJazzD solos is checked in
tests/models/test_shipped_split.py.
"""
from __future__ import annotations

import json

import pytest

from jazzsolo.errors import ConfigError, ModelDirError, OutputExistsError
from jazzsolo.files import json_bytes
from jazzsolo.ingest import corpus_split
from jazzsolo.ingest.corpus_split import (SPLIT_FILE, Split, read_split, split_by_solo,
                                          split_corpus, write_split)

NAMES = [f"Player{i:02d}_Tune_Solo" for i in range(30)]


def test_split_corpus_is_split_by_solo_with_its_source():
    split = split_corpus(NAMES, source="made-up solos", validation_share=0.2, seed=5)
    training, validation = split_by_solo(NAMES, validation_share=0.2, seed=5)
    assert (split.training, split.validation) == (tuple(training), tuple(validation))
    assert (split.source, split.seed, len(split.validation)) == ("made-up solos", 5, 6)
    assert repr(split) == ("Split(source='made-up solos', seed=5, training=<24 solos>, "
                           "validation=<6 solos>)")


def test_a_written_split_reads_back_equal_and_is_never_overwritten_unasked(tmp_path):
    split = split_corpus(NAMES, source="made-up solos", seed=1)
    path = write_split(tmp_path, split)
    assert path == tmp_path / SPLIT_FILE == tmp_path / "split.json"
    assert read_split(tmp_path) == split
    assert json.loads(path.read_text()) == {"source": "made-up solos", "seed": 1,
                                            "training": list(split.training),
                                            "validation": list(split.validation)}
    with pytest.raises(OutputExistsError):
        write_split(tmp_path, split_corpus(NAMES, source="other", seed=2))
    assert read_split(tmp_path) == split
    write_split(tmp_path, split_corpus(NAMES, source="other", seed=2), overwrite=True)
    assert read_split(tmp_path).seed == 2


GOOD = {"source": "made-up solos", "seed": 0, "training": ["a", "c"], "validation": ["b"]}
MALFORMED = [  # (what the file holds, words the message must hold)
    ("[]", "expected a JSON object"),
    ('{"source": "x"', "not a JSON file"),
    (b"\xff\xfe not text", "not a JSON file"),
    ("[" * 100_000, "not a JSON file"),
    ({k: v for k, v in GOOD.items() if k != "seed"}, "missing seed"),
    ({**GOOD, "share": 0.1}, "unknown key 'share'"),
    ({**GOOD, "source": ""}, "source must name the corpus"),
    ({**GOOD, "seed": "0"}, "seed must be a whole number"),
    ({**GOOD, "seed": True}, "seed must be a whole number"),
    ({**GOOD, "training": "a c"}, "training must be a list"),
    ({**GOOD, "training": ["a", 3]}, "training must be solo names"),
    ({**GOOD, "validation": [""]}, "validation must be solo names"),
    ({**GOOD, "training": ["c", "a"]}, "training names must be sorted"),
    ({**GOOD, "validation": ["b", "b"]}, "validation names must be sorted, each once"),
    ({**GOOD, "validation": ["a", "b"]}, "solo 'a' is in both training and validation"),
]


@pytest.mark.parametrize("content, words", MALFORMED, ids=[w for _, w in MALFORMED])
def test_a_malformed_split_file_is_one_model_dir_error(tmp_path, content, words):
    data = (content if isinstance(content, bytes)
            else content.encode() if isinstance(content, str) else json_bytes(content))
    (tmp_path / SPLIT_FILE).write_bytes(data)
    with pytest.raises(ModelDirError) as caught:
        read_split(tmp_path)
    message = str(caught.value)
    assert words in message and SPLIT_FILE in message, message
    assert "\n" not in message and len(message) < 300, message


def test_a_missing_or_oversized_split_file_is_a_model_dir_error(tmp_path, monkeypatch):
    with pytest.raises(ModelDirError, match="no split.json"):
        read_split(tmp_path)
    (tmp_path / SPLIT_FILE).write_bytes(json_bytes(GOOD))
    assert read_split(tmp_path) == Split("made-up solos", 0, ("a", "c"), ("b",))
    monkeypatch.setattr(corpus_split, "MAX_SPLIT_BYTES", 16)
    with pytest.raises(ModelDirError, match="byte limit"):
        read_split(tmp_path)


def test_a_split_checks_itself():
    with pytest.raises(ConfigError, match="in both training and validation"):
        Split("x", 0, ("a", "b"), ("b",))
    with pytest.raises(ConfigError, match="must be sorted"):
        Split("x", 0, ("b", "a"), ())
    with pytest.raises(ConfigError, match="solo names"):
        Split("x", 0, ["a"], ())                   # a list is not the tuple a Split holds
