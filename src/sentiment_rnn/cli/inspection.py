"""Commands that look before training: `data`, `config show`, `config validate`."""

from __future__ import annotations

from typing import Annotated

import typer

from sentiment_rnn.cli.common import (
    ConfigOption,
    ReportFormat,
    SetOption,
    app,
    config_app,
    errors_to_exit_codes,
    print_report,
)


@app.command("data")
@errors_to_exit_codes
def data_command(
    config: ConfigOption = None,
    set_: SetOption = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Look at the data before training: sizes, labels, lengths, vocabulary, problems."""
    from sentiment_rnn.config import load_config
    from sentiment_rnn.data.inspection import inspect_data
    from sentiment_rnn.render.tables import data_tables

    print_report(inspect_data(load_config(config, set_)), format, data_tables)


@config_app.command("show")
@errors_to_exit_codes
def config_show(config: ConfigOption = None, set_: SetOption = None) -> None:
    """Print the fully resolved config (defaults filled in, overrides applied)."""
    from sentiment_rnn.config import load_config

    typer.echo(load_config(config, set_).to_yaml(), nl=False)


@config_app.command("validate")
@errors_to_exit_codes
def config_validate(config: ConfigOption = None, set_: SetOption = None) -> None:
    """Check a config: exit 0 when valid, 1 with the problems when not."""
    from sentiment_rnn.config import DEFAULT_CONFIG, load_config

    load_config(config, set_)
    typer.echo(f"{config or DEFAULT_CONFIG}: valid")

