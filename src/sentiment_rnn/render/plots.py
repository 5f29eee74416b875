"""The PNG plots (comparison report, `explain --plot`), drawn with matplotlib's object-oriented API on the Agg canvas.

No pyplot: nothing global is touched and no display is needed. matplotlib is imported only here,
only when a plot is drawn.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write

CONFUSION, CURVES, BY_LENGTH = "confusion_matrices.png", "learning_curves.png", "accuracy_by_length.png"
RELIABILITY = "reliability.png"


def _figure(width: float, height: float):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UserError("the plots need matplotlib: pip install matplotlib") from None
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: Path) -> None:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    try:
        atomic_write(path, buffer.getvalue())
    except OSError as err:
        raise UserError(f"{path}: cannot write the plot ({err.strerror or err})") from None


def confusion_matrices(path: Path, labels: list[str], models: dict[str, dict]) -> None:
    """One panel per model: counts, rows the true class, columns the predicted class."""
    figure = _figure(5 * len(models), 4.4)
    for axes, (name, figures) in zip(figure.subplots(1, len(models)), models.items(), strict=True):
        matrix = np.array(figures["confusion_matrix"])
        axes.imshow(matrix, cmap="Blues")
        for (row, column), count in np.ndenumerate(matrix):
            dark = count > matrix.max() / 2
            axes.text(column, row, f"{count:,}", ha="center", va="center",
                      color="white" if dark else "black")
        axes.set(xticks=range(len(labels)), yticks=range(len(labels)),
                 xticklabels=labels, yticklabels=labels, xlabel="predicted", ylabel="true",
                 title=f"{name}: accuracy {figures['accuracy']:.3f}")
    _save(figure, path)


def learning_curves(path: Path, history: list[dict], best_epoch: int | None = None) -> None:
    """The RNN's train and dev loss, and its dev accuracy and macro-F1, per epoch."""
    figure = _figure(10, 4)
    loss, metric = figure.subplots(1, 2)
    epochs = [record["epoch"] for record in history]
    for axes, keys, title in (
        (loss, ("train_loss", "dev_loss"), "loss"),
        (metric, ("dev_accuracy", "dev_macro_f1"), "dev metric"),
    ):
        for key in keys:
            axes.plot(epochs, [record[key] for record in history], marker="o", label=key)
        if best_epoch is not None:
            axes.axvline(best_epoch, color="grey", linestyle="--", label=f"best epoch {best_epoch}")
        axes.set(xlabel="epoch", title=title, xticks=epochs)
        axes.legend()
    _save(figure, path)


def accuracy_by_length(path: Path, buckets: list[dict]) -> None:
    """Side-by-side bars: each model's accuracy in each text-length bucket (words)."""
    figure = _figure(max(6, 1.6 * len(buckets) + 2), 4)
    axes = figure.subplots()
    names = list(buckets[0]["accuracy"])
    width = 0.8 / len(names)
    positions = np.arange(len(buckets))
    for k, name in enumerate(names):
        values = [bucket["accuracy"][name] for bucket in buckets]
        axes.bar(positions + (k - (len(names) - 1) / 2) * width, values, width, label=name)
    axes.set_xticks(positions, [f"{b['words']}\n({b['num_examples']:,})" for b in buckets])
    low = min(min(bucket["accuracy"].values()) for bucket in buckets)
    axes.set(xlabel="words per text (texts in bucket)", ylabel="accuracy",
             ylim=(max(0.0, low - 0.05), 1.0), title="accuracy by text length")
    axes.legend()
    _save(figure, path)


def reliability_diagram(path: Path, models: dict[str, dict]) -> None:
    """Accuracy against confidence per 15-bin confidence bin, one line per model, with the
    diagonal of perfect calibration; each model's ECE in the legend."""
    figure = _figure(5.5, 5)
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for name, figures in models.items():
        bins = figures["bins"]
        axes.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o",
                  label=f"{name} (ECE {figures['ece']:.3f})")
    axes.set(xlabel="confidence (probability of the predicted class)", ylabel="accuracy",
             xlim=(0, 1.02), ylim=(0, 1.02), title="reliability (15 bins)")
    axes.legend()
    _save(figure, path)


def explanation(path: Path, report: dict, window: tuple[int, int]) -> None:
    """`explain --plot`: each class's probability after each token (line) over the occlusion
    importances (bars), for the tokens in `window` of an `Explanation.as_dict()` report."""
    start, stop = window
    rows = report["tokens"][start:stop]
    label, labels = report["label"], report["labels"]
    figure = _figure(min(24.0, max(8.0, 0.3 * len(rows) + 2)), 6.5)
    line, bars = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    x = np.arange(start, stop)
    for name in labels:
        values = [np.nan if r["probabilities"] is None else r["probabilities"][name] for r in rows]
        line.plot(x, values, marker="o", markersize=3, linewidth=2 if name == label else 1,
                  label=f"p({name})")
    for flip in report["flips"]:
        if start <= flip["position"] < stop:
            line.axvline(flip["position"], color="grey", linestyle=":")
            line.annotate(f"→ {flip['to']}", (flip["position"], 1.02), ha="center", fontsize=8,
                          xycoords=("data", "axes fraction"))
    line.axhline(1 / len(labels), color="grey", linewidth=0.5)
    line.set(ylim=(0, 1), ylabel="probability if the text ended here")
    line.legend(loc="lower left", fontsize=8)
    importance = np.array([np.nan if r["importance"] is None else r["importance"] for r in rows])
    bars.bar(x, np.nan_to_num(importance), color=np.where(importance >= 0, "tab:green", "tab:red"))
    bars.axhline(0, color="grey", linewidth=0.5)
    bars.set(ylabel=f"importance: Δp({label})\nwhen the token is removed")
    names = [r["token"] if len(r["token"]) <= 14 else r["token"][:13] + "…" for r in rows]
    bars.set_xticks(x, names, rotation=60 if len(rows) > 12 else 0, ha="right" if len(rows) > 12
                    else "center", fontsize=8)
    bars.set_xlabel("token (reading order)")
    title = f"answer: {label} (p {report['probabilities'][label]:.3f})"
    if (start, stop) != (0, len(report["tokens"])):
        title += f": tokens {start}-{stop - 1} of {len(report['tokens']):,}, around the largest flip"
    cut = report["truncation"]
    if cut["dropped"]:
        title += f" (truncated: the model reads {cut['tokens_read']:,} of {cut['tokens_in_text']:,})"
    line.set_title(title, pad=16)
    _save(figure, path)
