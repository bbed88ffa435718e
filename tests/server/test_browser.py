"""The practice room in a real browser (Debian's Chromium driven by Playwright): type a
progression, improvise, and check what a user sees and takes home (the grid, the notation's
measures, the player's length, the MIDI's tracks, the stems); the solo's level moves live; a
looped range ramps its tempo and key per repeat; a bad chord is marked in the grid; trading
twos answers the computer keyboard and a (fake) Web MIDI keyboard over the right bars, and the
answer is engraved.  Screenshots go to output/screenshots/."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import wave
import zipfile
from pathlib import Path

import httpx
import pretty_midi
import pytest

from jazzsolo.export.audio import TAIL_S

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "output" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
HEALTH_TRIES = 600                       # polls of /api/health, 50 ms apart, while it starts
WAIT_MS = 60_000                         # the longest a page element is waited for
# A Web MIDI keyboard the page finds through navigator.requestMIDIAccess; the test presses its
# keys with window.fakeMidi.send([status, note, velocity]).
FAKE_MIDI = """
(() => {
  const input = { id: "fake", name: "fake keyboard", onmidimessage: null };
  const access = { inputs: new Map([["fake", input]]), outputs: new Map(), onstatechange: null };
  window.fakeMidi = {
    connected: () => typeof input.onmidimessage === "function",
    send: (bytes) => input.onmidimessage({ data: new Uint8Array(bytes) }),
  };
  Object.defineProperty(Navigator.prototype, "requestMIDIAccess",
                        { value: () => Promise.resolve(access), configurable: true });
})();
"""


def _unavailable(why: str):
    """No browser here: a loud failure in CI, a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs the browser tests: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`jazzsolo serve` in a subprocess on a free loopback port; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "jazzsolo.cli", "serve", "--port",
                                    str(port)], stdout=out, stderr=subprocess.STDOUT,
                                   cwd=REPO_ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(HEALTH_TRIES):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            if process.poll() is not None:
                pytest.fail(f"jazzsolo serve exited: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        else:
            pytest.fail(f"jazzsolo serve never answered: {log.read_text()[-2000:]}")
        assert f"on {url}/" in log.read_text()               # loopback, as it says
        yield {"url": url, "log": log}
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Chromium (headless, fresh profile) under Playwright."""
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        _unavailable(f"playwright is not installed ({e})")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS, headless=True, accept_downloads=True)
        yield context
        context.close()


def open_page(browser, server, init_script: str | None = None):
    """A fresh page of the practice room, with its console's problems collected."""
    page = browser.new_page()
    if init_script:
        page.add_init_script(init_script)
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.goto(server["url"] + "/")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=WAIT_MS)
    return page


@pytest.fixture
def page(browser, server):
    page = open_page(browser, server)
    yield page
    page.close()


@pytest.fixture
def midi_page(browser, server):
    """A page whose browser has a MIDI keyboard (`FAKE_MIDI`)."""
    page = open_page(browser, server, FAKE_MIDI)
    yield page
    page.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def grid_chords(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#grid .bar", "bars => bars.map(b => [...b.querySelectorAll('.chord')]"
                      ".map(c => c.firstChild.textContent))")


def wait_until(page, script: str, *, tries: int = 400, every_s: float = 0.05):
    """Poll a page expression until it is truthy (CSP forbids Playwright's wait_for_function)."""
    for _ in range(tries):
        value = page.evaluate(script)
        if value:
            return value
        time.sleep(every_s)
    pytest.fail(f"the page never reached: {script}")


