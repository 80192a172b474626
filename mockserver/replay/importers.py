"""Import foreign recordings into cassettes: Azure SDK test-proxy files and vcrpy / pytest-recording.

**Azure SDK test-proxy** (the format of ``../shared/reference/azure-recordings``, azure-wire §0.2):
``{"Entries": [{RequestUri, RequestMethod, RequestHeaders, RequestBody, StatusCode, ResponseHeaders,
ResponseBody}], "Variables": {}}``, optionally after ``#`` comment lines (our reference files start
with a ``# source:`` line, kept in ``meta.source``). Bodies: JSON as objects; a streamed body as an
array of raw SSE events (each ending ``\\n\\n``); other bodies as strings (base64 for bytes).
Quirks handled (azure-wire §14, style.md §3.8):

* double slashes and percent-encoded deployments in ``RequestUri`` are kept as recorded; matching
  normalises both sides;
* hosts are already sanitized (``Sanitized.openai.azure.com``, ``fake-recorded-host...``,
  ``endpoint``); they are dropped (only the path and query are kept);
* a ``RequestBody(...)`` key holding a *decoded* multipart body with the file elided (recording 09)
  becomes a form summary whose file has no hash, so any upload matches it and only the text fields
  (language, model, response_format, temperature) are compared; the interaction says so in ``note``;
* a multipart request whose ``RequestBody`` is null (the .NET recorder keeps no uploads: recordings
  27-29) becomes a form without fields, which any upload matches; the interaction says so in ``note``;
* elements of a streamed body that are not SSE events (recording 12's ``<<< EXCERPT ... >>>``
  marker) are kept verbatim by default, so the body replays exactly as recorded, and noted; pass
  ``drop_non_events=True`` to leave them out;
* ``Content-Length`` (recomputed by the recorder after sanitizing, azure-wire §14) is used only to
  tell compact from pretty-printed JSON (recording 07 is pretty), then dropped with ``Date`` and
  the other per-connection headers.

**vcrpy / pytest-recording** cassettes (YAML via ``yaml.safe_load``, or vcrpy's JSON serializer):
``{"interactions": [{"request": {method, uri, body, headers: {name: [values]}}, "response":
{"status": {"code", "message"}, "headers": {...}, "body": {"string": ...}}}], "version": 1}``, and
the older httpx layout ``{"status_code", "headers", "content"}``. gzip/deflate bodies are decoded.
A whole SSE body is split into events (untimed).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .capture import (
    EVENT_END,
    file_summary,
    json_style,
    kept_headers,
    render_json,
    request_body,
    summarise_multipart,
)
from .cassette import Cassette, CassetteError, Event, Interaction, Request, Response

TEST_PROXY = "azure-test-proxy"
VCRPY = "vcrpy"
NO_YAML = (
    "{path} looks like a vcrpy YAML cassette; reading it needs PyYAML (pip install 'aoai-mockserver[vcr]')"
)
ELIDED_FORM_NOTE = (
    "the source kept this multipart body decoded with its file elided: any uploaded file "
    "matches; the text fields must"
)
UNRECORDED_FORM_NOTE = "the source recorded no body for this upload: any multipart body matches"
NON_EVENT_NOTE = "streamed body element(s) {items} are not SSE events (an excerpt marker?); kept verbatim"


def detect(text: str, path: Path | None = None) -> str:
    """``aoai`` (ours), ``azure-test-proxy`` or ``vcrpy``, from the content (and the file suffix)."""
    body = strip_comments(text).lstrip()
    if body.startswith("{"):
        if (
            '"format": "aoai-mockserver-cassette"' in body[:200]
            or '"format":"aoai-mockserver-cassette"' in body
        ):
            return "aoai"
        if '"Entries"' in body:
            return TEST_PROXY
        if '"interactions"' in body:
            return VCRPY
        return "aoai"  # let the loader report what is wrong
    if (path is not None and path.suffix.lower() in (".yaml", ".yml")) or body.startswith("interactions:"):
        return VCRPY
    return "aoai"


def import_text(text: str, path: Path | None, kind: str, **options: Any) -> Cassette:
    importers: dict[str, Callable[..., Cassette]] = {TEST_PROXY: import_test_proxy, VCRPY: import_vcrpy}
    importer = importers.get(kind)
    if importer is None:
        raise CassetteError(f"unknown recording format {kind!r}; valid: {[TEST_PROXY, VCRPY]}")
    cassette = importer(text, path, **options)
    cassette.path = path
    return cassette


def import_file(path: str | Path, **options: Any) -> Cassette:
    """Import ``path`` (either foreign format, detected) into a cassette held in memory."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return import_text(text, path, detect(text, path), **options)


