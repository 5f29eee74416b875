"""Rendering a comparison: the side-by-side rich tables for the CLI, and report.md.

One set of formatted rows serves both, so the terminal and the Markdown report never disagree.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sentiment_rnn.render.tables import plain


def figure_rows(report: dict) -> list[tuple[str, str, str]]:
    """(figure, RNN, baseline) rows of the side-by-side table, formatted."""
    a, b = report["models"]["rnn"], report["models"]["baseline"]
    formats = [
        ("accuracy", "accuracy", "{:.4f}"), ("macro-F1", "macro_f1", "{:.4f}"),
        ("ROC-AUC", "roc_auc", "{:.4f}"), ("log loss", "log_loss", "{:.4f}"),
        ("training time", "train_seconds", "{:,.1f} s"), ("prediction", "texts_per_second", "{:,.0f} texts/s"),
        ("parameters", "num_parameters", "{:,}"), ("size on disk", "size_bytes", "{:,}"),
    ]
    rows = []
    for name, key, fmt in formats:
        if a.get(key) is None and b.get(key) is None:
            continue
        if key == "size_bytes":
            fmt = "{:.1f} MB"
            rows.append((name, fmt.format(a[key] / 1e6), fmt.format(b[key] / 1e6)))
            continue
        cells = ["n/a" if m.get(key) is None else fmt.format(m[key]) for m in (a, b)]
        if key == "texts_per_second" and a.get("ids_from_cache"):
            cells[0] += " (ids from the token cache: no tokenizing)"
        rows.append((name, *cells))
    return rows


def probe_rows(report: dict) -> list[tuple[str, str, str]]:
    """(group, RNN, baseline) pass rates of the probe suite."""
    a, b = report["probes"]["rnn"], report["probes"]["baseline"]

    def rate(result: dict, group: str) -> str:
        g = result["groups"][group] if group != "all" else result["overall"]
        text = f"{g['passed']}/{g['total']} ({g['pass_rate']:.0%})"
        if "pairs_separated" in g:
            text += f", {g['pairs_separated']}/{g['pairs']} pairs told apart"
        return text

    return [(group, rate(a, group), rate(b, group)) for group in [*a["groups"], "all"]]


def _side_by_side(report: dict, first: str, title: str, rows) -> Table:
    models = report["models"]
    table = Table(first, plain(models["rnn"]["title"]), plain(models["baseline"]["title"]),
                  title=title)
    for row in rows:
        table.add_row(*row)
    return table


def comparison_table(report: dict) -> Table:
    """The side-by-side figures as a rich Table."""
    title = f"{plain(report['test']['source'])} ({report['test']['num_examples']:,} texts)"
    return _side_by_side(report, "", title, figure_rows(report))


def probes_table(report: dict) -> Table:
    """Probe pass rates per group, both models side by side."""
    title = f"probes ({plain(report['probes']['rnn']['source'])})"
    return _side_by_side(report, "probe group", title, probe_rows(report))


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.replace("<br />", " ").split())
    return text if len(text) <= width else text[: width - 3] + "..."


def disagreement_lines(report: dict, shown: int = 3) -> list[str]:
    """A handful of test texts each model gets right and the other wrong, one line each."""
    lines = []
    for key, other in (("rnn", "baseline"), ("baseline", "rnn")):
        items = report["disagreements"][f"{key}_only"]
        lines.append(f"{report['names'][key]} right, {report['names'][other]} wrong: {len(items):,} texts")
        lines += [f"  [{item['label']}] {_short(item['text'])}" for item in items[:shown]]
    return lines


def print_summary(report: dict, console: Console, shown: int = 3) -> None:
    """What the CLI prints: the table, the sentence, the probes, a few disagreements, the folder."""
    console.print(comparison_table(report))
    console.print(report["significance"]["sentence"])
    console.print(probes_table(report))
    for line in disagreement_lines(report, shown):
        console.print(plain(line))
    console.print(f"report: {plain(report['report_dir'])}")


def markdown(report: dict, shown: int = 10) -> str:
    """report.md: the tables and sentences, a few disagreements, and the plots."""
    models, test, significance = report["models"], report["test"], report["significance"]
    mcnemar, interval = significance["mcnemar"], significance["accuracy_difference"]
    lines = [
        "# RNN against the bag-of-words baseline", "",
        f"Test split: `{test['source']}`, {test['num_examples']:,} texts, labels {test['labels']} "
        f"(SHA-256 {test['fingerprint'][:16]}).",
        f"RNN run: `{models['rnn']['run']}`; baseline run: `{models['baseline']['run']}`.", "",
        f"| | {models['rnn']['title']} | {models['baseline']['title']} |", "| --- | --- | --- |",
        *(f"| {name} | {a} | {b} |" for name, a, b in figure_rows(report)), "",
        "## Is the difference real?", "", significance["sentence"], "",
        f"- McNemar's test ({mcnemar['test']}): {mcnemar['only_a_right']:,} texts only the RNN got "
        f"right, {mcnemar['only_b_right']:,} only the baseline; p = {mcnemar['p_value']:.3g}.",
        f"- Paired bootstrap of the accuracy difference (RNN minus baseline): {interval['resamples']:,} "
        f"resamples, seed {interval['seed']}, {interval['level']:.0%} interval "
        f"{100 * interval['low']:.2f} to {100 * interval['high']:.2f} points.", "",
        "## Probes", "", "| group | RNN | baseline |", "| --- | --- | --- |",
        *(f"| {group} | {a} | {b} |" for group, a, b in probe_rows(report)), "",
    ]
    note = report["probes"]["baseline"]["groups"].get("word_order", {}).get("note")
    if note:
        lines += [note, ""]
    lines += ["## Accuracy by text length", "", "| words | texts | RNN | baseline |", "| --- | --- | --- | --- |"]
    lines += [f"| {b['words']} | {b['num_examples']:,} | {b['accuracy']['rnn']:.4f} | "
              f"{b['accuracy']['baseline']:.4f} |" for b in report["by_length"]]
    lines += ["", "## Where they disagree", "",
              f"The {shown} most striking each way; all of them are in report.json (`disagreements`).", ""]
    lines += [line.replace("  [", "- [", 1) for line in disagreement_lines(report, shown)]
    lines += ["", "## Plots", ""] + [f"![{name}]({name})" for name in report["plots"]]
    return "\n".join(lines) + "\n"
