"""Shared fixtures: the training tune (fail loudly in CI when missing) and one trained model."""
from __future__ import annotations

import os
import re
from pathlib import Path

import mido
import pytest

from hypothesis import settings as hypothesis_settings

from jazzsolo.errors import InputFileError
from jazzsolo.ingest.preprocess import find_training_midi

REPO_ROOT = Path(__file__).resolve().parents[1]

# Property tests draw the same examples every run, so a result never depends on luck, and no
# example has a time limit, so a busy machine cannot fail one.
hypothesis_settings.register_profile("jazzsolo", derandomize=True, deadline=None)
hypothesis_settings.load_profile("jazzsolo")


def _locate_tune() -> Path:
    """The training tune, found the way the package finds it, from the repository root."""
    cwd = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        return find_training_midi().resolve()
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="session")
def metheny_midi() -> Path:
    """Path of the Metheny tune; a missing tune fails the run in CI and skips elsewhere."""
    try:
        return _locate_tune()
    except InputFileError as e:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the training tune: {e}")
        pytest.skip(f"training tune not available: {e}")


@pytest.fixture(scope="session")
def musical_data(metheny_midi):
    """The tune preprocessed with the course preset (measures, chords, grammars)."""
    from jazzsolo.encodings.course_data import get_musical_data

    return get_musical_data(metheny_midi, "course")


@pytest.fixture(scope="session")
def trained(metheny_midi, tmp_path_factory):
    """One course model trained for 100 epochs, saved as a model directory.

    Returns a dict with the Keras layers, the training history and the model directory.
    """
    from jazzsolo.config import TrainConfig
    from jazzsolo.encodings.tensors import load_music_utils
    from jazzsolo.generate.sampling import LSTMWeights
    from jazzsolo.models.course_lstm import train_djmodel
    from jazzsolo.models.model_dir import TrainedModel, save_model_dir
    from jazzsolo.encodings.course_data import get_corpus_data, get_musical_data

    X, Y, n_values, indices_values, chords = load_music_utils(metheny_midi)
    model, LSTM_cell, densor, history = train_djmodel(X, Y, config=TrainConfig(epochs=100),
                                                      progress=False)
    values = [indices_values[i] for i in range(n_values)]
    model_dir = tmp_path_factory.mktemp("model")
    save_model_dir(model_dir, TrainedModel(LSTMWeights.from_layers(LSTM_cell, densor), values,
                                           chords, {"measure_ql": 4.0}, history))
    corpus = get_corpus_data(get_musical_data(metheny_midi).abstract_grammars)[0]
    return {"model": model, "LSTM_cell": LSTM_cell, "densor": densor, "history": history,
            "model_dir": model_dir, "indices_values": indices_values, "chords": chords,
            "X": X, "corpus": corpus}


def note_track(events, channel: int, *, name: str | None = None,
               ticks_per_beat: int = 480) -> mido.MidiTrack:
    """One MIDI track of (pitch or pitches, start beat, length beats) events on `channel`."""
    timed = []
    for pitches, start, length in events:
        for p in ([pitches] if isinstance(pitches, int) else pitches):
            timed.append((round(start * ticks_per_beat), 1, mido.Message(
                "note_on", note=p, velocity=90, channel=channel)))
            timed.append((round((start + length) * ticks_per_beat), 0, mido.Message(
                "note_off", note=p, velocity=0, channel=channel)))
    timed.sort(key=lambda t: (t[0], t[1]))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name)] if name else [])
    now = 0
    for tick, _, message in timed:
        track.append(message.copy(time=tick - now))
        now = tick
    return track


# ii-V-I chords (root position, bass register) and a melody of their tones, for tiny tunes.
DM7, G7, CMAJ7 = [50, 53, 57, 60], [43, 47, 50, 53], [48, 52, 55, 59]


def chord_tone_melody(bars, chord_list, beats=4):
    """Eighth notes walking up and down each bar's chord tones an octave higher."""
    notes = []
    for bar, pitches in enumerate(chord_list[:bars]):
        tones = [p + 24 for p in pitches[1:]]
        for i in range(beats * 2):
            notes.append((tones[i % len(tones)], bar * beats + i * 0.5, 0.5))
    return notes


def write_tiny_midi(path: Path, notes: list[tuple[int, float, float]], *, qpm: float = 120.0,
                    chords: list[tuple[list[int], float, float]] = (),
                    drums: list[tuple[int, float, float]] = (),
                    time_signature: tuple[int, int] = (4, 4)) -> Path:
    """Write a small type-1 MIDI: melody notes (pitch, start beat, length beats), chords
    (pitches, start, length) and drum hits on channel 10, each on its own track."""
    midi_file = mido.MidiFile(type=1, ticks_per_beat=480)
    conductor = mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm)),
        mido.MetaMessage("time_signature", numerator=time_signature[0],
                         denominator=time_signature[1])])
    midi_file.tracks.append(conductor)
    tracks = [(0, list(notes)), (1, list(chords)), (9, list(drums))]
    for channel, events in tracks:
        if events:
            midi_file.tracks.append(note_track(events, channel))
    midi_file.save(str(path))
    return path


_TENSORFLOW_START_UP = re.compile(r"^(WARNING: All log messages before absl|[IWE]\d{4} \d\d:\d\d"
                                  r"|To enable the following instructions)")


def message_lines(stderr: str) -> list[str]:
    """The lines a command printed on stderr, less TensorFlow's start-up log (see README)."""
    return [line for line in stderr.splitlines() if not _TENSORFLOW_START_UP.match(line)]


WJAZZD = REPO_ROOT.parent / "shared" / "data" / "wjazzd"


def wjazzd_folder() -> Path:
    """The shared Weimar Jazz Database CSVs; missing data fails the run in CI, skips elsewhere."""
    if not (WJAZZD / "melody").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the WJazzD CSVs at {WJAZZD}")
        pytest.skip(f"WJazzD CSVs not available at {WJAZZD}")
    return WJAZZD
