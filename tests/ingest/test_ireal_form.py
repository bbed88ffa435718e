"""iReal Pro form as the app's player plays it: END on the last chorus only, D.C./D.S. al Nth
ending, repeat counts, outro codas, damaged links, and the bars `jazzsolo generate` plays."""
from __future__ import annotations

import pytest

from jazzsolo.cli import main
from jazzsolo.errors import ChartError
from jazzsolo.ingest.ireal import make_ireal_link, parse_ireal_link
from jazzsolo.music.chart import Chart

from test_chord_files import bars_and_metre, bass_downbeats

# Charts written for these tests (no real tune's changes).
# A 32-bar AABA whose first ending carries END; the last A comes back by "D.C. al 1st End.".
AABA_END_IN_FIRST_ENDING = (
    "*A{T44C^7 |A-7 |D-7 |G7 |E-7 |A7 |N1D-7 G7 |C^7 U}N2D-7 G7 |C^6 ]"
    "*B[F^7 |F-7 |E-7 |A7 |D-7 |G7 |E-7 A7 |D-7 G7 <D.C. al 1st End.>Z")
TURNAROUND = "T44C^7 |F^7 |D-7 G7 |C^7 U|A-7 D7 |D-7 G7 Z"   # END, then a 2-bar turnaround


def chart(music: str) -> Chart:
    """The chart of a one-song irealbook:// link holding `music`."""
    return parse_ireal_link(make_ireal_link([("Tune", "Me", "Swing", "C", music)]))[0]


def names(bars) -> list[str]:
    """Each bar's chord symbols joined by spaces ("-" for a bar that keeps the chord)."""
    return [" ".join(symbol for _, symbol in bar.chords) or "-" for bar in bars]


A_SECTION = ["C^7", "A-7", "D-7", "G7", "E-7", "A7"]
B_SECTION = ["F^7", "F-7", "E-7", "A7", "D-7", "G7", "E-7 A7", "D-7 G7"]


def test_end_in_a_first_ending_ends_only_the_last_chorus_after_the_dc():
    tune = chart(AABA_END_IN_FIRST_ENDING)
    one_chorus = (A_SECTION + ["D-7 G7", "C^7"] + A_SECTION + ["D-7 G7", "C^6"] + B_SECTION
                  + A_SECTION + ["D-7 G7", "C^7"])
    assert names(tune.played(1)) == one_chorus and len(one_chorus) == 32
    assert names(tune.played(2)) == one_chorus * 2                    # 64 bars
    assert tune.last_chorus_bars is None                              # END is the form's end


def test_end_before_a_turnaround_keeps_it_in_every_chorus_but_the_last():
    tune = chart(TURNAROUND)
    whole = ["C^7", "F^7", "D-7 G7", "C^7", "A-7 D7", "D-7 G7"]
    assert names(tune.bars) == whole
    assert names(tune.played(1)) == whole[:4]                         # ends at END
    assert names(tune.played(2)) == whole + whole[:4]                 # 10 bars
    assert len(tune.played(3)) == 16


def test_end_met_twice_in_a_chorus_ends_the_last_chorus_the_last_time():
    tune = chart("{C |N1D U}N2E |F U|G Z")     # END in the first ending and in the last bar
    assert names(tune.bars) == ["C", "D", "C", "E", "F", "G"]
    assert names(tune.played(1)) == ["C", "D", "C", "E", "F"]


def test_ds_al_2nd_ending_takes_the_second_ending_and_ends_the_chorus_with_it():
    tune = chart("T44C^7 |{SA-7 |N1D-7 G7 }N2D7 G7 ]|E-7 |A7 <D.S. al 2nd End.>Z")
    assert names(tune.bars) == ["C^7", "A-7", "D-7 G7", "A-7", "D7 G7", "E-7", "A7",
                                "A-7", "D7 G7"]
    assert tune.last_chorus_bars is None


def test_dc_al_2nd_ending_ends_at_the_section_end():
    tune = chart("{C |N1D }N2E |E7 ]*B[F |G <D.C. al 2nd ending>Z")
    assert names(tune.bars) == ["C", "D", "C", "E", "E7", "F", "G", "C", "E", "E7"]


