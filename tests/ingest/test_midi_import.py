"""Bad MIDI input of every kind ends in the package's one-line error, never a crash."""
import os
import subprocess
import sys

import mido
import numpy as np
import pytest

from jazzsolo.errors import JazzsoloError
from jazzsolo.ingest.midi_import import MAX_MIDI_BYTES
from jazzsolo.encodings.course_data import get_musical_data, get_musical_data_auto

from conftest import write_tiny_midi
from conftest import CMAJ7, DM7, G7, chord_tone_melody

PROGRESSION = [DM7, G7, CMAJ7, CMAJ7] * 4


def good_tune(path):
    """16 bars of melody over chords: long enough to train on."""
    return write_tiny_midi(path, chord_tone_melody(16, PROGRESSION),
                           chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])


def header_only(path):
    midi = mido.MidiFile(type=1)
    midi.save(str(path))
    return path


def tracks_without_notes(path):
    midi = mido.MidiFile(type=1)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="empty")]))
    midi.save(str(path))
    return path


def with_meta(path, *messages):
    good_tune(path)
    midi = mido.MidiFile(str(path))
    midi.tracks[0][0:0] = list(messages)
    midi.save(str(path))
    return path


BAD_FILES = {
    "random bytes": lambda p: p.write_bytes(np.random.default_rng(0).bytes(2000)) or p,
    "valid header, garbage": lambda p: p.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0"
                                                     + b"MTrk\x00\x00\x01\x00" + b"\xff" * 300) or p,
    "truncated": lambda p: p.write_bytes(good_tune(p).read_bytes()[:300]) or p,
    "no tracks": header_only,
    "tracks with no notes": tracks_without_notes,
    "drums only": lambda p: write_tiny_midi(p, [], drums=[(36, i, 0.5) for i in range(64)]),
    "melody without chords": lambda p: write_tiny_midi(p, chord_tone_melody(16, PROGRESSION)),
    "shorter than Tx": lambda p: write_tiny_midi(p, chord_tone_melody(2, PROGRESSION),
                                                 chords=[(DM7, 0, 4), (G7, 4, 4)]),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_line_and_writes_nothing(name, tmp_path):
    path = BAD_FILES[name](tmp_path / "bad.mid")
    before = sorted(tmp_path.iterdir())
    result = subprocess.run([sys.executable, "-m", "jazzsolo.cli", "train", "--midi", str(path),
                             "--output_dir", str(tmp_path / "model"), "--epochs", "1", "--quiet"],
                            capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, CUDA_VISIBLE_DEVICES=""))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("jazzsolo: error: ")
    assert sorted(tmp_path.iterdir()) == before


def test_zero_length_and_overlapping_notes_are_tolerated(tmp_path):
    melody = chord_tone_melody(16, PROGRESSION)
    melody += [(60, 1.0, 0.0), (84, 2.0, 0.0)]                      # zero length
    melody += [(79, 4.25, 1.5), (81, 4.5, 1.0)]                     # overlapping
    path = write_tiny_midi(tmp_path / "odd.mid", melody,
                           chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])
    data = get_musical_data_auto(path)
    assert len(data.measures) == 16


@pytest.mark.parametrize("message", [
    mido.MetaMessage("set_tempo", tempo=1),                          # 60 million bpm
    mido.MetaMessage("set_tempo", tempo=16_777_215),                 # 3.6 bpm
    mido.MetaMessage("time_signature", numerator=0, denominator=1),
    mido.MetaMessage("time_signature", numerator=255, denominator=64),
])
def test_absurd_tempo_or_meter_is_handled_cleanly(tmp_path, message):
    path = with_meta(tmp_path / "odd.mid", message)
    try:
        data = get_musical_data_auto(path)
    except JazzsoloError:
        return
    assert data.measure_ql > 0


def test_a_file_beyond_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.mid"
    with open(path, "wb") as f:
        f.write(b"MThd")
        f.truncate(MAX_MIDI_BYTES + 1)
    with pytest.raises(JazzsoloError, match="larger than"):
        get_musical_data_auto(path)


FUZZ_CASES = 150


def test_fuzzed_midi_files_only_raise_the_package_error(tmp_path):
    """A seeded fuzz loop over a fixed number of mutated and random MIDI files."""
    rng = np.random.default_rng(1234)
    seed_bytes = good_tune(tmp_path / "seed.mid").read_bytes()
    for tried in range(FUZZ_CASES):
        data = bytearray(seed_bytes)
        kind = tried % 3
        if kind == 0:
            for _ in range(int(rng.integers(1, 20))):
                data[int(rng.integers(len(data)))] = int(rng.integers(256))
        elif kind == 1:
            data = data[:int(rng.integers(14, len(data)))]
        else:
            data = bytearray(b"MThd" + rng.bytes(int(rng.integers(10, 400))))
        path = tmp_path / f"fuzz{tried}.mid"
        path.write_bytes(bytes(data))
        for read in (get_musical_data_auto, lambda p: get_musical_data(p, "course")):
            try:
                read(path)
            except JazzsoloError:
                pass
