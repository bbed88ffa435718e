"""The practice room's web server (Starlette on uvicorn): each route parses its request, makes
one `jazzsolo.practice` call in the bounded worker pool and answers JSON or the file asked for.

The page and its scripts are served from the package (`importlib.resources`) by name from a
fixed list, never from a path built out of a request; every error a user can cause is a JSON
``{"error": "one line"}`` (400, 404, 413; 503 when busy, 504 past the time limit), and any
other failure is logged and answered 500 while the server goes on serving.
"""
from __future__ import annotations

import contextlib
import importlib.resources
import json
import math
import re
import time
from dataclasses import fields

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jazzsolo import practice
from jazzsolo.config import MODEL_NAMES
from jazzsolo.errors import ConfigError, JazzsoloError
from jazzsolo.generate.improvise import GenerateSettings
from jazzsolo.server.session import LOG, Busy, Sessions, TimedOut, WorkerPool

DEFAULT_HOST = "127.0.0.1"            # loopback: only this machine reaches the server
DEFAULT_PORT = 8000
PREVIEW_SAMPLE_RATE = 22050           # Hz: the page's player (the WAV download is 44.1 kHz)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024    # the largest chart a reader takes (a lead sheet's 5 MB)
MAX_JSON_BYTES = 256 * 1024           # a request's settings, chord text and notes heard
JOB_TIMEOUT_S = 60.0                  # a generation, render or answer past this is a 504
COOKIE = "jazzsolo_session"
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
DOWNLOAD_TYPES = {"mid": "audio/midi", "musicxml": "application/vnd.recordare.musicxml+xml",
                  "wav": "audio/wav", "mp3": "audio/mpeg", "stems": "application/zip"}
PREVIEWS = ("band", "solo")           # the player's two stems, mixed in the page at its level
HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
           "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                      "img-src 'self' data:; font-src 'self' data:; media-src 'self' blob:"}
# The settings a request may give, by type; the model is a shipped name, never a directory,
# and no output folder, primer file or model path reaches the library from a request.
_TEXT = ("model", "backing_chords", "progression", "tune", "time_signature", "solo_instrument",
         "player", "style", "instrument", "register", "key", "transpose_for")
_NUMBER = ("temperature", "rhythm_temperature", "qpm", "swing", "density", "phrase_length")
_WHOLE = ("seed", "choruses")
_SWITCH = ("drums", "bass", "comp", "count_off")
_PAGE = ("ireal_link", "upload", "solo_level", "bars_per_turn", "repeat", "tempo_step",
         "transpose_step")
_PAGE_WHOLE = ("solo_level", "bars_per_turn", "repeat", "transpose_step")


class RequestError(JazzsoloError):
    """A request the server cannot take (too large, not JSON, an unknown take): one line."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _static_files() -> dict[str, bytes]:
    """The page's files, read once from the package: name -> bytes."""
    folder = importlib.resources.files("jazzsolo.server").joinpath("static")
    return {item.name: item.read_bytes() for item in folder.iterdir()
            if item.is_file() and any(item.name.endswith(s) for s in STATIC_TYPES)}