def test_dc_al_3rd_ending_written_after_the_bridge_plays_the_bridge_once():
    tune = chart("*A{C^7 |N1D-7 G7 }N2E-7 A7 ]*B[F^7 |G7 <D.C. al 3rd End.>]N3C6 Z")
    assert names(tune.bars) == ["C^7", "D-7 G7", "C^7", "E-7 A7", "F^7", "G7", "C^7", "C6"]


def test_three_endings_closed_by_repeats_play_on_three_passes_then_dc_takes_the_third():
    tune = chart("{C |N1D }N2E }N3F ]G <D.C. al 3rd End.>Z")
    assert names(tune.bars) == ["C", "D", "C", "E", "C", "F", "G", "C", "F"]


@pytest.mark.parametrize("count", ["<3x>", "<*723x>", "<Play 3x>"])
def test_a_repeat_count_plays_the_vamp_that_many_times(count):
    tune = chart(f"{{C7 |F7 {count}}}G7 Z")
    assert names(tune.bars) == ["C7", "F7"] * 3 + ["G7"]


def test_a_count_in_a_layout_bar_before_the_repeat_end_counts_that_repeat():
    tune = chart("T44F |{D-7 G7 |C^7 |   r|   <4x> }C6 Z")   # as iReal writes a vamp
    assert names(tune.bars) == ["F"] + ["D-7 G7", "C^7"] * 8 + ["C6"]


def test_a_count_with_two_endings_takes_the_first_until_the_last_pass():
    tune = chart("{C <3x>|N1D }N2E Z")
    assert names(tune.bars) == ["C", "D", "C", "D", "C", "E"]


def test_an_outro_coda_ends_the_last_chorus_only():
    tune = chart("T44C |D-7 |G7 Q|C |F7 Z[QC6 |D-7 G7 |C6 Z")
    assert names(tune.bars) == ["C", "D-7", "G7", "C", "F7"]             # no coda
    assert names(tune.played(1)) == ["C", "D-7", "G7", "C6", "D-7 G7", "C6"]
    assert len(tune.played(2)) == 11


def test_repeats_inside_a_coda_play_as_written():
    tune = chart("C |D Q|E <D.C. al Coda>Z{QF |G }Z")
    assert names(tune.bars) == ["C", "D", "E", "C", "D", "F", "G", "F", "G"]


def test_a_cut_off_irealb_link_is_named_as_damaged_in_one_line():
    link = make_ireal_link([("Cut", "Me", "Swing", "C", AABA_END_IN_FIRST_ENDING)],
                           scrambled=True)
    for cut in (link[:len(link) * 2 // 3], link[:link.rindex("==0=0")]):
        with pytest.raises(ChartError, match="looks cut off or damaged") as caught:
            parse_ireal_link(cut)
        assert "\n" not in str(caught.value) and "'Cut'" in str(caught.value)


def test_a_playlist_cut_inside_its_last_tune_is_named_as_damaged():
    link = make_ireal_link([("One", "", "Swing", "C", "C Z"), ("Two", "", "Swing", "F", "F7 Z")],
                           scrambled=True)
    with pytest.raises(ChartError, match="looks cut off or damaged.*after 'One'"):
        parse_ireal_link(link[:link.index("1r34LbKcu7", link.index("Two"))])


def test_generate_plays_the_turnaround_in_the_first_chorus_and_ends_at_end(tmp_path, capsys):
    (tmp_path / "tune.txt").write_text(make_ireal_link([("Turn", "Me", "Swing", "C", TURNAROUND)],
                                                       scrambled=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["generate", "--chords_from", str(tmp_path / "tune.txt"), "--choruses", "2",
                 "--model", "course", "--seed", "3", "--output_dir", str(out)]) == 0
    assert "over 10 measures" in capsys.readouterr().out
    [written] = out.glob("*seed3.mid")
    signatures, bars, midi = bars_and_metre(written)
    assert signatures == [(0, "4/4")] and bars == 10                 # 6 + 4 bars
    # bass roots on the downbeats of bars 5, 6 (the turnaround), 7 (chorus 2) and 10 (the END bar)
    assert bass_downbeats(midi, [16.0, 20.0, 24.0, 36.0]) == [9, 2, 0, 0]
