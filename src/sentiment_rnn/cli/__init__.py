"""The `sentiment-rnn` command line: parse arguments, call the library, map errors to exit codes.

User mistakes (`UserError`) print one line on stderr and exit 1; bad arguments exit 2 (Typer);
Ctrl-C exits 130. Each module registers its commands on the shared `app`:

    training.py     train, baseline, compare
    pretrain.py     pretrain
    inference.py    predict, evaluate, probe
    explain.py      explain
    inspection.py   data, config show, config validate
"""

import importlib

from sentiment_rnn.cli.common import app

# Importing a module registers its commands; this order is the order of `--help`.
COMMAND_MODULES = ("training", "pretrain", "inference", "explain", "inspection")
for _module in COMMAND_MODULES:
    importlib.import_module(f"sentiment_rnn.cli.{_module}")


def main() -> None:
    app()


__all__ = ["app", "main"]
