"""Dynamic micro-batching: texts of concurrent requests run through the model together.

A request's texts join a queue. One task takes the first waiting request, then keeps adding
requests until the batch holds `max_batch_size` texts or `max_wait` seconds have passed since
it began, and runs the batch on the model's single compute thread (never on the event loop).
Each request then gets its own rows back. It waits only while other requests are arriving
(`arriving`: received, their bodies still being read and checked): a lone request runs at
once. Under load, requests queue while a batch runs, so batches grow with concurrency. With
`max_batch_size` 1, every request runs alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

Model = Callable[[list[str]], np.ndarray]  # texts -> probabilities (N, C)


@dataclass
class _Waiting:
    texts: Sequence[str]
    future: asyncio.Future = field(repr=False)


class MicroBatcher:
    """Queue requests, run them in batches, hand each its own probabilities."""

    def __init__(self, model: Model, executor: ThreadPoolExecutor, max_batch_size: int,
                 max_wait: float) -> None:
        self.model = model
        self.executor = executor  # one thread: the model runs one batch at a time
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait
        self.arriving = 0  # requests received and not yet queued (the app counts them)
        self.batches = 0  # counters, reported by /v1/health
        self.texts = 0
        self._queue: asyncio.Queue[_Waiting] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self._carry: _Waiting | None = None  # taken from the queue, runs in the next batch

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Finish every request already queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass

    async def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The probabilities (N, C) of these texts, computed in whatever batch they join."""
        waiting = _Waiting(texts, asyncio.get_running_loop().create_future())
        await self._queue.put(waiting)
        return await waiting.future

    async def _gather(self) -> list[_Waiting]:
        """The next batch: the first waiting request, and more until full or out of time.

        A request that would overflow the batch is carried over to start the next one.
        """
        first, self._carry = self._carry or await self._queue.get(), None
        batch, size = [first], len(first.texts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while size < self.max_batch_size:
            if not self._queue.empty():
                item = self._queue.get_nowait()
            else:
                remaining = deadline - loop.time()
                if remaining <= 0 or not self.arriving:  # nobody else to wait for
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            if size + len(item.texts) > self.max_batch_size:
                self._carry = item
                break
            batch.append(item)
            size += len(item.texts)
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._gather()
            texts = [text for waiting in batch for text in waiting.texts]
            try:
                probabilities = await loop.run_in_executor(self.executor, self.model, texts)
            except Exception as err:  # a bug, not the user's input: each request reports it
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(err)
            else:
                self.batches += 1
                self.texts += len(texts)
                start = 0
                for waiting in batch:
                    if not waiting.future.done():  # the client may have gone
                        waiting.future.set_result(probabilities[start : start + len(waiting.texts)])
                    start += len(waiting.texts)
            finally:
                for _ in batch:
                    self._queue.task_done()
