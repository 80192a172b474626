"""Helpers for the record/replay tests: call an ASGI app directly and keep every body message.

Going through ASGI (not an HTTP client) keeps the path exactly as recorded (``//openai/...``, which
an HTTP client would read as a host) and shows the chunk boundaries: one SSE event per message.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

from mockserver.replay import Request

KEY = "replay-key"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    chunks: list[bytes] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    app: Any,
    method: str,
    path: str,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Answer:
    """One request through ``app`` (any ASGI app), answered in full."""
    return asyncio.run(acall(app, method, path, query or {}, headers or {}, body))


async def acall(
    app: Any, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
) -> Answer:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": urlencode(query).encode(),
        "root_path": "",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (k.lower().encode(), v.encode()) for k, v in {"host": "127.0.0.1:8000", **headers}.items()
        ],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    answer = Answer(0, {})

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body" and message.get("body"):
            answer.chunks.append(message["body"])

    await app(scope, receive, send)
    return answer


def resend(app: Any, request: Request, headers: dict[str, str] | None = None) -> Answer:
    """Send a recorded request again: its method, path (as recorded), query and body."""
    extra = {"api-key": KEY, **(headers or {})}
    if request.kind == "json":
        return call(
            app,
            request.method,
            request.path,
            request.query,
            {"content-type": "application/json", **extra},
            json.dumps(request.body).encode(),
        )
    if request.kind == "form":  # an upload recorded without its body (27-29) gets a stand-in file
        stand_in = {"filename": "upload.jsonl", "content_type": "application/octet-stream"}
        form = request.body or {"file": stand_in}
        content_type, body = multipart(form)
        return call(
            app, request.method, request.path, request.query, {"content-type": content_type, **extra}, body
        )
    return call(app, request.method, request.path, request.query, extra)


def multipart(form: dict[str, Any], file_bytes: bytes = b"\x00fake audio") -> tuple[str, bytes]:
    """A multipart body for a recorded form summary (files get ``file_bytes``), fresh boundary."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in form.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                head = (
                    f'Content-Disposition: form-data; name="{name}"; filename="{item["filename"]}"\r\n'
                    f"Content-Type: {item['content_type']}\r\n\r\n"
                )
                parts.append(f"--{boundary}\r\n{head}".encode() + file_bytes + b"\r\n")
            else:
                head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
                parts.append(f"--{boundary}\r\n{head}{item}\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()
