"""Memory soak (issue 11): RSS stays flat under varied traffic and returns to its baseline after a reset.

    .venv/bin/python bench/bench_soak.py                     # 300,000 requests, RSS every 50,000
    .venv/bin/python bench/bench_soak.py --requests 30000 --every 5000 --large 20   # a quick look

What it does: launches ``python -m mockserver serve`` (approx tokenizer, rate limits off) as users do,
then over ``--connections`` keep-alive connections sends ``--requests`` varied requests (distinct
prompts so nothing is memoised, several operations, bad bodies that get 400s, unknown routes, journal
reads) and prints the server's RSS (VmRSS from /proc) every ``--every`` requests. Then it sends
``--large`` distinct 300,000-character prompts, prints RSS, calls ``POST /_mock/reset`` and prints RSS
again beside the baseline taken after warm-up. Everything binds 127.0.0.1; the server is stopped at
the end, also on an error or Ctrl-C. Figures on a shared machine are indicative.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import PY, Server, cleanup, on_signal, rss_mib  # noqa: E402
from loadgen import read_response  # noqa: E402

GA = "2024-10-21"


def http(method: str, path: str, body: bytes = b"", extra: str = "") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: k\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n")
    return head.encode() + body


def varied(i: int) -> bytes:
    """Request ``i`` of the soak: mostly distinct chat prompts, and a mix of everything else."""
    kind = i % 20
    words = f"request {i} about topic {i % 997} and detail {i * 7919 % 10007}"
    if kind < 10:
        body = {"messages": [{"role": "user", "content": words}], "max_tokens": 20 + i % 30}
        return http("POST", f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={GA}",
                    json.dumps(body).encode())
    if kind < 12:
        body = {"messages": [{"role": "user", "content": words}], "stream": True, "max_tokens": 10}
        return http("POST", f"/openai/v1/chat/completions", json.dumps({**body, "model": "gpt-4o"}).encode())
    if kind < 14:
        return http("POST", f"/openai/deployments/text-embedding-3-small/embeddings?api-version={GA}",
                    json.dumps({"input": [words, words[::-1]]}).encode())
    if kind == 14:
        return http("POST", f"/openai/deployments/gpt-35-turbo-instruct/completions?api-version={GA}",
                    json.dumps({"prompt": words, "max_tokens": 10}).encode())
    if kind == 15:
        return http("POST", f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}",
                    b'{"messages":[{"role":"user","content":"\\ud800' + str(i).encode() + b'"}]}')
    if kind == 16:
        return http("POST", f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}",
                    json.dumps({"messages": [{"role": "robot", "content": words}]}).encode())
    if kind == 17:
        return http("GET", f"/openai/deployments/nope-{i}/chat/completions?api-version={GA}")
    if kind == 18:
        schema = {"type": "object", "properties": {"a": {"type": "string", "minLength": 10 + i % 50}}}
        body = {"messages": [{"role": "user", "content": words}], "max_tokens": 30,
                "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}}
        return http("POST", f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}", json.dumps(body).encode())
    return http("GET", "/_mock/health")


async def run(port: int, requests: list[bytes], connections: int) -> int:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    errors = 0

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                writer.write(queue.get_nowait())
                status = await read_response(reader)
                errors += status >= 500
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return errors


def rss(server: Server) -> str:
    now, peak = rss_mib(server.pid)
    return f"RSS {now:7.1f} MiB (peak {peak:7.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300_000)
    parser.add_argument("--every", type=int, default=50_000)
    parser.add_argument("--large", type=int, default=100, help="distinct 300,000-character prompts")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server = Server("mock", [PY, "-m", "mockserver", "serve", "--port", "0", "--rate-limits", "off",
                                 "--tokenizer", "approx"])
        asyncio.run(run(server.port, [varied(i) for i in range(5000)], args.connections))  # warm up: caches fill
        baseline = rss_mib(server.pid)[0]
        print(f"after warm-up (5,000 requests)      {rss(server)}   baseline")
        done, errors = 0, 0
        while done < args.requests:
            batch = [varied(i) for i in range(done, min(done + args.every, args.requests))]
            errors += asyncio.run(run(server.port, batch, args.connections))
            done += len(batch)
            print(f"after {done:>9,} varied requests    {rss(server)}   5xx so far: {errors}")
        big = [http("POST", f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}", json.dumps(
            {"messages": [{"role": "user", "content": f"{i} " + "many distinct words here " * 12_000}],
             "max_tokens": 5}).encode()) for i in range(args.large)]
        errors += asyncio.run(run(server.port, big, 2))
        print(f"after {args.large} large prompts (300k chars) {rss(server)}")
        asyncio.run(run(server.port, [http("POST", "/_mock/reset")], 1))
        after = rss_mib(server.pid)[0]
        print(f"after POST /_mock/reset             {rss(server)}   "
              f"{after - baseline:+.1f} MiB against the baseline; 5xx: {errors}")
        return 0 if errors == 0 else 1
    finally:
        cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
