"""Per-request CPU of a Responses create beside chat, in-process (no sockets, no client; issue 15).

    .venv/bin/python bench/profile_responses.py [--requests 5000] [--stream] [--cprofile] [--top 25]
                                                [--no-fast-path] [--vary]

Drives one mock ASGI app with ``profile_mock.py``'s uvicorn-like harness and prints the CPU time
(``time.process_time``: steadier than the wall clock on a shared machine) per request of the
requests ``bench_responses.py`` loads, in 5 interleaved chunks, the best chunk first: chat JSON
against responses JSON (or with ``--stream``, the two streams), and their ratio as chat/responses
(the req/s ratio the bench reports, if the server's own costs were the same for both).
Before it, enough requests that the journal and the stored responses are at their bounds (every
request evicts, as in the bench's runs). ``--cprofile`` adds the top functions of the Responses side
by own and cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import profile_mock as harness

RESPONSES_PATH = "/openai/responses"
RESPONSES_QUERY = b"api-version=2025-04-01-preview"


def bodies(stream: bool) -> tuple[bytes, bytes]:
    chat: dict[str, Any] = {"messages": [{"role": "user", "content": harness.PROMPT}], "max_tokens": 50}
    responses: dict[str, Any] = {"model": "gpt-4o-mini", "input": harness.PROMPT, "max_output_tokens": 50}
    if stream:
        chat["stream"] = responses["stream"] = True
    return json.dumps(chat).encode(), json.dumps(responses).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-fast-path", action="store_true")
    parser.add_argument("--vary", action="store_true", help="a different prompt on every request")
    args = parser.parse_args()
    harness.TIMER = time.process_time

    from mockserver.app import create_app
    from mockserver.config import load_settings
    from mockserver.objects import MAX_ITEMS

    settings = load_settings(rate_limits="report", tokenizer="approx", fast_path=not args.no_fast_path)
    app = create_app(settings)
    chat_body, responses_body = bodies(args.stream)
    chat_scope = harness.scope_for(harness.CHAT_PATH, harness.QUERY, chat_body)
    responses_scope = harness.scope_for(RESPONSES_PATH, RESPONSES_QUERY, responses_body)

    async def run() -> None:
        # warm-up: lazy imports, and the journal and the stored responses at their bounds (each
        # request then evicts as in a long run; objects.MAX_ITEMS per kind)
        await harness.loop(app, chat_scope, chat_body, 1100)
        await harness.loop(app, responses_scope, responses_body, MAX_ITEMS + 100)
        profiler = cProfile.Profile(time.process_time) if args.cprofile else None
        chunk = max(1, args.requests // 5)
        chat_us, responses_us = [], []
        for _ in range(5):  # interleaved so machine load hits both alike
            chat_us.append(await harness.loop(app, chat_scope, chat_body, chunk, args.vary))
            if profiler:
                profiler.enable()
            responses_us.append(await harness.loop(app, responses_scope, responses_body, chunk, args.vary))
            if profiler:
                profiler.disable()
        mode = "stream (50 deltas)" if args.stream else "JSON"
        mode += ", varied prompts" if args.vary else ", one repeated request"
        mode += ", fast path off" if args.no_fast_path else ""
        print(f"in-process CPU per request, {mode}, {5 * chunk} requests each:")
        for name, figures in (("chat", chat_us), ("responses", responses_us)):
            chunks = ", ".join(f"{x:.0f}" for x in figures)
            print(f"  {name:9} {min(figures):8.1f} us/request  (chunks: {chunks})")
        print(f"  chat/responses {min(chat_us) / min(responses_us):.2f} (the bench's target: >= 0.8)")
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats("mockserver", args.top)

    harness.run_loop(run)


if __name__ == "__main__":
    main()