def test_improvise_shows_grid_notation_audio_and_downloads_the_band(page, tmp_path):
    page.fill("#chords", "Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7")
    page.fill("#choruses", "2")
    page.fill("#qpm", "160")
    page.fill("#seed", "5")
    page.click("#improvise")
    page.wait_for_selector("#notation svg", timeout=WAIT_MS)
    assert grid_chords(page) == [["Dm7", "G7"], ["Cmaj7"], ["Cm7", "F7"], ["Bbmaj7"]] * 2
    assert page.locator("#notation g.measure").count() == 8
    duration = page.evaluate("practice.duration()")
    with page.expect_download() as download:
        page.click("#download-mid")
    assert download.value.suggested_filename == "chords_seed5.mid"
    midi = pretty_midi.PrettyMIDI(str(download.value.path()))
    assert [i.name for i in midi.instruments] == ["Solo", "Chords", "Bass", "Drums"]
    assert duration == pytest.approx(midi.get_end_time() + TAIL_S, abs=0.05)
    assert 8 * 1.5 <= duration <= 8 * 1.5 + TAIL_S + 0.5          # 8 bars of 4 beats at 160
    page.click("#play")
    wait_until(page, "document.querySelector('#grid .bar.current') !== null")
    wait_until(page, "document.querySelector('#notation g.measure.playing') !== null")
    shot(page, "improvise")
    page.fill("#loop-from", "2")                     # loop bar 2: from just before its end,
    page.fill("#loop-to", "2")                       # the player jumps back to its start
    page.check("#loop")
    page.evaluate("practice.seek(2 * 1.5 - 0.1)")
    wait_until(page, "practice.currentTime() >= 1.5 && practice.currentTime() < 2.5")
    page.click("#play")
    with page.expect_download() as download:
        page.click("#download-stems")
    assert download.value.suggested_filename == "chords_seed5_stems.zip"
    with zipfile.ZipFile(download.value.path()) as stems:
        names = stems.namelist()
        assert len(names) == len(midi.instruments) == 4
        for name in names:
            with wave.open(stems.open(name)) as w:
                assert w.getnframes() / w.getframerate() == pytest.approx(duration, abs=0.01)
    assert page.problems == []


NOTE_FILLS = "[...document.querySelectorAll('#notation g.note')].map(n => getComputedStyle(n).fill)"


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_notes_are_coloured_by_their_relation_to_the_chord_when_asked(page):
    from jazzsolo.export.relations import RELATION_COLOURS, RELATIONS

    page.fill("#chords", "C7 | F7 | C7 | G7")
    page.fill("#seed", "6")
    page.click("#improvise")
    page.wait_for_selector("#notation svg", timeout=WAIT_MS)
    plain = page.evaluate(NOTE_FILLS)
    assert plain and set(plain) == {"rgb(0, 0, 0)"}            # black unless asked for
    assert page.is_hidden("#relation-legend")
    page.check("#colour-notes")
    coloured = page.evaluate(NOTE_FILLS)
    colours = {rgb(c) for c in RELATION_COLOURS.values()}
    assert len(coloured) == len(plain) and set(coloured) <= colours
    assert len(set(coloured)) >= 2                             # chord tones and others
    legend = page.eval_on_selector_all("#relation-legend span", "s => s.map(e => [e.textContent, "
                                                         "getComputedStyle(e).color])")
    assert legend == [[f"● {name}", rgb(RELATION_COLOURS[c])] for c, name in RELATIONS.items()]
    shot(page, "relations")
    page.uncheck("#colour-notes")
    assert set(page.evaluate(NOTE_FILLS)) == {"rgb(0, 0, 0)"}
    assert page.problems == []


def test_the_solos_level_moves_live_without_rendering_again(page, server):
    page.fill("#chords", "C7 | F7 | C7 | G7")
    page.fill("#seed", "3")
    page.click("#improvise")
    page.wait_for_selector("#notation svg", timeout=WAIT_MS)
    duration = page.evaluate("practice.duration()")
    improvised = server["log"].read_text().count("POST /api/improvise 200")
    page.click("#play")
    page.eval_on_selector("#solo-level", "e => { e.value = 64; "
                                         "e.dispatchEvent(new Event('input')); }")
    assert page.evaluate("practice.soloGain()") == pytest.approx((64 / 100) ** 2)
    assert page.inner_text("#solo-gain") == "×0.41"
    assert page.evaluate("practice.duration()") == duration
    assert page.get_attribute("#download-mid", "href").endswith("?solo_level=64")
    page.eval_on_selector("#solo-level", "e => { e.value = 0; "
                                         "e.dispatchEvent(new Event('input')); }")
    assert page.evaluate("practice.soloGain()") == 0.0
    assert page.evaluate("practice.duration()") == duration
    shot(page, "solo_level")
    page.click("#play")
    assert server["log"].read_text().count("POST /api/improvise 200") == improvised
    assert page.problems == []


