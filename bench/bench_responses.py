"""Responses create and stream beside chat, in one run, on one ``aoai-mock serve`` (issue 15).

    .venv/bin/python bench/bench_responses.py [--duration 4] [--rounds 3] [--connections 32] [--no-pin]

Starts ``python -m mockserver serve --port 0 --rate-limits report --tokenizer approx`` as a real
subprocess (as ``bench_server.py`` does: ``report`` so the load is not throttled), checks each request
answers 200 with the expected framing, then loads four cases with ``wrk`` (or ``bench/loadgen.py``) in
rounds, each round in ABBA order (chat first in odd rounds, Responses first in even ones):

    chat JSON        POST /openai/deployments/gpt-4o-mini/chat/completions, max_tokens 50
    responses JSON   POST /openai/responses?api-version=2025-04-01-preview, max_output_tokens 50
    chat stream      the same chat request with stream: true (50 content chunks)
    responses stream the same Responses request with stream: true (50 output_text deltas)

The prompt is the same in all four. Every Responses create is stored (``store`` defaults to true) and
gets its own ids; the fast path remembers what an identical create rendered within the same second
(JSON or stream, ``responses.template``: filled with each create's ids) and chat's whole JSON answer. With wrk, each round also runs a varied pair, a counter in every
prompt so that neither side is memoised (information, no target). It prints req/s, p50, p99 per case
(medians over the rounds) and responses/chat (the median of the per-round ratios), against 0.8.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_server as base  # noqa: E402

TARGET_RATIO = 0.8
PROMPT = base.PROMPT
RESPONSES_PATH = "/openai/responses?api-version=2025-04-01-preview"
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "chat JSON": (base.CHAT_PATH, base.CHAT_BODY),
    "responses JSON": (RESPONSES_PATH, {"model": base.DEPLOYMENT, "input": PROMPT, "max_output_tokens": 50}),
    "chat stream": (base.CHAT_PATH, base.STREAM_BODY),
    "responses stream": (
        RESPONSES_PATH,
        {"model": base.DEPLOYMENT, "input": PROMPT, "max_output_tokens": 50, "stream": True},
    ),
}
PAIRS = (("chat JSON", "responses JSON"), ("chat stream", "responses stream"))
# every request a different prompt (a counter in the text), so neither side is memoised (information)
VARIED_PAIR = ("chat JSON, varied", "responses JSON, varied")
WRK_RESPONSES_VARIED = r"""
counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"model":"gpt-4o-mini","input":"Question %d: %s","max_output_tokens":50}', counter, prompt)
  return wrk.format(nil, nil, nil, body)
end
"""


def responses_varied_script() -> Path:
    lines = ['wrk.method = "POST"', f"prompt = [==[{PROMPT}]==]"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in base.HEADERS.items()]
    path = base.TMP / "wrk-responses-varied.lua"
    path.write_text("\n".join(lines) + "\n" + WRK_RESPONSES_VARIED + base.WRK_DONE)
    return path


def check(port: int) -> None:
    for name, (path, body) in CASES.items():
        status, _headers, data = base.request(port, "POST", path, body)
        base.expect(status == 200, f"{name}: status {status}: {data[:200]!r}")
        if name == "responses stream":
            events = base.sse_events(data)
            deltas = sum(1 for e in events if e.startswith(b"event: response.output_text.delta\n"))
            base.expect(deltas == 50, f"{name}: {deltas} text deltas, expected 50")
            base.expect(b"[DONE]" not in data, f"{name}: a [DONE] in a Responses stream")
        if name == "responses JSON":
            base.expect(data.startswith(b'{\n  "id": "resp_'), f"{name}: not the indented object")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args()
    pinned = not args.no_pin and base.shutil.which("taskset") is not None
    server_core, client_core = ("1", "0") if pinned else (None, None)
    kind = "wrk" if base.ensure_wrk() else "python"
    load = base.Load(kind, args.connections, client_core)
    server = base.Server("mock", base.mock_cmd("approx", server_core))
    try:
        check(server.port)
        url = f"http://127.0.0.1:{server.port}"
        names = [*CASES, *(VARIED_PAIR if kind == "wrk" else ())]
        figures: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        ratios: dict[str, list[float]] = {pair[1]: [] for pair in (*PAIRS, VARIED_PAIR)}
        for round_number in range(args.rounds):
            for chat, responses in PAIRS:
                order = (chat, responses) if round_number % 2 == 0 else (responses, chat)
                got = {}
                for name in order:
                    path, body = CASES[name]
                    got[name] = load.run(url + path, body, args.duration)
                    figures[name].append(got[name])
                ratios[responses].append(got[responses]["rps"] / got[chat]["rps"])
            if kind == "wrk":
                varied = {
                    VARIED_PAIR[0]: (base.CHAT_PATH, base.wrk_varied_script(stream=False)),
                    VARIED_PAIR[1]: (RESPONSES_PATH, responses_varied_script()),
                }
                got = {}
                for name in VARIED_PAIR if round_number % 2 == 0 else VARIED_PAIR[::-1]:
                    path, script = varied[name]
                    got[name] = load.run_wrk(url + path, {}, args.duration, script)
                    figures[name].append(got[name])
                ratios[VARIED_PAIR[1]].append(got[VARIED_PAIR[1]]["rps"] / got[VARIED_PAIR[0]]["rps"])
    finally:
        server.stop()
        base.cleanup()
    print(
        f"load: {kind}, {args.connections} connections, {args.rounds} rounds of {args.duration:g} s, "
        f"{'pinned' if pinned else 'not pinned'}"
    )
    print(f"{'case':18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  responses/chat (target >= {TARGET_RATIO})")
    ok = True
    for name, runs in figures.items():
        rps = statistics.median(r["rps"] for r in runs)
        p50 = statistics.median(r["p50_ms"] for r in runs)
        p99 = statistics.median(r["p99_ms"] for r in runs)
        errors = sum(r.get("status_errors", 0) + r.get("socket_errors", 0) for r in runs)
        ratio = ""
        if ratios.get(name):
            value = statistics.median(ratios[name])
            if name == VARIED_PAIR[1]:
                ratio = f"{value:.2f} (information: neither side memoised)"
            else:
                ok = ok and value >= TARGET_RATIO
                ratio = f"{value:.2f} {base.verdict(value >= TARGET_RATIO)}"
        print(
            f"{name:18} {rps:9,.0f} {p50:8.1f} {p99:8.1f}  {ratio}"
            + (f"  ({errors} errors)" if errors else "")
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
