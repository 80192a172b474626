"""A small asyncio HTTP/1.1 load generator: the fallback when ``wrk`` is not installed.

Keep-alive connections over raw sockets (asyncio streams, uvloop when available), each sending the
same request back to back for a fixed time; responses are read fully (Content-Length or chunked).
Client overhead in Python is of the same order as the server's, so figures from it understate both
servers and compress their ratio: prefer wrk.

    python bench/loadgen.py URL [--method POST] [--body JSON] [-H 'name: value'] [-c 32] [-d 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any
from urllib.parse import urlsplit


def build_request(url: str, method: str, body: bytes, headers: dict[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    return parts.hostname or "127.0.0.1", parts.port or 80, raw


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length, chunked = None, False
    for line in header_lines:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()  # the CRLF after the last chunk (no trailers expected)
                break
            await reader.readexactly(size + 2)
    elif length:
        await reader.readexactly(length)
    return status


async def worker(
    host: str, port: int, raw: bytes, stop_at: float, latencies: list[float], counters: dict[str, int]
) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        counters["socket_errors"] += 1
        return
    try:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            writer.write(raw)
            status = await read_response(reader)
            latencies.append(time.perf_counter() - start)
            if not 200 <= status < 400:
                counters["status_errors"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        counters["socket_errors"] += 1
    finally:
        writer.close()


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def run_async(
    url: str, method: str, body: bytes, headers: dict[str, str], connections: int, duration: float
) -> dict[str, Any]:
    host, port, raw = build_request(url, method, body, headers)
    latencies: list[float] = []
    counters = {"status_errors": 0, "socket_errors": 0}
    start = time.perf_counter()
    stop_at = start + duration
    await asyncio.gather(*(worker(host, port, raw, stop_at, latencies, counters) for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        **counters,
    }


def run(
    url: str,
    method: str = "POST",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    connections: int = 32,
    duration: float = 5.0,
) -> dict[str, Any]:
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    return runner(run_async(url, method, body, headers or {}, connections, duration))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--method", default="POST")
    parser.add_argument("--body", default="")
    parser.add_argument("-H", dest="headers", action="append", default=[])
    parser.add_argument("-c", type=int, default=32)
    parser.add_argument("-d", type=float, default=5.0)
    args = parser.parse_args()
    headers = dict(h.split(":", 1) for h in args.headers)
    result = run(
        args.url,
        args.method,
        args.body.encode(),
        {k.strip(): v.strip() for k, v in headers.items()},
        args.c,
        args.d,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
