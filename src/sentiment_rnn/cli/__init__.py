"""The `sentiment-rnn` command line: parse arguments, call the library, map errors to exit codes.

User mistakes (`UserError`) print one line on stderr and exit 1; bad arguments exit 2 (Typer);
Ctrl-C exits 130, and so does SIGTERM (what `kill`, a container stop or a job scheduler sends),
which is treated as Ctrl-C: a training run keeps its checkpoint and says how to resume. Each module registers its commands on the shared `app`:

    training.py     train, baseline, compare
    pretrain.py     pretrain
    inference.py    predict, evaluate, probe
    explain.py      explain
    inspection.py   data, config show, config validate
    serving.py      export, serve
    tuning.py       tune, tune show, runs
    cache.py        cache list, cache clear
"""

import importlib
import os
import signal

# Process-wide settings belong here, at the entry point. pydantic (config schema, and Typer's own
# parameter handling) would otherwise scan every installed package's entry points for plugins
# on first use, a large part of a cold `predict` on an environment with many packages; this
# program uses no pydantic plugin.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from sentiment_rnn.cli.common import app  # noqa: E402

# Importing a module registers its commands; this order is the order of `--help`.
COMMAND_MODULES = (
    "training", "pretrain", "inference", "explain", "inspection", "serving", "tuning", "cache"
)
for _module in COMMAND_MODULES:
    importlib.import_module(f"sentiment_rnn.cli.{_module}")


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


__all__ = ["app", "main"]
