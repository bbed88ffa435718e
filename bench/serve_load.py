"""Load on the practice room: N concurrent "Improvise" requests against a server on loopback,
then p50/p95 latency of the answered ones, errors and "busy" (503) answers.

    .venv/bin/python bench/serve_load.py                 # starts its own server, 50 requests
    .venv/bin/python bench/serve_load.py --url http://127.0.0.1:8000 --requests 50

Not part of `make test`: its numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

SETTINGS = {"progression": "rhythm-changes", "choruses": 4}     # 32 bars with the band
HEALTH_TRIES = 600


@contextlib.contextmanager
def own_server(workers: int):
    """A practice room in this process on a free loopback port."""
    import uvicorn

    from jazzsolo.server.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(workers=workers), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(HEALTH_TRIES):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/health").status_code == 200:
                break
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def one_request(url: str, seed: int) -> tuple[int, float]:
    """(status, seconds) of one improvise request from a fresh session."""
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=300) as client:
        try:
            status = client.post("/api/improvise", json={**SETTINGS, "seed": seed}).status_code
        except httpx.HTTPError:
            status = 0
    return status, time.perf_counter() - started


def report(results: list[tuple[int, float]], wall_s: float) -> str:
    ok = sorted(s for status, s in results if status == 200)
    busy = sum(status == 503 for status, _ in results)
    errors = len(results) - len(ok) - busy
    if not ok:
        return f"{len(results)} requests: none answered ({busy} busy, {errors} errors)"
    p95 = ok[min(len(ok) - 1, round(0.95 * (len(ok) - 1)))]
    return (f"{len(results)} concurrent improvise requests (32 bars with band audio) in "
            f"{wall_s:.1f} s: {len(ok)} answered, p50 {statistics.median(ok):.2f} s, "
            f"p95 {p95:.2f} s; {busy} busy (503), {errors} errors")


def figures(results: list[tuple[int, float]], wall_s: float, single_s: float) -> dict:
    """The load's figures for `make bench` (bench/run.py reads them)."""
    ok = sorted(s for status, s in results if status == 200)
    busy = sum(status == 503 for status, _ in results)
    return {"requests": len(results), "answered": len(ok), "busy": busy,
            "errors": len(results) - len(ok) - busy, "wall_s": wall_s, "single_s": single_s,
            "p50_s": statistics.median(ok) if ok else None,
            "p95_s": ok[min(len(ok) - 1, round(0.95 * (len(ok) - 1)))] if ok else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A running server (default: start one here).")
    parser.add_argument("--requests", type=int, default=50, help="Concurrent requests (50).")
    parser.add_argument("--workers", type=int, default=2, help="Workers of the own server (2).")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    with (contextlib.nullcontext(args.url) if args.url else own_server(args.workers)) as url:
        one_request(url, 0)                                  # warm: imports, first render
        _, single_s = one_request(url, 0)                    # one request alone, warm
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.requests) as pool:
            results = list(pool.map(lambda seed: one_request(url, seed),
                                    range(1, args.requests + 1)))
        wall_s = time.perf_counter() - started
        print(json.dumps(figures(results, wall_s, single_s)) if args.json
              else report(results, wall_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
