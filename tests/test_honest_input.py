"""No quiet fallbacks, and your own MIDI read in full: each case read back as a user would."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import mido
import pretty_midi
import pytest

from jazzsolo.errors import TuneNotFoundError
from jazzsolo.encodings.course_data import get_musical_data_auto
from jazzsolo.ingest.preprocess import find_training_midi

from conftest import CMAJ7, DM7, G7, chord_tone_melody, message_lines, write_tiny_midi

PROGRESSION = [DM7, G7, CMAJ7, CMAJ7] * 4
JAZZSOLO = [sys.executable, "-m", "jazzsolo.cli"]


def run(args, cwd):
    """The CLI in a fresh process, with no training tune reachable unless one is given."""
    env = dict(os.environ, JAZZSOLO_MIDI=str(Path(cwd) / "no-such-tune.mid"))
    return subprocess.run(JAZZSOLO + list(args), cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def says(text: str, phrase: str) -> bool:
    """Whether `text` has `phrase` with no digit glued to either end ("8 measures" is not in
    "18 measures", "12 windows" not in "112 windows")."""
    return re.search(rf"(?<!\d){re.escape(phrase)}(?!\d)", text) is not None


def one_line_error(result, *fragments):
    """The command failed with exit 2 and said why in one line (TensorFlow's log aside)."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = message_lines(result.stderr)
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("jazzsolo: error: ")
    for fragment in fragments:
        assert says(lines[0], fragment), lines[0]
    return lines[0]


def tune(path, bars=16):
    """A melody of chord tones over ii-V-I chords on a second track."""
    return write_tiny_midi(path, chord_tone_melody(bars, PROGRESSION),
                           chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION[:bars])])


def solo_only(path, bars=2):
    return write_tiny_midi(path, chord_tone_melody(bars, PROGRESSION))


# --- evaluate reads the chords from the file, from --chords_from, or refuses --------------------

def test_evaluate_without_chords_refuses_instead_of_using_the_tunes(tmp_path):
    solo_only(tmp_path / "parker.mid")
    result = run(["evaluate", "parker.mid", "--reference", "tune.mid", "--n_solos", "1"], tmp_path)
    one_line_error(result, "parker.mid", "no chords", "--chords_from")


