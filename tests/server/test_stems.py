"""Stems (`export.audio.render_stems`): each track, or the solo and the band, rendered apart in
one FluidSynth pass, every stem as long as the take's WAV, and together they sound as the mix."""
from __future__ import annotations

import io
import wave

import mido
import numpy as np
import pytest

from jazzsolo import practice
from jazzsolo.errors import ConfigError
from jazzsolo.export import audio
from jazzsolo.generate.improvise import GenerateSettings

RATE = 22050                       # Hz: enough to compare, half the work of 44.1 kHz


@pytest.fixture(scope="module")
def take_midi(tmp_path_factory):
    take = practice.improvise_take(GenerateSettings(backing_chords="C7 | F7 | C7 | G7", seed=3,
                                                    musicxml=True))
    path = tmp_path_factory.mktemp("stems") / "take.mid"
    path.write_bytes(take.midi)
    return path


def samples(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as w:
        assert (w.getframerate(), w.getnchannels()) == (RATE, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2) / 32767


def test_each_track_is_a_stem_as_long_as_the_mix_and_they_add_up_to_it(take_midi, tmp_path):
    mix = samples(audio.render_wav(take_midi, tmp_path / "mix.wav", sample_rate=RATE)
                  .read_bytes())
    stems = {name: samples(wav) for name, wav in
             audio.render_stems(take_midi, sample_rate=RATE).items()}
    assert list(stems) == ["solo_electric_guitar_jazz", "chords_acoustic_grand_piano",
                           "bass_acoustic_bass", "drums"]
    assert {len(s) for s in stems.values()} == {len(mix)}
    assert all(np.abs(s).max() > 0.01 for s in stems.values())        # none silent
    error = np.sqrt(np.mean((sum(stems.values()) - mix) ** 2)) / np.sqrt(np.mean(mix ** 2))
    assert error < 0.1                   # the mix's limiter alone tells them apart


def test_the_solo_and_the_band_are_the_solo_track_and_the_rest(take_midi):
    tracks = {name: samples(wav) for name, wav in
              audio.render_stems(take_midi, sample_rate=RATE).items()}
    pair = {name: samples(wav) for name, wav in
            audio.render_stems(take_midi, split="solo-band", sample_rate=RATE).items()}
    assert list(pair) == ["solo", "band"]
    assert np.abs(pair["solo"] - tracks["solo_electric_guitar_jazz"]).max() < 1e-3
    band = sum(s for name, s in tracks.items() if not name.startswith("solo"))
    assert np.abs(pair["band"] - band).max() < 0.02


def test_a_silent_solo_leaves_a_silent_solo_stem(take_midi, tmp_path):
    midi = mido.MidiFile(take_midi)
    solo = next(t for t in midi.tracks if t.name == "Solo")
    solo[:] = [m for m in solo if m.type not in ("note_on", "note_off")]
    midi.save(tmp_path / "band.mid")
    pair = audio.render_stems(tmp_path / "band.mid", split="solo-band", sample_rate=RATE)
    assert np.abs(samples(pair["solo"])).max() == 0.0
    assert np.abs(samples(pair["band"])).max() > 0.01


def test_the_drums_stem_sits_on_the_output_channel_10_plays_on():
    assert audio._output_order([False, False, False, True]) == [0, 2, 3, 1]     # 9 % 4
    assert audio._output_order([False, True]) == [0, 1]
    with pytest.raises(ConfigError, match="channel 10"):
        audio._output_order([True, False, True])


def test_an_unknown_split_is_one_line(take_midi):
    with pytest.raises(ConfigError, match="stems split by tracks, solo-band"):
        audio.render_stems(take_midi, split="voices")
