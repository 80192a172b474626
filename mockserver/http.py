"""ASGI helpers: the request's body, headers, query and path as the pipeline reads them, and the
lifespan protocol every app here speaks."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from .types import Message, Receive, Scope, Send


def parse_json(raw: bytes) -> Any:
    """``json.loads``, decoding UTF-8 directly when the body starts like a JSON text in ASCII (no BOM,
    not UTF-16/32: json.loads would detect those, so they still go through it)."""
    if raw[:1] in (b"{", b"["):
        return json.loads(raw.decode("utf-8"))
    return json.loads(raw)


def decode_headers(scope: Scope) -> dict[str, str]:
    """Header names lower-cased: Azure matches them case-insensitively (Go sends ``Api-Key``)."""
    return {header_name(k): v.decode("latin-1") for k, v in scope.get("headers", ())}


@lru_cache(maxsize=512)  # clients send the same few header names on every request
def header_name(raw: bytes) -> str:
    return raw.decode("latin-1").lower()


def decode_query(scope: Scope) -> dict[str, str]:
    return dict(parse_query(scope.get("query_string", b"")))


@lru_cache(maxsize=256)  # clients repeat the same ?api-version=; the dict is built fresh per call
def parse_query(raw: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def normalise_path(path: str) -> str:
    """Collapse double slashes (recordings 04 and 08 send ``//openai/...``, answered normally)."""
    while "//" in path:
        path = path.replace("//", "/")
    return path


def decode_segment(segment: str) -> str:
    """Deployment names may arrive URL-encoded (recording 05: ``invalid%20model%20name``)."""
    return unquote(segment)


async def read_all(receive: Receive) -> bytes:
    """The whole request body from an ASGI ``receive``."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (read already) once, then defers to ``receive`` (disconnects)."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def lifespan(
    receive: Receive, send: Send, on_shutdown: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Answer the ASGI lifespan protocol (startup, then shutdown after ``on_shutdown``)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if on_shutdown is not None:
                await on_shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return
