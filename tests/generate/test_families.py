"""The registry of model families: a family defined here registers with one call and then plays
through `jazzsolo generate`, is scored by `evaluate --heldout` and shown by `info`; the default
model plays wherever the command runs and every output names the model that played."""
import json
import os
import shutil
from pathlib import Path

import mido
import numpy as np
import pytest

from jazzsolo.cli import main
from jazzsolo.config import MODEL_NAMES, SamplingOptions
from jazzsolo.errors import ConfigError
from jazzsolo.generate import families
from jazzsolo.generate.families import (FAMILIES, Family, check_options, family_of, load_model,
                                        register_family, solo_from_notes)

WJAZZD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wjazzd"
TWO_SOLOS = ["JohnColtrane_Countdown_Solo", "MilesDavis_Oleo-2_Solo"]
N_PITCHES = 61                         # the arpeggio family spreads its probability over these


class Arpeggios:
    """A family of our own: the chord's notes upwards in eighths from a given octave."""

    family = "test-arpeggio"
    accepts = frozenset({"temperature"})
    measure_ql = 4.0
    tune_chords = None

    def __init__(self, directory: Path, name: str):
        settings = json.loads((directory / "config.json").read_text())
        self.directory, self.name, self.octave = directory, name, int(settings["octave"])

    def improvise(self, chord_measures, *, measure_lengths_ql, time_signatures, seed, qpm,
                  options=SamplingOptions()):
        notes, start = [], 0.0
        for measure, length in zip(chord_measures, measure_lengths_ql):
            classes = sorted({p.pitchClass for c in measure for p in c.pitches}) or [0]
            for k in range(int(length * 2)):
                notes.append((start + k / 2, 0.5, 12 * self.octave + classes[k % len(classes)]))
            start += length
        return solo_from_notes(notes, chord_measures, measure_lengths_ql=measure_lengths_ql,
                               time_signatures=time_signatures)

    def describe(self):
        return [("octave", str(self.octave))]

    def note_probabilities(self, solo):
        n = len(solo.notes)
        return {"pitch": np.full(n, 1 / N_PITCHES), "rhythm": np.full(n, 0.5)}


@pytest.fixture
def arpeggio_dir(tmp_path):
    register_family(Family("test-arpeggio", Arpeggios, "chord tones upwards, for a test"))
    directory = tmp_path / "arp"
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps({"family": "test-arpeggio", "octave": 5}))
    yield directory
    FAMILIES.pop("test-arpeggio")


def solo_track(path: Path) -> tuple[list[tuple[float, int]], list[str]]:
    """The solo track's (onset in beats, pitch) and every text event of the file."""
    midi = mido.MidiFile(str(path))
    texts = [m.text for t in midi.tracks for m in t if m.type == "text"]
    track = next(t for t in midi.tracks if t.name == "Solo")
    now, onsets = 0, []
    for message in track:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            onsets.append((now / midi.ticks_per_beat, message.note))
    return onsets, texts


def test_a_family_registered_with_one_call_generates_and_shows_in_info(arpeggio_dir, tmp_path,
                                                                        capsys):
    out = tmp_path / "out"
    assert main(["generate", "--model", str(arpeggio_dir), "--backing_chords", "C7 | F7",
                 "--seed", "3", "--swing", "1", "--output_dir", str(out)]) == 0
    line = capsys.readouterr().out
    assert f"by {arpeggio_dir}" in line and "16 solo notes" in line
    onsets, texts = solo_track(out / "chords_seed3.mid")
    assert [p for _, p in onsets[:4]] == [60, 64, 67, 70]          # C7: C E G Bb upwards
    assert {p % 12 for _, p in onsets[8:]} == {5, 9, 0, 3}          # F7: F A C Eb
    assert any(str(arpeggio_dir) in t for t in texts)
    assert main(["info", str(arpeggio_dir)]) == 0
    info = capsys.readouterr().out
    assert "test-arpeggio: chord tones upwards" in info and "octave       5" in info


