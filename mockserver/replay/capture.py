"""Turn what went over the wire into an ``Interaction``: request parts, then timed response chunks.

Shared by the recording proxy (``replay.proxy``, a real upstream reached with httpx) and a mock that
records what it answers itself (``Capture``, which the pipeline runs while a ``CassetteSlot``
records). Everything passes through a ``Scrubber`` before it is kept, so no secret is ever held in
a cassette, even in memory.

Streams are split into SSE events at blank lines (``\\n\\n``, or ``\\r\\n\\r\\n``; Azure sends LF,
azure-wire §6.1); each event gets the time its last byte arrived. A stream that ends without a
blank line (a cut stream) keeps its tail as a last, partial event.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from ..types import Message, Receive, Scope, Send
from .bodies import EVENT_END, kept_headers, request_body, response_from_bytes
from .cassette import Event, Interaction, Request, Response
from .scrub import Scrubber

# bodies a cassette keeps as base64 whatever they hold: file downloads (recording 28), audio, images
BINARY_TYPES = ("application/octet-stream", "audio/", "image/")


def request_from_wire(
    method: str, raw_path: str, query_string: str, headers: dict[str, str], body: bytes, scrubber: Scrubber
) -> Request:
    """A scrubbed ``Request`` from the raw pieces (``headers`` as sent, any case)."""
    query = dict(parse_qsl(query_string, keep_blank_values=True))
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    kind, value = request_body(body, content_type)
    if kind == "json":
        value = scrubber.json(value)
    elif kind == "text":
        value = scrubber.text(value)
    elif kind == "form":
        value = {k: scrubber.strings(v) if not isinstance(v, dict) else v for k, v in value.items()}
    return Request(
        method=method.upper(),
        path=raw_path,
        query=scrubber.query(query),
        headers=scrubber.headers(kept_headers(headers)),
        kind=kind,
        body=value,
    )


@dataclass
class InteractionBuilder:
    """Collects one response as it streams: ``start``, ``chunk`` (timed), then ``finish``."""

    request: Request
    scrubber: Scrubber
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    t: float | None = None
    streaming: bool = False
    events: list[Event] = field(default_factory=list)
    buffer: bytes = b""
    body: list[bytes] = field(default_factory=list)
    finished_at: float | None = None
    chunked: bool = False

    def start(self, status: int, headers: list[tuple[str, str]] | dict[str, str], t: float) -> None:
        self.status, self.t = status, t
        items = headers.items() if isinstance(headers, dict) else headers
        names = {k.lower(): v.lower() for k, v in items}
        # chunked on the wire, or (an ASGI response) no length: the server will send it chunked
        self.chunked = "chunked" in names.get("transfer-encoding", "") or "content-length" not in names
        self.headers = self.scrubber.headers(kept_headers(headers))
        content_type = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        self.streaming = content_type.lower().startswith("text/event-stream")

    def chunk(self, data: bytes, t: float) -> None:
        if not data:
            return
        self.finished_at = t
        if not self.streaming:
            self.body.append(data)
            return
        self.buffer += data
        while (found := EVENT_END.search(self.buffer)) is not None:
            raw, self.buffer = self.buffer[: found.end()], self.buffer[found.end() :]
            self.events.append(Event(self.scrubber.event(raw.decode("utf-8", errors="replace")), t))

    def finish(self, note: str | None = None) -> Interaction:
        if self.buffer:  # a stream cut mid-event keeps its tail
            self.events.append(
                Event(self.scrubber.event(self.buffer.decode("utf-8", errors="replace")), self.finished_at)
            )
            self.buffer = b""
        return Interaction(self.request, self.response(), note)

    def response(self) -> Response:
        response = self.complete_response()
        response.chunked = self.chunked and not self.streaming
        return response

    def complete_response(self) -> Response:
        if self.streaming:
            return Response(self.status, self.headers, "events", self.events, self.t)
        data = b"".join(self.body)
        content_type = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        if content_type.lower().startswith(BINARY_TYPES):  # file content: kept byte for byte, never scrubbed
            encoded = base64.b64encode(data).decode("ascii")
            return Response(self.status, self.headers, "base64", encoded, self.t)
        return response_from_bytes(self.status, self.headers, data, self.t, self.scrubber)


class Capture:
    """One exchange a mock answers while it records itself: the request's body as the pipeline reads
    it (``receive``; what the pipeline left unread, up to ``limit`` bytes, is read when the answer
    starts), then each response message as the wrapped ``send`` passes it on. ``keep`` gets the
    interaction once, before the last byte leaves (so a client that has its answer finds it
    recorded), or at ``done`` for an answer cut short."""

    def __init__(
        self, scope: Scope, body_fields: tuple[str, ...], keep: Callable[[Interaction], None], limit: int
    ) -> None:
        self.scope, self.body_fields, self.limit = scope, body_fields, limit
        self.chunks: list[bytes] = []
        self.complete = False  # the request body has been read to its end
        self.builder: InteractionBuilder | None = None
        self.started = time.perf_counter()
        self.keep: Callable[[Interaction], None] | None = keep

    def tee(self, receive: Receive) -> Receive:
        """``receive`` that also keeps the request body it passes on."""

        async def teed() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.chunks.append(message.get("body", b""))
                self.complete = not message.get("more_body", False)
            return message

        return teed

    async def request(self, receive: Receive) -> InteractionBuilder:
        """The exchange's builder, its request made from the whole body (read to its end now when the
        pipeline answered before reading it, as an auth error does)."""
        if self.builder is None:
            while not self.complete and sum(map(len, self.chunks)) <= self.limit:
                message = await receive()
                if message["type"] != "http.request":
                    break
                self.chunks.append(message.get("body", b""))
                self.complete = not message.get("more_body", False)
            scope = self.scope
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            scrubber = Scrubber(host=headers.get("host") or None, body_fields=self.body_fields)
            raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
            query = scope.get("query_string", b"").decode("latin-1")
            body = b"".join(self.chunks)
            request = request_from_wire(scope["method"], raw_path, query, headers, body, scrubber)
            self.builder = InteractionBuilder(request, scrubber)
        return self.builder

    def wrap(self, send: Send, receive: Receive) -> Send:
        """``send`` that also times and keeps every response message."""
        started = self.started

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                builder = await self.request(receive)
                pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
                builder.start(message["status"], pairs, time.perf_counter() - started)
            elif message["type"] == "http.response.body" and self.builder is not None:
                self.builder.chunk(message.get("body", b""), time.perf_counter() - started)
                if not message.get("more_body", False):
                    self.done()
            await send(message)

        return capture

    def done(self) -> None:
        """Hand the exchange to ``keep`` (once; nothing when no response was started)."""
        keep, self.keep = self.keep, None
        if keep is not None and self.builder is not None and self.builder.status:
            keep(self.builder.finish())