def test_each_repeat_of_a_loop_is_faster_and_transposed(page):
    page.fill("#chords", "Dm7 G7 | Cmaj7")
    page.fill("#qpm", "120")
    page.fill("#seed", "4")
    page.click("#improvise")
    page.wait_for_selector("#notation svg", timeout=WAIT_MS)
    assert page.get_attribute("#take-tempo", "data-qpm") == "120"
    slower = page.evaluate("practice.duration()")
    page.fill("#loop-to", "2")
    page.check("#loop")
    page.fill("#tempo-step", "10")
    page.fill("#transpose-step", "2")
    first = page.evaluate("practice.nextRepeat()")          # the loop's end, a fixed step
    assert first == {"repeat": 1, "qpm": 130, "transpose": 2}
    assert grid_chords(page) == [["Em7", "A7"], ["Dmaj7"]]
    assert page.get_attribute("#take-tempo", "data-qpm") == "130"
    assert "130 bpm" in page.inner_text("#take-tempo")
    second = page.evaluate("practice.nextRepeat()")
    assert second == {"repeat": 2, "qpm": 140, "transpose": 4}
    assert grid_chords(page) == [["F#m7", "B7"], ["Emaj7"]]
    assert page.locator("#notation g.measure").count() == 2
    assert page.evaluate("practice.duration()") < slower      # the same bars, faster
    assert page.get_attribute("#download-mid", "download") == "chords_seed4_repeat2.mid"
    shot(page, "repeat_ramp")
    assert page.problems == []


def test_a_bad_chord_is_marked_in_the_grid_and_the_page_goes_on(page):
    page.fill("#chords", "Dm7 G7 | Hm7 | C7")
    page.click("#read-chart")
    page.wait_for_selector("#grid .chord.bad", timeout=WAIT_MS)
    assert grid_chords(page) == [["Dm7", "G7"], ["Hm7"], ["C7"]]
    reason = page.inner_text("#grid .chord.bad .reason")
    assert "unreadable chord symbol 'Hm7'" in reason and "root A-G" in reason
    assert "Hm7" in page.inner_text("#error")
    page.click("#improvise")
    wait_until(page, "document.getElementById('status').textContent === 'Nothing played.'")
    shot(page, "bad_chord")
    page.fill("#chords", "Dm7 G7 | Cmaj7 | C7")
    page.click("#improvise")
    page.wait_for_selector("#notation svg", timeout=WAIT_MS)
    assert page.locator("#grid .chord.bad").count() == 0 and page.is_hidden("#error")
    assert page.locator("#notation g.measure").count() == 3
    assert [p for p in page.problems if "status of 400" not in p] == []


def start_trading_twos(page) -> None:
    page.fill("#chords", "C7 | F7 | C7 | C7 | F7 | F7 | C7 | G7")
    page.fill("#qpm", "120")
    page.fill("#seed", "2")
    page.select_option("#trade-bars", "2")
    page.click("#trade-start")
    wait_until(page, "!document.getElementById('band').paused && "
                     "document.getElementById('band').currentTime > 0")


def check_the_answer(page, server, name: str) -> None:
    """The answer to C D E F G on bars 1-2: bars 3-4 over C7 C7, engraved once played."""
    page.wait_for_selector("#answers li", timeout=WAIT_MS)
    answer = page.eval_on_selector("#answers li", "li => ({...li.dataset})")
    assert (int(answer["startBar"]), int(answer["nBars"])) == (2, 2)
    assert json.loads(answer["chords"]) == [["C7"], ["C7"]]
    notes = json.loads(answer["notes"])
    assert notes and all(8.0 <= onset < 16.0 and onset + length <= 16.0 + 1e-9
                         for onset, length, _ in notes)
    assert "answering 5" in page.inner_text("#answers li")
    assert page.locator("#grid .bar.turn-you").count() == 4
    page.wait_for_selector("#answers li .answer-notation svg", timeout=WAIT_MS)
    assert page.locator("#answers li .answer-notation g.measure").count() == 2
    shot(page, name)
    page.click("#trade-stop")
    assert page.problems == []
    assert "answered bars 3-4 in" in server["log"].read_text()


def test_trading_twos_answers_the_keyboard_over_the_next_bars(page, server):
    start_trading_twos(page)
    page.click("h1")                                   # keys go to the page, not a field
    for key in "asdfg":                                # C D E F G, as the keyboard plays them
        page.keyboard.down(key)
        time.sleep(0.15)
        page.keyboard.up(key)
    check_the_answer(page, server, "trade")


def test_trading_twos_answers_a_midi_keyboard_as_the_computer_keyboard(midi_page, server):
    start_trading_twos(midi_page)
    wait_until(midi_page, "window.fakeMidi.connected()")
    for midi in (60, 62, 64, 65, 67):                  # C D E F G: note on, then note off
        midi_page.evaluate(f"window.fakeMidi.send([0x90, {midi}, 100])")
        time.sleep(0.15)
        midi_page.evaluate(f"window.fakeMidi.send([0x80, {midi}, 0])")
    check_the_answer(midi_page, server, "trade_midi")
