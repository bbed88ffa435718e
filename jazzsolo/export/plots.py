"""Solos, training histories and corpora → matplotlib figures (and PNG files): looking at the model.

Every function builds a ``matplotlib.figure.Figure`` without pyplot, so nothing depends on a
display or a GUI backend and no figure is left open; in a notebook, ``%matplotlib inline``
shows a returned figure.  Shapes drawn carry a ``gid`` ("note:C", "chord", "barline", ...), so
tests and users can count them through ``fig.axes[0].patches``.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from jazzsolo.errors import ConfigError

# One colour per grammar class (see jazzsolo.encodings.grammar): chord, scale, approach, other tone.
CLASS_COLOURS = {"C": "#1f77b4", "S": "#2ca02c", "A": "#ff7f0e", "X": "#d62728", "R": "#7f7f7f"}
CLASS_NAMES = {"C": "chord tone", "S": "scale tone", "A": "approach tone", "X": "other tone",
               "R": "rest"}
CHORD_COLOUR = "#c7c7c7"
_NOTE_NAMES = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")
DPI = 120


def _save(fig: Figure, path: str | os.PathLike | None) -> Figure:
    """Save `fig` as a PNG when a path is given (folders are created); return the figure."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, format="png")
    return fig


def _midi_name(midi: int) -> str:
    """'C4' for 60, in music21's spelling."""
    return f"{_NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def plot_piano_roll(solo, path: str | os.PathLike | None = None, *,
                    title: str | None = None) -> Figure:
    """A piano roll of a `jazzsolo.generate.measures.Solo`: notes coloured by class, chords in grey.

    x is time in measures (bar lines drawn), y is MIDI pitch.  Each solo note is one Rectangle
    with gid ``"note:<class>"``, each chord pitch one with gid ``"chord"``.
    """
    fig = Figure(figsize=(12, 5), layout="constrained")
    ax = fig.add_subplot()
    measure_ql = solo.measure_ql                  # x is in bars of this length
    starts = solo.measure_starts_ql()             # each measure's start, then the end
    pitches: list[int] = []
    for timed in solo.timed_chords():
        for midi in timed.pitches:
            ax.add_patch(Rectangle((timed.offset_ql / measure_ql, midi - 0.4),
                                   timed.duration_ql / measure_ql, 0.8, facecolor=CHORD_COLOUR,
                                   edgecolor="none", zorder=1, gid="chord"))
            pitches.append(midi)
    classes_used = []
    for i, measure in enumerate(solo.notes):
        for event in measure:
            if event.midi is None:
                continue                          # rests are the gaps
            x = (starts[i] + event.offset_ql) / measure_ql
            ax.add_patch(Rectangle((x, event.midi - 0.45), event.duration_ql / measure_ql, 0.9,
                                   facecolor=CLASS_COLOURS.get(event.note_class, "black"),
                                   edgecolor="black", linewidth=0.4, zorder=3,
                                   gid=f"note:{event.note_class}"))
            pitches.append(event.midi)
            if event.note_class not in classes_used:
                classes_used.append(event.note_class)
    for start in starts:
        ax.axvline(start / measure_ql, color="black", linewidth=0.6, alpha=0.5, zorder=2,
                   gid="barline")
    low, high = (min(pitches) - 2, max(pitches) + 2) if pitches else (48, 84)
    ax.set_xlim(0, max(starts[-1] / measure_ql, 1))
    ax.set_ylim(low, high)
    c_notes = [m for m in range(low, high + 1) if m % 12 == 0]
    ax.set_yticks(c_notes, [_midi_name(m) for m in c_notes])
    n_measures = solo.n_measures
    ax.set_xticks([(a + b) / 2 / measure_ql for a, b in zip(starts, starts[1:])],
                  [str(b + 1) for b in range(n_measures)])
    ax.tick_params(axis="x", length=0)
    ax.grid(axis="y", alpha=0.25)
    ax.set_xlabel("measure")
    ax.set_ylabel("pitch")
    n_notes = sum(1 for measure in solo.notes for e in measure if e.midi is not None)
    ax.set_title(title or f"Generated solo: {n_notes} notes over {n_measures} measures")
    handles = [Patch(facecolor=CLASS_COLOURS[c], edgecolor="black", label=f"{c}: {CLASS_NAMES[c]}")
               for c in "CSAX" if c in classes_used]
    handles.append(Patch(facecolor=CHORD_COLOUR, label="chords (piano)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return _save(fig, path)


def plot_training_history(history: Mapping[str, Sequence[float]],
                          path: str | os.PathLike | None = None) -> Figure:
    """Loss (summed over the Tx outputs) and mean accuracy per epoch, side by side.

    `history` is ``{"loss": [...], "accuracy": [...]}`` as `jazzsolo.models.course_lstm.train_djmodel`
    returns it (a Keras ``History.history`` with those keys works too).
    """
    loss = list(history.get("loss", []))
    if not loss:
        raise ConfigError("history has no 'loss' values; pass the dict train_djmodel returns")
    accuracy = list(history.get("accuracy", []))
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    axes = fig.subplots(1, 2 if accuracy else 1, squeeze=False)[0]
    epochs = range(1, len(loss) + 1)
    axes[0].plot(epochs, loss, color="#1f77b4", gid="loss")
    axes[0].set(xlabel="epoch", ylabel="loss (sum over time steps)", title="Training loss")
    if accuracy:
        axes[1].plot(range(1, len(accuracy) + 1), accuracy, color="#2ca02c", gid="accuracy")
        axes[1].set(xlabel="epoch", ylabel="accuracy (mean over time steps)",
                    title="Training accuracy", ylim=(0, 1))
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(fig, path)


def plot_value_frequencies(corpus: Iterable[str], path: str | os.PathLike | None = None, *,
                           top: int | None = None) -> Figure:
    """A bar chart of how often each grammar value occurs, most frequent first, coloured by class.

    `top` keeps only the most frequent values; each bar has gid ``"value:<class>"``.
    """
    all_counts = Counter(corpus)
    if not all_counts:
        raise ConfigError("the corpus is empty: no values to count")
    counts = all_counts.most_common(top)
    fig = Figure(figsize=(max(6.0, 0.16 * len(counts) + 2), 4.5), layout="constrained")
    ax = fig.add_subplot()
    labels = [value for value, _ in counts]
    classes = [value.split(",")[0] for value in labels]
    bars = ax.bar(range(len(counts)), [n for _, n in counts],
                  color=[CLASS_COLOURS.get(c, "black") for c in classes])
    for bar, note_class in zip(bars, classes):
        bar.set_gid(f"value:{note_class}")
    ax.set_xticks(range(len(counts)), labels, rotation=90, fontsize=6)
    ax.set_xlim(-0.6, len(counts) - 0.4)
    ax.set_ylabel("count")
    shown = f"the {len(counts)} most frequent shown" if len(counts) < len(all_counts) else "all shown"
    ax.set_title(f"Value frequencies: {all_counts.total()} values, {len(all_counts)} unique, {shown}")
    handles = [Patch(facecolor=CLASS_COLOURS[c], label=f"{c}: {CLASS_NAMES[c]}")
               for c in CLASS_COLOURS if c in classes]
    ax.legend(handles=handles, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)




def _box(ax, xy: tuple[float, float], text: str, colour: str, *, width: float = 1.3,
         height: float = 0.55, gid: str = "box") -> None:
    """A rounded box centred on `xy` with a label."""
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04,rounding_size=0.12", facecolor=colour,
                                edgecolor="black", linewidth=1.0, gid=gid))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], *, style: str = "-|>",
           linestyle: str = "-", colour: str = "black", rad: float = 0.0) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=colour,
                                 linewidth=1.2, linestyle=linestyle,
                                 connectionstyle=f"arc3,rad={rad}", gid="arrow"))


