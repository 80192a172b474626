"""Import a vcrpy / pytest-recording cassette into a cassette.

**vcrpy / pytest-recording** cassettes (YAML via ``yaml.safe_load``, or vcrpy's JSON serializer):
``{"interactions": [{"request": {method, uri, body, headers: {name: [values]}}, "response":
{"status": {"code", "message"}, "headers": {...}, "body": {"string": ...}}}], "version": 1}``, and
the older httpx layout ``{"status_code", "headers", "content"}``. gzip/deflate bodies are decoded.
A whole SSE body is split into events (untimed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .bodies import (
    as_bytes,
    decompress,
    flat_headers,
    header,
    kept_headers,
    request_body,
    response_from_bytes,
)
from .cassette import Cassette, CassetteError, Interaction, Request, Response

VCRPY = "vcrpy"
NO_YAML = (
    "{path} looks like a vcrpy YAML cassette; reading it needs PyYAML (pip install 'aoai-mockserver[vcr]')"
)


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
