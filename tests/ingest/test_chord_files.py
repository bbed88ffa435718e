"""Harmony right from the command line: metre, lead sheets, iReal charts and MusicXML out, read
back as a musician would (bars, time signatures, the bass on each change, chord symbols)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import mido
import pytest
from music21 import converter, harmony

from jazzsolo.ingest.ireal import make_ireal_link

from test_leadsheet import _eight_bars, _pickup_with_endings, _write

JAZZSOLO = [sys.executable, "-m", "jazzsolo.cli"]


def run(args, cwd):
    env = dict(os.environ, JAZZSOLO_MIDI=str(Path(cwd) / "no-such-tune.mid"))
    return subprocess.run(JAZZSOLO + list(args), cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def generate(tmp_path, *args, seed=2):
    result = run(["generate", "--seed", str(seed), "--output_dir", "out", *args], tmp_path)
    assert result.returncode == 0, result.stderr
    written = result.stdout.strip().splitlines()[-1].rsplit(" to ", 1)[1]   # the summary's file
    assert written.startswith("out/") and written.endswith(f"_seed{seed}.mid"), written
    return tmp_path / written


def bars_and_metre(path):
    """(time signatures as (tick, "n/d"), number of bars, ticks per bar of the last metre)."""
    midi = mido.MidiFile(str(path))
    signatures, now = [], 0
    for message in midi.tracks[0]:
        now += message.time
        if message.type == "time_signature":
            signatures.append((now, f"{message.numerator}/{message.denominator}"))
    end = max(sum(m.time for m in track) for track in midi.tracks)
    bars = 0
    for i, (tick, text) in enumerate(signatures):
        numerator, denominator = map(int, text.split("/"))
        bar_ticks = midi.ticks_per_beat * 4 * numerator // denominator
        stop = signatures[i + 1][0] if i + 1 < len(signatures) else end
        bars += -(-(stop - tick) // bar_ticks)
    return signatures, bars, midi


def bass_downbeats(midi, changes_ql):
    """The bass note's pitch class at each chord change (offsets in quarter lengths)."""
    bass = next(t for t in midi.tracks if t.name == "Bass")
    onsets, now = {}, 0
    for message in bass:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            onsets.setdefault(now / midi.ticks_per_beat, message.note % 12)
    return [onsets.get(offset) for offset in changes_ql]


def test_time_signature_3_4_gives_a_waltz_with_the_right_bars(tmp_path):
    path = generate(tmp_path, "--backing_chords", "Bb7 | Eb7 | F-7 Bb7 | Ebmaj7",
                    "--time_signature", "3/4", "--choruses", "2")
    signatures, bars, midi = bars_and_metre(path)
    assert signatures == [(0, "3/4")] and bars == 8
    # the written roots in the bass on every change: Bb, Eb, F, Bb (beat 3 of bar 3), Eb
    changes = [0, 3, 6, 8, 9]
    assert bass_downbeats(midi, changes) == [10, 3, 5, 10, 3]


def test_a_blues_has_bb_in_the_bass_under_bb7(tmp_path):
    _, bars, midi = bars_and_metre(generate(tmp_path, "--progression", "blues"))
    assert bars == 12
    assert bass_downbeats(midi, [4.0, 16.0]) == [10, 10]         # bars 2 and 5: Bb7


def test_a_3_4_lead_sheet_gives_3_4_midi_with_its_bars(tmp_path):
    _write(tmp_path, _eight_bars("3/4", 3.0))
    signatures, bars, midi = bars_and_metre(generate(tmp_path, "--chords_from", "sheet.musicxml"))
    assert signatures == [(0, "3/4")] and bars == 8
    assert bass_downbeats(midi, [0.0, 3.0, 6.0]) == [0, 2, 4]   # C7, D7, E7 on the downbeats


def test_a_lead_sheet_with_pickup_and_endings_plays_as_written(tmp_path):
    _pickup_with_endings(tmp_path, forward_repeat=True)
    signatures, bars, midi = bars_and_metre(generate(tmp_path, "--chords_from", "sheet.musicxml"))
    assert signatures == [(0, "1/4"), (480, "4/4")] and bars == 15
    # bar 1 (after the one-beat pickup): Cm7 on its downbeat, G7 on beat 4; ending 2: Cmaj7
    assert bass_downbeats(midi, [0.0, 1.0, 4.0, 53.0]) == [7, 0, 7, 0]   # 53 = 1 + 13 bars


