"""iReal Pro links → charts: form, chord placement, scrambling, playlists, files, bad input."""
from __future__ import annotations

import builtins
import contextlib
import io
import random
import sys

import pytest

from jazzsolo.music.chart import Chart
from jazzsolo.errors import ChartError
from jazzsolo.ingest.ireal import (MAX_FILE_BYTES, MAX_LINK_CHARS, MUSIC_PREFIX, list_ireal_tunes,
                                   make_ireal_link, parse_ireal_link, read_ireal, scramble, unscramble)

# Charts written for these tests (no real tune's changes).
BLUES = "T44F7 |Bb7 |F7 |x |Bb7 |Bo7 |F7 |D7 |G-7 |C7 |F7 D7 |G-7 C7 Z"
AABA = ("*A{T44C^7 |A-7 |D-7 |G7 |N1E-7 A7 |D-7 G7 }N2D-7 G7 |C^7 ]"
        "*B[F7 |Bb7 |r| |E-7 A7 ]*A[C^7 |A-7 |D-7 G7 |C^7 Z")
DC_CODA = "T44C^7 |A-7 |D-7 Q|G7 |E-7 |A7 <D.C. al Coda>]  [QD-7 G7 |C^7 Z"


def one(chart: str, **song: str) -> Chart:
    """The chart of a one-song irealbook:// link holding `chart`."""
    link = make_ireal_link([(song.get("title", "Tune"), "Me", "Swing", "C", chart)])
    return parse_ireal_link(link)[0]


def names(chart: Chart) -> list[str]:
    """Each bar's chord symbols joined by spaces ("-" for a bar that keeps the chord)."""
    return [" ".join(symbol for _, symbol in bar.chords) or "-" for bar in chart.bars]


def test_repeat_endings_and_two_bar_repeat_expand_in_playing_order():
    assert names(one(AABA)) == [
        "C^7", "A-7", "D-7", "G7", "E-7 A7", "D-7 G7",     # first A, first ending
        "C^7", "A-7", "D-7", "G7", "D-7 G7", "C^7",        # second A, second ending
        "F7", "Bb7", "F7", "Bb7", "E-7 A7",                # B: "r" repeats the two bars before
        "C^7", "A-7", "D-7 G7", "C^7"]


def test_blues_bar_repeat_offsets_and_metre():
    chart = one(BLUES, title="My Blues")
    assert chart.title == "My Blues" and chart.key == "C" and chart.composer == "Me"
    assert len(chart.bars) == 12 and chart.bars[3].chords == ((0.0, "F7"),)
    assert chart.bars[10].chords == ((0.0, "F7"), (2.0, "D7"))
    assert all(bar.time_signature == "4/4" and bar.length_ql == 4.0 for bar in chart.bars)


@pytest.mark.parametrize("to_coda", ["D-7 Q|G7 |", "D-7 |QG7 |"])
def test_dc_al_coda_jumps_after_or_before_the_coda_bar(to_coda):
    chart = one(DC_CODA.replace("D-7 Q|G7 |", to_coda))
    assert names(chart) == ["C^7", "A-7", "D-7", "G7", "E-7", "A7",
                            "C^7", "A-7", "D-7", "D-7 G7", "C^7"]


def test_ds_al_coda_goes_back_to_the_segno_and_plays_repeats_once():
    chart = one("T44C^7 |{SA-7 |D-7 }G7 Q|E-7 <D.S. al Coda>A7 |[QF^7 |C^7 Z")
    assert names(chart) == ["C^7", "A-7", "D-7", "A-7", "D-7", "G7", "E-7 A7",
                            "A-7", "D-7", "G7", "F^7", "C^7"]


def test_dc_al_fine_stops_at_fine_and_takes_the_last_ending():
    chart = one("{C^7 |N1A-7 }|N2A7 |D-7 <Fine>|G7 |E7 <D.C. al Fine>Z")
    assert names(chart) == ["C^7", "A-7", "C^7", "A7", "D-7", "G7", "E7",
                            "C^7", "A7", "D-7"]


