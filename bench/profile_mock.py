"""Where the mock spends its time and memory per chat request, in-process (no sockets, no client).

    .venv/bin/python bench/profile_mock.py [--requests 5000] [--stream] [--cprofile] [--tracemalloc]
                                           [--rate-limits report|off|enforce] [--top 25] [--vary] [--cpu]

Drives the ASGI app directly with a minimal uvicorn-like harness (scope with asgi spec 2.3, as
uvicorn's httptools protocol sends, a receive that yields the body then waits, a send that drops
the bytes) and prints microseconds per request for the mock and for the bare Starlette app of
``bare_app.py`` side by side, interleaved. ``--cprofile`` adds the top functions by own and
cumulative time; ``--tracemalloc`` the allocation sites holding the most memory after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_app import build_app, default_body, default_events

CHAT_PATH = "/openai/deployments/gpt-4o-mini/chat/completions"
QUERY = b"api-version=2024-10-21"
PROMPT = "Hello, how are you today? Tell me about the weather in Paris."


def scope_for(path: str, query: bytes, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"api-key", b"test"),
            (b"content-length", str(len(body)).encode()),
        ],
    }


async def one(app: Any, scope: dict[str, Any], body: bytes) -> int:
    done = asyncio.Event()
    sent = {"body": False}
    status = 0

    async def receive() -> dict[str, Any]:
        if not sent["body"]:
            sent["body"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    await app(dict(scope), receive, send)
    return status


async def loop(app: Any, scope: dict[str, Any], body: bytes, n: int, vary: bool = False) -> float:
    bodies = [varied(body, i) for i in range(n)] if vary else [body] * n
    scopes = [scope_for(scope["path"], scope["query_string"], b) for b in bodies] if vary else [scope] * n
    start = TIMER()
    for scope_i, body_i in zip(scopes, bodies, strict=True):
        status = await one(app, scope_i, body_i)
        if status != 200:
            raise RuntimeError(f"status {status}")
    return (TIMER() - start) / n * 1e6


VARIED = iter(range(10**9))
TIMER = time.perf_counter  # --cpu: this process's CPU time, steadier than the wall clock on a busy machine


def varied(body: bytes, i: int) -> bytes:
    """``body`` with a number no other request has in its prompt, so nothing is memoised."""
    return body.replace(b"Paris.", f"Paris, request {next(VARIED)}.".encode())


def run_loop(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """``main()`` on uvloop (what ``aoai-mock serve`` runs on with the speed extra), else asyncio."""
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--rate-limits", default="report")
    parser.add_argument("--tokenizer", default="approx")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu", action="store_true", help="time by process CPU time, not the wall clock")
    parser.add_argument("--vary", action="store_true", help="a different prompt on every mock request")
    args = parser.parse_args()
    global TIMER
    if args.cpu:
        TIMER = time.process_time

    from mockserver.app import create_app
    from mockserver.config import load_settings

    mock = create_app(load_settings(rate_limits=args.rate_limits, tokenizer=args.tokenizer))
    bare = build_app(default_body(), default_events())
    request = {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 50}
    if args.stream:
        request["stream"] = True
    body = json.dumps(request).encode()
    mock_scope = scope_for(CHAT_PATH, QUERY, body)
    bare_scope = scope_for("/stream" if args.stream else "/chat", b"", body)

    async def run() -> None:
        await loop(mock, mock_scope, body, 50)  # warm-up, lazy imports
        await loop(bare, bare_scope, body, 50)
        if args.tracemalloc:
            tracemalloc.start(12)
        profiler = cProfile.Profile(TIMER) if args.cprofile else None
        chunk = max(1, args.requests // 5)
        mock_us, bare_us = [], []
        for _ in range(5):  # interleaved so machine load hits both alike
            bare_us.append(await loop(bare, bare_scope, body, chunk))
            if profiler:
                profiler.enable()
            mock_us.append(await loop(mock, mock_scope, body, chunk, args.vary))
            if profiler:
                profiler.disable()
        mode = "stream (50 chunks)" if args.stream else "non-streaming"
        mode += ", varied prompts" if args.vary else ", one repeated request"
        print(f"in-process {mode}, rate limits {args.rate_limits}, {5 * chunk} requests each:")
        print(f"  mock  {min(mock_us):8.1f} us/request  (chunks: {', '.join(f'{x:.0f}' for x in mock_us)})")
        print(f"  bare  {min(bare_us):8.1f} us/request  (chunks: {', '.join(f'{x:.0f}' for x in bare_us)})")
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats("mockserver", args.top)
        if args.tracemalloc:
            snapshot = tracemalloc.take_snapshot()
            print(
                f"tracemalloc: {sum(s.size for s in snapshot.statistics('filename')) / 2**20:.1f} MiB "
                "held, top sites:"
            )
            for stat in snapshot.statistics("lineno")[: args.top]:
                print(f"  {stat.size / 2**20:7.2f} MiB  {stat.count:8d} blocks  {stat.traceback[0]}")

    run_loop(run)


if __name__ == "__main__":
    main()
