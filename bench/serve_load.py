"""Load on the practice room: N concurrent "Improvise" requests against a server on loopback,
then p50/p95 latency of the answered ones, errors and "busy" (503) answers; then, one at a
time, the time from posting a 4-bar phrase at 240 bpm to the model's trade answer (p50/p95).

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
TRADE = {"progression": "blues", "qpm": 240.0, "seed": 7, "bars_per_turn": 4}
# The user's four bars: eighth notes up and down a blues scale in F, 32 notes over bars 1-4.
PHRASE = [[0.5 * i, 0.5, [65, 68, 70, 71, 72, 75, 77, 75][i % 8]] for i in range(32)]
MAX_TRADES = 200                         # answers one run may ask for (loopback only)


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


def trade_latencies(url: str, count: int) -> list[float]:
    """Seconds from posting the 4-bar `PHRASE` at 240 bpm to the answer over bars 5-8 being
    back, `count` times in turn (each a fresh seed: the answer differs, the work does not)."""
    if not 1 <= count <= MAX_TRADES:
        raise SystemExit(f"--trades must be from 1 to {MAX_TRADES}")
    seconds = []
    with httpx.Client(base_url=url, timeout=60) as client:
        band = client.post("/api/trade/start", json=TRADE)
        band.raise_for_status()
        take = band.json()["take"]
        for _ in range(count + 1):                           # the first one warms up
            started = time.perf_counter()
            answer = client.post("/api/trade/answer", json={"take": take, "heard": PHRASE,
                                                            "start_bar": 4, "n_bars": 4})
            answer.raise_for_status()
            seconds.append(time.perf_counter() - started)
    return seconds[1:]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share 0.5: the median's rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


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


def figures(results: list[tuple[int, float]], wall_s: float, single_s: float,
            trades_s: list[float]) -> dict:
    """The load's figures for `make bench` (bench/run.py reads them)."""
    ok = sorted(s for status, s in results if status == 200)
    busy = sum(status == 503 for status, _ in results)
    return {"requests": len(results), "answered": len(ok), "busy": busy,
            "errors": len(results) - len(ok) - busy, "wall_s": wall_s, "single_s": single_s,
            "p50_s": statistics.median(ok) if ok else None,
            "p95_s": percentile(ok, 0.95) if ok else None, "trades": len(trades_s),
            "trade_p50_ms": 1000 * statistics.median(trades_s),
            "trade_p95_ms": 1000 * percentile(trades_s, 0.95)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A running server (default: start one here).")
    parser.add_argument("--requests", type=int, default=50, help="Concurrent requests (50).")
    parser.add_argument("--workers", type=int, default=2, help="Workers of the own server (2).")
    parser.add_argument("--trades", type=int, default=30,
                        help=f"Trade answers timed one after another (30, at most {MAX_TRADES}).")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    if args.url and httpx.URL(args.url).host not in ("127.0.0.1", "localhost"):
        parser.error("--url must be a server on this machine (127.0.0.1): the load is only "
                     "ever fired at loopback")
    with (contextlib.nullcontext(args.url) if args.url else own_server(args.workers)) as url:
        one_request(url, 0)                                  # warm: imports, first render
        _, single_s = one_request(url, 0)                    # one request alone, warm
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.requests) as pool:
            results = list(pool.map(lambda seed: one_request(url, seed),
                                    range(1, args.requests + 1)))
        wall_s = time.perf_counter() - started
        trades_s = trade_latencies(url, args.trades)
        print(json.dumps(figures(results, wall_s, single_s, trades_s)) if args.json
              else report(results, wall_s) + f"\n{len(trades_s)} trade answers to a 4-bar phrase "
              f"at 240 bpm: p50 {1000 * statistics.median(trades_s):.0f} ms, p95 "
              f"{1000 * percentile(trades_s, 0.95):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