def test_third_ending_plays_on_the_third_pass():
    chart = one("{C |N1D }N2E }N3F Z")
    assert names(chart) == ["C", "D", "C", "E", "C", "F"]


@pytest.mark.parametrize("mark, text, length_ql, offsets", [
    ("T34", "3/4", 3.0, (0.0, 1.0, 2.0)), ("T68", "6/8", 3.0, (0.0, 1.5)),
    ("T12", "12/8", 6.0, (0.0, 1.5, 3.0, 4.5)), ("T54", "5/4", 5.0, (0.0, 2.0))])
def test_time_signatures_set_bar_length_and_shares(mark, text, length_ql, offsets):
    chords = {3: "C,D,E", 2: "C D", 4: "C,D,E,F"}[len(offsets)]
    chart = one(f"{mark}{chords} |G7 Z")
    assert [(b.time_signature, b.length_ql) for b in chart.bars] == [(text, length_ql)] * 2
    assert tuple(offset for offset, _ in chart.bars[0].chords) == offsets


def test_time_signature_change_applies_from_its_bar_on():
    chart = one("T44C |T34D |E |T44F Z")
    assert [b.time_signature for b in chart.bars] == ["4/4", "3/4", "3/4", "4/4"]


@pytest.mark.parametrize("bar, chords", [
    ("C^7 A-7 ", ((0.0, "C^7"), (2.0, "A-7"))),                 # two chords: beats 1 and 3
    ("C^7 D-7,E-7", ((0.0, "C^7"), (2.0, "D-7"), (3.0, "E-7"))),  # three: their cells
    ("C,D-,E-,F", ((0.0, "C"), (1.0, "D-"), (2.0, "E-"), (3.0, "F"))),
    ("C7 p F7 p", ((0.0, "C7"), (2.0, "F7"))),                  # slashes hold the chord
    ("n", ((0.0, "N.C."),)),
    ("C7 W/E", ((0.0, "C7"), (2.0, "C7/E"))),                   # invisible root: new bass
    ("sC7(Db7) lF7b9sus", ((0.0, "C7"), (2.0, "F7b9sus"))),     # alternates, sizes ignored
    ("Bb-^7/Ab <any comment>Eh7", ((0.0, "Bb-^7/Ab"), (2.0, "Eh7"))),
    ("C,D,E,F,G", ((0.0, "C"), (0.8, "D"), (1.6, "E"), (2.4, "F"), (3.2, "G")))])
def test_chord_placement_and_symbols(bar, chords):
    placed = one(f"T44{bar}|C Z").bars[0].chords
    assert [(pytest.approx(o), s) for o, s in placed] == list(chords)


def test_empty_bars_are_layout_and_a_bar_without_chords_continues():
    assert names(one("C7 |  |   |x |p Z")) == ["C7", "C7", "-"]


def test_unreadable_text_is_an_error_naming_it_never_a_dropped_chord():
    with pytest.raises(ChartError, match="unreadable text in the chart: 'q', 'Xyz7'"):
        one("{C7q |F7 |Xyz7 |G7 }")


@pytest.mark.parametrize("length", [0, 1, 49, 50, 51, 52, 99, 100, 101, 102, 150, 237])
def test_scramble_round_trip(length):
    text = "".join(random.Random(length).choice("C^7-|XyQLZ b#") for _ in range(length))
    assert unscramble(scramble(text)) == text
    assert (scramble(text) != text) == (length >= 52 and len(set(text)) > 1)


def test_irealb_and_irealbook_give_the_same_charts():
    songs = [("Blues", "Me", "Jazz", "F", BLUES), ("Form", "You", "Jazz", "C", AABA)]
    assert len(AABA) > 100 and scramble(AABA) != AABA
    plain = parse_ireal_link(make_ireal_link(songs))
    scrambled = parse_ireal_link(make_ireal_link(songs, scrambled=True, playlist="Mine"))
    assert plain == scrambled and [c.title for c in plain] == ["Blues", "Form"]


