"""Tables for people: a study's trials and importances (`tune show`), the runs leaderboard."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table


def _number(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _value(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def study_tables(report: dict) -> list[Table]:
    metric = report.get("metric") or "metric"
    trials = Table(title=f"study {report['study']!r} ({report.get('kind')}; dev {metric}, "
                         f"best kept epoch)")
    keys = list(report.get("space") or {})
    for column in ("#", "state", f"dev {metric}", *keys, "per epoch", "seconds"):
        trials.add_column(escape(column), overflow="fold")
    for trial in report["trials"]:
        per_epoch = " ".join(f"{v:.3f}" for v in trial["dev_by_epoch"].values())
        state = trial["state"] + (f" (retry of {trial['retry_of']})" if trial["retry_of"] is not None else "")
        trials.add_row(
            str(trial["number"]), state, _number(trial["value"]),
            *[escape(_value(trial["params"].get(key, "—"))) for key in keys],
            per_epoch or "—", _number(trial["seconds"], 0),
        )
    tables = [trials]
    if report["importances"]:
        importance = Table(title="parameter importances (Optuna, completed trials)")
        importance.add_column("key")
        importance.add_column("importance", justify="right")
        for key, value in report["importances"].items():
            importance.add_row(escape(key), f"{value:.3f}")
        tables.append(importance)
    elif report.get("importances_note"):
        tables.append(Table(title=f"parameter importances: {report['importances_note']}"))
    return tables


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def runs_table(rows: list[dict], metric: str) -> Table:
    """The leaderboard, on the sort metric (JSON has both metrics of both splits)."""
    name = "acc" if metric == "accuracy" else "F1"
    table = Table(title=f"runs, best dev {metric} first")
    for column in ("run", "kind", "data", "settings"):
        table.add_column(column, overflow="fold", min_width=8 if column == "settings" else 4)
    for column in (f"dev {name}", f"test {name}", "time", "size"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        seconds = row["seconds"]
        kind = row["kind"] if row["state"] == "finished" else f"{row['kind']}, {row['state']}"
        table.add_row(
            escape(row["run"]), kind, escape(row["data"] or "—"), escape(row["settings"] or "—"),
            _number(row[f"dev_{metric}"]), _number(row[f"test_{metric}"]),
            "—" if seconds is None else f"{seconds:.1f} s", _size(row["bytes"]),
        )
    return table