def strip_comments(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


# --- Azure SDK test-proxy --------------------------------------------------------------------


def import_test_proxy(text: str, path: Path | None = None, *, drop_non_events: bool = False) -> Cassette:
    """A cassette from a test-proxy recording (the ``# source:`` line goes to ``meta.source``)."""
    comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    try:
        data = json.loads(strip_comments(text))
        entries = data["Entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CassetteError(f"{path or 'text'} is not a test-proxy recording: {exc!r}") from None
    meta: dict[str, Any] = {"imported_from": TEST_PROXY}
    if path is not None:
        meta["file"] = path.name
    if comments:
        meta["source"] = " ".join(comments)
    return Cassette([proxy_entry(entry, drop_non_events) for entry in entries], meta)


def proxy_entry(entry: dict[str, Any], drop_non_events: bool) -> Interaction:
    uri = urlsplit(entry["RequestUri"])
    headers = flat_headers(entry.get("RequestHeaders") or {})
    kind, body, note = proxy_request_body(entry, header(headers, "content-type"))
    request = Request(
        entry["RequestMethod"].upper(),
        uri.path or "/",
        dict(parse_qsl(uri.query, keep_blank_values=True)),
        kept_headers(headers),
        kind,
        body,
    )
    response, event_note = proxy_response(entry, drop_non_events)
    notes = [n for n in (note, event_note) if n]
    return Interaction(request, response, "; ".join(notes) or None)


def proxy_request_body(entry: dict[str, Any], content_type: str) -> tuple[str | None, Any, str | None]:
    key = next((k for k in entry if k.startswith("RequestBody")), None)
    value = entry.get(key) if key else None
    if value is None and content_type.lower().startswith("multipart/"):
        return "form", None, UNRECORDED_FORM_NOTE  # the .NET recorder keeps no upload (recordings 27-29)
    if value is None or value == "":
        return None, None, None
    if not isinstance(value, str):
        return "json", value, None
    multipart = content_type.lower().startswith("multipart/")
    if multipart and key != "RequestBody":  # decoded by hand, the file elided (recording 09)
        form = summarise_multipart(value.encode("utf-8"), content_type)
        if form is not None:
            return "form", forget_files(form), ELIDED_FORM_NOTE
    if multipart:
        raw = decode_base64(value)
        if raw is not None:
            kind, body = request_body(raw, content_type)
            return kind, body, None
    kind, body = request_body(value.encode("utf-8"), content_type)
    return kind, body, None


def forget_files(form: dict[str, Any]) -> dict[str, Any]:
    """File parts without size or hash: their bytes are not in the recording."""
    return {
        name: file_summary(v["filename"], v["content_type"], None) if isinstance(v, dict) else v
        for name, v in form.items()
    }


def proxy_response(entry: dict[str, Any], drop_non_events: bool) -> tuple[Response, str | None]:
    headers = flat_headers(entry.get("ResponseHeaders") or {})
    content_type = header(headers, "content-type").lower()
    body = entry.get("ResponseBody")
    status = int(entry["StatusCode"])
    if isinstance(body, list) and (
        content_type.startswith("text/event-stream") or all(isinstance(e, str) for e in body)
    ):
        return proxy_events(status, headers, body, drop_non_events)
    chunked = header(headers, "transfer-encoding").lower() == "chunked"
    if body is None:
        return Response(status, kept_headers(headers), "text", "", chunked=chunked), None
    if not isinstance(body, str):
        style = style_from_length(body, header(headers, "content-length"))
        return Response(status, kept_headers(headers), "json", body, json_style=style, chunked=chunked), None
    if content_type.startswith(("application/json", "text/")) or decode_base64(body) is None:
        return Response(status, kept_headers(headers), "text", body, chunked=chunked), None
    return Response(status, kept_headers(headers), "base64", body, chunked=chunked), None


def proxy_events(
    status: int, headers: dict[str, str], items: list[str], drop_non_events: bool
) -> tuple[Response, str | None]:
    odd = [
        i
        for i, item in enumerate(items, start=1)
        if not (item.startswith(("data:", "event:", "id:", ":")) and item.endswith("\n\n"))
    ]
    if drop_non_events:
        items = [item for i, item in enumerate(items, start=1) if i not in odd]
    events = [Event(item, None) for item in items]
    note = NON_EVENT_NOTE.format(items=odd) if odd and not drop_non_events else None
    return Response(status, kept_headers(headers), "events", events), note


def style_from_length(body: Any, length: str) -> str:
    """Compact unless the recorded Content-Length says otherwise (recording 07 is pretty-printed;
    05 and 08 are compact plus one byte, azure-wire §14)."""
    if not length.isdigit():
        return "compact"
    for style in ("compact", "pretty", "compact+lf", "pretty+lf"):
        text = render_json(body, style)
        if len(text.encode("utf-8")) == int(length):
            return style
    return "compact"


# --- vcrpy / pytest-recording ----------------------------------------------------------------


def import_vcrpy(text: str, path: Path | None = None, **options: Any) -> Cassette:
    """A cassette from a vcrpy cassette (YAML, loaded with ``yaml.safe_load``, or JSON)."""
    data = load_vcr_data(text, path)
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path or 'text'} is not a vcrpy cassette (no 'interactions' list)")
    meta: dict[str, Any] = {"imported_from": VCRPY, "vcrpy_version": data.get("version")}
    if path is not None:
        meta["file"] = path.name
    return Cassette([vcr_interaction(item) for item in data["interactions"]], meta)


def load_vcr_data(text: str, path: Path | None) -> Any:
    if text.lstrip().startswith("{"):
        return json.loads(text)
    try:
        import yaml
    except ImportError:  # pragma: no cover (PyYAML is installed with the vcr extra and in the tests)
        raise CassetteError(NO_YAML.format(path=path or "text")) from None
    try:
        return yaml.safe_load(text)  # safe_load only: a cassette must not be able to run code
    except yaml.YAMLError as exc:
        raise CassetteError(f"{path or 'text'} is not valid YAML (or uses unsafe tags): {exc}") from None


def vcr_interaction(item: dict[str, Any]) -> Interaction:
    req, resp = item["request"], item["response"]
    uri = urlsplit(req["uri"])
    headers = flat_headers(req.get("headers") or {})
    kind, body = request_body(as_bytes(req.get("body")), header(headers, "content-type"))
    request = Request(
        str(req["method"]).upper(),
        uri.path or "/",
        dict(parse_qsl(uri.query, keep_blank_values=True)),
        kept_headers(headers),
        kind,
        body,
    )
    return Interaction(request, vcr_response(resp))


def vcr_response(resp: dict[str, Any]) -> Response:
    if "status_code" in resp:  # vcrpy's older httpx layout
        status, raw_body = int(resp["status_code"]), resp.get("content")
    else:
        status = int(resp["status"]["code"] if isinstance(resp["status"], dict) else resp["status"])
        raw_body = (
            (resp.get("body") or {}).get("string") if isinstance(resp.get("body"), dict) else resp.get("body")
        )
    headers = flat_headers(resp.get("headers") or {})
    data = decompress(as_bytes(raw_body), header(headers, "content-encoding"))
    return response_from_bytes(status, kept_headers(headers), data)


def response_from_bytes(status: int, headers: dict[str, str], data: bytes) -> Response:
    content_type = header(headers, "content-type").lower()
    if content_type.startswith("text/event-stream"):
        text = data.decode("utf-8", errors="replace")
        return Response(status, headers, "events", [Event(raw) for raw in split_events(text)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Response(status, headers, "base64", base64.b64encode(data).decode("ascii"))
    try:
        value = json.loads(text)
    except ValueError:
        return Response(status, headers, "text", text)
    style = json_style(text, value)
    return (
        Response(status, headers, "json", value, json_style=style)
        if style
        else Response(status, headers, "text", text)
    )


def split_events(text: str) -> list[str]:
    events, start = [], 0
    data = text.encode("utf-8")
    for found in EVENT_END.finditer(data):
        events.append(data[start : found.end()].decode("utf-8"))
        start = found.end()
    if start < len(data):
        events.append(data[start:].decode("utf-8"))
    return events


# --- helpers ---------------------------------------------------------------------------------


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