def test_the_family_refuses_what_it_cannot_honour(arpeggio_dir, tmp_path, capsys):
    code = main(["generate", "--model", str(arpeggio_dir), "--progression", "blues",
                 "--rhythm_temperature", "1", "--output_dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "cannot honour rhythm_temperature (it takes: temperature)" in err
    assert not (tmp_path / "out").exists()


def test_the_family_is_scored_by_heldout_likelihood(arpeggio_dir, tmp_path, capsys):
    if not (WJAZZD / "melody").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the Weimar Jazz Database at {WJAZZD}")
        pytest.skip(f"the Weimar Jazz Database is not at {WJAZZD}")
    corpus = tmp_path / "corpus"
    for kind in ("melody", "beats"):
        (corpus / kind).mkdir(parents=True)
        for name in TWO_SOLOS:
            shutil.copy(WJAZZD / kind / f"{name}.csv", corpus / kind)
    assert main(["evaluate", "--heldout", str(corpus), "--model", str(arpeggio_dir),
                 "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["likelihood"]
    assert [e["model"] for e in entries] == [str(arpeggio_dir), "bigram", "trigram"]
    assert entries[0]["pitch_perplexity"] == pytest.approx(N_PITCHES)
    assert entries[0]["rhythm_perplexity"] == pytest.approx(2.0)
    assert entries[0]["n_notes"] > 500 and entries[1]["n_notes"] > 500


def test_a_model_without_note_probabilities_is_refused_by_heldout(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "melody").mkdir(parents=True)
    (corpus / "beats").mkdir()
    code = main(["evaluate", "--heldout", str(corpus), "--model", "course"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_plain_generate_plays_the_default_even_beside_a_trained_model(tmp_path, monkeypatch,
                                                                      capsys):
    """After `make demo` a course model lies in output/ of the checkout: it must not play."""
    monkeypatch.chdir(tmp_path)
    for place in ("output/model", "output/course-model"):
        shutil.copytree(MODEL_NAMES["course"], tmp_path / place)
    assert main(["generate", "--progression", "blues", "--seed", "1", "--output_dir", "a"]) == 0
    assert "solo notes by wjazzd over 12 measures" in capsys.readouterr().out
    assert main(["generate", "--model", "wjazzd", "--progression", "blues", "--seed", "1",
                 "--output_dir", "b"]) == 0
    capsys.readouterr()
    assert Path("a/blues_seed1.mid").read_bytes() == Path("b/blues_seed1.mid").read_bytes()
    assert any("wjazzd" in t for t in solo_track(Path("a/blues_seed1.mid"))[1])
    assert main(["generate", "--model", "course", "--progression", "blues", "--seed", "1",
                 "--output_dir", "c", "--musicxml"]) == 0
    assert "solo notes by course over 12 measures (+ MusicXML)" in capsys.readouterr().out
    assert "jazzsolo, model course" in Path("c/blues_seed1.musicxml").read_text()


def test_an_old_format_course_directory_still_loads(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(MODEL_NAMES["course"], old)
    config = json.loads((old / "config.json").read_text())
    config.pop("family")
    config["format_version"] = 1
    (old / "config.json").write_text(json.dumps(config))
    assert family_of(old) == "course-lstm"
    model, shipped = load_model(old), load_model("course")
    chords = shipped.tune_chords[:4]
    args = dict(measure_lengths_ql=[4.0] * 4, time_signatures=["4/4"] * 4, seed=5, qpm=130.0)
    assert model.improvise(chords, **args).notes == shipped.improvise(chords, **args).notes
    assert model.name == str(old) and shipped.name == "course"


def test_an_unknown_family_is_one_line_and_exit_2(tmp_path, capsys):
    strange = tmp_path / "strange"
    strange.mkdir()
    (strange / "config.json").write_text(json.dumps({"family": "transformer",
                                                     "format_version": 1}))
    code = main(["generate", "--model", str(strange), "--progression", "blues",
                 "--output_dir", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "family 'transformer', which this jazzsolo does not know" in err
    assert "course-lstm, note-lstm" in err
    assert not (tmp_path / "out").exists()
    assert main(["info", str(strange)]) == 2


@pytest.mark.parametrize("model, option, value", [("wjazzd", "--max_copy", "4"),
                                                  ("wjazzd", "--primer_midi", "x.mid"),
                                                  ("course", "--rhythm_temperature", "0.9")])
def test_each_family_refuses_the_options_it_cannot_honour(model, option, value, tmp_path,
                                                          capsys):
    code = main(["generate", "--model", model, "--progression", "blues", option, value,
                 "--output_dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot honour {option[2:]}" in err and err.rstrip().endswith(f"({option})")
    assert not (tmp_path / "out").exists()


def test_check_options_names_what_a_model_takes():
    model = load_model("wjazzd")
    check_options(model, SamplingOptions(temperature=0.5, top_k=3))
    takes = ("takes: density, instrument, phrase_length, player, register, rhythm_temperature, "
             "style, temperature, top_k")
    with pytest.raises(ConfigError, match=takes) as e:
        check_options(model, SamplingOptions(max_copy=2))
    assert "--" not in str(e.value) and e.value.setting == "max_copy"   # the CLI adds the flag


def test_every_shipped_name_loads_a_model_of_a_known_family():
    for name in MODEL_NAMES:
        model = load_model(name)
        assert model.name == name and model.family in FAMILIES
    assert families.resolve_model(None)[0] == "wjazzd"
