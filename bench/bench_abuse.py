"""A normal request's latency while the server is abused (issue 11): target p99 < 100 ms.

    .venv/bin/python bench/bench_abuse.py                   # 500 idle connections, 2,000 probes
    .venv/bin/python bench/bench_abuse.py --idle 100 --probes 500    # a quick look

What it does: launches ``python -m mockserver serve`` (approx tokenizer, rate limits off), then
measures ``--probes`` sequential normal chat requests on their own keep-alive connection, twice: on a
quiet server, and while it holds ``--idle`` idle keep-alive connections (each sent one request
first), a slowloris client (a request head one byte every 0.2 s, on ``--slowloris`` connections: the
server cuts it off after its 20 s head timeout, so probing lasts at least ``--seconds``) and
a client uploading ``--upload-mb`` MB as fast as it can (a chunked multipart transcription upload,
which the server refuses with a 413 once it passes 25 MB, then the client starts another). It prints
p50, p99 and max for both runs side by side, and what the abusers saw. Everything binds 127.0.0.1 and
the server is stopped at the end. Figures on a shared machine are indicative.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import PY, Server, cleanup, on_signal  # noqa: E402
from loadgen import percentile, read_response  # noqa: E402

GA = "2024-10-21"
CHAT = f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={GA}"
UPLOAD = f"/openai/deployments/whisper/audio/transcriptions?api-version={GA}"


def chat_request(i: int) -> bytes:
    body = json.dumps({"messages": [{"role": "user", "content": f"probe {i}"}], "max_tokens": 20}).encode()
    return (f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: k\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def probes(port: int, count: int, seconds: float = 0.0) -> list[float]:
    """``count`` sequential requests, and more until ``seconds`` have passed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    latencies = []
    until = time.monotonic() + seconds
    i = 0
    while i < count or time.monotonic() < until:
        i += 1
        started = time.perf_counter()
        writer.write(chat_request(i))
        status = await read_response(reader)
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    writer.close()
    return latencies


async def idle(port: int, count: int, stop: asyncio.Event, ready: asyncio.Event) -> int:
    writers = []
    for i in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(chat_request(i))
        await read_response(reader)
        writers.append(writer)
    ready.set()
    await stop.wait()
    for writer in writers:
        writer.close()
    return len(writers)


async def slowloris(port: int, stop: asyncio.Event, seen: dict[str, int]) -> None:
    head = (f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: k\r\n" + "X-Slow: a\r\n" * 200).encode()
    while not stop.is_set():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for byte in head:
                if stop.is_set() or writer.is_closing():
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.2)
                if reader.at_eof() or reader._buffer:  # type: ignore[attr-defined]
                    seen["cut_off"] += 1
                    break
        except (ConnectionError, OSError):
            seen["cut_off"] += 1
        finally:
            writer.close()


async def uploader(port: int, megabytes: int, stop: asyncio.Event, seen: dict[str, int]) -> None:
    boundary = "soakboundary"
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.wav\"\r\n"
            "Content-Type: audio/wav\r\n\r\n").encode()
    chunk = b"\0" * 65536
    while not stop.is_set():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"POST {UPLOAD} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: k\r\nTransfer-Encoding: chunked\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode())
        try:
            payload = [part] + [chunk] * (megabytes * 16)
            for piece in payload:
                if stop.is_set() or reader._buffer or reader.at_eof():  # type: ignore[attr-defined]
                    break  # the server answered (413) before the upload ended
                writer.write(b"%x\r\n%b\r\n" % (len(piece), piece))
                await writer.drain()
                seen["bytes_sent"] += len(piece)
            status = await asyncio.wait_for(read_response(reader), 10)
            seen[f"status_{status}"] = seen.get(f"status_{status}", 0) + 1
        except (ConnectionError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            seen["dropped"] += 1
        finally:
            writer.close()


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (f"{name:<26} p50 {percentile(ordered, 50):7.2f} ms   p99 {percentile(ordered, 99):7.2f} ms   "
            f"max {ordered[-1]:7.2f} ms   ({len(values)} requests)")


async def abused(port: int, args: argparse.Namespace) -> tuple[list[float], dict[str, int], int]:
    stop = asyncio.Event()
    seen = {"cut_off": 0, "bytes_sent": 0, "dropped": 0}
    ready = asyncio.Event()
    idle_task = asyncio.create_task(idle(port, args.idle, stop, ready))
    await ready.wait()  # every idle connection is open (and has been answered once)
    abusers = [asyncio.create_task(slowloris(port, stop, seen)) for _ in range(args.slowloris)]
    abusers.append(asyncio.create_task(uploader(port, args.upload_mb, stop, seen)))
    await asyncio.sleep(0.5)
    latencies = await probes(port, args.probes, args.seconds)
    stop.set()
    opened = await idle_task
    await asyncio.gather(*abusers, return_exceptions=True)
    return latencies, seen, opened


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--slowloris", type=int, default=1)
    parser.add_argument("--upload-mb", type=int, default=100)
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=25.0,
                        help="keep probing at least this long (past the 20 s head timeout the slowloris meets)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server = Server("mock", [PY, "-m", "mockserver", "serve", "--port", "0", "--rate-limits", "off",
                                 "--tokenizer", "approx"])
        asyncio.run(probes(server.port, 200))  # warm up
        quiet = asyncio.run(probes(server.port, args.probes))
        latencies, seen, opened = asyncio.run(abused(server.port, args))
        print(summary("quiet server", quiet))
        print(summary(f"{opened} idle + slowloris + upload", latencies))
        verdict = "PASS" if percentile(sorted(latencies), 99) < 100 else "FAIL"
        print(f"target: p99 < 100 ms under abuse: {verdict}")
        print(f"abusers: slowloris cut off {seen['cut_off']} time(s); uploader sent {seen['bytes_sent'] / 1e6:.0f} MB, "
              f"answers {({k: v for k, v in seen.items() if k.startswith('status_')})}, dropped {seen['dropped']}")
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
