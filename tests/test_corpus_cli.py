"""The corpus model from the command line: train --corpus, generate with it (the default),
evaluate --heldout, and bad corpora as one line."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mido
import pytest

from conftest import message_lines

JAZZSOLO = [sys.executable, "-m", "jazzsolo.cli"]
WJAZZD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wjazzd"
FEW = ["JohnColtrane_Countdown_Solo", "MilesDavis_Oleo-2_Solo", "KennyDorham_LadyBird_Solo",
       "CliffordBrown_Jordu_Solo", "ChetBaker_You'dBeSoNiceToComeHomeTo_Solo"]


def run(args, cwd):
    env = dict(os.environ, JAZZSOLO_MIDI=str(Path(cwd) / "no-such-tune.mid"))
    return subprocess.run(JAZZSOLO + list(args), cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def few_solos(tmp_path_factory) -> Path:
    """A small WJazzD export folder of five shared solos."""
    if not WJAZZD.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the Weimar Jazz Database at {WJAZZD}")
        pytest.skip(f"the Weimar Jazz Database is not at {WJAZZD}")
    folder = tmp_path_factory.mktemp("corpus")
    for kind in ("melody", "beats"):
        (folder / kind).mkdir()
        for name in FEW:
            shutil.copy(WJAZZD / kind / f"{name}.csv", folder / kind)
    return folder


def solo_track_notes(path):
    midi = mido.MidiFile(str(path))
    track = next(t for t in midi.tracks if t.name == "Solo")
    notes, now, starts = [], 0, {}
    for message in track:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            starts[message.note] = now
        elif message.type in ("note_off", "note_on") and message.note in starts:
            notes.append((starts.pop(message.note) / midi.ticks_per_beat,
                          now / midi.ticks_per_beat, message.note))
    return sorted(notes)


def test_train_on_a_corpus_then_generate_and_score_it(few_solos, tmp_path):
    trained = run(["train", "--corpus", str(few_solos), "--preset", "tiny", "--epochs", "1",
                   "--quiet", "--output_dir", "model"], tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "Trained on 4 solos (1 for validation)" in trained.stdout
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["family"] == "note-lstm" and config["format_version"] == 3
    generated = run(["generate", "--model", "model", "--progression", "blues", "--seed", "4",
                     "--output_dir", "out"], tmp_path)
    assert generated.returncode == 0, generated.stderr
    assert solo_track_notes(tmp_path / "out" / "blues_seed4.mid")
    scored = run(["evaluate", "--heldout", str(few_solos), "--model", "model", "wjazzd",
                  "--json"], tmp_path)
    assert scored.returncode == 0, scored.stderr
    likelihood = json.loads(scored.stdout)["likelihood"]
    assert [e["model"] for e in likelihood] == ["model", "wjazzd", "bigram", "trigram"]
    for entry in likelihood:
        assert entry["n_solos"] == 5 and entry["n_notes"] > 1000
        assert 1 < entry["pitch_perplexity"] < 61 and 1 < entry["rhythm_perplexity"] < 16
    text = run(["evaluate", "--heldout", str(few_solos)], tmp_path)
    assert text.returncode == 0 and "pitch ppl" in text.stdout


def test_the_shipped_model_is_the_default_and_breathes(tmp_path):
    args = ["generate", "--progression", "blues", "--choruses", "2", "--seed", "7", "--swing", "1"]
    first = run(args + ["--output_dir", "a"], tmp_path)
    second = run(args + ["--output_dir", "b"], tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    a = (tmp_path / "a" / "blues_seed7.mid").read_bytes()
    assert a == (tmp_path / "b" / "blues_seed7.mid").read_bytes()        # same seed, same bytes
    notes = solo_track_notes(tmp_path / "a" / "blues_seed7.mid")
    beats = 24 * 4
    assert 0.8 <= len(notes) / beats <= 3.0
    gaps = [b[0] - a[1] for a, b in zip(notes, notes[1:])]
    assert max(gaps) >= 1.0, "phrases end with a rest of a beat or more"


def test_the_corpus_model_needs_chords_and_refuses_course_only_options(tmp_path):
    for args, fragment in ((["generate", "--model", "wjazzd"], "no chords of its own"),
                           (["generate", "--progression", "blues", "--max_copy", "4"],
                            "cannot honour max_copy")):
        result = run(args + ["--output_dir", "out"], tmp_path)
        lines = message_lines(result.stderr)
        assert result.returncode == 2 and len(lines) == 1 and fragment in lines[0], result.stderr
        assert not (tmp_path / "out").exists()


def _bad_corpus(kind, folder):
    if kind != "empty folder":
        (folder / "melody").mkdir()
        (folder / "beats").mkdir()
        shutil.copy(WJAZZD / "melody" / f"{FEW[0]}.csv", folder / "melody")
    if kind == "melody without beats":
        return
    if kind != "empty folder":
        shutil.copy(WJAZZD / "beats" / f"{FEW[0]}.csv", folder / "beats")
        beats = folder / "beats" / f"{FEW[0]}.csv"
        if kind == "unknown chord":
            lines = beats.read_text().splitlines()
            header = lines[0].split(",")
            cells = lines[1].split(",")
            cells[header.index("chord")] = "Hm7q"
            beats.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")


@pytest.mark.parametrize("kind, fragment", [("empty folder", "no melody/ folder"),
                                            ("melody without beats", "beats"),
                                            ("unknown chord", "Hm7q")])
def test_bad_corpora_are_one_line_and_write_nothing(few_solos, tmp_path, kind, fragment):
    folder = tmp_path / "bad"
    folder.mkdir()
    _bad_corpus(kind, folder)
    result = run(["train", "--corpus", "bad", "--preset", "tiny", "--quiet", "--output_dir",
                  "model"], tmp_path)
    lines = message_lines(result.stderr)
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert fragment in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "model").exists()
