"""The shipped WJazzD model's split.json: recomputed exactly from the shared solos, the same
validation solos as its config.json, disjoint and complete; and a training run writes one.

The 410 shared solos are read from ../shared/data/wjazzd beside the project (ODbL, never copied
into the repo); in CI their absence fails these tests (conftest.wjazzd_folder).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from jazzsolo.files import json_bytes
from jazzsolo.ingest.corpus import read_corpus
from jazzsolo.ingest.corpus_split import SPLIT_FILE, read_split, split_corpus
from jazzsolo.models.note_lstm import PRETRAINED_WJAZZD_DIR, WJAZZD_SOURCE

from conftest import wjazzd_folder

SHIPPED_SHARE, SHIPPED_SEED = 0.1, 0      # as config.json's meta "split" records


@pytest.fixture(scope="module")
def corpus():
    """The shared WJazzD solos, as the corpus reader keeps them (9 of 410 have no chords)."""
    return read_corpus(wjazzd_folder())


@pytest.fixture(scope="module")
def shipped():
    return read_split(PRETRAINED_WJAZZD_DIR)


@pytest.fixture(scope="module")
def shipped_meta() -> dict:
    return json.loads((PRETRAINED_WJAZZD_DIR / "config.json").read_text())["meta"]


def test_the_split_function_recomputes_the_shipped_split_json(corpus, shipped, shipped_meta):
    assert shipped_meta["split"] == (f"jazzsolo.ingest.corpus.split_by_solo(validation_share="
                                     f"{SHIPPED_SHARE}, seed={SHIPPED_SEED})")
    split = split_corpus(corpus, source=WJAZZD_SOURCE, validation_share=SHIPPED_SHARE,
                         seed=SHIPPED_SEED)
    assert split == shipped
    assert (PRETRAINED_WJAZZD_DIR / SPLIT_FILE).read_bytes() == json_bytes(split.to_dict())
    assert shipped.source == WJAZZD_SOURCE == shipped_meta["data"]
    assert "Weimar Jazz Database" in shipped.source and "ODbL 1.0" in shipped.source


def test_the_shipped_validation_solos_are_those_of_config_json(shipped, shipped_meta):
    assert list(shipped.validation) == shipped_meta["validation_solos"]
    assert len(shipped.training) == shipped_meta["training_solos"] == 361
    assert len(shipped.training) + len(shipped.validation) == shipped_meta["corpus_solos"] == 401


def test_training_and_validation_are_disjoint_and_cover_every_solo_read(corpus, shipped):
    training, validation = set(shipped.training), set(shipped.validation)
    assert not training & validation
    assert training | validation == set(corpus.names)
    assert len(shipped.training) + len(shipped.validation) == len(corpus.names)
    assert not {name for name, _ in corpus.skipped} & (training | validation)
    assert list(shipped.training) == sorted(training)
    assert list(shipped.validation) == sorted(validation)


def test_a_tiny_training_run_writes_a_split_json_before_its_config_json(corpus, tmp_path,
                                                                         monkeypatch):
    from jazzsolo.models.note_training import train_on_corpus

    folder, names = tmp_path / "solos", corpus.names[:4]
    for kind in ("melody", "beats"):
        (folder / kind).mkdir(parents=True)
        for name in names:
            shutil.copy(wjazzd_folder() / kind / f"{name}.csv", folder / kind)
    written, replace = [], os.replace

    def recording_replace(source, destination, *args, **kwargs):   # every atomic write's rename
        replace(source, destination, *args, **kwargs)
        written.append(Path(destination))
    monkeypatch.setattr(os, "replace", recording_replace)
    model = tmp_path / "model"
    summary = train_on_corpus(folder, model, preset="tiny", max_epochs=1, progress=False)
    monkeypatch.undo()

    assert "Trained on 3 solos (1 for validation)" in summary
    split = read_split(model)
    meta = json.loads((model / "config.json").read_text())["meta"]
    assert list(split.validation) == meta["validation_solos"] and len(split.validation) == 1
    assert sorted(split.training + split.validation) == sorted(names)
    assert split == split_corpus(names, source=str(folder), seed=0)
    assert split.source == meta["data"] == str(folder)
    in_model = [p.name for p in written if p.parent == model]
    assert in_model[-1] == "config.json" and SPLIT_FILE in in_model[:-1], in_model