def draw_lstm_diagram(path: str | os.PathLike | None = None, *, steps: int = 3) -> Figure:
    """The course's djmodel unrolled over time: the same LSTM_cell and densor at every step.

    Draws `steps` steps, an ellipsis and step Tx: x⟨t⟩ → LSTM_cell → densor → ŷ⟨t⟩, with the
    state a⟨t⟩, c⟨t⟩ passed along, and (dashed) ŷ⟨t⟩ fed back as x⟨t+1⟩ when generating.
    """
    labels = [str(t) for t in range(1, steps + 1)] + [None, "T_x"]
    fig = Figure(figsize=(2.1 * len(labels) + 1.6, 5.2), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    y_x, y_lstm, y_dense, y_out = 0.0, 1.4, 2.6, 3.7
    lstm_colour, dense_colour = "#aec7e8", "#ffbb78"
    xs = [1.6 + 2.1 * i for i in range(len(labels))]
    previous = (0.1, y_lstm)
    _box(ax, (0.1, y_lstm), "$a^{\\langle 0 \\rangle}, c^{\\langle 0 \\rangle}$", "white",
         width=1.0, gid="state0")
    for i, (x, t) in enumerate(zip(xs, labels)):
        if t is None:                                        # the "..." column
            ax.text(x, y_lstm, "· · ·", ha="center", va="center", fontsize=18)
            _arrow(ax, (previous[0] + 0.65, y_lstm), (x - 0.4, y_lstm))
            previous = (x - 0.15, y_lstm)
            continue
        sup = f"\\langle {t} \\rangle"
        x_text = ("$x^{\\langle 1 \\rangle} = \\vec{0}$" if t == "1"
                  else f"$x^{{{sup}}} = y^{{\\langle {int(t) - 1 if t.isdigit() else 'T_x-1'} \\rangle}}$")
        _box(ax, (x, y_x), x_text, "white", width=1.55, gid="input")
        _box(ax, (x, y_lstm), "LSTM_cell", lstm_colour, gid="LSTM_cell")
        _box(ax, (x, y_dense), "densor", dense_colour, gid="densor")
        ax.text(x, y_out, f"$\\hat{{y}}^{{{sup}}}$", ha="center", va="center", fontsize=14)
        _arrow(ax, (x, y_x + 0.3), (x, y_lstm - 0.3))
        _arrow(ax, (x, y_lstm + 0.3), (x, y_dense - 0.3))
        _arrow(ax, (x, y_dense + 0.3), (x, y_out - 0.25))
        start = previous[0] + (0.55 if i == 0 else 0.65)
        _arrow(ax, (start, y_lstm), (x - 0.67, y_lstm))
        if i > 0 and labels[i - 1] is not None:
            mid = (start + x - 0.67) / 2
            ax.text(mid, y_lstm + 0.14, f"$a^{{\\langle {labels[i - 1]} \\rangle}}, "
                                        f"c^{{\\langle {labels[i - 1]} \\rangle}}$",
                    ha="center", va="bottom", fontsize=9)
        if i + 1 < len(labels) and labels[i + 1] is not None:   # generation feeds ŷ back in
            _arrow(ax, (x + 0.25, y_out - 0.1), (xs[i + 1] - 0.5, y_x + 0.3), linestyle="--",
                   colour="#7f7f7f", rad=-0.25)
        previous = (x, y_lstm)
    ax.text(xs[0] - 0.9, -0.85,
            "Blue and orange boxes are the same two layers (one set of weights) at every step. "
            "Training: x⟨t+1⟩ is the true value y⟨t⟩.\nGenerating (dashed): the sampled "
            "ŷ⟨t⟩ becomes x⟨t+1⟩.  Each ŷ⟨t⟩ is a softmax over the n_values grammar values.",
            ha="left", va="top", fontsize=9)
    handles = [Line2D([], [], color="black", marker=">", label="data flow"),
               Line2D([], [], color="#7f7f7f", linestyle="--", label="fed back when generating")]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    ax.set_title("djmodel unrolled over time: shared LSTM_cell and densor", fontsize=12)
    ax.set_xlim(-0.6, xs[-1] + 1.0)
    ax.set_ylim(-1.5, 4.2)
    return _save(fig, path)
