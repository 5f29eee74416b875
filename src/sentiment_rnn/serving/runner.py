"""Running the app on uvicorn: one process, or `workers` processes on one socket.

SIGTERM stops the server gracefully: it stops accepting connections, lets the requests in
flight finish (their batches included), then exits 0. Ctrl-C does the same and exits 130.
"""

from __future__ import annotations

import signal
import socket
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

    from sentiment_rnn.predictors import load_predictor

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
    sock = bind(host, port)
    address = sock.getsockname()
    print(f"sentiment-rnn serve: http://{address[0]}:{address[1]} ({settings.workers} worker(s); "
          f"page at /, API docs at /docs)", file=sys.stderr, flush=True)
    if settings.workers == 1:
        _Server(config).run(sockets=[sock])
    else:
        from uvicorn.supervisors import Multiprocess

        try:
            supervisor = Multiprocess(config, sockets=[sock])  # workers run uvicorn's Server
        except TypeError:  # uvicorn before the supervisor built its own workers
            supervisor = Multiprocess(config, target=_Server(config).run, sockets=[sock])
        supervisor.run()  # SIGTERM: each worker finishes its requests in flight, then exit 0


def bind(host: str, port: int) -> socket.socket:
    """The listening socket. Made with protocol TCP (uvicorn's own has protocol 0), so that
    asyncio sets TCP_NODELAY on each connection: without it, a keep-alive client waits ~40 ms
    (delayed ACK) for every response sent in two writes."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    sock.set_inheritable(True)  # worker processes serve on it too
    return sock


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
