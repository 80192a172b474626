"""Bench: the state backends side by side (issue 14). Informational figures, printed in one run.

    .venv/bin/python bench/bench_state.py                        # about 3 minutes at full size
    .venv/bin/python bench/bench_state.py --rss-requests 50000   # the reduced size

1. Varied-prompt chat req/s, memory vs redis, one worker each, in ABBA rounds (``--rounds``, median of
   the per-round ratios; target: redis >= 0.6x memory). Mocks on core 1, wrk on core 0 (``taskset``),
   redis-server where the kernel puts it. Also the CPU each request cost the mock process (user + system
   time over requests): on a shared, loaded machine the steadier figure of the two.
2. ``--workers 2`` vs one worker, both on redis: informational only, since on a 2-core machine the load
   generator shares the cores with the workers (no pinning for this pair).
3. RSS per worker after ``--rss-requests`` varied requests (300,000 by default), memory and redis.

Every server is ``python -m mockserver serve --rate-limits report --tokenizer approx`` (as
``bench_server.py``: ``enforce`` would throttle a load test at once), its own redis-server in a
temporary directory (``tests/redis_support.py``). Needs ``wrk`` and ``redis-server``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import bench_server as bs  # noqa: E402  (the wrk driver, its varied-prompt script, pinning, RSS)

from tests.redis_support import RedisServer, binary  # noqa: E402

BANNER = re.compile(r"http://127\.0\.0\.1:(\d+)")
TARGET_RATIO = 0.6


class Mock:
    def __init__(self, *extra: str, core: str | None = bs.SERVER_CORE) -> None:
        command = [*bs.pin(core), bs.PY, "-m", "mockserver", *bs.serve_args("approx"), *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        found = BANNER.search(self.process.stdout.readline())
        if found is None:
            self.stop()
            raise RuntimeError(f"mock did not start: {command}")
        self.url = f"http://127.0.0.1:{found.group(1)}{bs.CHAT_PATH}"
        port = int(found.group(1))
        for _ in range(100):  # ready, and warm: the first request loads what answers need
            try:
                if bs.request(port, "POST", bs.CHAT_PATH, bs.CHAT_BODY)[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)

    def pids(self) -> list[int]:
        """The serving processes: the workers under a ``--workers`` parent, else the process itself."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children] or [pid]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def load(load: bs.Load, mock: Mock, seconds: float) -> dict[str, Any]:
    before = cpu_seconds(mock.pids())
    result = load.run_wrk(mock.url, {}, seconds, script=bs.wrk_varied_script())
    result["cpu_us"] = (cpu_seconds(mock.pids()) - before) / max(1, result["requests"]) * 1e6
    if result["status_errors"] or result["socket_errors"]:
        print(f"  warning: {result['status_errors']} non-2xx, {result['socket_errors']} socket errors")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per load run (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="ABBA rounds of memory vs redis (default 3)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rss-requests", type=int, default=300_000, help="requests before the RSS reading")
    args = parser.parse_args()
    if binary() is None or not bs.ensure_wrk():
        print("needs redis-server and wrk on PATH")
        return 2
    redis = RedisServer().start()  # not pinned: on wrk's core it starved wrk and halved the redis figure
    pinned = bs.Load("wrk", args.connections, bs.CLIENT_CORE)
    free = bs.Load("wrk", args.connections, None)
    mocks: list[Mock] = []
    try:
        memory = Mock()
        shared = Mock("--state", redis.url, "--namespace", "bench-1")
        mocks += [memory, shared]
        print(f"1. varied-prompt chat, one worker each, {args.rounds} ABBA rounds of {args.duration:g} s")
        rows: dict[str, list[float]] = {"memory": [], "redis": []}
        cpu: dict[str, list[float]] = {"memory": [], "redis": []}
        ratios = []
        for n in range(args.rounds):
            order = [("memory", memory), ("redis", shared)]
            for name, mock in order if n % 2 == 0 else reversed(order):
                result = load(pinned, mock, args.duration)
                rows[name].append(result["rps"])
                cpu[name].append(result["cpu_us"])
            ratios.append(rows["redis"][-1] / rows["memory"][-1])
            print(
                f"   round {n + 1}: memory {rows['memory'][-1]:,.0f} req/s ({cpu['memory'][-1]:.0f} us CPU each), "
                f"redis {rows['redis'][-1]:,.0f} req/s ({cpu['redis'][-1]:.0f} us CPU each)"
            )
        ratio = statistics.median(ratios)
        cpu_ratio = statistics.median(cpu["memory"]) / statistics.median(cpu["redis"])
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(
            f"   median: memory {statistics.median(rows['memory']):,.0f} req/s, redis "
            f"{statistics.median(rows['redis']):,.0f} req/s, redis/memory {ratio:.2f} ({verdict} >= {TARGET_RATIO})"
        )
        print(
            f"   mock CPU per request: memory {statistics.median(cpu['memory']):.0f} us, redis "
            f"{statistics.median(cpu['redis']):.0f} us: requests per CPU-second, redis/memory {cpu_ratio:.2f}"
        )
        two = Mock("--state", redis.url, "--namespace", "bench-2", "--workers", "2", core=None)
        mocks.append(two)
        one, both = load(free, shared, args.duration)["rps"], load(free, two, args.duration)["rps"]
        print(f"2. redis, unpinned: 1 worker {one:,.0f} req/s, --workers 2 {both:,.0f} req/s ({both / one:.2f}x;")
        print("   informational: wrk shares the 2 cores with the workers)")
        print(f"3. RSS per worker after {args.rss_requests:,} varied requests")
        for name, mock in (("memory", memory), ("redis", shared), ("redis --workers 2", two)):
            done = 0
            while done < args.rss_requests:
                rate = load(free, mock, 1.0)["rps"]  # a short run sizes the next one
                seconds = round(max(1.0, min(30.0, (args.rss_requests - done) / max(rate, 1.0))))
                done += int(rate) + load(free, mock, seconds)["requests"]
            sizes = ", ".join(f"{bs.rss_mib(pid)[0]:.1f} MiB (peak {bs.rss_mib(pid)[1]:.1f})" for pid in mock.pids())
            print(f"   {name}: {sizes} after {done:,} requests")
    finally:
        for mock in mocks:
            mock.stop()
        redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
