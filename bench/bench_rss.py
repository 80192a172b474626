"""RSS of ``aoai-mock serve`` under varied chat traffic, every 50,000 requests (issue 18).

    .venv/bin/python bench/bench_rss.py [--requests 300000] [--every 50000] [--tokenizer approx|bpe|both]

Starts ``python -m mockserver serve --rate-limits report`` (the journal at its default size) pinned to
one core, loads it with wrk on the other (32 connections, the varied non-streaming chat script of
``bench_server.py``: a different prompt on every request, so nothing is memoised) in slices of
``--every`` requests (wrk's ``-R``-less runs are timed, so each slice is a run long enough for about that
many requests at the rate the previous slice measured), and prints VmRSS after each slice beside the
baseline after one request. ``both`` runs the approximate tokenizer, then BPE (the ``tokenizer`` extra
the README's install brings). Non-200 answers count as errors and are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_server as base


def run(tokenizer: str, total: int, every: int) -> None:
    server = base.Server(f"rss-{tokenizer}", base.mock_cmd(tokenizer, base.SERVER_CORE))
    try:
        url = f"http://127.0.0.1:{server.port}{base.CHAT_PATH}"
        base.wait_first(server.port, "POST", base.CHAT_PATH, base.CHAT_BODY, server.t0)
        rss, _ = base.rss_mib(server.pid)
        print(f"{tokenizer}: baseline after one request {rss:.1f} MiB", flush=True)
        load = base.Load("wrk", 32, base.CLIENT_CORE)
        script = base.wrk_varied_script(stream=False)
        done, rate = 0, 4000.0
        while done < total:
            seconds = float(max(1, round(min(every, total - done) / rate)))  # wrk takes whole seconds
            result = load.run_wrk(url, base.CHAT_BODY, seconds, script)
            done += result["requests"]
            rate = max(result["rps"], 100.0)
            rss, peak = base.rss_mib(server.pid)
            errors = result["status_errors"] + result["socket_errors"]
            print(
                f"{tokenizer}: {done:>8,} requests  RSS {rss:6.1f} MiB (peak {peak:.1f})  "
                f"{result['rps']:,.0f} req/s  errors {errors}",
                flush=True,
            )
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300_000)
    parser.add_argument("--every", type=int, default=50_000)
    parser.add_argument("--tokenizer", choices=("approx", "bpe", "both"), default="both")
    args = parser.parse_args()
    print(f"aoai-mock RSS under varied chat (2 cores, load average {os.getloadavg()[0]:.2f})")
    for tokenizer in ("approx", "bpe") if args.tokenizer == "both" else (args.tokenizer,):
        run(tokenizer, args.requests, args.every)
    base.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
