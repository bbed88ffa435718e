"""The practice room's server on 127.0.0.1: the same library calls and one-line errors as the
command line, files only from its own scratch folder, sessions kept apart, a bounded pool that
answers "busy" (503) rather than queueing forever, and serving on after every bad request."""
from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
import wave
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import mido
import pretty_midi
import pytest
import uvicorn

from jazzsolo import practice
from jazzsolo.cli import build_parser, main
from jazzsolo.server.app import MAX_UPLOAD_BYTES, create_app

REPO_ROOT = Path(__file__).resolve().parents[2]
CHORDS = "Dm7 G7 | Cmaj7 | Cm7 F7 | Bbmaj7"
BAR_CHORDS = [["Dm7", "G7"], ["Cmaj7"], ["Cm7", "F7"], ["Bbmaj7"]]
HEALTH_TRIES = 400                      # polls of /api/health (every 25 ms) before giving up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app):
    """The app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(HEALTH_TRIES):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        time.sleep(0.025)
    else:
        server.should_exit = True
        pytest.fail("the server never answered /api/health")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@pytest.fixture(scope="module")
def base(scratch):
    with running(create_app(workers=2, max_pending=4, scratch_root=scratch)) as url:
        yield url


@pytest.fixture
def client(base):
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def improvise(client, **settings):
    return client.post("/api/improvise", json={"backing_chords": CHORDS, "seed": 3, **settings})


def test_serve_listens_on_loopback_unless_told_otherwise():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.open) == ("127.0.0.1", 8000, False)
    assert build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"]).host \
        == "0.0.0.0"


def test_the_page_and_its_scripts_come_from_the_package_and_fetch_nothing_else(client):
    page = client.get("/")
    assert page.status_code == 200 and '<script src="/static/app.js">' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("app.js", "style.css"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert "http:" not in response.text and "https:" not in response.text
    assert "http" not in page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/app.py", "/static/app.py", "/static/%2e%2e%2f%2e%2e%2fpractice.py",
    "/api/take/..%2f..%2fetc/passwd", "/api/take/%2e%2e/mid", "/static/", "/static/%2e%2e"])
def test_no_path_from_a_request_reaches_the_file_system(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text and "import" not in response.text


def test_an_upload_is_kept_in_the_scratch_folder_under_a_name_the_server_makes(client, scratch):
    lead_sheet = (REPO_ROOT / "examples" / "two-five.musicxml").read_bytes()
    answer = client.post("/api/upload", params={"name": "../../../escape me.musicxml"},
                         content=lead_sheet)
    assert answer.status_code == 200, answer.text
    saved = [p for p in scratch.rglob("*.musicxml")]
    assert [p.name for p in saved] == ["escape_me.musicxml"]
    assert not (scratch.parent / "escape me.musicxml").exists()
    grid = client.post("/api/chart", json={"upload": answer.json()["upload"]}).json()
    assert len(grid["bars"]) == 9 and grid["error"] is None      # 4 bars twice and a last bar


def test_a_broken_upload_reads_as_the_command_line_reads_it(client, tmp_path, capsys):
    broken = b"<?xml version='1.0'?><score-partwise><part-list>"
    page = client.post("/api/upload", params={"name": "broken.musicxml"}, content=broken)
    (tmp_path / "broken.musicxml").write_bytes(broken)
    assert main(["generate", "--chords_from", str(tmp_path / "broken.musicxml"),
                 "--output_dir", str(tmp_path)]) == 2
    cli_line = capsys.readouterr().err.strip().removeprefix("jazzsolo: error: ")
    assert page.status_code == 400
    assert page.json()["error"] == cli_line.replace(f"{tmp_path}/", "")
    assert page.json()["error"].startswith("broken.musicxml: ")


def test_serve_on_a_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["serve", "--port", str(taken.getsockname()[1])]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_oversized_and_unknown_uploads_are_refused_in_one_line(client):
    big = client.post("/api/upload", params={"name": "big.musicxml"},
                      content=b"<" * (MAX_UPLOAD_BYTES + 1))
    assert big.status_code == 413 and "limit" in big.json()["error"]
    odd = client.post("/api/upload", params={"name": "tune.exe"}, content=b"MZ")
    assert odd.status_code == 400 and "\n" not in odd.json()["error"]
    assert client.get("/api/health").status_code == 200


def test_a_broken_ireal_link_reads_as_the_command_line_reads_it(client, capsys):
    link = "irealb://Broken%20Tune=Me==Swing=C==1r34LbKcu7"
    page = client.post("/api/chart", json={"ireal_link": link})
    assert main(["generate", "--chords_from", link, "--output_dir", "/nonexistent"]) == 2
    cli_line = capsys.readouterr().err.strip().removeprefix("jazzsolo: error: ")
    assert page.status_code == 400 and page.json()["error"] == cli_line


def test_a_take_is_the_command_lines_midi_with_its_grid_and_notation(client, tmp_path):
    take = improvise(client)
    assert take.status_code == 200, take.text
    data = take.json()
    assert [[c["symbol"] for c in bar["chords"]] for bar in data["grid"]] == BAR_CHORDS
    assert sum(svg.count('class="measure"') for svg in data["svg"]) == 4
    assert data["file_stem"] == "chords_seed3"
    assert data["bar_starts_s"] == pytest.approx([0.0, 1.846154, 3.692308, 5.538462, 7.384615])
    midi = client.get(data["downloads"]["mid"])
    assert 'filename="chords_seed3.mid"' in midi.headers["content-disposition"]
    assert main(["generate", "--backing_chords", CHORDS, "--seed", "3", "--output_dir",
                 str(tmp_path)]) == 0
    assert midi.content == (tmp_path / "chords_seed3.mid").read_bytes()
    band = pretty_midi.PrettyMIDI(io.BytesIO(midi.content))
    assert [i.name for i in band.instruments] == ["Solo", "Chords", "Bass", "Drums"]
    xml = client.get(data["downloads"]["musicxml"])
    assert xml.status_code == 200 and b"<harmony" in xml.content
    for part in ("band", "solo"):                      # the page's player mixes these two
        audio = client.get(data["audio"][part])
        assert audio.content[:4] == b"RIFF" and audio.headers["content-type"] == "audio/wav"


def test_the_wav_and_mp3_downloads_are_the_take_at_cd_quality(client):
    data = improvise(client, backing_chords="C7 | F7").json()
    wav = client.get(data["downloads"]["wav"])
    assert 'filename="chords_seed3.wav"' in wav.headers["content-disposition"]
    with wave.open(io.BytesIO(wav.content)) as w:
        assert (w.getframerate(), w.getnchannels()) == (44100, 2)
        seconds = w.getnframes() / w.getframerate()
    for part in ("band", "solo"):
        with wave.open(io.BytesIO(client.get(data["audio"][part]).content)) as w:
            assert w.getframerate() == 22050                    # the page's player
            assert w.getnframes() / w.getframerate() == pytest.approx(seconds, abs=0.01)
    if "mp3" in data["downloads"]:
        mp3 = client.get(data["downloads"]["mp3"])
        assert mp3.status_code == 200 and mp3.content[:3] == b"ID3"          # pydub tags it


def test_a_count_in_puts_the_first_bar_a_bar_later(client):
    data = improvise(client, count_off=True).json()
    assert data["bar_starts_s"][:2] == pytest.approx([1.846154, 3.692308])   # 4/4 at 130
    assert len(data["grid"]) == 4


def test_the_solo_level_sets_the_solos_channel_volume(client):
    data = improvise(client, solo_level=64).json()
    midi = mido.MidiFile(file=io.BytesIO(client.get(data["downloads"]["mid"]).content))
    solo = next(t for t in midi.tracks if t.name == "Solo")
    assert [m.value for m in solo if m.type == "control_change" and m.control == 7] == [64]


def wav_seconds(data: bytes) -> tuple[float, int]:
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate(), w.getframerate()


def test_the_stems_are_one_wav_per_track_of_the_takes_length_named_after_the_tune(client):
    data = improvise(client, backing_chords="C7 | F7 | C7 | G7").json()
    assert data["download_names"]["stems"] == "chords_seed3_stems.zip"
    stems = client.get(data["downloads"]["stems"])
    assert stems.status_code == 200 and stems.headers["content-type"] == "application/zip"
    assert 'filename="chords_seed3_stems.zip"' in stems.headers["content-disposition"]
    tracks = pretty_midi.PrettyMIDI(io.BytesIO(client.get(data["downloads"]["mid"]).content))
    take_s, _ = wav_seconds(client.get(data["downloads"]["wav"]).content)
    with zipfile.ZipFile(io.BytesIO(stems.content)) as archive:
        names = archive.namelist()
        assert names == ["chords_seed3_solo_electric_guitar_jazz.wav",
                         "chords_seed3_chords_acoustic_grand_piano.wav",
                         "chords_seed3_bass_acoustic_bass.wav", "chords_seed3_drums.wav"]
        assert len(names) == len([t for t in tracks.instruments if t.notes])
        for name in names:
            assert wav_seconds(archive.read(name)) == (pytest.approx(take_s, abs=1e-9), 44100)


def test_a_download_carries_the_solo_level_the_slider_shows(client):
    data = improvise(client, backing_chords="C7 | F7").json()
    midi = mido.MidiFile(file=io.BytesIO(client.get(data["downloads"]["mid"],
                                                    params={"solo_level": 64}).content))
    solo = next(t for t in midi.tracks if t.name == "Solo")
    assert [m.value for m in solo if m.type == "control_change" and m.control == 7] == [64]
    bad = client.get(data["downloads"]["mid"], params={"solo_level": "300"})
    assert bad.status_code == 400 and "0 to 127" in bad.json()["error"]


def midi_qpm(data: bytes) -> float:
    midi = mido.MidiFile(file=io.BytesIO(data))
    return round(mido.tempo2bpm(next(m.tempo for t in midi.tracks for m in t
                                     if m.type == "set_tempo")), 3)


@pytest.mark.parametrize("repeat", [1, 2])
def test_a_repeat_of_a_loop_is_ramped_in_tempo_and_key(client, repeat):
    ramp = {"qpm": 120.0, "tempo_step": 8, "transpose_step": 2}
    first = improvise(client, **ramp).json()
    again = improvise(client, **ramp, repeat=repeat).json()
    assert (first["qpm"], first["transpose"]) == (120.0, 0)
    assert (again["qpm"], again["transpose"], again["repeat"]) == \
        (120.0 + 8 * repeat, 2 * repeat, repeat)
    assert midi_qpm(client.get(again["downloads"]["mid"]).content) == 120.0 + 8 * repeat
    moved = {1: [["Em7", "A7"], ["Dmaj7"], ["Dm7", "G7"], ["Cmaj7"]],
             2: [["F#m7", "B7"], ["Emaj7"], ["Em7", "A7"], ["Dmaj7"]]}[repeat]
    assert [[c["symbol"] for c in bar["chords"]] for bar in again["grid"]] == moved
    xml = client.get(again["downloads"]["musicxml"]).text
    assert xml.count("<harmony") == 6 and "<root-step>" + moved[1][0][0] in xml
    assert again["bar_starts_s"][1] == pytest.approx(4 * 60 / (120.0 + 8 * repeat), abs=1e-5)
    assert again["file_stem"] == f"chords_seed3_repeat{repeat}"


@pytest.mark.parametrize("ramp, words", [
    ({"repeat": -1}, "repeat must be from 0"), ({"transpose_step": 12}, "transpose_step"),
    ({"tempo_step": 41}, "tempo_step must be"), ({"repeat": 1.5}, "repeat has the wrong type"),
    ({"qpm": 390.0, "tempo_step": 20, "repeat": 1}, "repeat 1 of the tempo ramp: qpm")])
def test_a_ramp_out_of_range_is_one_line(client, ramp, words):
    response = improvise(client, **ramp)
    assert response.status_code == 400 and words in response.json()["error"]
    assert "\n" not in response.json()["error"]


def test_a_bad_chord_is_marked_in_the_grid_and_nothing_else_breaks(client):
    grid = client.post("/api/chart", json={"backing_chords": "Dm7 | Hm7 G7 | C"}).json()
    assert [[c["symbol"] for c in bar["chords"]] for bar in grid["bars"]] == \
        [["Dm7"], ["Hm7", "G7"], ["C"]]
    bad = grid["bars"][1]["chords"][0]
    assert "unreadable chord symbol 'Hm7'" in bad["error"] and "root A-G" in bad["error"]
    assert "error" not in grid["bars"][1]["chords"][1]
    assert grid["error"].startswith("unreadable chord symbol: 'Hm7'")
    refused = client.post("/api/improvise", json={"backing_chords": "Dm7 | Hm7 G7 | C"})
    assert refused.status_code == 400 and "Hm7" in refused.json()["error"]
    assert improvise(client).status_code == 200


@pytest.mark.parametrize("body, words", [
    (b"not json", "not JSON"), (b"[1, 2]", "JSON object"),
    (b'{"output_dir": "/etc"}', "unknown settings: output_dir"),
    (b'{"model": "/tmp/evil-model"}', "unknown model"),
    (b'{"backing_chords": "C7", "qpm": "fast"}', "qpm has the wrong type"),
    (b'{"backing_chords": "C7", "qpm": 9000}', "qpm must be between"),
    (b'{"upload": "feedbeef"}', "not in this session")])
def test_bad_requests_get_one_line_and_the_server_serves_on(client, body, words):
    response = client.post("/api/improvise", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code in (400, 404) and words in response.json()["error"]
    assert "\n" not in response.json()["error"]
    assert client.get("/api/health").status_code == 200


def test_sessions_are_kept_apart(base):
    with httpx.Client(base_url=base, timeout=60) as alice, \
            httpx.Client(base_url=base, timeout=60) as bob:
        take = improvise(alice).json()
        assert alice.get(take["downloads"]["mid"]).status_code == 200
        assert bob.get(take["downloads"]["mid"]).status_code == 404
        assert alice.cookies["jazzsolo_session"] != bob.cookies["jazzsolo_session"]


def test_a_session_dropped_for_newer_ones_keeps_its_folder_until_its_request_ends(tmp_path):
    from jazzsolo.server.session import MAX_SESSIONS, Sessions

    sessions = Sessions(tmp_path / "scratch")
    busy = sessions.get(None)                       # a request making a solo in it
    idle = sessions.get(None)
    sessions.release(idle)
    for _ in range(MAX_SESSIONS):                   # newer users arrive: both are dropped
        sessions.release(sessions.get(None))
    assert busy.dropped and idle.dropped
    assert not idle.folder.exists()                 # nobody was using it
    assert busy.folder.is_dir()                     # its solo is still being written there
    assert sessions.get(busy.token).token != busy.token    # its cookie now starts afresh
    sessions.release(busy)
    assert not busy.folder.exists()


def test_twenty_requests_at_once_are_each_answered_solo_or_busy(base):
    def one(seed):
        with httpx.Client(base_url=base, timeout=120) as c:
            return improvise(c, backing_chords="C7 | F7", seed=seed)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(one, range(20)))
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 503} and 200 in codes
    assert all(r.json()["busy"] for r in responses if r.status_code == 503)
    assert httpx.get(f"{base}/api/health").status_code == 200


@pytest.fixture
def blocked(monkeypatch):
    """`practice.practice_take` held until the test lets it go (started: it has begun)."""
    started, release = threading.Event(), threading.Event()

    def held(*args, **kwargs):
        started.set()
        release.wait(30)
        raise RuntimeError("let go")

    monkeypatch.setattr(practice, "practice_take", held)
    yield started, release
    release.set()


def test_a_full_pool_answers_busy_at_once_and_recovers(blocked, tmp_path):
    started, release = blocked
    with running(create_app(workers=1, max_pending=1, scratch_root=tmp_path)) as url, \
            ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(httpx.post, f"{url}/api/improvise", json={"backing_chords": "C7"},
                            timeout=60)
        assert started.wait(30)
        busy = httpx.post(f"{url}/api/improvise", json={"backing_chords": "C7"}, timeout=60)
        assert busy.status_code == 503 and "busy" in busy.json()["error"]
        assert httpx.get(f"{url}/api/health").status_code == 200      # not in the pool
        release.set()
        assert first.result().status_code == 500
        assert httpx.post(f"{url}/api/chart", json={"backing_chords": "C7"}).status_code == 200


def test_a_generation_past_the_time_limit_is_given_up(blocked, tmp_path):
    started, release = blocked
    with running(create_app(workers=1, timeout_s=0.2, scratch_root=tmp_path)) as url:
        slow = httpx.post(f"{url}/api/improvise", json={"backing_chords": "C7"}, timeout=60)
        assert started.is_set()
        assert slow.status_code == 504 and "too long" in slow.json()["error"]
        release.set()


def test_a_generation_that_raises_leaves_the_server_serving(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the model fell over")

    monkeypatch.setattr(practice, "practice_take", broken)
    failed = improvise(client)
    assert failed.status_code == 500 and "RuntimeError" in failed.json()["error"]
    monkeypatch.undo()
    assert improvise(client).status_code == 200


def test_trading_answers_over_the_next_bars_chords(client):
    band = client.post("/api/trade/start", json={"progression": "blues", "qpm": 200.0,
                                                 "seed": 4, "bars_per_turn": 4}).json()
    assert [(t["who"], t["start_bar"]) for t in band["turns"]] == \
        [("you", 0), ("model", 4), ("you", 8)]
    played = pretty_midi.PrettyMIDI(io.BytesIO(client.get(band["downloads"]["mid"]).content))
    assert [i.name for i in played.instruments] == ["Chords", "Bass", "Drums"]   # no solo
    heard = [[0.0, 0.5, 65], [0.5, 0.5, 68], [1.0, 1.0, 69], [4.5, 0.5, 72], [5.0, 2.0, 70]]
    answer = client.post("/api/trade/answer", json={"take": band["take"], "heard": heard,
                                                    "start_bar": 4, "n_bars": 4}).json()
    assert answer["chords"] == [["Bb7"], ["Bdim7"], ["F7"], ["D7"]]
    assert answer["notes"] and all(16.0 <= o < 32.0 and o + d <= 32.0 + 1e-9
                                   for o, d, _ in answer["notes"])
    assert answer["latency_ms"] >= 0
    notation = client.post("/api/trade/notation", json={"take": band["take"], "start_bar": 4})
    assert notation.status_code == 200
    svg = "".join(notation.json()["svg"])
    assert svg.count('class="measure"') == 4 and svg.count('class="harm"') == 4
    early = client.post("/api/trade/notation", json={"take": band["take"], "start_bar": 8})
    assert early.status_code == 400 and "no answer over bar 9" in early.json()["error"]
    bad = client.post("/api/trade/answer", json={"take": band["take"], "heard": [[0, -1, 60]],
                                                 "start_bar": 4, "n_bars": 4})
    assert bad.status_code == 400 and "duration_ql > 0" in bad.json()["error"]


def test_a_model_that_cannot_trade_says_so(client):
    band = client.post("/api/trade/start", json={"model": "course", "progression": "blues",
                                                 "seed": 1}).json()
    answer = client.post("/api/trade/answer", json={"take": band["take"], "heard": [],
                                                    "start_bar": 4, "n_bars": 4})
    assert answer.status_code == 400 and "cannot trade" in answer.json()["error"]
