"""Load generator for ``fluorologic serve`` on loopback: keep-alive connections posting one encounter each.

Bounded by design: it only connects to 127.0.0.1, stops after ``--seconds`` or ``--requests``, whichever
comes first, and uses ``--connections`` concurrent connections. It reports requests/s, latency
percentiles, and the count of non-200 answers and of connection errors.

Usage::

    fluorologic serve --port 8765 --workers 2 &
    python bench/load.py --port 8765 --seconds 60 --connections 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate, realistic  # noqa: E402

HOST = "127.0.0.1"


def _request(port: int, body: bytes) -> bytes:
    return (f"POST /v1/solve HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def _worker(port: int, bodies: list[bytes], start: int, step: int, deadline: float, budget: list[int],
                  lat: list[float], stats: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = start
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            t0 = time.perf_counter()
            writer.write(_request(port, bodies[i % len(bodies)]))
            await writer.drain()
            status, _ = await _read_response(reader)
            lat.append(time.perf_counter() - t0)
            stats["ok" if status == 200 else "bad"] += 1
            i += step
    except (OSError, asyncio.IncompleteReadError):
        stats["errors"] += 1
    finally:
        writer.close()


async def run(port: int, seconds: float, requests: int, connections: int, n: int, stream: str = "cold"
              ) -> dict[str, float]:
    """Drive the service and return the figures."""
    encs = generate(n, seed=11) if stream == "cold" else realistic(n, seed=11)
    bodies = [json.dumps(e).encode() for e in encs]
    lat: list[float] = []
    stats = {"ok": 0, "bad": 0, "errors": 0}
    budget = [requests]
    t0 = time.perf_counter()
    deadline = t0 + seconds
    await asyncio.gather(*(_worker(port, bodies, c, connections, deadline, budget, lat, stats)
                           for c in range(connections)))
    elapsed = time.perf_counter() - t0
    lat.sort()

    def pct(p: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")

    return {"requests": len(lat), "seconds": round(elapsed, 2), "req_per_s": round(len(lat) / elapsed, 1),
            "p50_ms": round(pct(0.50), 2), "p99_ms": round(pct(0.99), 2), "non_200": stats["bad"],
            "connection_errors": stats["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--encounters", type=int, default=2000, help="distinct generated encounters to cycle")
    parser.add_argument("--stream", choices=("cold", "realistic"), default="cold",
                        help="the encounters of bench/generate.py to send: cold, or one practice's stream")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.port, min(args.seconds, 600), args.requests, args.connections,
                                     args.encounters, args.stream))))


if __name__ == "__main__":
    main()
