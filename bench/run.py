"""`make bench`: the fast paths beside the course's paths, measured in the same run → one table.

Every figure is the median of several runs (the run count is in the table); a "cold" figure is
a fresh Python process timed from outside (wall clock, peak RSS from the kernel); a "warm"
figure is timed inside a process that has already done the work once.  Speed and memory
targets are checked here, on the fast path's medians (the table says met or missed), and
never by timed unit tests.  The course's music21
importer keeps a pickle cache: its cold runs get an empty temporary directory each, so they
parse from scratch.  Results go to bench/results/latest.json and are printed as Markdown.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = [sys.executable, str(ROOT / "bench" / "child.py")]
JAZZSOLO = [sys.executable, "-m", "jazzsolo.cli"]
RESULTS = ROOT / "bench" / "results"


WJAZZD = ROOT.parent / "shared" / "data" / "wjazzd"
# A fresh process that reads the corpus with jazzsolo ("corpus") or only parses its CSV files
# with the csv module ("csv"), the floor any reader pays.
READ_CORPUS = """
import csv, sys
from pathlib import Path
if sys.argv[2] == "corpus":
    from jazzsolo.ingest.corpus import read_corpus
    read_corpus(sys.argv[1])
else:
    for path in sorted(Path(sys.argv[1]).glob("*/*.csv")):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
"""

GENERATE_32_BARS = """
from jazzsolo.models.note_lstm import load_note_model
from jazzsolo.generate.note_solo import generate_note_solo
from jazzsolo.music.progression import PROGRESSIONS, parse_progression, repeat_choruses
chords = repeat_choruses(parse_progression(PROGRESSIONS["blues"]), 3)[:32]
generate_note_solo(load_note_model(), chords, seed=0)
"""


@dataclass
class Run:
    """One fresh process: wall seconds, peak RSS (MB) and what it printed as its result."""

    wall_s: float
    peak_rss_mb: float
    result: dict


def run_process(command: list[str], *, env_extra: dict | None = None) -> Run:
    """Run a command in a fresh process; time it and read its peak RSS with wait4."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT / "bench"))
    env.update(env_extra or {})
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)          # this child's own peak RSS
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    result = {}
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[len("BENCH "):])
    return Run(wall, usage.ru_maxrss / 1024, result)


def runs(command: list[str], n: int, *, fresh_tmp: bool = False) -> list[Run]:
    """`n` fresh processes of one command (each with its own empty TMPDIR if asked)."""
    done = []
    for _ in range(n):
        if fresh_tmp:
            with tempfile.TemporaryDirectory(prefix="jazzsolo-bench-") as tmp:
                done.append(run_process(command, env_extra={"TMPDIR": tmp}))
        else:
            done.append(run_process(command))
    return done


def median(values) -> float:
    return float(statistics.median(values))


@dataclass
class Row:
    """One figure: the fast path beside the course path, and their ratio (fast ÷ course)."""

    figure: str
    unit: str
    fast: float
    course: float
    runs_fast: int
    runs_course: int
    fast_rss_mb: float | None = None
    course_rss_mb: float | None = None
    note: str = ""
    target: float | None = None               # the most the fast path may take, in `unit`
    target_rss_mb: float | None = None        # the most peak RSS the fast path may use
    target_min: float | None = None           # the least the fast path must reach, in `unit`

    @property
    def ratio(self) -> float:
        return self.fast / self.course

    @property
    def target_met(self) -> bool | None:
        """Whether the fast path meets its targets (None: it has none)."""
        if self.target is None and self.target_rss_mb is None and self.target_min is None:
            return None
        return (self.target is None or self.fast <= self.target) and \
            (self.target_min is None or self.fast >= self.target_min) and \
            (self.target_rss_mb is None or self.fast_rss_mb <= self.target_rss_mb)

    def target_text(self) -> str:
        targets = ([f"≥ {_fmt(self.target_min, self.unit)}"] if self.target_min is not None
                   else []) + \
            ([f"≤ {_fmt(self.target, self.unit)}"] if self.target is not None else []) + \
            ([f"≤ {self.target_rss_mb:.0f} MB"] if self.target_rss_mb is not None else [])
        if not targets:
            return ""
        return f"{', '.join(targets)}: {'met' if self.target_met else 'MISSED'}"


