"""Load test of `sentiment-rnn serve` on loopback: throughput and latency, then hostile requests.

Starts the server itself (one process per setting, on a free loopback port), then:
1. for micro-batching on (`--max-batch-size 64 --max-wait-ms 0`: each batch takes what queued
   while the last one ran; both settable here) and off (`--max-batch-size 1`),
   and for each concurrency (1, 8, 64): `--requests` POST /v1/predict requests of one review
   each, from keep-alive connections; throughput, p50 and p99 latency, errors (any non-200);
2. with batching on: 1,000 malformed or oversized requests (not JSON, not UTF-8, nested too
   deep, too large a body, too many texts, too long a text, wrong types, empty texts); every
   answer must be 4xx, none 5xx, and /v1/health must still answer; the server's peak RSS
   (VmHWM) before and after.
Bounded: each phase stops after `--phase-seconds` even if its requests are not all sent.
The client is a small HTTP/1.1 client on asyncio streams, in this process: on a 2-core machine
it shares the CPU with the server, which the figures include.

    python scripts/bench_serve.py --model runs/latest                  # 10,000 requests a phase
    python scripts/bench_serve.py --model runs/latest --requests 500   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

STARTED = re.compile(r"sentiment-rnn serve: http://([\d.]+):(\d+)")
LIMITS = {"max_text_chars": 100_000, "max_texts": 1_000, "max_body_bytes": 8_000_000}


def start_server(model: str, *options: str) -> tuple[subprocess.Popen, str, int]:
    command = [sys.executable, "-m", "sentiment_rnn", "serve", "--model", model, "--port", "0",
               *options]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = STARTED.search(line)
    if not match:
        raise SystemExit(f"server did not start: {line}{process.stderr.read()}")
    return process, match.group(1), int(match.group(2))


def stop_server(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(60)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def request_bytes(host: str, port: int, path: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def exchange(reader, writer, data: bytes) -> int:
    """Send one request on a keep-alive connection; the response's status code."""
    writer.write(data)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def load(host: str, port: int, bodies: list[bytes], concurrency: int,
               seconds: float) -> dict:
    """Send `bodies` from `concurrency` connections; latencies and statuses."""
    queue = list(reversed(bodies))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while queue and time.perf_counter() < deadline:
                data = request_bytes(host, port, "/v1/predict", queue.pop())
                start = time.perf_counter()
                try:
                    status = await exchange(reader, writer, data)
                except (ConnectionError, asyncio.IncompleteReadError):
                    status = -1  # the server closed the connection (as it may after a 4xx)
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                latencies.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies), "seconds": elapsed,
        "requests_per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def hostile_bodies(count: int) -> list[bytes]:
    """Malformed or oversized /v1/predict bodies, cycling through the kinds."""
    kinds = [
        b'{"texts": ["fine"', b"\xff\xfe\x00 not utf-8", b"[" * 5000 + b"]" * 5000, b"",
        b"null", b'{"texts": "fine"}', b'{"texts": []}', b'{"texts": [1, 2]}',
        b'{"text": "   "}', b'{"text": "\\u0000"}', b'{"text": "a \\ud800"}', b'{"other": 1}',
        json.dumps({"texts": ["fine"] * (LIMITS["max_texts"] + 1)}).encode(),
        json.dumps({"text": "x " * (LIMITS["max_text_chars"] // 2 + 1)}).encode(),
        b'{"text": "' + b"y" * (LIMITS["max_body_bytes"] + 10) + b'"}',
    ]
    return [kinds[i % len(kinds)] for i in range(count)]


def reviews(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def run(args) -> dict:
    texts = reviews(args.texts)
    bodies = [json.dumps({"text": texts[i % len(texts)]}).encode() for i in range(args.requests)]
    settings = {"on": ["--max-batch-size", str(args.max_batch_size),
                       "--max-wait-ms", str(args.max_wait_ms)],
                "off": ["--max-batch-size", "1"]}
    result: dict = {"model": args.model, "requests_per_phase": args.requests, "phases": []}
    for batching, options in settings.items():
        if args.backend:
            options = [*options, "--backend", args.backend]
        process, host, port = start_server(args.model, *options, "--threads", str(args.threads))
        time.sleep(1)
        try:
            for concurrency in (1, 8, 64):
                figures = asyncio.run(load(host, port, bodies, concurrency, args.phase_seconds))
                result["phases"].append({"batching": batching, "concurrency": concurrency, **figures})
                print(json.dumps(result["phases"][-1]), file=sys.stderr)
            if batching == "on":
                result["hostile"] = hostile_phase(process, host, port, args)
        finally:
            result.setdefault("exit_codes", {})[batching] = stop_server(process)
    return result


def hostile_phase(process: subprocess.Popen, host: str, port: int, args) -> dict:
    before = peak_rss_mib(process.pid)
    figures = asyncio.run(load(host, port, hostile_bodies(1000), 8, args.phase_seconds))
    after = peak_rss_mib(process.pid)
    health = asyncio.run(load_health(host, port))
    server_errors = sum(v for k, v in figures["statuses"].items() if int(k) >= 500)
    return {**figures, "server_errors": server_errors, "healthy_after": health,
            "peak_rss_mib_before": before, "peak_rss_mib_after": after}


async def load_health(host: str, port: int) -> bool:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /v1/health HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/latest")
    parser.add_argument("--texts", type=Path, default=Path("data/test.csv"),
                        help="CSV with a text column: the reviews sent")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--phase-seconds", type=float, default=300)
    parser.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--max-batch-size", type=int, default=64, help="batching on: largest batch")
    parser.add_argument("--max-wait-ms", type=float, default=0.0, help="batching on: longest wait")
    parser.add_argument("--backend", choices=("torch", "onnx"), default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.model}: {args.requests:,} requests per phase, loopback")
    print("batching  concurrency  requests/s  p50 ms  p99 ms  non-200")
    for phase in result["phases"]:
        bad = sum(v for k, v in phase["statuses"].items() if k != "200")
        print(f"{phase['batching']:<9} {phase['concurrency']:>11}  {phase['requests_per_second']:>10,.0f}"
              f"  {phase['p50_ms']:>6.1f}  {phase['p99_ms']:>6.1f}  {bad:>7}")
    hostile = result["hostile"]
    print(f"hostile: {hostile['requests']:,} requests, statuses {hostile['statuses']}, "
          f"server errors {hostile['server_errors']}, healthy after: {hostile['healthy_after']}, "
          f"peak RSS {hostile['peak_rss_mib_before']:.0f} -> {hostile['peak_rss_mib_after']:.0f} MiB")
    print(f"exit codes after SIGTERM: {result['exit_codes']}")


if __name__ == "__main__":
    main()
