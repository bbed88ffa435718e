"""Grammar corpus → training tensors: the vocabulary, one-hot windows X and shifted targets Y."""
from __future__ import annotations

import os

import numpy as np

from jazzsolo.config import ModelConfig, TunePreset
from jazzsolo.errors import MidiContentError
from jazzsolo.encodings.course_data import get_corpus_data, get_musical_data
from jazzsolo.ingest.preprocess import find_training_midi


def data_processing(corpus: list[str], values_indices: dict[str, int], m: int | None = 60,
                    Tx: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Cut `m` random windows of the corpus into X (m, Tx, n_values) and Y (Tx, m, n_values).

    X[:, 0] is all zeros (the start input); X[:, t] is value t of the window; Y[t] = X[:, t+1],
    with the window's value Tx as the last target (the course left Y[Tx-1] all zeros, so its
    30th output learned nothing).  With `m` None, one window starts at every position, so every
    value of a larger corpus is trained on (the course's 60 random windows see only part of it).
    """
    n_values = len(values_indices)
    if len(corpus) < Tx + 2:
        raise MidiContentError(
            f"the tune has {len(corpus)} values, fewer than Tx + 2 = {Tx + 2} needed for a window")
    rng = np.random.default_rng(seed)
    starts = range(len(corpus) - Tx) if m is None else \
        [int(rng.integers(0, len(corpus) - Tx)) for _ in range(m)]
    m = len(starts)
    X = np.zeros((m, Tx, n_values), dtype=np.float32)
    Y = np.zeros((m, Tx, n_values), dtype=np.float32)
    for i, start in enumerate(starts):
        window = [values_indices[v] for v in corpus[start:start + Tx + 1]]   # Tx + 1 values
        for t in range(1, Tx + 1):
            if t < Tx:
                X[i, t, window[t]] = 1.0
            Y[i, t - 1, window[t]] = 1.0
    return X, np.swapaxes(Y, 0, 1).copy(), n_values


def load_music_utils(path: str | os.PathLike | None = None, *, preset: TunePreset | str = "course",
                     config: ModelConfig = ModelConfig()):
    """Load the training tune and return ``X, Y, n_values, indices_values, chords``.

    `path` is looked up as DEVELOPERS.md says (argument, $JAZZSOLO_MIDI, data/, ../shared/data/).
    X is (m, Tx, n_values), Y is (Tx, m, n_values); `chords` holds each measure's music21 chords.
    """
    data = get_musical_data(find_training_midi(path), preset)
    corpus, _, values_indices, indices_values = get_corpus_data(data.abstract_grammars)
    X, Y, n_values = data_processing(corpus, values_indices, config.m, config.Tx, config.data_seed)
    return X, Y, n_values, indices_values, data.chords