def test_evaluate_reads_chords_from_the_file_or_chords_from(tmp_path):
    tune(tmp_path / "tune.mid")
    solo_only(tmp_path / "solo.mid", bars=4)
    write_tiny_midi(tmp_path / "band.mid", [], chords=[(c, 4 * i, 4)
                                                       for i, c in enumerate(PROGRESSION[:4])])
    result = run(["evaluate", "solo.mid", "tune.mid", "--chords_from", "band.mid",
                  "--reference", "tune.mid", "--n_solos", "1", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    names = [f["name"] for f in report["files"]]
    assert names == ["solo.mid", "tune.mid"]                   # one row each
    # chord-tone melodies over the chords they were written on: every note a chord tone
    assert [f["harmony"]["note_share"]["C"] for f in report["files"]] == [1.0, 1.0]
    assert Path(report["reference"]["path"]).name == "tune.mid"  # any trainable MIDI


def test_evaluate_reads_an_accompaniment_track_of_any_name(tmp_path):
    from jazzsolo.evaluate.solo_metrics import harmony_shares, read_midi_tracks, take_from_midi

    take = take_from_midi(read_midi_tracks(tune(tmp_path / "tune.mid")))
    assert len(take.chords) == 16
    assert harmony_shares([take]).note_share["C"] == 1.0


# --- generate refuses what it cannot honour ------------------------------------------------------

def test_a_primer_longer_than_half_the_solo_is_refused(tmp_path):
    solo_only(tmp_path / "long.mid", bars=8)                   # the blues has 12 bars
    result = run(["generate", "--model", "course", "--progression", "blues", "--primer_midi",
                  "long.mid", "--seed", "1", "--output_dir", "out"], tmp_path)
    one_line_error(result, "8 measures", "more than half", "12-measure")
    assert not (tmp_path / "out").exists()
    solo_only(tmp_path / "short.mid", bars=2)
    result = run(["generate", "--model", "course", "--progression", "blues", "--primer_midi",
                  "short.mid", "--seed", "1", "--swing", "1", "--output_dir", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    notes = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "blues_seed1.mid")).instruments[0].notes
    primer = chord_tone_melody(2, PROGRESSION)
    assert [n.pitch for n in notes[:len(primer)]] == [p for p, _, _ in primer]
    assert len(notes) > len(primer)                            # the model goes on after it


def test_a_rhythm_temperature_is_for_note_models_only(tmp_path):
    result = run(["generate", "--model", "course", "--progression", "blues",
                  "--rhythm_temperature", "0.5", "--seed", "1", "--output_dir", "out"], tmp_path)
    one_line_error(result, "rhythm_temperature", "'course'")         # names it and the model
    assert not (tmp_path / "out").exists()
    steady = ["generate", "--model", "wjazzd", "--progression", "blues", "--seed", "1",
              "--rhythm_temperature", "0", "--temperature", "0", "--no-drums", "--swing", "1"]
    for out in ("a", "b"):
        assert run(steady + ["--output_dir", out], tmp_path).returncode == 0
    assert (tmp_path / "a" / "blues_seed1.mid").read_bytes() == \
        (tmp_path / "b" / "blues_seed1.mid").read_bytes()


@pytest.mark.parametrize("chords", [["--backing_chords", "C7 | F7 | C7 | G7"],
                                    ["--progression", "blues"]])
def test_beats_per_chord_is_refused_where_bars_set_the_lengths(tmp_path, chords):
    result = run(["generate", *chords, "--beats_per_chord", "2", "--output_dir", "out"], tmp_path)
    one_line_error(result, "beats")
    assert not (tmp_path / "out").exists()


def test_chords_from_a_file_without_chords_says_so(tmp_path):
    write_tiny_midi(tmp_path / "onenote.mid", [(60, 0, 4)])
    result = run(["generate", "--chords_from", "onenote.mid", "--output_dir", "out"], tmp_path)
    line = one_line_error(result, "onenote.mid", "no chords")
    assert "melody" not in line
    solo_only(tmp_path / "melody.mid", bars=4)
    line = one_line_error(run(["generate", "--chords_from", "melody.mid"], tmp_path), "not chords")


def test_the_missing_tune_message_names_no_flag_and_the_cli_adds_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JAZZSOLO_MIDI", raising=False)
    with pytest.raises(TuneNotFoundError) as caught:
        find_training_midi(None)
    assert "--" not in str(caught.value) and "original_metheny.mid" in str(caught.value)
    env = {k: v for k, v in os.environ.items() if k != "JAZZSOLO_MIDI"}
    result = subprocess.run(JAZZSOLO + ["train", "--epochs", "1"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    one_line_error(result, "training tune not found", "pass --midi PATH")


# --- your own MIDI, read in full -----------------------------------------------------------------

def type0_tune(path, bars=8):
    """One track: the melody on channel 1 (alto sax), the chords on channel 2 (piano)."""
    events = []
    for pitch, start, length in chord_tone_melody(bars, PROGRESSION):
        events += [(start, mido.Message("note_on", channel=0, note=pitch, velocity=90)),
                   (start + length, mido.Message("note_off", channel=0, note=pitch))]
    for bar, pitches in enumerate(PROGRESSION[:bars]):
        for pitch in pitches:
            events += [(bar * 4.0, mido.Message("note_on", channel=1, note=pitch, velocity=60)),
                       (bar * 4.0 + 4, mido.Message("note_off", channel=1, note=pitch))]
    track, now = mido.MidiTrack([mido.Message("program_change", channel=0, program=65),
                                 mido.Message("program_change", channel=1, program=0)]), 0
    for when, message in sorted(events, key=lambda e: (e[0], e[1].type == "note_on")):
        ticks = round(when * 480)
        track.append(message.copy(time=ticks - now))
        now = ticks
    midi = mido.MidiFile(type=0, ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(str(path))
    return path


def test_a_type0_file_is_split_by_channel_before_the_melody_is_chosen(tmp_path):
    data = get_musical_data_auto(type0_tune(tmp_path / "type0.mid"))
    assert len(data.measures) == 8
    expected = chord_tone_melody(8, PROGRESSION)
    played = [n.pitch.midi for m in data.measures for n in m if n.isNote]
    assert played == [p for p, _, _ in expected]
    assert all(v[0] == "C" for g in data.abstract_grammars for v in g.split())


def phrased_tune(path):
    """Four-bar phrases: three bars played (with a two-beat breath in the middle one), then a
    bar of rest, as a horn player breathes."""
    notes = []
    for bar, pitches in enumerate(PROGRESSION):
        if bar % 4 == 3:
            continue
        tones = [p + 24 for p in pitches[1:]]
        for i in range(8):
            if bar % 4 == 1 and i >= 4:
                continue                                    # beats 3-4 silent
            notes.append((tones[i % len(tones)], bar * 4 + i * 0.5, 0.5))
    return write_tiny_midi(path, notes, chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])


def test_rests_in_your_own_melody_are_kept_as_rest_values(tmp_path):
    data = get_musical_data_auto(phrased_tune(tmp_path / "phrased.mid"))
    grammars = data.abstract_grammars
    assert len(grammars) == 15                                # bars 0-14; bar 15 is after the end
    assert grammars[3] == "R,4.000" and grammars[1].split()[-1] == "R,2.000"
    for measure, grammar in zip(data.measures, grammars):
        values = grammar.split()
        assert sum(float(v.split(",")[1]) for v in values) == pytest.approx(4.0)
        onsets, position = [], 0.0                           # rebuilt from the values alone
        for v in values:
            if not v.startswith("R"):
                onsets.append(position)
            position += float(v.split(",")[1])
        assert onsets == [float(n.offset) for n in measure if n.isNote]


def test_training_on_your_own_midi_sees_every_window_and_learns_to_rest(tmp_path):
    phrased_tune(tmp_path / "a.mid")
    tune(tmp_path / "b.mid")
    trained = run(["train", "--midi", "a.mid", "b.mid", "--epochs", "40", "--quiet",
                   "--output_dir", "model"], tmp_path)
    assert trained.returncode == 0, trained.stderr
    n_values = sum(len(g.split()) for path in ("a.mid", "b.mid")
                   for g in get_musical_data_auto(tmp_path / path).abstract_grammars)
    assert says(trained.stdout, f"{n_values} values"), trained.stdout
    assert says(trained.stdout, f"{n_values - 30} windows of 30"), trained.stdout  # every position
    generated = run(["generate", "--model", "model", "--seed", "3", "--temperature", "1",
                     "--output_dir", "out"], tmp_path)
    assert generated.returncode == 0, generated.stderr
    notes = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "a_seed3.mid")).instruments[0].notes
    qpm = 130.0
    beat_s = 60.0 / qpm
    gaps = [b.start - a.end for a, b in zip(notes, notes[1:])]
    assert max(gaps) >= beat_s - 1e-3, "a model trained on phrases rests for a beat or more"
    chosen = run(["train", "--midi", "a.mid", "b.mid", "--epochs", "1", "--quiet", "--windows",
                  "12", "--output_dir", "model12"], tmp_path)
    assert chosen.returncode == 0 and says(chosen.stdout, "12 windows of 30"), chosen.stderr