def _message(error: JazzsoloError, session=None) -> str:
    """An error as the page shows it: one line, naming the setting at fault, an upload by
    its own name rather than the scratch folder's."""
    line = " ".join(str(error).split())
    if session is not None:
        line = re.sub(re.escape(str(session.folder)) + r"/uploads/[0-9a-f]+/", "", line)
    setting = getattr(error, "setting", None)
    return f"{line} ({setting})" if setting and not line.startswith(setting) else line


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) once it is over `limit` bytes, before it is all read."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(f"the upload is {int(declared)} bytes; the limit is {limit}", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(f"the upload is over the {limit}-byte limit", 413)
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: Request) -> dict:
    """The request's JSON object."""
    try:
        data = json.loads(await _body(request, MAX_JSON_BYTES) or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise RequestError("the request is not JSON") from None
    if not isinstance(data, dict):
        raise RequestError("the request must be a JSON object of settings")
    return data


def _typed(name: str, value):
    """A setting's value checked against its type; "" and null mean "not given"."""
    if value is None or value == "":
        return None
    if name in _TEXT and isinstance(value, str) and len(value) <= 20_000:
        return value
    if name in _NUMBER + ("tempo_step",) and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    if name in _WHOLE + _PAGE_WHOLE and isinstance(value, int) \
            and not isinstance(value, bool):
        return value
    if name in _SWITCH and isinstance(value, bool):
        return value
    if name in ("ireal_link", "upload") and isinstance(value, str) and len(value) <= 2_000_000:
        return value
    raise ConfigError(f"{name} has the wrong type ({type(value).__name__})", setting=name)


def settings_from(data: dict, session) -> tuple[GenerateSettings, dict]:
    """GenerateSettings from a request's JSON (and the page's own options: the solo level,
    bars per turn, the repeat of a looped range and its ramps); an unknown or mistyped
    setting is a one-line error."""
    unknown = sorted(set(data) - set(_TEXT + _NUMBER + _WHOLE + _SWITCH + _PAGE))
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(unknown)[:200]}")
    values = {name: _typed(name, value) for name, value in data.items()}
    if values.get("model") is not None and values["model"] not in MODEL_NAMES:
        raise ConfigError(f"unknown model {values['model']!r}; the practice room plays "
                          f"{', '.join(MODEL_NAMES)}", setting="model")
    link, upload = values.pop("ireal_link", None), values.pop("upload", None)
    page = {name: values.pop(name) for name in _PAGE[2:] if name in values}
    page = {name: value for name, value in page.items() if value is not None}
    given = {k: v for k, v in values.items() if v is not None}
    if link is not None:
        if not link.lstrip().lower().startswith(("irealb://", "irealbook://")):
            raise ConfigError("an iReal Pro link starts with irealb://", setting="ireal_link")
        given["chords_from"] = link.strip()
    elif upload is not None:
        if upload not in session.uploads:
            raise RequestError("that upload is not in this session (upload it again)", 404)
        given["chords_from"] = str(session.uploads[upload][0])
    known = {f.name for f in fields(GenerateSettings)}
    return GenerateSettings(musicxml=True, **{k: v for k, v in given.items() if k in known}), page


def _json_response(data, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=HEADERS)


def route(handler):
    """A route: the session from its cookie, errors as one-line JSON, the cookie set."""
    async def endpoint(request: Request):
        sessions = request.app.state.sessions
        session = sessions.get(request.cookies.get(COOKIE))
        started = time.perf_counter()
        try:
            response = await handler(request, session)
        except Busy:
            response = _json_response({"error": "the server is busy with other solos; try "
                                                "again in a moment", "busy": True}, 503)
        except TimedOut:
            response = _json_response({"error": "that took too long and was given up"}, 504)
        except RequestError as e:
            response = _json_response({"error": _message(e, session)}, e.status)
        except JazzsoloError as e:
            response = _json_response({"error": _message(e, session)}, 400)
        except Exception as e:  # any other failure: logged, answered, and the server goes on
            LOG.exception("%s %s failed", request.method, request.url.path)
            response = _json_response({"error": f"internal error ({type(e).__name__}); the "
                                                f"server goes on serving"}, 500)
        finally:
            sessions.release(session)
        LOG.info("%s %s %d in %.0f ms", request.method, request.url.path,
                 response.status_code, 1000 * (time.perf_counter() - started))
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict")
        return response
    return endpoint


# --------------------------------------------------------------------------- the routes

async def page(request: Request, session) -> Response:
    """The practice room's one page."""
    return Response(request.app.state.static["index.html"], media_type=STATIC_TYPES[".html"],
                    headers=HEADERS)


async def static(request: Request, session) -> Response:
    """A script or style sheet of the page, by its name in the package's list."""
    name = request.path_params["name"]
    data = request.app.state.static.get(name)
    if data is None:
        raise RequestError(f"no such file: {name[:80]!r}", 404)
    suffix = name[name.rfind("."):]
    return Response(data, media_type=STATIC_TYPES[suffix], headers=HEADERS)


async def health(request: Request, session) -> Response:
    """Whether the server answers (the tests poll it until it does)."""
    return _json_response({"ok": True})


async def options(request: Request, session) -> Response:
    """What the page offers: models, progressions, players, styles, instruments, trading."""
    return _json_response(await request.app.state.pool.run(practice.page_options))


async def chart(request: Request, session) -> Response:
    """The chart as a grid of bars, unreadable symbols marked with their reasons."""
    settings, _ = settings_from(await _json(request), session)
    return _json_response(await request.app.state.pool.run(practice.chart_grid, settings))


