"""The benchmark harness: a fresh process is measured with its own peak RSS; the table reads right.

Speed and memory are checked by `make bench` (bench/run.py: a table of the fast path beside
the course's, measured in the same run, with the fast path's targets), never here: these tests
check how the harness reads and reports its figures, not how fast anything is.
"""
import importlib.util
import sys
from pathlib import Path

BENCH_RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH_RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module                 # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_run_process_reads_the_child_result_and_its_peak_rss():
    bench = _bench_module()
    code = "import json; x = bytearray(64 * 2**20); print('BENCH ' + json.dumps({'ok': 1}))"
    run = bench.run_process([sys.executable, "-c", code])
    assert run.result == {"ok": 1}
    assert run.peak_rss_mb > 64                       # this child's own memory, not ours


def test_markdown_table_has_one_row_per_figure_with_the_ratio_and_the_target():
    bench = _bench_module()
    rows = [bench.Row("train", "s", 2.0, 40.0, 3, 3, 600.0, 1200.0, "loss 6.1 vs 6.2"),
            bench.Row("sample", "s", 0.002, 0.06, 3, 3),
            bench.Row("generate", "s", 1.5, 30.0, 3, 3, 450.0, 700.0, target=2.0,
                      target_rss_mb=400.0)]
    table = bench.markdown(rows).splitlines()
    assert len(table) == 5
    assert table[2] == ("| train (loss 6.1 vs 6.2) | 2.00 s | 40.00 s | 0.050× | 3/3 | "
                        "600 / 1200 MB |  |")
    assert table[3] == "| sample | 2.00 ms | 60.00 ms | 0.033× | 3/3 |  |  |"
    assert table[4] == ("| generate | 1.50 s | 30.00 s | 0.050× | 3/3 | 450 / 700 MB | "
                        "≤ 2.00 s, ≤ 400 MB: MISSED |")


def test_a_target_is_met_only_when_time_and_memory_both_are():
    bench = _bench_module()

    def row(fast, rss, **targets):
        return bench.Row("x", "s", fast, 10.0, 1, 1, rss, 500.0, **targets)

    assert row(1.0, 100.0).target_met is None                           # no target
    assert row(1.0, 100.0, target=2.0).target_met is True
    assert row(3.0, 100.0, target=2.0).target_met is False
    assert row(1.0, 100.0, target=2.0, target_rss_mb=400.0).target_met is True
    assert row(1.0, 500.0, target=2.0, target_rss_mb=400.0).target_met is False
    assert row(1.0, 100.0, target_rss_mb=400.0).target_text() == "≤ 400 MB: met"
