"""Metre: solos in 3/4, 6/8 and changing metres, read back from their MIDI as a musician would."""
from __future__ import annotations

import mido
import pretty_midi
import pytest
from music21 import converter, meter, stream

from jazzsolo.errors import ConfigError
from jazzsolo.music.metre import parse_time_signature, time_signature_for, time_signature_ql
from jazzsolo.music.notes import TimedNotes
from jazzsolo.export.midi import TICKS_PER_BEAT, build_midi
from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR, load_model_dir
from jazzsolo.export.solo_midi import write_solo_midi
from jazzsolo.generate.measures import Solo, generate_solo, measure_metres
from jazzsolo.music.progression import parse_progression

QPM = 120.0                       # two beats a second: seconds convert to beats exactly
WALTZ = "Dm7 | G7 | Cmaj7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7"


@pytest.fixture(scope="module")
def model():
    return load_model_dir(PRETRAINED_MODEL_DIR)


def solo_over(model, bars: list[tuple[str, str, float]], seed: int = 0) -> Solo:
    """A solo over bars given as (chord symbols, time signature, length in quarter lengths)."""
    chords = [parse_progression(symbols, measure_ql=length)[0] for symbols, _, length in bars]
    return generate_solo(model.weights, model.indices_values, chords, seed=seed,
                         measure_lengths_ql=[length for *_, length in bars],
                         time_signatures=[signature for _, signature, _ in bars])


def read_music21(path) -> stream.Score:
    """A MIDI file as music21 reads it, onsets as written: its default snaps them to the 16th
    and 8th-triplet grid, which moves a 1/12-beat note at a bar's very end into a new bar."""
    return converter.parse(path, quantizePost=False)


def time_signature_events(path) -> list[tuple[int, str, int]]:
    """(tick, "N/D", MIDI clocks per click) of every time_signature event in a MIDI file."""
    events = []
    for track in mido.MidiFile(path).tracks:
        now = 0
        for message in track:
            now += message.time
            if message.type == "time_signature":
                events.append((now, f"{message.numerator}/{message.denominator}",
                               message.clocks_per_click))
    return events


