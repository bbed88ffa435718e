"""Measure how long the Weimar Jazz Database players hold a note before the next one starts.

Run from the repository root (the data is never copied into the repository):
    .venv/bin/python scripts/measure_articulation.py [../shared/data/wjazzd]

For every note followed by another note of the same solo, the sounding fraction is its
duration over the time to the next onset (both in seconds, capped at 1), and the gap to the next
onset in beats is that time over the note's `beatdur`.  Notes are grouped by that gap; each group
reports the number of notes, and the mean, median and quartiles of the fraction.  The means of
the groups "at most half a beat" and "one to two beats" are `LEGATO` and `CONNECTED` in
`jazzsolo.generate.performance` (a note in a run, and a longer note followed at once).

Data: Weimar Jazz Database (Jazzomat Research Project, HfM Weimar), ODbL 1.0.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "wjazzd"
GROUPS = (("at most half a beat", 0.0, 0.55), ("half to one beat", 0.55, 0.9),
          ("one to two beats", 0.9, 2.1), ("more than two beats", 2.1, 1e9))


def fractions(melody: Path) -> list[tuple[float, float]]:
    """(gap to the next onset in beats, sounding fraction of that gap) for one solo's notes."""
    with open(melody, newline="") as f:
        rows = [(float(r["onset"]), float(r["duration"]), float(r["beatdur"]))
                for r in csv.DictReader(f)]
    rows.sort()
    out = []
    for (onset, duration, beatdur), (following, _, _) in zip(rows, rows[1:]):
        gap = following - onset
        if gap > 0 and beatdur > 0:
            out.append((gap / beatdur, min(duration, gap) / gap))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS),
                        help="The WJazzD folder (melody/ CSVs).")
    args = parser.parse_args(argv)
    samples = [s for path in sorted((Path(args.corpus) / "melody").glob("*.csv"))
               for s in fractions(path)]
    print(f"{len(samples)} notes followed by another")
    print(f"{'gap to the next onset':24s} {'notes':>7s} {'mean':>6s} {'p25':>6s} {'p50':>6s} {'p75':>6s}")
    gaps = np.array([g for g, _ in samples])
    values = np.array([v for _, v in samples])
    for name, low, high in GROUPS:
        chosen = values[(gaps > low) & (gaps <= high)]
        p25, p50, p75 = np.percentile(chosen, (25, 50, 75))
        print(f"{name:24s} {len(chosen):7d} {chosen.mean():6.2f} {p25:6.2f} {p50:6.2f} {p75:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
