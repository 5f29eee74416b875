"""`explain` in a terminal: the summary lines and the token table with probability bars."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

BAR = 8  # characters of the probability bar


def summary_lines(report: dict) -> list[str]:
    label = report["label"]
    method = {"prefix_pooling": "one pass, pooling over the prefix",
              "prefix_runs": "bidirectional: the model run on each prefix"}[report["trajectory_method"]]
    lines = [f"[bold]{escape(label)}[/] (p {report['probabilities'][label]:.3f}); trajectory: "
             f"{method}; importance: occlusion, Δp({escape(label)}) when the token is removed"]
    if report["baseline"] is not None:
        other = report["baseline"]
        lines.append(f"baseline ({other['kind']}): {escape(other['label'])} "
                     f"(p {other['probabilities'][other['label']]:.3f}); its column: the same "
                     f"Δp({escape(label)}), removing its own tokens")
    cut = report["truncation"]
    if cut["dropped"]:
        lines.append(f"truncated: the model reads {cut['tokens_read']:,} of {cut['tokens_in_text']:,} "
                     f"tokens (max_length {cut['max_length']}, {cut['policy']})")
    if report["unknown_words"]:
        words = ", ".join(report["unknown_words"][:10])
        lines.append(f"unknown words (read as <unk>): {escape(words)}")
    return lines + [escape(note) for note in report["notes"]]


def explanation_table(report: dict, window: tuple[int, int]):
    """One row per token in `window`: p(label) with a bar, importance, flips; baseline beside."""
    label, start, stop = report["label"], *window
    table = Table("#", "token", f"p({escape(label)})", f"Δp({escape(label)})", "flip")
    aligned = {}
    if report["baseline"] is not None:
        table.add_column("baseline")
        aligned = {row["rnn_position"]: row for row in report["baseline"]["tokens"]}
    for column in table.columns:
        column.no_wrap = True
    for row in report["tokens"][start:stop]:
        token = row["token"] if not row["unknown"] else f"{row['token']} ({row['word']})"
        cells = [str(row["position"]), escape(token), probability_bar(row, label),
                 "-" if row["importance"] is None else f"{row['importance']:+.3f}",
                 "" if row["flip_to"] is None else f"→ {escape(row['flip_to'])}"]
        if report["baseline"] is not None:
            cells.append(baseline_cell(aligned.get(row["position"]), row["word"]))
        table.add_row(*cells)
    if (start, stop) != (0, len(report["tokens"])):
        table.caption = (f"tokens {start}-{stop - 1} of {len(report['tokens']):,}, around the "
                         "largest flip; --format json has them all")
    return table


def baseline_cell(other: dict | None, word: str) -> str:
    """The baseline's importance for the same word; its token named when it differs."""
    if other is None:
        return ""
    cell = "stop word" if other["stop_word"] else f"{other['importance']:+.3f}"
    return cell if other["token"] == word else f"{cell} ({escape(other['token'])})"


def probability_bar(row: dict, label: str) -> str:
    """`0.998 ██████████`, green where the answer at this point is `label`, else red."""
    if row["probabilities"] is None:
        return "-"
    probabilities = row["probabilities"]
    p = probabilities[label]
    colour = "green" if max(probabilities, key=probabilities.get) == label else "red"
    filled = round(p * BAR)
    return f"{p:.3f} [{colour}]{'█' * filled}[/][dim]{'░' * (BAR - filled)}[/]"
