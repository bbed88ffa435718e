"""Measure the swing ratio of the Weimar Jazz Database solos as a function of tempo.

Run from the repository root (the data is never copied into the repository):
    .venv/bin/python scripts/measure_swing.py [../shared/data/wjazzd] [--bin_width 40]

For every note on the 2nd tatum of a beat divided in 2 (an off-beat eighth), the swing ratio is
(onset - beat onset) / (beat end - onset): the length of the first eighth over the second.  The
beat onset comes from the solo's beats CSV (same bar and beat), its end is the beat onset plus
the note's `beatdur`.  Notes are binned by the beat's local tempo, 60 / beatdur (beats per
minute); each bin reports the number of notes, of solos, and the median and quartiles of the
ratio.  The medians are the table in `jazzsolo.generate.performance.SWING_TABLE`.

A second table shows, for beats divided in 4 (sixteenths), the median position of each tatum
as a fraction of the beat, by tempo: whether sixteenths swing too (they hardly do).

Data: Weimar Jazz Database (Jazzomat Research Project, HfM Weimar), ODbL 1.0.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "wjazzd"
MIN_RATIO, MAX_RATIO = 0.5, 6.0        # outside this an annotation or onset is off, not swing
MIN_NOTES_PER_BIN = 50


def beat_onsets(path: Path) -> dict[tuple[int, int], float]:
    """(bar, beat) → beat onset in seconds, from a solo's beats CSV."""
    with open(path, newline="") as f:
        return {(int(row["bar"]), int(row["beat"])): float(row["onset"]) for row in csv.DictReader(f)}


def swing_samples(melody: Path, beats: Path) -> list[tuple[float, float]]:
    """(tempo in beats per minute, swing ratio) for every off-beat eighth of one solo."""
    onsets = beat_onsets(beats)
    samples = []
    with open(melody, newline="") as f:
        for row in csv.DictReader(f):
            if row["division"] != "2" or row["tatum"] != "2":
                continue
            beat_start = onsets.get((int(row["bar"]), int(row["beat"])))
            beatdur, onset = float(row["beatdur"]), float(row["onset"])
            if beat_start is None or beatdur <= 0:
                continue
            first, second = onset - beat_start, beat_start + beatdur - onset
            if first <= 0 or second <= 0 or not MIN_RATIO <= first / second <= MAX_RATIO:
                continue
            samples.append((60.0 / beatdur, first / second))
    return samples


def sixteenth_positions(corpus: Path, bin_width: float) -> list[dict]:
    """Per tempo bin, the median position (fraction of the beat) of tatums 2-4 of 4."""
    by_bin: dict[tuple[int, int], list[float]] = defaultdict(list)
    for melody in sorted((corpus / "melody").glob("*.csv")):
        beats = corpus / "beats" / melody.name
        if not beats.is_file():
            continue
        onsets = beat_onsets(beats)
        with open(melody, newline="") as f:
            for row in csv.DictReader(f):
                if row["division"] != "4" or row["tatum"] not in ("2", "3", "4"):
                    continue
                beat_start = onsets.get((int(row["bar"]), int(row["beat"])))
                beatdur = float(row["beatdur"])
                if beat_start is None or beatdur <= 0:
                    continue
                position = (float(row["onset"]) - beat_start) / beatdur
                if 0 < position < 1:
                    by_bin[(int(60.0 / beatdur // bin_width), int(row["tatum"]))].append(position)
    rows = []
    for b in sorted({b for b, _ in by_bin}):
        counts = [len(by_bin[(b, t)]) for t in (2, 3, 4)]
        if min(counts) >= MIN_NOTES_PER_BIN:
            rows.append({"low": b * bin_width, "high": (b + 1) * bin_width, "notes": sum(counts),
                         "positions": [float(np.median(by_bin[(b, t)])) for t in (2, 3, 4)]})
    return rows


def measure(corpus: Path, bin_width: float) -> list[dict]:
    """One row per tempo bin: its range, notes, solos, median and quartiles of the ratio."""
    by_bin: dict[int, list[float]] = defaultdict(list)
    solos_in_bin: dict[int, set[str]] = defaultdict(set)
    for melody in sorted((corpus / "melody").glob("*.csv")):
        beats = corpus / "beats" / melody.name
        if not beats.is_file():
            continue
        for bpm, ratio in swing_samples(melody, beats):
            b = int(bpm // bin_width)
            by_bin[b].append(ratio)
            solos_in_bin[b].add(melody.stem)
    rows = []
    for b in sorted(by_bin):
        ratios = np.array(by_bin[b])
        if len(ratios) < MIN_NOTES_PER_BIN:
            continue
        q1, median, q3 = np.percentile(ratios, [25, 50, 75])
        rows.append({"low": b * bin_width, "high": (b + 1) * bin_width, "centre": (b + 0.5) * bin_width,
                     "notes": len(ratios), "solos": len(solos_in_bin[b]),
                     "median": float(median), "q1": float(q1), "q3": float(q3)})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS),
                        help="The WJazzD folder with melody/ and beats/ CSVs.")
    parser.add_argument("--bin_width", type=float, default=40.0,
                        help="Width of a tempo bin in beats per minute.")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not (corpus / "melody").is_dir():
        print(f"{corpus}: no melody/ folder of WJazzD CSVs here", file=sys.stderr)
        return 2
    rows = measure(corpus, args.bin_width)
    print("| tempo (bpm) | centre | notes | solos | median ratio | quartiles |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['low']:.0f}-{r['high']:.0f} | {r['centre']:.0f} | {r['notes']} | {r['solos']} "
              f"| {r['median']:.2f} | {r['q1']:.2f}-{r['q3']:.2f} |")
    print("SWING_TABLE = (" + ", ".join(f"({r['centre']:.0f}, {r['median']:.2f})" for r in rows) + ")")
    print()
    print("| tempo (bpm) | sixteenths | 2nd | 3rd | 4th (straight: 0.25 0.50 0.75) |")
    print("|---|---|---|---|---|")
    for r in sixteenth_positions(corpus, args.bin_width):
        second, third, fourth = r["positions"]
        print(f"| {r['low']:.0f}-{r['high']:.0f} | {r['notes']} | {second:.3f} | {third:.3f} "
              f"| {fourth:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