def test_a_waltz_reads_back_as_eight_bars_of_three_four(model, tmp_path):
    chords = parse_progression(WALTZ, measure_ql=3.0)
    solo = generate_solo(model.weights, model.indices_values, chords, seed=0,
                         time_signatures=["3/4"] * 8)
    assert solo.measure_lengths_ql == [3.0] * 8 and solo.measure_ql == 3.0
    for values, notes in zip(solo.values, solo.notes):
        assert sum(v.duration_ql for v in values) == pytest.approx(3.0)
        assert notes[-1].offset_ql + notes[-1].duration_ql <= 3.0 + 1e-9
    path = write_solo_midi(solo, tmp_path / "waltz.mid", qpm=QPM, accompaniment="comp")

    assert time_signature_events(path) == [(0, "3/4", 24)]
    midi = pretty_midi.PrettyMIDI(str(path))
    assert [(t.numerator, t.denominator, t.time) for t in midi.time_signature_changes] == [(3, 4, 0.0)]
    assert mido.MidiFile(path).length * QPM / 60 == pytest.approx(8 * 3)  # 8 bars, nothing after
    assert 8 * 3 - 1 < midi.get_end_time() * QPM / 60 <= 8 * 3 + 1e-6      # the last notes played short
    for track in midi.instruments:                                          # solo, chords, bass
        for n in track.notes:
            bar = int(n.start * QPM / 60 // 3)
            assert n.end * QPM / 60 <= (bar + 1) * 3 + 1e-6, track.name     # no note crosses a bar
    score = read_music21(path)
    assert {len(part.getElementsByClass(stream.Measure)) for part in score.parts} == {8}
    assert {ts.ratioString for ts in score.recurse().getElementsByClass(meter.TimeSignature)} == {"3/4"}


def test_six_eight_is_a_compound_metre_of_three_quarters_a_bar(model, tmp_path):
    solo = solo_over(model, [("Dm7", "6/8", 3.0), ("G7", "6/8", 3.0), ("Cmaj7", "6/8", 3.0)])
    path = write_solo_midi(solo, tmp_path / "six_eight.mid", qpm=QPM)
    assert time_signature_events(path) == [(0, "6/8", 36)]   # the click on the dotted quarter
    midi = pretty_midi.PrettyMIDI(str(path))
    assert (midi.time_signature_changes[0].numerator, midi.time_signature_changes[0].denominator) == (6, 8)
    assert max(n.end for n in midi.instruments[0].notes) * QPM / 60 <= 9.0 + 1e-6


def test_a_change_of_metre_is_marked_at_its_bar_and_the_comp_follows(model, tmp_path):
    bars = [("F7", "4/4", 4.0), ("Bb7", "4/4", 4.0), ("Cm7", "3/4", 3.0), ("F7", "3/4", 3.0),
            ("Bbmaj7", "4/4", 4.0)]
    solo = solo_over(model, bars)
    assert solo.measure_starts_ql() == [0.0, 4.0, 8.0, 11.0, 14.0, 18.0]
    assert solo.time_signature_changes() == [(0.0, "4/4"), (8.0, "3/4"), (14.0, "4/4")]
    path = write_solo_midi(solo, tmp_path / "change.mid", qpm=QPM, accompaniment="comp")

    assert time_signature_events(path) == [(0, "4/4", 24), (8 * TICKS_PER_BEAT, "3/4", 24),
                                           (14 * TICKS_PER_BEAT, "4/4", 24)]
    midi = pretty_midi.PrettyMIDI(str(path))
    assert [(t.numerator, t.time * QPM / 60) for t in midi.time_signature_changes] == \
        [(4, 0.0), (3, 8.0), (4, 14.0)]
    bass = {round(n.start * QPM / 60, 6): n.pitch for n in midi.instruments[2].notes}
    roots = [5, 10, 0, 5, 10]                                 # F, Bb, C, F, Bb
    for start, root in zip(solo.measure_starts_ql(), roots):
        assert bass[start] % 12 == root                       # the root on every downbeat
    for track in midi.instruments:
        assert max(n.end for n in track.notes) * QPM / 60 <= 18.0 + 1e-6
    for start, end, notes in zip(solo.measure_starts_ql(), solo.measure_starts_ql()[1:], solo.notes):
        assert all(start + n.offset_ql + n.duration_ql <= end + 1e-9 for n in notes)
    assert {len(part.getElementsByClass(stream.Measure)) for part in read_music21(path).parts} == {5}


def test_a_pickup_bar_keeps_its_metre_and_the_midi_gets_its_length(model, tmp_path):
    solo = solo_over(model, [("G7", "3/4", 1.0), ("Cmaj7", "3/4", 3.0), ("Cmaj7", "3/4", 3.0)])
    assert solo.time_signatures == ["3/4"] * 3 and solo.measure_length_ql(0) == 1.0
    assert sum(n.duration_ql for n in solo.notes[0]) <= 1.0 + 1e-9
    path = write_solo_midi(solo, tmp_path / "pickup.mid", qpm=QPM)
    assert time_signature_events(path) == [(0, "1/4", 24), (TICKS_PER_BEAT, "3/4", 24)]


def test_default_generation_is_four_four_and_unchanged(model, tmp_path):
    chords = parse_progression("Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7")
    default = generate_solo(model.weights, model.indices_values, chords, seed=4)
    explicit = generate_solo(model.weights, model.indices_values, chords, seed=4,
                             measure_lengths_ql=[4.0] * 4, time_signatures=["4/4"] * 4)
    assert default == explicit
    assert default.time_signature_changes() == [(0.0, "4/4")]
    # offsets are the fixed-length ones they always were
    assert default.timed_notes() == [
        TimedNotes(i * 4.0 + n.offset_ql, n.duration_ql, (n.midi,))
        for i, measure in enumerate(default.notes) for n in measure if n.midi is not None]
    a = write_solo_midi(default, tmp_path / "a.mid", accompaniment="comp")
    b = write_solo_midi(explicit, tmp_path / "b.mid", accompaniment="comp")
    assert a.read_bytes() == b.read_bytes()
    conductor = mido.MidiFile(a).tracks[0]
    assert [m.type for m in conductor] == ["set_tempo", "time_signature", "end_of_track"]
    assert (conductor[1].numerator, conductor[1].denominator, conductor[1].clocks_per_click,
            conductor[1].notated_32nd_notes_per_beat, conductor[1].time) == (4, 4, 24, 8, 0)
    bare = build_midi(default.timed_notes(), default.timed_chords(),     # the 4/4 default
                      end_ql=default.length_ql)
    assert [str(m) for m in bare.tracks[0]] == [str(m) for m in mido.MidiFile(
        write_solo_midi(default, tmp_path / "c.mid", qpm=130.0)).tracks[0]]


def test_timed_chords_are_cut_at_each_measures_own_end():
    c34 = parse_progression("Dm7", measure_ql=4.0)[0]          # a 4-beat chord in a 3-beat bar
    solo = Solo(4.0, [[], []], [[], []], [c34, c34], [3.0, 4.0], ["3/4", "4/4"])
    assert [(t.offset_ql, t.duration_ql) for t in solo.timed_chords()] == [(0.0, 3.0), (3.0, 4.0)]
    assert solo.measure_offset_ql(1) == 3.0 and solo.length_ql == 7.0
    assert solo.time_signature_changes() == [(0.0, "3/4"), (3.0, "4/4")]


def test_time_signatures_read_and_derived():
    assert parse_time_signature("12/8") == (12, 8)
    assert time_signature_ql("6/8") == 3.0 and time_signature_ql("5/4") == 5.0
    assert [time_signature_for(q) for q in (4.0, 3.0, 2.5, 0.75)] == ["4/4", "3/4", "5/8", "3/16"]
    for bad in ("3/5", "x/4", "4", "0/4", "33/4", ""):
        with pytest.raises(ConfigError, match="time signature"):
            parse_time_signature(bad)


def test_measure_metres_fill_in_and_check_each_other():
    assert measure_metres(2) == ([4.0, 4.0], ["4/4", "4/4"])
    assert measure_metres(2, measure_ql=3.0) == ([3.0, 3.0], ["3/4", "3/4"])
    assert measure_metres(2, time_signatures=["6/8", "2/4"]) == ([3.0, 2.0], ["6/8", "2/4"])
    assert measure_metres(2, measure_lengths_ql=[1.0, 4.0]) == ([1.0, 4.0], ["1/4", "4/4"])
    with pytest.raises(ConfigError, match="3 time signatures for 2 measures"):
        measure_metres(2, time_signatures=["3/4"] * 3)
    with pytest.raises(ConfigError, match="measure 2 lasts 4 quarter lengths, longer than a bar of 3/4"):
        measure_metres(2, measure_lengths_ql=[3.0, 4.0], time_signatures=["3/4", "3/4"])
    with pytest.raises(ConfigError, match="measure 1 lasts 0"):
        measure_metres(1, measure_lengths_ql=[0.0])


def test_generate_solo_refuses_a_metre_list_of_the_wrong_length(model):
    chords = parse_progression(WALTZ, measure_ql=3.0)
    with pytest.raises(ConfigError, match="7 measure lengths for 8 measures"):
        generate_solo(model.weights, model.indices_values, chords, measure_lengths_ql=[3.0] * 7)
