"""The micro-batcher on its own: who waits for whom, what each request gets back."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sentiment_rnn.serving.microbatch import MicroBatcher

LONG = 60.0  # a max_wait that no test may sit through


def lengths_model(calls: list[list[str]]):
    """A fake model: remembers each batch; the 'probabilities' are (len(text), batch size)."""
    def model(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[len(text), len(texts)] for text in texts], dtype=float)
    return model


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, timeout=LONG / 2))


def test_a_lone_request_does_not_wait() -> None:
    calls: list[list[str]] = []

    async def main():
        batcher = MicroBatcher(lengths_model(calls), ThreadPoolExecutor(1), 64, LONG)
        batcher.start()
        rows = await batcher.probabilities(["abc"])
        await batcher.stop()
        return rows

    assert run(main()).tolist() == [[3.0, 1.0]]  # finished long before max_wait
    assert calls == [["abc"]]


def test_a_batch_waits_for_requests_still_arriving_and_each_gets_its_rows() -> None:
    calls: list[list[str]] = []

    async def main():
        batcher = MicroBatcher(lengths_model(calls), ThreadPoolExecutor(1), 64, LONG)
        batcher.start()
        batcher.arriving = 1  # a request is being read
        first = asyncio.ensure_future(batcher.probabilities(["a", "bb"]))
        await asyncio.sleep(0.05)
        assert not first.done()  # waiting for the arriving request
        batcher.arriving = 0
        second = await batcher.probabilities(["cccc"])
        rows = await first
        await batcher.stop()
        return rows, second

    rows, second = run(main())
    assert calls == [["a", "bb", "cccc"]]
    assert rows.tolist() == [[1.0, 3.0], [2.0, 3.0]] and second.tolist() == [[4.0, 3.0]]


def test_requests_queued_while_a_batch_runs_form_the_next_batch_up_to_the_limit() -> None:
    calls: list[list[str]] = []

    async def main():
        batcher = MicroBatcher(lengths_model(calls), ThreadPoolExecutor(1), 3, 0.0)
        # queued before the batcher starts, as if they came in while a batch ran
        tasks = [asyncio.ensure_future(batcher.probabilities([text])) for text in "abcdefg"]
        await asyncio.sleep(0)
        batcher.start()
        results = await asyncio.gather(*tasks)
        await batcher.stop()
        return results

    results = run(main())
    assert [len(batch) for batch in calls] == [3, 3, 1] and sum(calls, []) == list("abcdefg")
    assert [row.tolist() for row in results] == [[[1.0, 3.0]]] * 6 + [[[1.0, 1.0]]]


def test_a_request_larger_than_the_batch_runs_alone_and_a_failure_reaches_its_requests() -> None:
    calls: list[list[str]] = []

    def failing(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        raise RuntimeError("model failed")

    async def main():
        batcher = MicroBatcher(failing, ThreadPoolExecutor(1), 2, 0.0)
        batcher.start()
        try:
            await batcher.probabilities(["a", "b", "c"])
        except RuntimeError as err:
            message = str(err)
        await batcher.stop()
        return message

    assert run(main()) == "model failed"
    assert calls == [["a", "b", "c"]]
