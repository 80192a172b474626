"""Turn what went over the wire into an ``Interaction``: request parts, then timed response chunks.

Shared by the recording proxy (``mockserver.recorder``, a real upstream reached with httpx) and the
in-process recorder of ``replay.plugin_support`` (the mock app itself). Everything passes through a
``Scrubber`` before it is kept, so no secret is ever held in a cassette, even in memory.

Streams are split into SSE events at blank lines (``\\n\\n``, or ``\\r\\n\\r\\n``; Azure sends LF,
azure-wire §6.1); each event gets the time its last byte arrived. A stream that ends without a
blank line (a cut stream) keeps its tail as a last, partial event.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from ..scrub import Scrubber
from .cassette import Event, Interaction, Request, Response

EVENT_END = re.compile(rb"\r?\n\r?\n")
# bodies a cassette keeps as base64 whatever they hold: file downloads (recording 28), audio, images
BINARY_TYPES = ("application/octet-stream", "audio/", "image/")
# Not kept in cassettes: per-connection (RFC 9110 §7.6.1) or recomputed by whoever serves the body.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
        "date",
    }
)


def kept_headers(headers: list[tuple[str, str]] | dict[str, str]) -> dict[str, str]:
    """Headers without hop-by-hop ones; names keep their case (test-proxy style, azure-wire §14)."""
    items = headers.items() if isinstance(headers, dict) else headers
    result: dict[str, str] = {}
    for name, value in items:
        if name.lower() not in HOP_BY_HOP:
            result[name] = f"{result[name]}, {value}" if name in result else value
    return result


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


def request_body(body: bytes, content_type: str) -> tuple[str | None, Any]:
    if not body:
        return None, None
    if content_type.lower().startswith("multipart/"):
        form = summarise_multipart(body, content_type)
        if form is not None:
            return "form", form
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "base64", base64.b64encode(body).decode("ascii")
    try:
        return "json", json.loads(text)
    except ValueError:
        return "text", text


def summarise_multipart(body: bytes, content_type: str) -> dict[str, Any] | None:
    """Text fields verbatim; files as name, type, size and SHA-256 (never the bytes). The boundary,
    which every client picks at random, is left out, so it never takes part in matching."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return None
    form: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        add_field(form, name, part_value(part))
    return form


def part_value(part: Any) -> Any:
    payload = part.get_payload(decode=True) or b""
    filename = part.get_filename()
    if filename is None:
        return payload.decode("utf-8", errors="replace")
    return file_summary(filename, part.get_content_type(), payload)


def file_summary(filename: str | None, content_type: str | None, data: bytes | None) -> dict[str, Any]:
    """An uploaded file as a cassette keeps it; ``data`` None when the bytes are unknown (elided)."""
    summary: dict[str, Any] = {"filename": filename, "content_type": content_type}
    if data is not None:
        summary |= {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return summary


def add_field(form: dict[str, Any], name: str, value: Any) -> None:
    """Repeated names (``timestamp_granularities[]``) become lists."""
    if name not in form:
        form[name] = value
    elif isinstance(form[name], list):
        form[name].append(value)
    else:
        form[name] = [form[name], value]


def json_style(text: str, value: Any) -> str | None:
    """How ``text`` serialises ``value``: compact (Azure's usual), pretty (embeddings, recording 07)."""
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    styles = {compact: "compact", compact + "\n": "compact+lf", pretty: "pretty", pretty + "\n": "pretty+lf"}
    return styles.get(text)


def render_json(value: Any, style: str) -> str:
    """The inverse of ``json_style``."""
    if style.startswith("pretty"):
        text = json.dumps(value, indent=2, ensure_ascii=False)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text + "\n" if style.endswith("+lf") else text


@dataclass
class ExchangeBuilder:
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
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Response(
                self.status, self.headers, "base64", base64.b64encode(data).decode("ascii"), self.t
            )
        try:
            value = json.loads(text)
        except ValueError:
            return Response(self.status, self.headers, "text", self.scrubber.text(text), self.t)
        style = json_style(text, value)
        if style is None:  # an unusual serialisation: keep the exact text
            return Response(self.status, self.headers, "text", self.scrubber.text(text), self.t)
        return Response(self.status, self.headers, "json", self.scrubber.json(value), self.t, style)
