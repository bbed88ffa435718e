"""Trading fours: the shipped note model answers a phrase over the next bars of the chart,
carrying on from it; a model that cannot trade, or bars off the chart, are one clear error."""
from __future__ import annotations

import pytest

from jazzsolo.errors import ConfigError
from jazzsolo.generate.families import load_model
from jazzsolo.generate.trading import answer_phrase, heard_bars
from jazzsolo.music.progression import PROGRESSIONS, parse_progression, repeat_choruses

BLUES = repeat_choruses(parse_progression(PROGRESSIONS["blues"]), 2)       # 24 bars of F blues
LICK = [(0.0, 0.5, 65), (0.5, 0.5, 68), (1.0, 0.5, 69), (1.5, 0.5, 72), (2.0, 1.5, 75),
        (4.5, 0.5, 74), (5.0, 0.5, 72), (5.5, 1.0, 69), (8.0, 0.5, 65), (8.5, 0.5, 63),
        (9.0, 2.0, 60)]


@pytest.fixture(scope="module")
def wjazzd():
    return load_model("wjazzd")


def _answer(model, heard=LICK, start_bar=4, n_bars=4, seed=1):
    return answer_phrase(model, BLUES, measure_lengths_ql=[4.0] * 24,
                         time_signatures=["4/4"] * 24, qpm=240, heard=heard,
                         start_bar=start_bar, n_bars=n_bars, seed=seed)


def test_the_answer_fills_the_next_four_bars_and_no_others(wjazzd):
    notes = _answer(wjazzd)
    assert len(notes) >= 4
    assert all(16.0 <= onset < 32.0 and onset + length <= 32.0 + 1e-9
               for onset, length, _ in notes)
    assert all(36 <= midi <= 96 for _, _, midi in notes)
    assert _answer(wjazzd) == notes                         # same seed, same answer
    assert _answer(wjazzd, seed=2) != notes


def test_the_answer_carries_on_from_what_it_heard(wjazzd):
    low = [(o, d, m - 24) for o, d, m in LICK]               # the same lick two octaves down
    assert _answer(wjazzd, heard=low) != _answer(wjazzd)
    eights = _answer(wjazzd, start_bar=8, n_bars=8)
    assert all(32.0 <= onset < 64.0 for onset, _, _ in eights)


def test_the_bars_read_back_start_at_the_first_note_heard():
    starts = [4.0 * i for i in range(25)]
    assert heard_bars(LICK, starts, 4) == 0
    assert heard_bars([(13.0, 1.0, 60)], starts, 4) == 3
    assert heard_bars([], starts, 4) == 4


def test_a_model_that_cannot_trade_and_bars_off_the_chart_are_refused(wjazzd):
    with pytest.raises(ConfigError, match="cannot trade"):
        _answer(load_model("course"))
    with pytest.raises(ConfigError, match="does not fit a chart of 24 bars"):
        _answer(wjazzd, start_bar=22, n_bars=4)