def test_irealb_shorthand_and_fields():
    chart = "*A{T44C^7XyQ|A-7XyQKcl LZD-7 G7LZN1C^7XyQ}XyQXyQ LZN2C6XyQZ"  # iReal's shorthand
    music = MUSIC_PREFIX + scramble(chart).replace(" ", "%20")
    link = f"irealb://Own%20Tune=Me%20Too==Bossa%20Nova=C-=={music}=Latin-Bossa=140=3"
    tune = parse_ireal_link(link)[0]
    assert (tune.title, tune.composer, tune.key, tune.qpm) == ("Own Tune", "Me Too", "C-", 140.0)
    assert tune.extra["style"] == "Bossa Nova" and tune.extra["groove"] == "Latin-Bossa"
    assert names(tune) == ["C^7", "A-7", "A-7", "D-7 G7", "C^7",
                           "C^7", "A-7", "A-7", "D-7 G7", "C6"]


def test_playlist_tune_picked_by_title_any_case(tmp_path):
    songs = [("First", "", "Swing", "C", "C Z"), ("Second Tune", "", "Swing", "D", "D Z"),
             ("Third", "", "Swing", "E", "E Z")]
    link = make_ireal_link(songs, scrambled=True, playlist="Three")
    assert list_ireal_tunes(link) == ["First", "Second Tune", "Third"]
    assert read_ireal(link).title == "First"
    assert read_ireal(link, tune="second TUNE").bars[0].chords == ((0.0, "D"),)
    with pytest.raises(ChartError, match="no tune 'Fourth'.*First, Second Tune, Third"):
        read_ireal(link, tune="Fourth")
    (tmp_path / "list.txt").write_text(f"My playlist:\n{link}\n", encoding="utf-8")
    assert read_ireal(tmp_path / "list.txt", tune="third").title == "Third"


def test_html_export_with_several_links(tmp_path):
    songs = [("Blues", "", "Jazz", "F", BLUES), ("Don't Go", "", "Jazz", "C", AABA),
             ("Waltz", "", "Jazz", "G", "T34G |D7 Z")]
    anchors = "".join(f'<a href="{make_ireal_link([s], scrambled=True)}">{s[0]}</a><br>'
                      for s in songs)
    whole = make_ireal_link(songs, scrambled=True, playlist="All").replace("=", "&#61;", 1)
    page = f'<html><body><a href="{whole}">All</a>{anchors}</body></html>'
    (tmp_path / "export.html").write_text(page, encoding="utf-8")
    assert list_ireal_tunes(tmp_path / "export.html") == ["Blues", "Don't Go", "Waltz"]
    waltz = read_ireal(str(tmp_path / "export.html"), tune="waltz")
    assert [b.time_signature for b in waltz.bars] == ["3/4", "3/4"]


def test_file_over_the_limit_is_refused_without_being_read(tmp_path, monkeypatch):
    big = tmp_path / "big.html"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)

    def refuse(*args, **kwargs):
        raise AssertionError("the file was opened")
    with monkeypatch.context() as patch:
        patch.setattr(io, "open", refuse)
        patch.setattr(builtins, "open", refuse)
        with pytest.raises(ChartError, match="limit"):
            read_ireal(big)
    with pytest.raises(ChartError, match="limit"):
        parse_ireal_link("irealbook://" + "a" * MAX_LINK_CHARS)


@pytest.mark.parametrize("source, message", [
    ("irealbook://", "no songs"), ("irealbook://A=B=C", "malformed"),
    ("irealbook://A=B=C=D=n=T99C Z", "time signature"), ("irealbook://A=B=C=D=n=  | Z", "no bars"),
    ("irealbook://A=B=C=D=n=W/C Z", "invisible"), ("http://A=B=C=D=n=C Z", "not an iReal"),
    ("irealbook://A=B=C=D=n=" + "{C}" * 3000, "more than 5000 bars")])