class Bench:
    """Collects rows, printing each as it is measured."""

    def __init__(self):
        self.rows: list[Row] = []

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.figure}: fast {_fmt(row.fast, row.unit)}, course "
              f"{_fmt(row.course, row.unit)}, ratio {row.ratio:.3f}", flush=True)

    def add_runs(self, figure: str, fast: list[Run], course: list[Run], *, key=None,
                 note: str = "", target_s: float | None = None,
                 target_rss_mb: float | None = None) -> None:
        """A row from fresh-process runs: wall time (or a result field) and peak RSS, with
        the fast path's targets if it has any."""
        pick = (lambda r: r.wall_s) if key is None else (lambda r: r.result[key])
        self.add(Row(figure, "s", median(pick(r) for r in fast), median(pick(r) for r in course),
                     len(fast), len(course), median(r.peak_rss_mb for r in fast),
                     median(r.peak_rss_mb for r in course), note, target_s, target_rss_mb))


def _fmt(value: float, unit: str) -> str:
    if unit == "s" and value < 0.1:
        return f"{value * 1000:.2f} ms"
    return f"{value:.2f} {unit}"


def markdown(rows: list[Row]) -> str:
    lines = ["| figure | fast path | course path | ratio | runs (fast/course) | "
             "peak RSS fast / course | fast path target |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        rss = "" if r.fast_rss_mb is None else f"{r.fast_rss_mb:.0f} / {r.course_rss_mb:.0f} MB"
        figure = r.figure + (f" ({r.note})" if r.note else "")
        lines.append(f"| {figure} | {_fmt(r.fast, r.unit)} | {_fmt(r.course, r.unit)} | "
                     f"{r.ratio:.3f}× | {r.runs_fast}/{r.runs_course} | {rss} | "
                     f"{r.target_text()} |")
    return "\n".join(lines)


def bench(midi: str, work: Path, *, n: int, n_slow: int, quick: bool,
          growth_epochs: int) -> Bench:
    """Measure every row; `work` holds the model and MIDI files made on the way."""
    b = Bench()
    model_dir = work / "model"
    epochs = 5 if quick else 100

    print("preprocessing the tune", flush=True)
    fast = runs(CHILD + ["preprocess", "--midi", midi, "--reader", "fast"], n)
    course = runs(CHILD + ["preprocess", "--midi", midi, "--reader", "music21"], n, fresh_tmp=True)
    b.add_runs("preprocess the tune, cold process", fast, course)
    fast = runs(CHILD + ["preprocess", "--midi", midi, "--reader", "fast", "--repeats", "4"], 1)
    course = runs(CHILD + ["preprocess", "--midi", midi, "--reader", "music21", "--repeats", "4"], 1)
    b.add_runs("preprocess the tune, warm (median of calls 2-4 in one process)", fast, course,
               key="warm_s")

    print(f"training {epochs} epochs", flush=True)
    train = CHILD + ["train", "--midi", midi, "--epochs", str(epochs)]
    fast = runs(train + ["--path", "fast", "--save", str(model_dir)], 1) + \
        runs(train + ["--path", "fast"], n - 1)
    course = runs(train + ["--path", "course"], n)
    b.add_runs(f"{epochs} epochs at course settings, in process", fast, course, key="train_s",
               note=f"final loss {median(r.result['final_loss'] for r in fast):.2f} vs "
                    f"{median(r.result['final_loss'] for r in course):.2f}")
    b.add_runs(f"`train` of {epochs} epochs, whole cold process", fast, course)

    print("sampling 50 values", flush=True)
    sample = CHILD + ["sample", "--model", str(model_dir), "--repeats", "20"]
    fast = runs(sample + ["--path", "fast", "--repeats", "200"], 1)
    course = runs(sample + ["--path", "course"], 1)
    b.add_runs("sample 50 values, warm (median of 200 / 20 calls)", fast, course, key="warm_s")
    b.add_runs("sample 50 values, first call (course: build model + first predict)", fast,
               course, key="first_s")

    print("generating a solo over the tune's 18 measures", flush=True)
    out = work / "out"
    fast = runs(JAZZSOLO + ["generate", "--model", str(model_dir), "--seed", "1",
                            "--output_dir", str(out), "--overwrite"], n)
    course = runs(CHILD + ["generate", "--path", "course", "--model", str(model_dir),
                           "--measures", "18", "--output_dir", str(out)], n)
    b.add_runs("`jazzsolo generate`, 18 measures, cold process end to end", fast, course,
               note="course: Keras inference model + music21 realisation, bench/course_reference.py")

    print("the corpus model: 32 bars, and reading the Weimar Jazz Database", flush=True)
    bars_32 = ["--progression", "ii-v-i", "--choruses", "2", "--seed", "1", "--output_dir",
               str(out), "--overwrite"]
    fast = runs(JAZZSOLO + ["generate", "--model", "wjazzd"] + bars_32, n)
    course = runs(JAZZSOLO + ["generate", "--model", "course"] + bars_32, n)
    b.add_runs("`jazzsolo generate`, 32 bars, cold: wjazzd (fast column) vs course model", fast,
               course, target_s=2.0, target_rss_mb=400.0)
    fast = runs([sys.executable, "-c", GENERATE_32_BARS], n)
    course = runs(CHILD + ["generate", "--path", "fast", "--model", str(model_dir), "--measures",
                           "32", "--output_dir", str(out)], n)
    b.add_runs("wjazzd: load and improvise 32 bars of blues, cold (course column: the course "
               "model's 32 measures)", fast, course, target_s=1.0, target_rss_mb=150.0)
    if WJAZZD.is_dir():
        phrasing_rows(b, work)
        voices_rows(b)
        read = [sys.executable, "-c", READ_CORPUS, str(WJAZZD)]
        fast = runs(read + ["corpus"], n)
        course = runs(read + ["csv"], n)
        b.add_runs("read the 410 WJazzD solos, cold: read_corpus vs the csv module alone",
                   fast, course, target_s=5.0)
    serve_rows(b)

    print(f"growth: training {growth_epochs} epochs on k× the corpus", flush=True)
    grow = CHILD + ["train", "--midi", midi, "--epochs", str(growth_epochs)]
    for scale in (1, 4, 16) if not quick else (1, 4):
        fast = runs(grow + ["--path", "fast", "--scale", str(scale)], n)
        course = runs(grow + ["--path", "course", "--scale", str(scale)], n_slow)
        b.add_runs(f"growth: {growth_epochs} epochs on {scale}× the corpus "
                   f"({fast[0].result['windows']} windows), in process", fast, course,
                   key="train_s")

    print("growth: generating k measures", flush=True)
    for measures in (8, 32, 128) if not quick else (8, 32):
        generate = CHILD + ["generate", "--model", str(model_dir), "--measures", str(measures),
                            "--output_dir", str(out)]
        fast = runs(generate + ["--path", "fast"], n)
        course = runs(generate + ["--path", "course"], n_slow)
        b.add_runs(f"growth: generate {measures} measures, cold process", fast, course)
    return b


def validation_folder(work: Path) -> Path:
    """The shipped model's 40 validation solos as a WJazzD folder of links (never trained on)."""
    split = json.loads((ROOT / "jazzsolo" / "pretrained" / "wjazzd" / "split.json").read_text())
    folder = work / "validation"
    for sub in ("melody", "beats", "annotations"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for name in split["validation"]:
            source = WJAZZD / sub / f"{name}.csv"
            if source.exists():
                (folder / sub / source.name).symlink_to(source)
    (folder / "solo_info.csv").symlink_to(WJAZZD / "solo_info.csv")
    return folder


def phrasing_rows(b: Bench, work: Path) -> None:
    """Issue 20's targets on the validation solos: the judges' accuracy on wjazzd against their
    accuracy between two halves of the players, and the jazz figures outside the players'."""
    print("judging wjazzd against the validation solos (evaluate --against)", flush=True)
    done = subprocess.run(JAZZSOLO + ["evaluate", "--against", str(validation_folder(work)),
                                      "--model", "wjazzd", "--json"], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    report = json.loads(done.stdout)
    judged = {row["name"]: row["judges"] for row in report["judges"]["rows"]}
    model, control = judged["wjazzd"], judged["real vs real"]
    best = max(model, key=lambda name: model[name]["accuracy"])
    b.add(Row(f"judges: best ({best}) on wjazzd vs the players (course column: real vs real)",
              "acc", model[best]["accuracy"], control[best]["accuracy"], 1, 1, target=0.65))
    b.add(Row("judges: the sequence discriminator (course column: real vs real)", "acc",
              model["sequence"]["accuracy"], control["sequence"]["accuracy"], 1, 1,
              target=0.70))
    row = next(r for r in report["rows"] if r["model"] == "wjazzd")
    b.add(Row("jazz figures outside the players' 25th-75th percentile (course column: all)",
              "figures", len(row["jazz_outside"]), len(row["jazz_figures"]), 1, 1, target=0))


def voices_rows(b: Bench) -> None:
    """Issue 22's targets: how often the style judge recognises solos generated as each of the
    six players with the most solos against their real held-out solos (≥ 80 % as often), two
    pairs told apart (≥ 0.8), and the density asked for against measured (within 15 %)."""
    print("judging wjazzd's voices against the WJazzD solos (evaluate --voices)", flush=True)
    done = subprocess.run(JAZZSOLO + ["evaluate", "--voices", str(WJAZZD), "--json"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    report = json.loads(done.stdout)
    for player, row in report["players"].items():
        b.add(Row(f"style judge: generated as {player} recognised (course column: his real "
                  f"solos, held out)", "share", row["generated"], row["real"], 1, 1,
                  target_min=0.8 * row["real"]))
    for pair in report["pairs"]:
        b.add(Row(f"style judge: {pair['pair']}, generated, told apart (course column: real)",
                  "acc", pair["generated"], pair["real"], 1, 1, target_min=0.8))
    for control in report["controls"]:
        if control["control"] == "density":
            asked = control["asked"]
            b.add(Row(f"--density {asked:g}: notes per beat played (course column: asked)",
                      "npb", control["measured"], asked, 1, 1, target=1.15 * asked,
                      target_min=0.85 * asked))


def serve_rows(b: Bench) -> None:
    """Issue 23's targets on the practice room (`bench/serve_load.py` on loopback): one 32-bar
    improvise with the band's audio, warm, ready within 2 s; 50 concurrent ones answered or
    told busy, with no error; a trade-fours answer to a 4-bar phrase at 240 bpm ready within
    150 ms (p50 of 30 in turn)."""
    print("the practice room under load (bench/serve_load.py)", flush=True)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "serve_load.py"), "--json"],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    load = json.loads(done.stdout.strip().splitlines()[-1])
    b.add(Row("practice room: one 32-bar improvise with band audio, warm (course column: p50 "
              "of 50 at once, answered ones)", "s", load["single_s"],
              load["p50_s"] or load["single_s"], 1, load["answered"], target=2.0))
    b.add(Row(f"practice room: errors among 50 concurrent improvise requests ({load['busy']} "
              f"told busy, p95 {load['p95_s'] or 0:.1f} s; course column: requests)", "errors",
              load["errors"], load["requests"], 1, 1, target=0))
    b.add(Row("practice room: trade-fours answer ready after a 4-bar phrase at 240 bpm, p50 "
              "(course column: p95)", "ms", load["trade_p50_ms"], load["trade_p95_ms"],
              load["trades"], load["trades"], target=150.0))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi", default=None, help="The training tune (default: found as "
                                                     "`jazzsolo train` finds it).")
    parser.add_argument("--runs", type=int, default=3, help="Runs per figure (default 3).")
    parser.add_argument("--slow_runs", type=int, default=1,
                        help="Runs of the course path in the growth rows (default 1: they "
                             "take minutes).")
    parser.add_argument("--growth_epochs", type=int, default=20,
                        help="Epochs in the training growth rows (default 20: the course path "
                             "on 16x the corpus takes minutes per 100 epochs).")
    parser.add_argument("--quick", action="store_true",
                        help="A smoke test: 5 epochs, smaller growth, 2 runs.")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from jazzsolo.ingest.preprocess import find_training_midi

    os.chdir(ROOT)
    midi = str(find_training_midi(args.midi).resolve())
    n = 2 if args.quick else max(args.runs, 3)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jazzsolo-bench-") as work:
        result = bench(midi, Path(work), n=n, n_slow=args.slow_runs, quick=args.quick,
                       growth_epochs=2 if args.quick else args.growth_epochs)
    total = time.perf_counter() - started
    table = markdown(result.rows)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n{table}\n\n{machine}; `make bench` took {total / 60:.1f} min.")
    missed = [r.figure for r in result.rows if r.target_met is False]
    print("Targets missed: " + "; ".join(missed) if missed else "Every target met.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "quick" if args.quick else "latest"           # a smoke test never replaces latest
    (RESULTS / f"{name}.json").write_text(json.dumps({
        "machine": machine, "total_s": total, "quick": args.quick,
        "rows": [dict(asdict(r), ratio=r.ratio, target_met=r.target_met)
                 for r in result.rows]}, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(table + "\n")
    print(f"Wrote {RESULTS / name}.json and {name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