def test_an_ireal_chart_with_repeats_and_endings_gives_the_expected_bars(tmp_path):
    link = make_ireal_link([("Test Waltz", "Me", "Jazz Waltz", "F",
                             "T34{F^7 |G-7 C7 |N1A-7 D7 }|N2Bb^7 |C7 Z"),
                            ("Other", "Me", "Swing", "C", "T44C7 |F7 Z")], scrambled=True)
    (tmp_path / "chart.txt").write_text(link)
    listed = run(["chords", "--list", "chart.txt"], tmp_path)
    assert listed.stdout.split("\n")[:2] == ["Test Waltz", "Other"]
    signatures, bars, midi = bars_and_metre(generate(tmp_path, "--chords_from", "chart.txt",
                                                     "--tune", "test waltz"))
    assert signatures == [(0, "3/4")] and bars == 7             # 3 + 2 + 2 bars played
    # F^7 | G-7 C7 | A-7 D7 | F^7 | G-7 C7 | Bb^7 | C7
    downbeats = [3 * i for i in range(7)]
    assert bass_downbeats(midi, downbeats) == [5, 7, 9, 5, 7, 10, 0]


def test_musicxml_out_has_the_notes_and_chords_of_the_midi(tmp_path):
    midi_path = generate(tmp_path, "--progression", "blues", "--musicxml", "--swing", "1")
    xml = converter.parse(str(midi_path.with_suffix(".musicxml")))
    part = xml.parts[0]
    notes = [(float(n.offset), n.pitch.midi) for n in part.stripTies().flatten().notes
             if not isinstance(n, harmony.ChordSymbol)]
    solo = next(t for t in mido.MidiFile(str(midi_path)).tracks if t.name == "Solo")
    played, now = [], 0
    for message in solo:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            played.append((now / 480, message.note))
    assert notes == played
    symbols = [(float(h.offset), h.root().name) for h in part.flatten()
               .getElementsByClass(harmony.ChordSymbol)]
    assert symbols[:3] == [(0.0, "F"), (4.0, "B-"), (8.0, "F")]
    assert len(part.getElementsByClass("Measure")) == 12


def test_chords_command_json(tmp_path):
    result = run(["chords", "C-7", "Bb7", "N.C.", "--json"], tmp_path)
    assert json.loads(result.stdout) == [
        {"symbol": "C-7", "root": "C", "bass": "C", "pitch_classes": [0, 3, 7, 10]},
        {"symbol": "Bb7", "root": "Bb", "bass": "Bb", "pitch_classes": [10, 2, 5, 8]},
        {"symbol": "N.C.", "root": None, "bass": None, "pitch_classes": []}]


@pytest.mark.parametrize("args, fragment", [
    (["--chords_from", "sheet.musicxml", "--time_signature", "3/4"], "keep their own"),
    (["--progression", "blues", "--time_signature", "7/5"], "time signature"),
    (["--progression", "blues", "--tune", "X"], "--tune"),
])
def test_metre_and_tune_options_that_cannot_be_honoured(tmp_path, args, fragment):
    _write(tmp_path, _eight_bars("3/4", 3.0))
    result = run(["generate", "--output_dir", "out", *args], tmp_path)
    assert result.returncode == 2 and fragment in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_a_model_trained_in_3_4_plays_3_4(tmp_path):
    from conftest import write_tiny_midi
    from conftest import CMAJ7, DM7, G7, chord_tone_melody

    chords = [DM7, G7, CMAJ7, CMAJ7] * 4
    write_tiny_midi(tmp_path / "waltz.mid", chord_tone_melody(16, chords, beats=3),
                    chords=[(c, 3 * i, 3) for i, c in enumerate(chords)], time_signature=(3, 4))
    trained = run(["train", "--midi", "waltz.mid", "--epochs", "1", "--quiet", "--output_dir",
                   "model"], tmp_path)
    assert trained.returncode == 0, trained.stderr
    signatures, bars, _ = bars_and_metre(generate(tmp_path, "--model", "model"))
    assert signatures == [(0, "3/4")] and bars == 16
    signatures, bars, _ = bars_and_metre(generate(tmp_path, "--model", "model", "--progression",
                                                  "blues", seed=3))
    assert signatures == [(0, "3/4")] and bars == 12


def test_tempo_changes_in_a_midi_accompaniment_do_not_move_its_chords(tmp_path):
    from conftest import write_tiny_midi
    from conftest import CMAJ7, DM7, G7

    chords = [DM7, G7, CMAJ7, G7]
    path = write_tiny_midi(tmp_path / "band.mid", [],
                           chords=[(c, 4 * i, 4) for i, c in enumerate(chords)])
    midi = mido.MidiFile(str(path))
    conductor = midi.tracks[0]
    assert conductor[-1].type == "end_of_track"
    conductor.insert(len(conductor) - 1,                     # from bar 2 on, much slower
                     mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(70), time=4 * 480))
    midi.save(str(path))
    assert [m.tempo for m in mido.MidiFile(str(path)).tracks[0] if m.type == "set_tempo"] == \
        [mido.bpm2tempo(120), mido.bpm2tempo(70)]
    _, bars, out = bars_and_metre(generate(tmp_path, "--chords_from", "band.mid"))
    assert bars == 4
    assert bass_downbeats(out, [0.0, 4.0, 8.0, 12.0]) == [2, 7, 0, 7]