def test_bad_links_raise_chart_error(source, message):
    with pytest.raises(ChartError, match=message):
        parse_ireal_link(source)


def test_bad_files_raise_chart_error(tmp_path):
    (tmp_path / "none.txt").write_text("http://example.com/not-a-chart", encoding="utf-8")
    for source in (tmp_path / "none.txt", tmp_path / "missing.txt", "no/such/file", tmp_path):
        with pytest.raises(ChartError):
            read_ireal(source)


TOKENS = ["{", "}", "N1", "N2", "N3", "x", "r", "Q", "S", "U", "<D.C. al Coda>", "<D.S. al Fine>",
          "<Fine>", "<", ">", "(", ")", "T34", "T68", "T99", "T", "W/C", "W", "p", "n", "|", "Z",
          "=", "===", "%", "%E2%82", "%3D", MUSIC_PREFIX, "irealb://", "*A", "/", "#", " ", "é"]


def mutate(rng: random.Random, link: str) -> str:
    """A link with random characters changed, cut, deleted, or chart tokens inserted."""
    chars, kind = list(link), rng.randrange(4)
    for _ in range(rng.randint(1, 5)):
        pos = rng.randrange(len(chars) + 1)
        if kind == 0 and chars:
            code = rng.choice([rng.randrange(32, 127), rng.randrange(1, 999)])
            chars[pos % len(chars)] = chr(code)
        elif kind == 1:
            return "".join(chars[:pos])
        elif kind == 2:
            chars.insert(pos, rng.choice(TOKENS))
        else:
            del chars[pos:pos + rng.randint(1, 12)]
    return "".join(chars)


def test_fuzz_mutated_links_give_a_chart_or_chart_error():
    songs = [("Blues", "Me", "Jazz", "F", BLUES), ("Form", "", "Jazz", "C", AABA),
             ("Coda", "You", "", "C", DC_CODA)]
    bases = [make_ireal_link(songs), make_ireal_link(songs, scrambled=True, playlist="P"),
             make_ireal_link(songs[2:]), make_ireal_link(songs[1:2], scrambled=True)]
    rng, outcomes = random.Random(0), {"chart": 0, "error": 0}
    for _ in range(500):
        link = mutate(rng, rng.choice(bases))
        try:
            charts = parse_ireal_link(link)
        except ChartError:
            outcomes["error"] += 1
            continue
        assert charts and all(isinstance(c, Chart) and c.bars for c in charts)
        outcomes["chart"] += 1
    assert outcomes["chart"] > 50 and outcomes["error"] > 50, outcomes


ADVERSARIAL = ["<" * 500_000, "(" * 500_000, "{" * 500_000, "C" * 500_000, "C|" * 250_000,
               "{C}" * 170_000, "Csusaltadd" * 50_000, "C" + "W/C" * 170_000, "T4" * 250_000,
               "N1C}" * 125_000, "x|" * 250_000, "Q" * 500_000, " " * 500_000]


@pytest.mark.parametrize("chart", ADVERSARIAL, ids=lambda c: f"{c[:6]!r}x{len(c)}")
def test_500kb_adversarial_charts_finish_in_linear_steps(chart):
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1
    sys.setprofile(count)
    try:
        result = parse_ireal_link("irealbook://A=B=C=D=n=" + chart)
    except ChartError:
        result = None
    finally:
        sys.setprofile(None)
    assert result is None or isinstance(result[0], Chart)
    assert calls < 20 * len(chart)  # a few calls per character: scanned once, no backtracking


@pytest.mark.parametrize("body", ["=" * 500_000, "a=" * 250_000, "%" * 500_000,
                                  ("======" + MUSIC_PREFIX) * 30_000, "ireal" * 100_000])
def test_500kb_adversarial_links_and_pages(body, tmp_path):
    (tmp_path / "page.html").write_text(body, encoding="utf-8")
    for source in ("irealb://" + body, tmp_path / "page.html"):
        with contextlib.suppress(ChartError):
            assert isinstance(read_ireal(source), Chart)
