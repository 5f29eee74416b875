"""`cache list` and `cache clear`: the token cache (data/cache.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from sentiment_rnn.cli.common import ReportFormat, app, echo, errors_to_exit_codes, print_report

cache_app = typer.Typer(
    help="The token cache: splits tokenized once ($SENTIMENT_RNN_CACHE, default "
    "~/.cache/sentiment-rnn/tokens).",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")


def _root():
    from sentiment_rnn.data.cache import ENV, cache_root
    from sentiment_rnn.errors import UserError

    root = cache_root()
    if root is None:
        raise UserError(f"the token cache is off ({ENV}=off): nothing is kept")
    return root


@cache_app.command("list")
@errors_to_exit_codes
def cache_list(
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Show the cache's entries: size, when, which data, how many examples, which settings."""
    from sentiment_rnn.data.cache import report
    from sentiment_rnn.render.tables import cache_tables

    print_report(report(_root()), format, cache_tables)


@cache_app.command("clear")
@errors_to_exit_codes
def cache_clear() -> None:
    """Remove every entry (and unfinished builds); nothing else in the directory is touched."""
    from sentiment_rnn.data.cache import clear

    root = _root()
    count, size = clear(root)
    echo(f"removed {count} entr{'y' if count == 1 else 'ies'} ({size / 2**20:,.1f} MiB) from {root}")
