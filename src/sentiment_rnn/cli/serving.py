"""Commands that put a trained run to work elsewhere: `export`, `serve`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from sentiment_rnn.cli.common import BackendOption, ModelOption, app, errors_to_exit_codes


class ExportFormat(str, Enum):
    onnx = "onnx"


@app.command("export")
@errors_to_exit_codes
def export_command(
    model: ModelOption = None,
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.onnx,
) -> None:
    """Write the model as an ONNX graph into its run directory, for predict, evaluate, serve."""
    from sentiment_rnn.rnn.export import export_onnx

    result = export_onnx(model)
    typer.echo(
        f"wrote {result.path} ({result.size / 1e6:.2f} MB, {format.value}); largest logit "
        f"difference from torch on a padded batch of mixed lengths: {result.max_difference:.1e}"
    )


@app.command("serve")
@errors_to_exit_codes
def serve_command(
    model: ModelOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    backend: BackendOption = None,
    max_batch_size: Annotated[
        int, typer.Option(min=1, help="Most texts run through the model at once (1: no batching).")
    ] = 64,
    max_wait_ms: Annotated[
        float,
        typer.Option(min=0, help="Longest a batch waits for requests still arriving (0: it takes "
                     "those that queued while the previous batch ran)."),
    ] = 0.0,
    max_text_chars: Annotated[int, typer.Option(min=1, help="Longest text accepted.")] = 100_000,
    max_texts: Annotated[int, typer.Option(min=1, help="Most texts in one request.")] = 1_000,
    max_body_bytes: Annotated[
        int, typer.Option(min=1, help="Largest request body accepted.")
    ] = 8_000_000,
    threads: Annotated[
        int, typer.Option(min=0, help="Compute threads per process (0: cores / workers).")
    ] = 0,
) -> None:
    """Serve a run (RNN or baseline) over HTTP: an API under /v1, docs at /docs, a page at /."""
    from sentiment_rnn.serving.runner import serve
    from sentiment_rnn.serving.settings import Settings

    settings = Settings(
        model=None if model is None else str(model), backend=backend and backend.value,
        max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, max_text_chars=max_text_chars,
        max_texts=max_texts, max_body_bytes=max_body_bytes, threads=threads, workers=workers,
    )
    serve(settings, host, port)
