"""Benchmark a 10,000-line Global Batch through ``aoai-mock serve`` (issue 16).

    .venv/bin/python bench/bench_batch.py [--lines 10000] [--poll 1.0] [--rate-limits enforce report]

For each ``--rate-limits`` mode (default: ``enforce``, the server's default, then ``report``), starts
``python -m mockserver serve --port 0`` as a real subprocess with its built-in defaults otherwise
(batch phases of 1 s, the ``auto`` tokenizer), then, with the openai SDK as a user's job would:

1. uploads a JSONL file of N chat lines (``gpt-4o-mini``, one short question each, ``max_tokens`` 20);
2. creates the batch and polls ``batches.retrieve`` every ``--poll`` seconds until it ends;
3. downloads the output file and counts its lines.

It prints, side by side per mode: the wall time from create to ``completed`` (and to the download),
the lines completed and failed, the output size, and the server's resident memory (``VmRSS``) before
the upload (after one chat request has loaded the tokenizer), after it, and after the batch, with its
peak (``VmHWM``). Memory must stay bounded: lines
are run a window of 100 at a time and written to the store as they finish, the upload is spooled to
disk past 1 MiB, so neither grows with N. At ``enforce`` a batch's lines are paced by the deployment's
own limits (gpt-4o-mini: 12,000 RPM, 2,000 requests per 10 s window, in a pool apart from online
traffic), so 10,000 lines take at least four windows; ``report`` shows the mock's own speed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import openai  # noqa: E402

from conformance.serve import ServeProcess  # noqa: E402

TARGET_RSS_GROWTH_MIB = 64.0  # after the batch, over the RSS before the upload
DEPLOYMENT = "gpt-4o-mini"


def rss_mib(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (peak) of ``pid`` in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def input_file(count: int) -> bytes:
    rows = (
        {
            "custom_id": f"task-{n}",
            "method": "POST",
            "url": "/chat/completions",
            "body": {
                "model": DEPLOYMENT,
                "messages": [{"role": "user", "content": f"Question {n}: what is a batch job?"}],
                "max_tokens": 20,
            },
        }
        for n in range(count)
    )
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def run(mode: str, count: int, poll: float) -> dict[str, float | int | str]:
    server = ServeProcess("--rate-limits", mode)
    try:
        pid = server.process.pid
        client = openai.AzureOpenAI(
            azure_endpoint=server.endpoint,
            api_key="bench",
            api_version="2024-10-21",
            max_retries=0,
            timeout=600,
        )
        client.chat.completions.create(  # the first chat request loads the tokenizer (BPE: ~130 MiB)
            model=DEPLOYMENT, messages=[{"role": "user", "content": "warm up"}], max_tokens=5
        )
        rss_before, _ = rss_mib(pid)
        data = input_file(count)
        uploaded = client.files.create(file=("bench.jsonl", data), purpose="batch")
        rss_uploaded, _ = rss_mib(pid)
        started = time.monotonic()
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        polls = 0
        while batch.status not in ("completed", "failed", "cancelled", "expired"):
            time.sleep(poll)
            batch = client.batches.retrieve(batch.id)
            polls += 1
        completed = time.monotonic() - started
        output = client.files.content(batch.output_file_id).content if batch.output_file_id else b""
        downloaded = time.monotonic() - started
        rss_after, rss_peak = rss_mib(pid)
        return {
            "mode": mode,
            "status": batch.status,
            "input_mib": len(data) / 2**20,
            "completed_s": completed,
            "downloaded_s": downloaded,
            "polls": polls,
            "done": batch.request_counts.completed if batch.request_counts else 0,
            "failed": batch.request_counts.failed if batch.request_counts else 0,
            "output_lines": output.count(b"\n"),
            "output_mib": len(output) / 2**20,
            "rss_before": rss_before,
            "rss_uploaded": rss_uploaded,
            "rss_after": rss_after,
            "rss_peak": rss_peak,
        }
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls (default 1)")
    parser.add_argument(
        "--rate-limits", nargs="+", default=["enforce", "report"], choices=["enforce", "report", "off"]
    )
    args = parser.parse_args()
    results = [run(mode, args.lines, args.poll) for mode in args.rate_limits]
    print(f"\n{args.lines:,}-line batch through aoai-mock serve (defaults; poll every {args.poll:g} s)\n")
    rows = [
        ("rate limits", "mode", "{}"),
        ("status", "status", "{}"),
        ("input file (MiB)", "input_mib", "{:.1f}"),
        ("create -> completed (s)", "completed_s", "{:.1f}"),
        ("create -> output downloaded (s)", "downloaded_s", "{:.1f}"),
        ("polls", "polls", "{}"),
        ("lines completed / failed", None, ""),
        ("output file (lines, MiB)", None, ""),
        ("server RSS before upload (MiB)", "rss_before", "{:.1f}"),
        ("server RSS after upload (MiB)", "rss_uploaded", "{:.1f}"),
        ("server RSS after the batch (MiB)", "rss_after", "{:.1f}"),
        ("server RSS peak, VmHWM (MiB)", "rss_peak", "{:.1f}"),
    ]
    for label, key, form in rows:
        if label.startswith("lines completed"):
            cells = [f"{r['done']:,} / {r['failed']:,}" for r in results]
        elif label.startswith("output file"):
            cells = [f"{r['output_lines']:,}, {r['output_mib']:.1f}" for r in results]
        else:
            cells = [form.format(r[key]) for r in results]
        print(f"  {label:<34}" + "".join(f"{cell:>18}" for cell in cells))
    ok = True
    for r in results:
        growth = float(r["rss_after"]) - float(r["rss_before"])
        passed = r["status"] == "completed" and r["done"] == args.lines and growth <= TARGET_RSS_GROWTH_MIB
        ok = ok and passed
        print(
            f"  {'PASS' if passed else 'MISS'} {r['mode']}: all {args.lines:,} lines completed, RSS grew "
            f"{growth:.1f} MiB (target <= {TARGET_RSS_GROWTH_MIB:g} MiB)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
