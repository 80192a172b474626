"""``Call``: what the pipeline knows about one request, filled in stage by stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from . import jsontext
from .config import Deployment

Scope = dict[str, Any]
UNPARSED: Any = object()


@dataclass(slots=True)
class RateInfo:
    """Values for the ``x-ratelimit-*`` headers of one response."""

    limit_requests: int
    remaining_requests: int
    limit_tokens: int
    remaining_tokens: int


@dataclass(slots=True)
class Call:
    """One request as the pipeline sees it.

    surface: "deployments" (classic, dated api-version), "v1" or "resource" (e.g. /openai/models).
    operation: "chat.completions", "embeddings", "models", ... (None for unknown routes).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    request_id: str
    x_request_id: str
    started: float = field(default_factory=time.monotonic)
    received_at: float = field(default_factory=time.time)
    surface: str | None = None
    operation: str | None = None
    deployment_name: str | None = None
    resource_id: str | None = None
    deployment: Deployment | None = None
    api_version: str | None = None
    raw_body: bytes = b""
    parsed_body: Any = None  # see ``body``; UNPARSED: valid JSON, parsed when first read
    form: Any = None
    rate: RateInfo | None = None
    fault: str | None = None
    transport_fault: dict[str, Any] | None = None
    prompt_hits: dict[str, Any] = field(default_factory=dict)
    filter_action: dict[str, Any] | None = None
    deferred: Any = None  # an AzureError kept for the replay stage (pipeline.defer)
    prompt_tokens: int = 0
    estimated_tokens: int = 0
    notes: list[str] = field(default_factory=list)
    scope: Any = None
    receive: Any = None

    @property
    def body(self) -> Any:
        """The parsed JSON body (None for none). A body the server has already seen parse is
        parsed only when something reads it (``pipeline.body``)."""
        if self.parsed_body is UNPARSED:
            self.parsed_body = parse_json(self.raw_body)
        return self.parsed_body

    @body.setter
    def body(self, value: Any) -> None:
        self.parsed_body = value

    @property
    def session(self) -> str | None:
        return self.headers.get("x-mock-session")

    @property
    def client_request_id(self) -> str:
        """Echo of ``x-ms-client-request-id``, else the apim-request-id (recordings 04, 08)."""
        return self.headers.get("x-ms-client-request-id") or self.request_id

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_json(raw: bytes) -> Any:
    """Strict JSON (``mockserver.jsontext``): no NaN, no lone surrogates, bounded depth."""
    return jsontext.loads(raw)


CACHED_KEY_BYTES = 256  # longer header names and query strings are decoded, not cached (memory bound)


def decode_headers(scope: Scope) -> dict[str, str]:
    """Header names lower-cased: Azure matches them case-insensitively (Go sends ``Api-Key``)."""
    return {header_name(k) if len(k) <= CACHED_KEY_BYTES else k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope.get("headers", ())}


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


async def read_all(receive: Any) -> bytes:
    """The whole request body from an ASGI ``receive``."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def read_body(receive: Any, limit: int) -> bytes:
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


def limited_receive(receive: Any, limit: int) -> Any:
    """``receive`` that raises ``BodyTooLarge`` once the body passes ``limit`` bytes and
    ``BodyAbandoned`` on a disconnect (for parsers that read the body themselves: multipart)."""
    seen = 0

    async def counted() -> dict[str, Any]:
        nonlocal seen
        message: dict[str, Any] = await receive()
        if message["type"] == "http.disconnect":
            raise BodyAbandoned("the client disconnected before its upload was complete")
        seen += len(message.get("body", b""))
        if seen > limit:
            raise BodyTooLarge(limit, seen)
        return message

    return counted
