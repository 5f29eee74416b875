"""`pretrain.processes: 2`: one spawned process per direction, one thread each.

The parent writes the encoded streams to the run directory (`streams.safetensors`), starts a
worker per direction, draws their progress (sent back on a queue) and waits. Each worker builds
its trainer exactly as one process would (from the run's config.yaml and its checkpoint), so the
weights are the same either way. Ctrl-C reaches the workers (passed on when only the parent got
it); a worker whose parent died stops at its next step.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import time
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from sentiment_rnn import runs
from sentiment_rnn.config import read_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.rnn.lm.corpus import Corpus
from sentiment_rnn.rnn.lm.directions import Job, Reporter, build_trainer, train_directions
from sentiment_rnn.rnn.lm.rundir import STREAMS


def run_in_processes(job: Job, corpus: Corpus, reporter: Reporter) -> None:
    """One spawned process per direction, one thread each; progress comes back on a queue."""
    atomic_write(job.run_dir / STREAMS, save({"train": corpus.train, "valid": corpus.valid}))
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    vocab = corpus.tokenizer.get_vocab_size()
    workers = [
        context.Process(target=_worker, args=(str(job.run_dir), d, job.fingerprints, vocab,
                                              messages, os.getpid()), name=f"pretrain-{d}")
        for d in job.directions
    ]
    for worker in workers:
        worker.start()
    errors: list[str] = []
    try:
        while any(worker.is_alive() for worker in workers) or not messages.empty():
            try:
                kind, payload = messages.get(timeout=0.2)
            except queue_module.Empty:
                continue
            if kind == "error":
                errors.append(payload)
            else:
                getattr(reporter, kind)(payload)
    except KeyboardInterrupt:
        _stop(workers)
        raise
    for worker in workers:
        worker.join()
    if errors:
        raise UserError(errors[0])
    failed = [f"{w.name} (exit code {w.exitcode})" for w in workers if w.exitcode != 0]
    if failed:
        raise RuntimeError(f"pretraining process failed: {', '.join(failed)}")


def _stop(workers: list) -> None:
    """Ctrl-C: pass it on to the workers (a terminal sends it to all; `kill` to the parent only)."""
    for worker in workers:
        if worker.is_alive():
            os.kill(worker.pid, signal.SIGINT)
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.kill()


def _worker(run_dir: str, direction: str, fingerprints: dict, vocab: int, messages, parent: int) -> None:
    """One direction in its own process, on one thread; ends quietly on Ctrl-C."""
    from sentiment_rnn.rnn.runtime import set_up_process

    try:
        torch.set_num_threads(1)
        set_up_process("cpu")  # its own process: the allocator setting as the CLI makes it
        path = Path(run_dir)
        config = read_config(path / runs.CONFIG)
        streams = load_file(path / STREAMS)
        job = Job(path, config, fingerprints, [direction])
        trainer = build_trainer(direction, job, streams["train"], streams["valid"], vocab)
        reporter = Reporter(
            progress=_throttled(lambda u: messages.put(("progress", u))),
            record=lambda r: messages.put(("record", r)),
            message=lambda text: messages.put(("message", text)),
        )
        train_directions([trainer], job, reporter, keep_going=lambda: os.getppid() == parent)
    except UserError as err:
        messages.put(("error", str(err)))
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C (passed on) changes nothing
        raise SystemExit(130) from None


def _throttled(send: Callable[[dict], None], interval: float = 0.25) -> Callable[[dict], None]:
    last = [0.0]

    def throttled(update: dict) -> None:
        now = time.perf_counter()
        if now - last[0] >= interval or update["step"] == update["total_steps"]:
            last[0] = now
            send(update)

    return throttled