async def upload(request: Request, session) -> Response:
    """A chart file (raw body, its name in ?name=): kept in the session, its tunes listed."""
    name = request.query_params.get("name", "")[:200]
    data = await _body(request, MAX_UPLOAD_BYTES)
    upload_id, path = session.save_upload(data, name)
    tunes = await request.app.state.pool.run(practice.chart_tunes, path)
    return _json_response({"upload": upload_id, "name": name, "tunes": tunes})


def _take_json(take_id: str, take) -> dict:
    base = f"/api/take/{take_id}"
    kinds = [k for k in practice.DOWNLOAD_KINDS if k != "mp3" or practice.can_make_mp3()]
    if not take.musicxml:                              # the band alone, to trade over
        kinds = [k for k in kinds if k != "musicxml"]
    repeat = take.repeat or practice.Repeat()
    return {"take": take_id, "title": take.title, "file_stem": take.file_stem,
            "model": take.model_name, "seed": take.seed, "qpm": take.qpm, "grid": take.grid,
            "bar_starts_s": take.bar_starts_s, "n_notes": len(take.notes), "svg": take.svg,
            "solo_level": take.solo_level, "repeat": repeat.number,
            "transpose": repeat.semitones,
            "audio": {k: f"{base}/{k}" for k in PREVIEWS if k in take.preview},
            "downloads": {k: f"{base}/{k}" for k in kinds},
            "download_names": {k: practice.download_name(take, k) for k in kinds}}


async def improvise(request: Request, session) -> Response:
    """A solo over the chart with the band: grid, notation, audio and downloads."""
    settings, page_options = settings_from(await _json(request), session)
    repeat = practice.Repeat(page_options.get("repeat", 0),
                             page_options.get("tempo_step", 0.0),
                             page_options.get("transpose_step", 0))
    level = page_options.get("solo_level")
    started = time.perf_counter()
    take = await request.app.state.pool.run(
        practice.practice_take, settings,
        solo_level=practice.DEFAULT_SOLO_LEVEL if level is None else level,
        folder=session.folder, sample_rate=request.app.state.sample_rate, repeat=repeat)
    latency_ms = 1000 * (time.perf_counter() - started)
    LOG.info("improvised %d bars in %.0f ms", len(take.grid), latency_ms)
    return _json_response({**_take_json(session.keep_take(take), take),
                           "latency_ms": round(latency_ms)})


def _query_level(request: Request) -> int | None:
    """The solo level a download asks for (?solo_level=0-127), None when it asks none."""
    text = request.query_params.get("solo_level")
    if text is None:
        return None
    if not text.isdigit() or len(text) > 3:
        raise ConfigError(f"solo level must be a whole number from 0 to 127, got {text[:20]!r}",
                          setting="solo_level")
    return practice.check_solo_level(int(text))


async def take_file(request: Request, session) -> Response:
    """A take's band or solo for the page's player, or a download named after the tune (the
    solo at ?solo_level when given: the level the page's slider shows)."""
    take = session.takes.get(request.path_params["take"])
    kind = request.path_params["kind"]
    if take is None:
        raise RequestError("no such take in this session", 404)
    if kind in PREVIEWS and kind in take.preview:
        return Response(take.preview[kind], media_type="audio/wav", headers=HEADERS)
    if kind not in DOWNLOAD_TYPES or (not take.musicxml and kind == "musicxml"):
        raise RequestError(f"no such download: {kind[:20]!r}", 404)
    data = await request.app.state.pool.run(practice.take_download, take, kind,
                                            folder=session.folder,
                                            solo_level=_query_level(request))
    disposition = f'attachment; filename="{practice.download_name(take, kind)}"'
    return Response(data, media_type=DOWNLOAD_TYPES[kind],
                    headers={**HEADERS, "Content-Disposition": disposition})


async def trade_start(request: Request, session) -> Response:
    """The band alone over the chart and who plays which bars, to trade over."""
    settings, page_options = settings_from(await _json(request), session)
    turns = page_options.get("bars_per_turn") or 4
    take = await request.app.state.pool.run(practice.band_take, settings, folder=session.folder,
                                            sample_rate=request.app.state.sample_rate)
    take_id = session.keep_take(take)
    take.extras["settings"] = settings
    return _json_response({**_take_json(take_id, take),
                           "turns": practice.trade_turns(len(take.grid), turns)})


