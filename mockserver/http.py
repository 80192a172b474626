"""ASGI helpers: the request's body, headers, query and path as the pipeline reads them, and the
lifespan protocol every app here speaks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from . import jsontext
from .types import Message, Receive, Scope, Send

CACHED_KEY_BYTES = 256  # longer header names and query strings are decoded, not cached (memory bound)


def parse_json(raw: bytes) -> Any:
    """Strict JSON (``mockserver.jsontext``): no NaN, no lone surrogates, bounded depth."""
    return jsontext.loads(raw)


def decode_headers(scope: Scope) -> dict[str, str]:
    """Header names lower-cased: Azure matches them case-insensitively (Go sends ``Api-Key``)."""
    return {
        header_name(k) if len(k) <= CACHED_KEY_BYTES else k.decode("latin-1").lower(): v.decode("latin-1")
        for k, v in scope.get("headers", ())
    }


@lru_cache(maxsize=512)  # clients send the same few header names on every request
def header_name(raw: bytes) -> str:
    return raw.decode("latin-1").lower()


def decode_query(scope: Scope) -> dict[str, str]:
    raw = scope.get("query_string", b"")
    return dict(parse_query(raw) if len(raw) <= CACHED_KEY_BYTES else parse_query.__wrapped__(raw))


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


class BodyTooLarge(Exception):
    """The request body passed ``limit`` bytes (``read`` of them were read before it stopped)."""

    def __init__(self, limit: int, read: int) -> None:
        super().__init__(f"request body over {limit} bytes ({read} read)")
        self.limit, self.read = limit, read


class BodyAbandoned(Exception):
    """The client disconnected, or stopped sending, before its request body was complete."""


def declared_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, or ``BodyTooLarge`` as soon as it passes ``limit`` bytes (the rest is
    never read), or ``BodyAbandoned`` when the client leaves before it is complete."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BodyAbandoned("the client disconnected before its request body was complete")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit, size)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def limited_receive(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises ``BodyTooLarge`` once the body passes ``limit`` bytes and
    ``BodyAbandoned`` on a disconnect (for parsers that read the body themselves: multipart)."""
    seen = 0

    async def counted() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BodyAbandoned("the client disconnected before its upload was complete")
        seen += len(message.get("body", b""))
        if seen > limit:
            raise BodyTooLarge(limit, seen)
        return message

    return counted


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
    receive: Receive,
    send: Send,
    on_startup: Callable[[], Awaitable[None]] | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Answer the ASGI lifespan protocol, running ``on_startup`` and ``on_shutdown`` in their turn."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if on_startup is not None:
                await on_startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if on_shutdown is not None:
                await on_shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return
