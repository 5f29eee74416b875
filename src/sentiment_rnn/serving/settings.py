"""What `sentiment-rnn serve` can be told, and how it reaches worker processes."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

ENVIRONMENT = "SENTIMENT_RNN_SERVE"  # JSON settings, for worker processes started by uvicorn


@dataclass(frozen=True)
class Settings:
    model: str | None = None  # run directory; None: runs/latest
    backend: str | None = None  # "torch" | "onnx"; None: onnx when the run has model.onnx
    max_batch_size: int = 64  # texts run through the model at once; 1 turns batching off
    max_wait_ms: float = 0.0  # how long a batch may wait for requests still arriving
    max_text_chars: int = 100_000
    max_texts: int = 1_000
    max_body_bytes: int = 8_000_000
    threads: int = 0  # compute threads per process; 0: the cores shared among the workers
    workers: int = 1

    def compute_threads(self) -> int:
        if self.threads:
            return self.threads
        return max(1, (os.cpu_count() or 1) // self.workers)

    def to_environment(self) -> None:
        os.environ[ENVIRONMENT] = json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(**json.loads(os.environ.get(ENVIRONMENT, "{}")))
