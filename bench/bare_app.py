"""The baseline for ``bench_server.py``: a bare Starlette app under the fastest uvicorn settings.

    python bench/bare_app.py [--port 0] [--body-file FILE] [--events-file FILE]

Routes (both POST; the request body is read and ignored):

    /chat     a fixed Azure-like ``chat.completion`` JSON body (``Response``)
    /stream   a ``StreamingResponse`` yielding SSE events one by one: by default 50 ``data: {...}``
              content chunks and ``data: [DONE]``; with ``--events-file`` the events in that file
              (blank-line separated), so the bytes can match the mock's own stream exactly

uvicorn runs with loop="uvloop", http="httptools", one worker, no access log, no server header,
on a socket bound to 127.0.0.1. The first stdout line is ``bare: http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

FILTER = {"filtered": False, "severity": "safe"}
FILTERS = {"hate": FILTER, "self_harm": FILTER, "sexual": FILTER, "violence": FILTER}
PROMPT_FILTERS = [
    {
        "prompt_index": 0,
        "content_filter_results": {**FILTERS, "jailbreak": {"filtered": False, "detected": False}},
    }
]
IDENT = {
    "created": 1735689600,
    "id": "chatcmpl-BareBaselineFixedBody0000000",
    "model": "gpt-4o-mini-2024-07-18",
}


def default_body() -> bytes:
    content = " ".join(["word"] * 50)
    return json.dumps(
        {
            "choices": [
                {
                    "content_filter_results": FILTERS,
                    "finish_reason": "length",
                    "index": 0,
                    "logprobs": None,
                    "message": {"content": content, "role": "assistant"},
                }
            ],
            **IDENT,
            "object": "chat.completion",
            "prompt_filter_results": PROMPT_FILTERS,
            "system_fingerprint": "fp_d3e054c0cf",
            "usage": {"completion_tokens": 50, "prompt_tokens": 14, "total_tokens": 64},
        },
        separators=(",", ":"),
    ).encode()


def default_events() -> list[bytes]:
    events = []
    for i in range(50):
        chunk = {
            "choices": [
                {
                    "content_filter_results": FILTERS,
                    "delta": {"content": f" w{i}"},
                    "finish_reason": None,
                    "index": 0,
                    "logprobs": None,
                }
            ],
            **IDENT,
            "object": "chat.completion.chunk",
            "system_fingerprint": "fp_d3e054c0cf",
        }
        events.append(b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


def read_events(path: str) -> list[bytes]:
    with open(path, "rb") as f:
        data = f.read()
    return [part + b"\n\n" for part in data.split(b"\n\n") if part.strip()]


def build_app(body: bytes, events: list[bytes], embeddings: bytes = b"{}") -> Starlette:
    async def chat(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    async def embed(request: Request) -> Response:
        await request.body()
        return Response(embeddings, media_type="application/json")

    async def stream(request: Request) -> StreamingResponse:
        await request.body()

        async def gen():
            for item in events:
                yield item

        return StreamingResponse(gen(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/chat", chat, methods=["POST"]),
            Route("/stream", stream, methods=["POST"]),
            Route("/embeddings", embed, methods=["POST"]),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--body-file")
    parser.add_argument("--events-file")
    parser.add_argument("--embeddings-file", help="the body /embeddings returns")
    args = parser.parse_args()
    body = open(args.body_file, "rb").read() if args.body_file else default_body()  # noqa: SIM115
    events = read_events(args.events_file) if args.events_file else default_events()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    config = uvicorn.Config(
        build_app(body, events, open(args.embeddings_file, "rb").read() if args.embeddings_file else b"{}"),  # noqa: SIM115
        loop="uvloop",
        http="httptools",
        workers=1,
        access_log=False,
        server_header=False,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    print(f"bare: http://127.0.0.1:{sock.getsockname()[1]}  ({len(events)} stream events)", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
