"""`sentiment-rnn serve`: the API through a real HTTP client against real uvicorn processes."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from serve_helpers import exported_copy, server

from sentiment_rnn.evaluation.explain import explain_run
from sentiment_rnn.rnn.predictor import Predictor

httpx = pytest.importorskip("httpx", reason="the [test] extra is not installed")
pytestmark = pytest.mark.slow  # every test here runs real server processes

TEXTS = ["the plot was not great", "superb", "the cast was dull , the ending was not clever"]
LIMITS = ("--max-text-chars", "200", "--max-texts", "5", "--max-body-bytes", "4000")


@pytest.fixture(scope="module")
def exported(trained_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return exported_copy(trained_run, tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def onnx_server(exported: Path):
    with server(exported, *LIMITS) as (process, url):
        yield url


def test_predict_gives_the_cli_json_shape_and_the_model_answers(onnx_server: str,
                                                                trained_run: Path) -> None:
    expected = Predictor.from_dir(trained_run).predict_proba(TEXTS).numpy()
    rows = httpx.post(f"{onnx_server}/v1/predict", json={"texts": TEXTS}).json()
    assert [row["text"] for row in rows] == TEXTS
    assert {row["backend"] for row in rows} == {"onnx"}
    found = np.array([list(row["probabilities"].values()) for row in rows])
    assert np.abs(found - expected).max() < 1e-5
    assert [row["label"] for row in rows] == [["negative", "positive"][i] for i in expected.argmax(1)]
    one = httpx.post(f"{onnx_server}/v1/predict", json={"text": TEXTS[0]}).json()
    assert one["label"] == rows[0]["label"] and set(one) == {"text", "label", "probabilities", "backend"}


def test_explain_matches_the_torch_explanation(onnx_server: str, trained_run: Path) -> None:
    from sentiment_rnn.rnn.run import load_run

    text = "the plot was not great , the cast was superb"
    expected = explain_run(load_run(trained_run), text).as_dict()
    found = httpx.post(f"{onnx_server}/v1/explain", json={"text": text}).json()
    assert [row["token"] for row in found["tokens"]] == [row["token"] for row in expected["tokens"]]
    assert found["label"] == expected["label"]
    for a, b in zip(found["tokens"], expected["tokens"], strict=True):
        assert abs(a["importance"] - b["importance"]) < 1e-5
        for label in found["labels"]:
            assert abs(a["probabilities"][label] - b["probabilities"][label]) < 1e-5


def test_health_model_docs_and_page(onnx_server: str) -> None:
    health = httpx.get(f"{onnx_server}/v1/health").json()
    assert health["status"] == "ok" and health["backend"] == "onnx"
    model = httpx.get(f"{onnx_server}/v1/model").json()
    assert model["kind"] == "rnn" and model["labels"] == ["negative", "positive"]
    assert model["format_version"] == 1 and model["config"]["model"]["cell"] == "lstm"
    assert model["metrics"]["test"]["accuracy"] > 0.5
    assert model["limits"] == {"max_text_chars": 200, "max_texts": 5, "max_body_bytes": 4000}
    schema = httpx.get(f"{onnx_server}/openapi.json").json()
    assert {"/v1/predict", "/v1/explain", "/v1/health", "/v1/model"} <= set(schema["paths"])
    assert httpx.get(f"{onnx_server}/docs").status_code == 200
    page = httpx.get(f"{onnx_server}/")
    assert page.status_code == 200 and '<script src="/static/page.js">' in page.text
    assert "drawTrajectory" in httpx.get(f"{onnx_server}/static/page.js").text


BAD_REQUESTS = [  # (body bytes, status, field, limit)
    (b'{"texts": ["fine"', 400, "body", None),
    (b"\xff\xfe not utf-8", 400, "body", None),
    (b"[" * 100_000 + b"]" * 100_000, 413, "body", 4000),
    (b"[" * 1900 + b"]" * 1900, 400, "body", None),  # under the body limit, nested too deep
    (b"", 400, "body", None),
    (b"[1, 2]", 422, "body", None),
    (b'{"texts": "fine"}', 422, "texts", None),
    (b'{"texts": []}', 422, "texts", None),
    (b'{"texts": ["fine", 3]}', 422, "texts[1]", None),
    (b'{"texts": ["fine"], "text": "fine"}', 422, "texts", None),
    (b'{"words": ["fine"]}', 422, "words", None),
    (b'{"texts": ["a", "b", "c", "d", "e", "f"]}', 413, "texts", 5),
    (json.dumps({"text": "x" * 201}).encode(), 413, "text", 200),
    (json.dumps({"texts": ["fine", "y " * 101]}).encode(), 413, "texts[1]", 200),
    (b'{"text": "   "}', 422, "text", None),
    (b'{"text": "\\u0000\\u0001"}', 422, "text", None),
    (b'{"text": "fine \\ud800"}', 422, "text", None),
    (b'{"text": null}', 422, "text", None),
]


@pytest.mark.parametrize(("body", "status", "field", "limit"), BAD_REQUESTS)
def test_bad_requests_get_json_errors_naming_field_and_limit(
    onnx_server: str, body: bytes, status: int, field: str, limit: int | None
) -> None:
    response = httpx.post(f"{onnx_server}/v1/predict", content=body,
                          headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    error = response.json()
    assert error["field"] == field and error["limit"] == limit and error["error"]


@pytest.mark.parametrize(("text", "problem"), [
    ("zzqx qqzv", "none of the words read (zzqx, qqzv) is in the model's vocabulary"),
    ("<br />", "the text has no tokens the model can read"),
])
def test_explain_of_a_text_the_model_cannot_read_is_a_422(onnx_server: str, text: str,
                                                          problem: str) -> None:
    response = httpx.post(f"{onnx_server}/v1/explain", json={"text": text})
    assert response.status_code == 422
    assert response.json()["field"] == "text" and response.json()["error"].startswith(problem)


def test_a_chunked_body_over_the_limit_is_refused_without_reading_it_all(onnx_server: str) -> None:
    def chunks():
        for _ in range(1000):
            yield b"x" * 1000

    response = httpx.post(f"{onnx_server}/v1/predict", content=chunks())
    assert response.status_code == 413 and response.json()["limit"] == 4000
    assert httpx.post(f"{onnx_server}/v1/explain", content=b'{"text": ""}').status_code == 422
    assert httpx.get(f"{onnx_server}/v1/health").json()["status"] == "ok"


async def _all_at_once(url: str, texts: list[str]) -> list[dict]:
    """Every request started together, each on a connection of its own: a burst the server sees
    at once, however slow this machine is at making requests (a pool of client threads once
    trickled them in one or two at a time, and they ran in 25 batches)."""
    limits = httpx.Limits(max_connections=len(texts), max_keepalive_connections=len(texts))
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        gate = asyncio.Event()

        async def post(text: str) -> dict:
            await gate.wait()
            return (await client.post(url, json={"text": text})).json()

        tasks = [asyncio.create_task(post(text)) for text in texts]
        await asyncio.sleep(0)  # every task is waiting at the gate
        gate.set()
        return list(await asyncio.gather(*tasks))


def test_concurrent_requests_share_batches_and_get_their_own_answers(exported: Path) -> None:
    texts = [f"the plot was {'not ' * (i % 3)}great" for i in range(48)]
    with server(exported, "--max-wait-ms", "200", "--max-batch-size", "64") as (_, url):
        alone = [httpx.post(f"{url}/v1/predict", json={"text": t}).json() for t in texts[:3]]
        before = httpx.get(f"{url}/v1/health").json()["batches"]
        rows = asyncio.run(_all_at_once(f"{url}/v1/predict", texts))
        batches = httpx.get(f"{url}/v1/health").json()["batches"] - before
    assert [row["text"] for row in rows] == texts
    assert rows[:3] == alone  # an answer does not depend on its batch companions
    assert batches < len(texts) / 2, f"{len(texts)} requests in {batches} batches"


def test_batching_off_runs_each_request_alone(exported: Path) -> None:
    with server(exported, "--max-batch-size", "1") as (_, url):
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda t: httpx.post(f"{url}/v1/predict", json={"text": t}), TEXTS * 4))
        assert httpx.get(f"{url}/v1/health").json()["batches"] == len(TEXTS) * 4


def test_sigterm_finishes_requests_in_flight_then_exits_0(exported: Path) -> None:
    """A request's body arrives over 3 s; SIGTERM comes after its first part."""
    body = json.dumps({"texts": TEXTS}).encode()
    sent_first = threading.Event()

    def slowly():
        for start in range(0, len(body), len(body) // 3 + 1):
            yield body[start : start + len(body) // 3 + 1]
            sent_first.set()
            time.sleep(1.0)

    with server(exported) as (process, url):
        answer = {}

        def ask() -> None:
            answer["response"] = httpx.post(f"{url}/v1/predict", content=slowly(), timeout=60)

        thread = threading.Thread(target=ask)
        thread.start()
        assert sent_first.wait(30)
        time.sleep(0.2)
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        thread.join(60)
        assert process.wait(60) == 0, process.stderr.read()
    assert answer["response"].status_code == 200
    assert [row["text"] for row in answer["response"].json()] == TEXTS
    with pytest.raises(httpx.TransportError):  # and it no longer listens
        httpx.get(f"{url}/v1/health", timeout=2)


def test_torch_backend_and_a_baseline_run(trained_run: Path, tmp_path: Path) -> None:
    from conftest import TINY_CONFIG, write_dataset
    from sentiment_rnn.baseline.train import train_baseline
    from sentiment_rnn.config import validate_config

    config = validate_config({**TINY_CONFIG, "data": write_dataset(tmp_path / "data")}, "tiny")
    baseline, _ = train_baseline(config, tmp_path / "baseline")
    with server(trained_run) as (_, url):
        row = httpx.post(f"{url}/v1/predict", json={"text": "superb"}).json()
        assert row["backend"] == "torch" and row["label"] == "positive"
        assert httpx.post(f"{url}/v1/explain", json={"text": "superb"}).json()["label"] == "positive"
    with server(baseline) as (_, url):
        row = httpx.post(f"{url}/v1/predict", json={"text": "superb"}).json()
        assert row["backend"] == "numpy" and row["label"] == "positive"
        refused = httpx.post(f"{url}/v1/explain", json={"text": "superb"})
        assert refused.status_code == 404 and "baseline" in refused.json()["error"]
        assert httpx.get(f"{url}/v1/model").json()["kind"] == "baseline"


def test_a_bad_run_directory_fails_before_listening(tmp_path: Path) -> None:
    import subprocess
    import sys

    from serve_helpers import environment

    pytest.importorskip("uvicorn", reason="the [serve] extra is not installed")
    result = subprocess.run([sys.executable, "-m", "sentiment_rnn", "serve", "--model",
                             str(tmp_path / "missing"), "--port", "0"],
                            env=environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'missing'}: model directory not found"


def test_two_workers_answer_and_stop_on_sigterm(exported: Path) -> None:
    with server(exported, "--workers", "2") as (process, url):
        with ThreadPoolExecutor(4) as pool:
            rows = list(pool.map(lambda t: httpx.post(f"{url}/v1/predict", json={"text": t}).json(),
                                 TEXTS * 4))
        assert [row["text"] for row in rows] == TEXTS * 4
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0


def random_value(rng, depth: int = 0):
    """A random JSON value: strings of any code point (surrogates too), numbers, lists, objects."""
    kind = rng.choice(["str", "str", "num", "null", "bool", "list", "dict"] if depth < 3 else ["str"])
    if kind == "str":
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 0x110000)]))
                       for _ in range(rng.randrange(0, 12)))
    if kind == "num":
        return rng.choice([0, -1, 1e308, 3.5, 2**70])
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if kind == "dict":
        keys = ["text", "texts", rng.choice(["x", "TEXT", ""])]
        return {rng.choice(keys): random_value(rng, depth + 1) for _ in range(rng.randrange(0, 3))}
    return None if kind == "null" else rng.random() < 0.5


def test_no_random_body_gets_a_server_error(onnx_server: str) -> None:
    import random

    rng = random.Random(13)
    statuses = {}
    with httpx.Client() as client:
        for i in range(300):
            if i % 3 == 0:
                body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
            else:
                value = random_value(rng)
                value = {"texts" if i % 2 else "text": value} if rng.random() < 0.6 else value
                body = json.dumps(value).encode()
            for path in ("/v1/predict", "/v1/explain"):
                response = client.post(f"{onnx_server}{path}", content=body)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code < 500, (path, body, response.text)
                if response.status_code != 200:
                    assert set(response.json()) == {"error", "field", "limit"}
    assert statuses.get(200, 0) > 0 and statuses.get(422, 0) > 0 and statuses.get(400, 0) > 0
    assert httpx.get(f"{onnx_server}/v1/health").json()["status"] == "ok"
