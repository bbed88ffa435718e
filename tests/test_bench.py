"""The benchmark harness: a fresh process is timed with its own peak RSS; the table reads right."""
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
    assert run.wall_s > 0


def test_markdown_table_has_one_row_per_figure_with_the_ratio():
    bench = _bench_module()
    rows = [bench.Row("train", "s", 2.0, 40.0, 3, 3, 600.0, 1200.0, "loss 6.1 vs 6.2"),
            bench.Row("sample", "s", 0.002, 0.06, 3, 3)]
    table = bench.markdown(rows).splitlines()
    assert len(table) == 4
    assert "| train (loss 6.1 vs 6.2) | 2.00 s | 40.00 s | 0.050× | 3/3 | 600 / 1200 MB |" in table
    assert "2.00 ms" in table[3] and "60.00 ms" in table[3] and "0.033×" in table[3]
