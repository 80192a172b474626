"""Turn what went over the wire into an ``Interaction``: request parts, then timed response chunks.

Shared by the recording proxy (``replay.proxy``, a real upstream reached with httpx) and the
in-process recorder of ``replay.attach`` (the mock app itself). Everything passes through a
``Scrubber`` before it is kept, so no secret is ever held in a cassette, even in memory.

Streams are split into SSE events at blank lines (``\\n\\n``, or ``\\r\\n\\r\\n``; Azure sends LF,
azure-wire §6.1); each event gets the time its last byte arrived. A stream that ends without a
blank line (a cut stream) keeps its tail as a last, partial event.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

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
