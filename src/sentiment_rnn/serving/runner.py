"""Running the app on uvicorn: one process, or `workers` processes on one socket.

SIGTERM stops the server gracefully: it stops accepting connections, lets the requests in
flight finish (their batches included), then exits 0. Ctrl-C does the same and exits 130.
"""

from __future__ import annotations

import signal
import sys

from sentiment_rnn.errors import UserError
from sentiment_rnn.serving.settings import Settings

GRACEFUL_SECONDS = 30  # longest wait for requests in flight after SIGTERM


def require_serving():
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        raise UserError('serve needs fastapi and uvicorn: pip install -e ".[serve]"') from None
    return uvicorn


def load(settings: Settings):
    """The settings' run, loaded (torch threads set here, at the process's entry point)."""
    from pathlib import Path

    from sentiment_rnn.predict import load_predictor

    threads = settings.compute_threads()
    predictor = load_predictor(None if settings.model is None else Path(settings.model),
                               settings.backend, threads)
    if predictor.backend == "torch":
        import torch

        torch.set_num_threads(threads)
    return predictor


def app_from_environment():
    """The app of a worker process, from the settings its parent put in the environment."""
    from sentiment_rnn.serving.app import create_app

    settings = Settings.from_environment()
    return create_app(settings, load(settings))


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve until SIGTERM (exit 0) or Ctrl-C; a bad run directory fails before listening."""
    uvicorn = require_serving()
    from sentiment_rnn.serving.app import create_app

    predictor = load(settings)  # a bad --model or --backend: one line, exit 1
    settings.to_environment()
    options = dict(log_level="warning", access_log=False,
                   timeout_graceful_shutdown=GRACEFUL_SECONDS)
    if settings.workers == 1:
        config = uvicorn.Config(create_app(settings, predictor), host=host, port=port, **options)
    else:
        del predictor  # each worker loads its own
        config = uvicorn.Config("sentiment_rnn.serving.runner:app_from_environment", factory=True,
                                host=host, port=port, workers=settings.workers, **options)
    try:
        sock = config.bind_socket()
    except (OSError, SystemExit) as err:
        raise UserError(f"cannot listen on {host}:{port}: {err}") from None
    address = sock.getsockname()
    print(f"sentiment-rnn serve: http://{address[0]}:{address[1]} ({settings.workers} worker(s); "
          f"page at /, API docs at /docs)", file=sys.stderr, flush=True)
    if settings.workers == 1:
        _Server(config).run(sockets=[sock])
    else:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, target=_Server(config).run, sockets=[sock]).run()


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            if sig == signal.SIGTERM:  # the normal way to stop a server: exit 0 afterwards,
                self._captured_signals.remove(sig)  # rather than re-raise it (uvicorn's way)

    return Server


def _Server(config):  # noqa: N802  (uvicorn is imported only when serving)
    return _server_class()(config)
