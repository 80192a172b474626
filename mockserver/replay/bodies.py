"""How a cassette keeps a body: the codecs shared by capture (live traffic), the foreign-format
importers and the player.

Headers lose the hop-by-hop ones; request bodies become ``json`` / ``form`` / ``text`` / ``base64``
(a multipart upload is summarised, its file hashed, never kept); a JSON response keeps how it was
serialised (``json_style``); an SSE body is split into events at blank lines (``\\n\\n``, or
``\\r\\n\\r\\n``; Azure sends LF, azure-wire §6.1), a tail without one kept as a last event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from .cassette import Event, Response
from .scrub import Scrubber

EVENT_END = re.compile(rb"\r?\n\r?\n")
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
    styles.setdefault(json.dumps(value, indent=2), "indented")  # non-ASCII escaped: Responses (15-24)
    return styles.get(text)


def render_json(value: Any, style: str) -> str:
    """The inverse of ``json_style``."""
    if style == "indented":
        return json.dumps(value, indent=2)
    if style.startswith("pretty"):
        text = json.dumps(value, indent=2, ensure_ascii=False)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text + "\n" if style.endswith("+lf") else text


def response_from_bytes(
    status: int,
    headers: dict[str, str],
    data: bytes,
    t: float | None = None,
    scrubber: Scrubber | None = None,
) -> Response:
    """A recorded response from a whole body: SSE events (untimed), JSON with its style, text, or
    base64; ``scrubber`` (when given) cleans the text before it is kept."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    if content_type.startswith("text/event-stream"):
        text = data.decode("utf-8", errors="replace")
        return Response(status, headers, "events", [Event(raw) for raw in split_events(text)], t)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Response(status, headers, "base64", base64.b64encode(data).decode("ascii"), t)
    try:
        value = json.loads(text)
    except ValueError:
        return Response(status, headers, "text", scrubber.text(text) if scrubber else text, t)
    style = json_style(text, value)
    if style is None:  # an unusual serialisation: keep the exact text
        return Response(status, headers, "text", scrubber.text(text) if scrubber else text, t)
    return Response(status, headers, "json", scrubber.json(value) if scrubber else value, t, style)


def split_events(text: str) -> list[str]:
    events, start = [], 0
    data = text.encode("utf-8")
    for found in EVENT_END.finditer(data):
        events.append(data[start : found.end()].decode("utf-8"))
        start = found.end()
    if start < len(data):
        events.append(data[start:].decode("utf-8"))
    return events


def flat_headers(headers: dict[str, Any]) -> dict[str, str]:
    """``{name: value}``; list values (vcrpy, older test-proxy files) joined with ``, ``."""
    return {str(k): ", ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in headers.items()}


def header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value).encode("utf-8")
    return str(value).encode("utf-8")


def decode_base64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def decompress(data: bytes, encoding: str) -> bytes:
    encoding = encoding.lower().strip()
    try:
        if encoding == "gzip":
            return zlib.decompress(data, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(data)
    except zlib.error:
        return data
    return data
