"""The FastAPI app: a run's answers over HTTP, and the page at `/`.

    POST /v1/predict   {"texts": [...]} or {"text": "..."} -> the `predict --format json` objects
    POST /v1/explain   {"text": "..."} -> the `explain --format json` object (RNN runs)
    GET  /v1/health    status and counters
    GET  /v1/model     kind, backend, labels, config summary, metrics, format version, limits
    GET  /             the page; GET /docs: the OpenAPI documentation
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from sentiment_rnn import __version__
from sentiment_rnn.errors import UserError
from sentiment_rnn.runs import read_metrics
from sentiment_rnn.serving.api import (
    ApiError,
    ExplainRequest,
    PredictRequest,
    explain_text,
    predict_texts,
    read_body,
)
from sentiment_rnn.serving.microbatch import MicroBatcher
from sentiment_rnn.serving.settings import Settings
from sentiment_rnn.texts import predictions

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, predictor) -> FastAPI:
    """The app for one loaded predictor (`load_predictor`: RNN, torch or ONNX, or baseline)."""
    executor = ThreadPoolExecutor(1, thread_name_prefix="model")  # one batch at a time
    batcher = MicroBatcher(lambda texts: np.asarray(predictor.predict_proba(texts)), executor,
                           settings.max_batch_size, settings.max_wait_ms / 1000)
    explainer = make_explainer(predictor)
    state = {"in_flight": 0}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        batcher.start()
        yield
        await batcher.stop()  # uvicorn has let the requests in flight finish; the queue is empty
        executor.shutdown()

    app = FastAPI(title="sentiment-rnn", version=__version__, lifespan=lifespan,
                  description="A trained sentiment-rnn run: labels, probabilities, explanations.")

    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(err.body(), status_code=err.status)

    app.add_middleware(CountInFlight, state=state)

    body = {"content": {"application/json": {"schema": PredictRequest.model_json_schema()}},
            "required": True}

    @app.post("/v1/predict", openapi_extra={"requestBody": body})
    async def predict(request: Request):
        """Label texts, with the probability of every class."""
        batcher.arriving += 1  # the batch being gathered may wait for this request
        try:
            texts, single = predict_texts(await read_body(request, settings), settings)
        finally:
            batcher.arriving -= 1
        probabilities = await batcher.probabilities(texts)
        rows = [{**p.as_dict(), "backend": predictor.backend}
                for p in predictions(texts, predictor.labels, probabilities)]
        return rows[0] if single else rows

    explain_body = {"content": {"application/json": {"schema": ExplainRequest.model_json_schema()}},
                    "required": True}

    @app.post("/v1/explain", openapi_extra={"requestBody": explain_body})
    async def explain(request: Request):
        """The answer token by token, and each token's importance (RNN runs)."""
        text = explain_text(await read_body(request, settings), settings)
        if explainer is None:
            raise ApiError(404, "explain needs an RNN run; this server serves a baseline run")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, explainer, text)
        except UserError as err:  # no word the model knows, nothing it can read
            raise ApiError(422, str(err), "text") from None

    @app.get("/v1/health")
    async def health():
        return {"status": "ok", "backend": predictor.backend, "in_flight": state["in_flight"] - 1,
                "batches": batcher.batches, "texts_predicted": batcher.texts}

    @app.get("/v1/model")
    async def model():
        return describe(predictor, settings)

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


class CountInFlight:
    """Plain ASGI middleware (cheaper than Starlette's `BaseHTTPMiddleware` on every request):
    counts the HTTP requests being answered, for /v1/health."""

    def __init__(self, app, state: dict) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.state["in_flight"] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.state["in_flight"] -= 1


def make_explainer(predictor):
    """text -> the `explain --format json` object, or None for a baseline run."""
    if predictor.backend == "numpy":
        return None
    from sentiment_rnn.evaluation.explain import explain_predictor

    return lambda text: explain_predictor(predictor, text).as_dict()


def describe(predictor, settings: Settings) -> dict:
    """What /v1/model says: the run, how it answers, and the server's limits."""
    meta, config = predictor.meta, predictor.config
    kind = meta.get("kind")
    metrics = read_metrics(Path(predictor.path))
    summary = {split: {key: metrics[split].get(key) for key in ("accuracy", "macro_f1", "loss")}
               for split in ("dev", "test") if isinstance(metrics.get(split), dict)}
    sections = ("model", "tokenizer") if kind == "rnn" else ("baseline",)
    return {
        "path": str(predictor.path), "kind": kind, "backend": predictor.backend,
        "labels": predictor.labels, "format_version": meta.get("format_version"),
        "sentiment_rnn_version": meta.get("sentiment_rnn_version"), "created": meta.get("created"),
        "num_parameters": meta.get("num_parameters"),
        "config": {name: getattr(config, name).model_dump(mode="json") for name in sections},
        "metrics": summary, "onnx": meta.get("onnx"),
        "limits": {"max_text_chars": settings.max_text_chars, "max_texts": settings.max_texts,
                   "max_body_bytes": settings.max_body_bytes},
        "batching": {"max_batch_size": settings.max_batch_size,
                     "max_wait_ms": settings.max_wait_ms},
    }
