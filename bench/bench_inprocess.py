"""Benchmarks for the pytest plugin's in-process path (prints figures; it asserts nothing).

    .venv/bin/python bench/bench_inprocess.py [--requests 300] [--rounds 5]

1. Time per ``chat.completions.create`` through the openai SDK on the in-process mock (what
   ``aoai_mock`` gives a test), next to the same SDK on a bare ``MockTransport`` that returns a
   fixed body (the same bytes the mock sent), sync and async. Target: at most 2x.
2. The session server's start time (``aoai_server``'s first use). Target: under 0.5 s.
3. The per-test cost: a fresh in-process handle (the ``aoai_mock`` fixture's setup and teardown),
   a fresh app on the session server (``aoai_server``'s), and ``reset()`` (``fresh()`` per example).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai

from mockserver.config import default_settings
from mockserver.testing.clients import ssl_context
from mockserver.testing.handle import MockAzure, open_inprocess, open_live
from mockserver.testing.intercept import Interceptor
from mockserver.testing.live import LiveServer
from mockserver.testing.spec import MockSpec

MESSAGES = [{"role": "user", "content": "Summarise the benefits of deterministic test doubles."}]
BATCH = 100  # requests between resets: the default rate limits allow 450 per 10 s per deployment


def http_package() -> Any:
    return sys.modules[type(openai.DEFAULT_CONNECTION_LIMITS).__module__.split(".")[0]]


def per_call(fn: Callable[[], Any], count: int, between: Callable[[], Any] | None = None) -> float:
    """Seconds per call of ``fn`` over ``count`` calls (``between`` runs untimed every BATCH calls)."""
    total = 0.0
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        started = time.perf_counter()
        for _ in range(n):
            fn()
        total += time.perf_counter() - started
        done += n
        if between is not None:
            between()
    return total / count


def median_of(rounds: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(rounds))


def fixed_transport(pkg: Any, body: bytes) -> Any:
    headers = {"content-type": "application/json"}
    return pkg.MockTransport(lambda request: pkg.Response(200, content=body, headers=headers))


def bench_sdk(mock: MockAzure, requests: int, rounds: int) -> dict[str, float]:
    pkg = http_package()
    client = mock.client()
    create = lambda: client.chat.completions.create(model="gpt-4o", messages=MESSAGES)  # noqa: E731
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=MESSAGES)
    body = raw.http_response.content
    bare = mock.client(http_client=openai.DefaultHttpxClient(transport=fixed_transport(pkg, body)))
    bare_create = lambda: bare.chat.completions.create(model="gpt-4o", messages=MESSAGES)  # noqa: E731
    for fn in (create, bare_create):  # warm up both (imports, tokenizer, pydantic models)
        for _ in range(20):
            fn()
    mock.reset()
    results = {
        "sync mock": median_of(rounds, lambda: per_call(create, requests, mock.reset)),
        "sync bare": median_of(rounds, lambda: per_call(bare_create, requests)),
    }
    # issue 18: a different prompt on every call (nothing memoised), the bare transport sent the same
    counter = itertools.count()

    def varied() -> list[dict[str, str]]:
        return [{"role": "user", "content": f"Question {next(counter)}: {MESSAGES[0]['content']}"}]

    create_varied = lambda: client.chat.completions.create(model="gpt-4o", messages=varied())  # noqa: E731
    bare_varied = lambda: bare.chat.completions.create(model="gpt-4o", messages=varied())  # noqa: E731
    results["sync mock, varied"] = median_of(rounds, lambda: per_call(create_varied, requests, mock.reset))
    results["sync bare, varied"] = median_of(rounds, lambda: per_call(bare_varied, requests))
    results.update(asyncio.run(bench_async(mock, body, requests, rounds)))
    return results


async def bench_async(mock: MockAzure, body: bytes, requests: int, rounds: int) -> dict[str, float]:
    pkg = http_package()
    client = mock.async_client()
    bare = mock.async_client(http_client=openai.DefaultAsyncHttpxClient(transport=fixed_transport(pkg, body)))

    async def timed(target: Any, count: int, reset: bool) -> float:
        total, done = 0.0, 0
        while done < count:
            n = min(BATCH, count - done)
            started = time.perf_counter()
            for _ in range(n):
                await target.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            total += time.perf_counter() - started
            done += n
            if reset:
                mock.reset()
        return total / count

    await timed(client, 20, True)
    await timed(bare, 20, False)
    mock_times = [await timed(client, requests, True) for _ in range(rounds)]
    bare_times = [await timed(bare, requests, False) for _ in range(rounds)]
    return {"async mock": statistics.median(mock_times), "async bare": statistics.median(bare_times)}


def bench_server_start(rounds: int) -> tuple[float, float]:
    """First start in this process, then the median of later starts."""
    settings = default_settings()
    times = []
    for _ in range(rounds + 1):
        server = LiveServer(settings)
        times.append(server.start_seconds)
        server.stop()
    return times[0], statistics.median(times[1:])


def bench_per_test(rounds: int) -> dict[str, float]:
    settings = default_settings()
    spec = MockSpec()
    interceptor = Interceptor()

    def inprocess_test() -> None:
        handle = open_inprocess(settings, spec, interceptor)
        handle.close()
        handle.check()

    server = LiveServer(settings)

    def live_test() -> None:
        handle = open_live(settings, spec, server)
        handle.close()
        handle.check()

    handle = open_inprocess(settings, spec, interceptor)
    client = handle.client()
    client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    results = {
        "aoai_mock setup+teardown": median_of(rounds, lambda: per_call(inprocess_test, 200)),
        "aoai_server setup+teardown": median_of(rounds, lambda: per_call(live_test, 200)),
        "reset() / fresh() per example": median_of(rounds, lambda: per_call(handle.reset, 500)),
        "mock.client() (shared SSL context)": median_of(rounds, lambda: per_call(handle.client, 200)),
    }
    handle.close()
    server.stop()
    interceptor.uninstall()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ssl_context()
    pkg = http_package()
    print(f"openai {openai.__version__} on {pkg.__name__} {pkg.__version__}, Python {sys.version.split()[0]}")
    print(f"{args.requests} requests x {args.rounds} rounds (median round)\n")

    with MockAzure.inprocess() as mock:
        sdk = bench_sdk(mock, args.requests, args.rounds)
    print("chat.completions.create through the SDK           per call    vs bare MockTransport")
    for kind in ("sync", "async"):
        mock_s, bare_s = sdk[f"{kind} mock"], sdk[f"{kind} bare"]
        ratio = mock_s / bare_s
        print(f"  {kind:5} aoai_mock (in-process app)          {mock_s * 1e6:8.0f} us   {ratio:4.2f}x"
              "  (target <= 2x)")
        print(f"  {kind:5} bare MockTransport, fixed body      {bare_s * 1e6:8.0f} us")
    mock_s, bare_s = sdk["sync mock, varied"], sdk["sync bare, varied"]
    print(f"  sync  aoai_mock, a new prompt each call   {mock_s * 1e6:8.0f} us   {mock_s / bare_s:4.2f}x"
          "  (issue 18 target <= 1.3x)")
    print(f"  sync  bare MockTransport, same prompts   {bare_s * 1e6:8.0f} us")

    first, later = bench_server_start(args.rounds)
    print("\nsession server start (aoai_server, first use)")
    print(f"  first in this process   {first * 1e3:7.1f} ms   (target < 500 ms)")
    print(f"  later starts (median)   {later * 1e3:7.1f} ms")

    print("\nper test")
    for name, seconds in bench_per_test(args.rounds).items():
        print(f"  {name:36} {seconds * 1e6:8.0f} us")


if __name__ == "__main__":
    main()
