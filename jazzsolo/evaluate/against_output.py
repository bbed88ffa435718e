"""An `evaluate --against` report → its text tables and its plots (PNG).

The report itself (`jazzsolo.evaluate.against`) is plain data; this module only shows it: the
figure table, the jazz figures beside the players' percentiles, the copy check, the judges'
table, the histograms, a piano roll of the first solo and one box plot per jazz figure.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np

from jazzsolo.errors import OutputExistsError

JAZZ_QUANTILES = (10, 25, 50, 75, 90)    # percentiles of each jazz figure, as the report keeps

_COLUMNS = (("notes_per_beat", "notes/beat", ".2f"), ("rest_share", "rests", ".2f"),
            ("phrase_notes", "phrase", ".1f"), ("pitch_range", "range", ".0f"),
            ("chord_tone_share", "chord", ".2f"), ("scale_tone_share", "scale", ".2f"),
            ("h1", "H1", ".2f"), ("h4", "H4", ".2f"), ("gs", "GS", ".3f"),
            ("novelty", "known 8", ".2f"))


def _cell(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _aligned_lines(table: list[list[str]]) -> list[str]:
    """Rows of cells as lines: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    return [" ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                     for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in table]


def _figure_table(rows: list[dict]) -> list[str]:
    """The players' 10th/50th/90th percentiles, then each model's medians and overlaps."""
    headers = ["model", *(label for _, label, _ in _COLUMNS), "int ovl", "IOI ovl"]
    real, table = rows[0], [headers]
    for q, label in (("p10", "real p10"), ("p50", "real"), ("p90", "real p90")):
        cells = [_cell((real["figures"][f] or {}).get(q), spec) for f, _, spec in _COLUMNS]
        extra = [_cell(real["histograms"][h]["overlap"], ".2f") for h in ("interval", "ioi")] \
            if q == "p50" else ["", ""]
        table.append([label, *cells, *extra])
    for row in rows[1:]:
        cells = [_cell((row["figures"][f] or {}).get("p50"), spec) +
                 ("*" if f in row["outside"] else "") for f, _, spec in _COLUMNS]
        table.append([row["model"], *cells,
                      *(_cell(row["histograms"][h]["overlap"], ".2f") for h in ("interval", "ioi"))])
    return _aligned_lines(table)


def _jazz_table(rows: list[dict]) -> list[str]:
    """A line per jazz figure: the players' percentiles, then each model's median/p90."""
    real, models = rows[0], rows[1:]
    table = [["jazz figure", *(f"real p{q}" if q == 10 else f"p{q}" for q in JAZZ_QUANTILES),
              *(row["model"] for row in models)]]
    for name, spread in real["jazz_figures"].items():
        cells = [_cell((spread or {}).get(f"p{q}"), ".3g") for q in JAZZ_QUANTILES]
        for row in models:
            mine = row["jazz_figures"].get(name) or {}
            mark = "*" if name in row["jazz_outside"] else ""
            cells.append(f"{_cell(mine.get('p50'), '.3g')}{mark}/{_cell(mine.get('p90'), '.3g')}")
        table.append([name, *cells])
    return ["Jazz figures: the players' percentiles; each model's median/90th percentile "
            "(* = median outside the players' 25th-75th percentile).", *_aligned_lines(table)]


def _copy_lines(rows: list[dict]) -> list[str]:
    """The copy check: a line per model, its solos' longest runs beside the real solos'."""
    def runs(spread: dict) -> str:
        return " / ".join(_cell(spread[k], ".0f") for k in ("p50", "p90", "max")) + \
            f" of {spread['n']}"

    width = max(len(row["model"]) for row in rows)
    lines = ["Copy check: the longest run of intervals a solo shares with the model's training "
             "solos (median / 90th percentile / longest of n solos), beside the real solos' "
             "(each left out of the training solos):"]
    for row in rows[1:]:
        copy = row["copy"]
        lines.append(f"  {row['model']:<{width}}  " + (
            f"{runs(copy['generated'])}   real: {runs(copy['real'])}" if copy else
            "— (no training solos to compare with)"))
    return lines


def _judges_text(result: dict | None) -> str:
    from jazzsolo.evaluate.judges import format_judges

    if not result or "rows" not in result:
        return f"Judges: not run ({(result or {}).get('skipped', 'no judges chosen')})."
    return format_judges(result)


def format_against(report: dict) -> str:
    """The report as text: the figure table (the players' 10th/50th/90th percentiles, then each
    model's medians, ``*``: outside the players' 10th-90th percentile, and histogram overlaps),
    the jazz figures, the copy check and the judges' table beside their calibration rows."""
    data = report.get("against", report)
    rows = data["rows"]
    seeds = " and ".join(str(s) for s in data.get("seeds") or [data["seed"]])
    intro = (f"Against {data['n_solos']} real solos from {data['source'] or 'the input'}: each "
             f"model improvised over each solo's chords, metre and length (seeds from "
             f"{seeds}).  Medians; * = outside the players' 10th-90th percentile.  "
             f"known 8 = share of 8-note patterns found in the training data (real: in the "
             f"other solos).  ovl = overlap of interval / inter-onset histograms with the "
             f"players' (real: odd vs even solos).")
    lines = [intro, "", *_figure_table(rows), "", *_jazz_table(rows), "", *_copy_lines(rows),
             "", _judges_text(data.get("judges"))]
    skipped = data.get("skipped") or []
    if skipped:
        lines += ["", f"Skipped {len(skipped)} solos: " +
                  "; ".join(f"{name} ({why})" for name, why in skipped[:5])]
    return "\n".join(lines)


def plot_paths(report: dict, plots_dir: str | os.PathLike) -> list[Path]:
    """The PNGs `plot_against` writes: the histograms, the piano roll, one per jazz figure."""
    folder = Path(plots_dir)
    names = report.get("against", report)["rows"][0]["jazz_figures"]
    return [folder / "against_histograms.png", folder / "against_piano_roll.png",
            *(folder / f"against_jazz_{re.sub(r'[^A-Za-z0-9_-]+', '_', n)}.png" for n in names)]


def plot_against(report: dict, plots_dir: str | os.PathLike, *, overwrite: bool = False
                 ) -> list[Path]:
    """Write ``against_histograms.png`` (interval and inter-onset histograms of the players and
    each model, side by side), ``against_piano_roll.png`` (the first bars of the first real
    solo above each model's solo over the same chords) and ``against_jazz_FIGURE.png`` (box
    plots of each jazz figure: the players beside each model) to `plots_dir`; returns their
    paths.  Existing files are kept unless `overwrite` (OutputExistsError)."""
    from matplotlib.figure import Figure

    from jazzsolo.files import write_atomic

    data = report.get("against", report)
    paths = plot_paths(report, plots_dir)
    if not overwrite:
        for path in paths:
            if path.exists():
                raise OutputExistsError(f"{path}: exists already; pass overwrite to replace it")
    figures = [_histogram_figure(Figure, data), _roll_figure(Figure, data["example"]),
               *(_jazz_figure(Figure, name, data["rows"])
                 for name in data["rows"][0]["jazz_figures"])]
    for path, fig in zip(paths, figures):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        write_atomic(path, buffer.getvalue(), overwrite=True)
    return paths


def _jazz_figure(Figure, name: str, rows: list[dict]):
    """Box plots of one jazz figure from the percentiles: box 25th-75th, whiskers 10th-90th,
    the players' box shaded across the plot."""
    from jazzsolo.evaluate.jazz_figures import FIGURES as JAZZ_FIGURES

    stats = [{"label": row["model"], "med": s["p50"], "q1": s["p25"], "q3": s["p75"],
              "whislo": s["p10"], "whishi": s["p90"]}
             for row in rows if (s := row["jazz_figures"].get(name))]
    fig = Figure(figsize=(max(5.0, 1.0 * len(rows) + 2), 3.8), layout="constrained")
    ax = fig.subplots()
    real = rows[0]["jazz_figures"].get(name)
    if real:
        ax.axhspan(real["p25"], real["p75"], color="grey", alpha=0.15, label="players' p25-p75")
        ax.legend(fontsize=7)
    if stats:
        ax.bxp(stats, showfliers=False)
    ax.set_title(f"{name}: {JAZZ_FIGURES.get(name, '')}", fontsize=9)
    ax.set_ylabel("box: 25th-75th percentile; whiskers: 10th-90th", fontsize=7)
    ax.tick_params(axis="x", labelsize=7, labelrotation=20)
    return fig


def _histogram_figure(Figure, data: dict):
    fig = Figure(figsize=(13, 4.5), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, name, title, x in ((axes[0], "interval", "Melodic intervals (semitones)",
                                np.arange(-12, 13)),
                               (axes[1], "ioi", "Inter-onset intervals (beats)",
                                np.arange(1, 49) / 12)):
        for k, row in enumerate(data["rows"]):
            counts = np.asarray(row["histograms"][name]["counts"], dtype=float)
            if counts.sum() == 0:
                continue
            label = row["model"] if row["model"] == "real" else \
                f"{row['model']} (overlap {_cell(row['histograms'][name]['overlap'], '.2f')})"
            ax.step(x, counts / counts.sum(), where="mid", label=label,
                    linewidth=2.5 if k == 0 else 1.2, color="black" if k == 0 else None)
        ax.set_title(title)
        ax.set_ylabel("share")
        ax.legend(fontsize=7)
    return fig


def _roll_figure(Figure, example: dict):
    from matplotlib.patches import Rectangle

    from jazzsolo.export.plots import CHORD_COLOUR

    panels = [("real: " + example["solo"], example["real"]),
              *((f"{name} over the same chords", notes)
                for name, notes in example["generated"].items())]
    fig = Figure(figsize=(12, 2.2 * len(panels) + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True))
    starts = np.concatenate([[0.0], np.cumsum(example["measure_lengths_ql"])])
    for ax, (title, notes) in zip(axes, panels):
        for start, measure in zip(starts, example["chords"]):
            for c in measure:
                for midi in c["pitches"]:
                    ax.add_patch(Rectangle((start + c["offset_ql"], midi - 0.4), c["duration_ql"],
                                           0.8, facecolor=CHORD_COLOUR, edgecolor="none"))
        for onset, duration, midi in notes:
            ax.add_patch(Rectangle((onset, midi - 0.45), duration, 0.9, facecolor="#1f77b4",
                                   edgecolor="black", linewidth=0.3))
        for start in starts:
            ax.axvline(start, color="grey", linewidth=0.5)
        pitches = [m for _, _, m in notes] + [p for m in example["chords"] for c in m
                                              for p in c["pitches"]]
        ax.set_ylim(min(pitches, default=48) - 2, max(pitches, default=84) + 2)
        ax.set_xlim(0, starts[-1])
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("MIDI pitch")
    axes[-1].set_xlabel("quarter notes from the first bar line")
    return fig


__all__ = ["format_against", "plot_against", "plot_paths"]
