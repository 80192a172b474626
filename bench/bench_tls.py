"""What TLS costs the standalone mock: chat req/s with and without ``--tls``, in one run (issue 12).

    .venv/bin/python bench/bench_tls.py [--duration 4] [--rounds 3] [--connections 32] [--no-pin]

Starts ``python -m mockserver serve --port 0 --rate-limits report --tokenizer approx`` twice as real
subprocesses, once plain and once with ``--tls`` (a CA in a temporary ``--tls-dir``), and loads both with
``wrk`` (which speaks TLS and does not verify the certificate) in interleaved rounds (plain/tls
alternating, ABBA order) so machine load hits both sides alike:

  * keep-alive: non-streaming chat (``max_tokens: 50``) on ``--connections`` long-lived connections,
    the cost of encrypting the answers;
  * a new connection per request (``Connection: close``), the cost of a TLS handshake each time.

It prints requests/s, p50 and p99 latency per side and the tls/plain ratio (median of the per-round
ratios). Informational: there is no target. Every subprocess is killed at exit, also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import json
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_server as bench  # noqa: E402  (the shared launch, wrk and cleanup code)

CASES = {
    "keep-alive": {},
    "new connection per request": {"Connection": "close"},
}


def tls_cmd(core: str | None) -> list[str]:
    return [*bench.mock_cmd("approx", core), "--tls", "--tls-dir", str(bench.TMP / "tls")]


def wrk_run(load: bench.Load, url: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    data = json.dumps(bench.CHAT_BODY)
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{data}]==]"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in {**bench.HEADERS, **headers}.items()]
    script = bench.TMP / f"wrk-tls-{abs(hash(tuple(headers.items())))}.lua"
    script.write_text("\n".join(lines) + "\n" + bench.WRK_DONE)
    return load.run_wrk(url, bench.CHAT_BODY, seconds, script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per load run (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per case (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server/client with taskset")
    args = parser.parse_args()
    atexit.register(bench.cleanup)
    signal.signal(signal.SIGTERM, bench.on_signal)
    signal.signal(signal.SIGINT, bench.on_signal)
    if not bench.ensure_wrk():
        print("bench_tls needs wrk (apt-get install wrk): the Python load generator speaks no TLS")
        return 1
    server_core = None if args.no_pin else bench.SERVER_CORE
    client_core = None if args.no_pin else bench.CLIENT_CORE
    plain = bench.Server("plain", bench.mock_cmd("approx", server_core))
    secure = bench.Server("tls", tls_cmd(server_core))
    urls = {
        "plain": f"http://127.0.0.1:{plain.port}{bench.CHAT_PATH}",
        "tls": f"https://127.0.0.1:{secure.port}{bench.CHAT_PATH}",
    }
    load = bench.Load("wrk", args.connections, client_core)
    print(
        f"aoai-mock serve, plain vs --tls: {args.rounds} rounds x {args.duration:g} s, {args.connections} "
        f"connections, wrk pinned to core {client_core}, servers to core {server_core} (informational)"
    )
    for case, headers in CASES.items():
        for side in ("plain", "tls"):  # warm-up: connections, caches, the first handshake
            wrk_run(load, urls[side], headers, 1)
        runs: dict[str, list[dict[str, Any]]] = {"plain": [], "tls": []}
        for round_ in range(args.rounds):
            order = ("plain", "tls") if round_ % 2 == 0 else ("tls", "plain")
            for side in order:
                runs[side].append(wrk_run(load, urls[side], headers, args.duration))
        print(f"\n{case}:")
        for side in ("plain", "tls"):
            rps = statistics.median(r["rps"] for r in runs[side])
            p50 = statistics.median(r["p50_ms"] for r in runs[side])
            p99 = statistics.median(r["p99_ms"] for r in runs[side])
            errors = sum(r["status_errors"] + r["socket_errors"] for r in runs[side])
            print(
                f"  {side:<6} {rps:9.0f} req/s   p50 {bench.fmt_ms(p50):>9}   p99 {bench.fmt_ms(p99):>9}"
                f"   errors {errors}"
            )
        ratio = statistics.median(
            t["rps"] / p["rps"] for t, p in zip(runs["tls"], runs["plain"], strict=True)
        )
        print(f"  tls/plain: {ratio:.2f}")
    plain.stop()
    secure.stop()
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"\n(done in {time.perf_counter() - started:.0f} s)")
    raise SystemExit(code)
