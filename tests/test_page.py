"""The page at `/`, driven in headless Chromium over the DevTools protocol (CDP).

Skipped, with the reason, where no Chromium is installed (Debian: `apt-get install chromium`).
The test types a review into the page, clicks the button, and reads the answer, the
probabilities and the drawn trajectory back from the page.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from serve_helpers import exported_copy, server

httpx = pytest.importorskip("httpx", reason="the [test] extra is not installed")
sync_client = pytest.importorskip("websockets.sync.client",
                                  reason="the [test] extra (websockets) is not installed")

pytestmark = pytest.mark.slow  # every test here runs real server processes

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    return next(filter(None, map(shutil.which, BROWSERS)), None)


class Browser:
    """A headless Chromium with one page, driven over its DevTools websocket."""

    def __init__(self, executable: str, profile: Path) -> None:
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own process group: closed as one, never signals ours
        port = self._port(profile / "DevToolsActivePort")
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(p for p in pages if p["type"] == "page")
        self.connection = sync_client.connect(page["webSocketDebuggerUrl"], max_size=None)
        self.socket = self.connection.__enter__()
        self.ids = itertools.count(1)

    def _port(self, path: Path, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.is_file() and path.read_text().strip():
                return int(path.read_text().split()[0])
            if self.process.poll() is not None:
                raise AssertionError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.1)
        raise AssertionError("chromium did not open its DevTools port")

    def send(self, method: str, **params) -> dict:
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:  # events arrive in between; skip them
            reply = json.loads(self.socket.recv(timeout=60))
            if reply.get("id") == message_id:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60):
        """Poll `expression` until it is truthy (false while the page is still loading)."""
        guarded = f"(() => {{ try {{ return {expression}; }} catch (error) {{ return false; }} }})()"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := self.evaluate(guarded):
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}")

    def click(self, selector: str) -> None:
        box = self.evaluate(f"(() => {{ const r = document.querySelector({selector!r})"
                            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left",
                      clickCount=1)

    def close(self) -> None:
        self.connection.__exit__(None, None, None)
        os.killpg(self.process.pid, signal.SIGTERM)  # the browser and its helper processes
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def browser(tmp_path: Path):
    executable = find_browser()
    if executable is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    browser = Browser(executable, tmp_path / "profile")
    yield browser
    browser.close()


def test_page_shows_label_probabilities_and_trajectory(browser: Browser, trained_run: Path,
                                                       tmp_path: Path) -> None:
    text = "the plot was not great"
    with server(exported_copy(trained_run, tmp_path)) as (_, url):
        expected = httpx.post(f"{url}/v1/predict", json={"text": text}).json()
        explained = httpx.post(f"{url}/v1/explain", json={"text": text}).json()
        browser.send("Page.enable")
        browser.send("Page.navigate", url=f"{url}/")
        browser.wait_for("document.body.dataset.state === 'ready'")
        assert "onnx" in browser.evaluate("document.getElementById('model').textContent")
        browser.click("#text")
        browser.send("Input.insertText", text=text)  # typed, as a keyboard would
        browser.click("#go")
        browser.wait_for("document.body.dataset.state === 'done'")
        label = browser.evaluate("document.getElementById('label').textContent")
        rows = browser.evaluate("[...document.querySelectorAll('#probabilities tr')]"
                                ".map(r => [r.dataset.label, Number(r.cells[1].textContent)])")
        points = browser.evaluate("document.querySelector('#trajectory polyline')"
                                  ".getAttribute('points').trim().split(' ').length")
        words = browser.evaluate("[...document.querySelectorAll('#trajectory text')]"
                                 ".map(t => t.textContent).slice(2)")
        flips = browser.evaluate("document.querySelectorAll('#trajectory circle.flip').length")
    assert label == expected["label"]
    assert [name for name, _ in rows] == list(expected["probabilities"])
    for name, shown in rows:
        assert shown == pytest.approx(expected["probabilities"][name], abs=0.0005)
    assert points == len(explained["tokens"]) == len(text.split())
    assert words == text.split()
    assert flips == len(explained["flips"])


def test_page_shows_an_error_from_the_api(browser: Browser, trained_run: Path) -> None:
    with server(trained_run, "--max-text-chars", "10") as (_, url):
        browser.send("Page.navigate", url=f"{url}/")
        browser.wait_for("document.body.dataset.state === 'ready'")
        browser.click("#text")
        browser.send("Input.insertText", text="far too long for this server")
        browser.click("#go")
        browser.wait_for("document.body.dataset.state === 'error'")
        error = browser.evaluate("document.getElementById('error').textContent")
    assert error == "text has 28 characters; the limit is 10"
