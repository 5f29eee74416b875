"""Real `sentiment-rnn serve` processes for the API and page tests, and an exported run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
STARTED = re.compile(r"sentiment-rnn serve: (http://[\d.]+:\d+)")


def environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def exported_copy(run: Path, root: Path) -> Path:
    """A copy of `run` with model.onnx, made by the real `export` command."""
    pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")
    pytest.importorskip("onnx", reason="the [onnx] extra is not installed")
    target = root / "exported"
    shutil.copytree(run, target)
    subprocess.run([sys.executable, "-m", "sentiment_rnn", "export", "--model", str(target)],
                   check=True, env=environment(), capture_output=True)
    return target


@contextmanager
def server(run: Path, *options: str, timeout: float = 120):
    """A `sentiment-rnn serve` process on a free loopback port: yields (process, base URL)."""
    pytest.importorskip("fastapi", reason="the [serve] extra is not installed")
    pytest.importorskip("uvicorn", reason="the [serve] extra is not installed")
    command = [sys.executable, "-m", "sentiment_rnn", "serve", "--model", str(run),
               "--host", "127.0.0.1", "--port", "0", "--threads", "1", *options]
    process = subprocess.Popen(command, env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        url = _wait_for_start(process, timeout)
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_start(process: subprocess.Popen, timeout: float) -> str:
    """The base URL from the server's first line; then wait until /v1/health answers."""
    import httpx

    line = process.stderr.readline()
    match = STARTED.search(line)
    if not match:
        process.kill()
        raise AssertionError(f"server did not start: {line}{process.stderr.read()}")
    url = match.group(1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=5).status_code == 200:
                return url
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url}/v1/health did not answer within {timeout} s")