async def trade_answer(request: Request, session) -> Response:
    """The model's answer to the phrase the user played, over the next bars' chords."""
    data = await _json(request)
    take = session.takes.get(data.get("take")) if isinstance(data.get("take"), str) else None
    if take is None or "improvisation" not in take.extras:
        raise RequestError("no such trade in this session (start trading again)", 404)
    start_bar, n_bars = data.get("start_bar"), data.get("n_bars")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start_bar, n_bars)):
        raise ConfigError("start_bar and n_bars must be whole numbers")
    started = time.perf_counter()
    answer = await request.app.state.pool.run(
        practice.trade_answer, take, take.extras["settings"], heard=data.get("heard", []),
        start_bar=start_bar, n_bars=n_bars, seed=take.seed + start_bar)
    latency_ms = 1000 * (time.perf_counter() - started)
    LOG.info("answered bars %d-%d in %.1f ms", start_bar + 1, start_bar + n_bars, latency_ms)
    return _json_response({**answer, "latency_ms": round(latency_ms, 1)})


async def trade_notation(request: Request, session) -> Response:
    """The model's answer over the bars from start_bar, engraved (after it has played)."""
    data = await _json(request)
    take = session.takes.get(data.get("take")) if isinstance(data.get("take"), str) else None
    if take is None or "improvisation" not in take.extras:
        raise RequestError("no such trade in this session (start trading again)", 404)
    start_bar = data.get("start_bar")
    if not isinstance(start_bar, int) or isinstance(start_bar, bool):
        raise ConfigError("start_bar must be a whole number")
    svg = await request.app.state.pool.run(practice.answer_notation, take,
                                           take.extras["settings"], start_bar)
    return _json_response({"start_bar": start_bar, "svg": svg})


ROUTES = [Route("/", route(page)), Route("/static/{name}", route(static)),
          Route("/api/health", route(health)), Route("/api/options", route(options)),
          Route("/api/chart", route(chart), methods=["POST"]),
          Route("/api/upload", route(upload), methods=["POST"]),
          Route("/api/improvise", route(improvise), methods=["POST"]),
          Route("/api/take/{take}/{kind}", route(take_file)),
          Route("/api/trade/start", route(trade_start), methods=["POST"]),
          Route("/api/trade/answer", route(trade_answer), methods=["POST"]),
          Route("/api/trade/notation", route(trade_notation), methods=["POST"])]


def create_app(*, workers: int = 2, max_pending: int | None = None,
               timeout_s: float = JOB_TIMEOUT_S, scratch_root=None,
               sample_rate: int = PREVIEW_SAMPLE_RATE) -> Starlette:
    """The practice room as an ASGI app: `workers` threads run the slow calls, at most
    `max_pending` at once (default 2 x workers; more are answered 503), each given up after
    `timeout_s`; sessions live under `scratch_root` (default: a fresh temporary folder)."""
    @contextlib.asynccontextmanager
    async def lifespan(app):
        practice.practice_model()                 # load the default model once, up front
        yield
        app.state.pool.close()
        app.state.sessions.close()

    app = Starlette(routes=ROUTES, lifespan=lifespan)
    app.state.static = _static_files()
    app.state.sessions = Sessions(scratch_root)
    app.state.pool = WorkerPool(workers, max_pending=max_pending, timeout_s=timeout_s)
    app.state.sample_rate = sample_rate
    return app


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          open_browser: bool = False) -> str:
    """Serve the practice room until Ctrl-C; returns the line saying where it served."""
    import logging
    import socket
    import threading
    import webbrowser

    import uvicorn

    if not (isinstance(port, int) and 0 < port < 65536):
        raise ConfigError(f"port must be from 1 to 65535, got {port!r}", setting="port")
    with socket.socket() as probe:              # a port in use: one line, before uvicorn
        probe.bind((host, port))
    url = f"http://{host}:{port}/"
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    print(f"jazzsolo practice room on {url} (Ctrl-C stops)", flush=True)
    if open_browser:
        threading.Timer(1.5, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(), host=host, port=port, log_level="info")
    return f"Stopped serving {url}"


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "MAX_UPLOAD_BYTES", "ROUTES", "create_app",
           "serve", "settings_from"]
