"""Commands that look before training: `data`, `config show`, `config validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.cli.common import (
    ConfigOption,
    ReportFormat,
    SetOption,
    app,
    config_app,
    echo,
    errors_to_exit_codes,
    print_report,
)


@app.command("data")
@errors_to_exit_codes
def data_command(
    config: ConfigOption = None,
    set_: SetOption = None,
    model: Annotated[Optional[Path], typer.Option(
        "--model", "-m",
        help="An RNN run: also report each split's share of words unknown to it (as evaluate "
        "does), with a warning above 30%.",
    )] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Look at the data before training: sizes, labels, lengths, vocabulary, problems."""
    from sentiment_rnn.config import load_config
    from sentiment_rnn.data.inspection import inspect_data
    from sentiment_rnn.render.tables import data_tables

    resolved = load_config(config, set_)
    rate = None
    if model is not None:
        from sentiment_rnn.errors import UserError
        from sentiment_rnn.predictors import load_predictor

        predictor = load_predictor(model)
        if not hasattr(predictor, "unknown_rate"):
            raise UserError(f"{model}: a baseline run; --model takes an RNN run, whose tokenizer "
                            "has an unknown-word token")
        rate = predictor.unknown_rate
    report = inspect_data(resolved, rate)
    if model is not None:
        report["model"] = str(model)
    print_report(report, format, data_tables)


@config_app.command("show")
@errors_to_exit_codes
def config_show(config: ConfigOption = None, set_: SetOption = None) -> None:
    """Print the fully resolved config (defaults filled in, overrides applied)."""
    from sentiment_rnn.config import load_config

    echo(load_config(config, set_).to_yaml(), newline=False)


@config_app.command("validate")
@errors_to_exit_codes
def config_validate(config: ConfigOption = None, set_: SetOption = None) -> None:
    """Check a config: exit 0 when valid, 1 with the problems when not."""
    from sentiment_rnn.config import DEFAULT_CONFIG, load_config

    load_config(config, set_)
    echo(f"{config or DEFAULT_CONFIG}: valid")

