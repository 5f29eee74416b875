"""The `sentiment-rnn` command line: parse arguments, call the library, map errors to exit codes.

User mistakes (`UserError`) print one line on stderr and exit 1; bad arguments exit 2 (Typer);
Ctrl-C exits 130. Each module registers its commands on the shared `app`:

    training.py     train, baseline, compare
    inference.py    predict, evaluate, probe
    inspection.py   data, config show, config validate
"""

from sentiment_rnn.cli import inference, inspection, training  # noqa: F401  (registers commands)
from sentiment_rnn.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
