"""Import an Azure SDK test-proxy recording into a cassette.

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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .bodies import (
    decode_base64,
    file_summary,
    flat_headers,
    header,
    kept_headers,
    render_json,
    request_body,
    summarise_multipart,
)
from .cassette import Cassette, CassetteError, Event, Interaction, Request, Response

TEST_PROXY = "azure-test-proxy"
ELIDED_FORM_NOTE = (
    "the source kept this multipart body decoded with its file elided: any uploaded file "
    "matches; the text fields must"
)
UNRECORDED_FORM_NOTE = "the source recorded no body for this upload: any multipart body matches"
NON_EVENT_NOTE = "streamed body element(s) {items} are not SSE events (an excerpt marker?); kept verbatim"


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
    05 and 08 are compact plus one byte, azure-wire §14; the Responses answers 15-24 are indented with
    non-ASCII escaped although the recorder shows the characters raw)."""
    if not length.isdigit():
        return "compact"
    for style in ("compact", "pretty", "indented", "compact+lf", "pretty+lf"):
        text = render_json(body, style)
        if len(text.encode("utf-8")) == int(length):
            return style
    return "compact"


def strip_comments(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)
