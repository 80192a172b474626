"""The cassette format: recorded exchanges as pretty-printed, versioned JSON (loaded with ``json``).

    {
      "format": "aoai-mockserver-cassette",
      "version": 1,
      "meta": {"recorded_with": "aoai-mock 0.1.0", "upstream": "https://Sanitized.openai.azure.com",
               "scrub": {...}, "source": "..."},
      "interactions": [
        {"request": {"method": "POST", "path": "/openai/deployments/gpt-4o/chat/completions",
                     "query": {"api-version": "2024-10-21"}, "headers": {...}, "json": {...}},
         "response": {"status": 200, "headers": {...}, "t": 0.012,
                      "events": [{"t": 0.061, "data": "{\"choices\":...}"}, ...]}}
      ]
    }

One exchange per entry. A request body is one of ``json`` (parsed), ``form`` (a multipart summary:
text fields verbatim, files as ``{filename, content_type, size, sha256}``), ``text`` or ``base64``.
A response body is one of ``json`` (plus ``json_style`` when Azure did not send compact JSON, e.g.
the pretty-printed embeddings of recording 07), ``text``, ``base64`` or ``events``: the SSE stream as
its events in order, each ``{"t": seconds since the request was sent, "data": payload}`` for a plain
``data: <payload>\\n\\n`` event or ``{"t", "raw": text}`` for anything else (kept byte for byte).
``t`` is null when the source had no timing (imported recordings). ``response.t`` is when the
response headers arrived; ``response.chunked`` (true, or absent) that a complete body came
with ``Transfer-Encoding: chunked`` (the files answers of recordings 27-29): it replays chunked.
Headers and query keys are written sorted; bodies keep their key order
(Azure's key order is part of the wire, azure-wire §5.4).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

FORMAT = "aoai-mockserver-cassette"
VERSION = 1
REQUEST_BODY_KINDS = ("json", "form", "text", "base64")
RESPONSE_BODY_KINDS = ("json", "text", "base64", "events")
JSON_STYLES = ("compact", "compact+lf", "pretty", "pretty+lf", "indented")
UNKNOWN_VERSION = (
    "cassette {path} has version {version!r}; this aoai-mockserver reads version {supported}. "
    "Upgrade aoai-mockserver or re-record the cassette"
)


class CassetteError(ConfigError):
    """A cassette file is malformed, of an unknown version, or cannot be imported."""


class CassetteNotFound(CassetteError, FileNotFoundError):
    """The cassette file does not exist."""


@dataclass
class Event:
    """One SSE event, raw (``data: ...\\n\\n`` included), and when it arrived (None: untimed)."""

    raw: str
    t: float | None = None

    def to_json(self) -> dict[str, Any]:
        payload = self.raw[len("data: ") : -2] if is_plain(self.raw) else None
        body: dict[str, Any] = {"data": payload} if payload is not None else {"raw": self.raw}
        return {"t": rounded(self.t), **body}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Event:
        raw = f"data: {item['data']}\n\n" if "data" in item else item["raw"]
        return cls(raw=raw, t=item.get("t"))


def is_plain(raw: str) -> bool:
    return raw.startswith("data: ") and raw.endswith("\n\n") and "\n" not in raw[6:-2] and "\r" not in raw


@dataclass
class Request:
    """A recorded request. ``path`` is as sent (percent-encoded, double slashes kept)."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    kind: str | None = None  # one of REQUEST_BODY_KINDS, None for no body
    body: Any = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "query": sorted_dict(self.query),
            "headers": sorted_dict(self.headers),
        }
        if self.kind is not None:
            data[self.kind] = self.body
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Request:
        kind = next((k for k in REQUEST_BODY_KINDS if k in data), None)
        return cls(
            method=data["method"].upper(),
            path=data["path"],
            query=dict(data.get("query") or {}),
            headers=dict(data.get("headers") or {}),
            kind=kind,
            body=data.get(kind) if kind else None,
        )


@dataclass
class Response:
    """A recorded response: status, headers, when the headers came (``t``) and the body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "text"  # one of RESPONSE_BODY_KINDS
    body: Any = ""  # events: list[Event]
    t: float | None = None
    json_style: str = "compact"
    chunked: bool = False

    @property
    def events(self) -> list[Event]:
        return self.body if self.kind == "events" else []

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "headers": sorted_dict(self.headers),
            "t": rounded(self.t),
        }
        if self.kind == "events":
            data["events"] = [e.to_json() for e in self.body]
        else:
            data[self.kind] = self.body
        if self.kind == "json" and self.json_style != "compact":
            data["json_style"] = self.json_style
        if self.chunked and self.kind != "events":
            data["chunked"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Response:
        kind = next((k for k in RESPONSE_BODY_KINDS if k in data), "text")
        body = data.get(kind, "")
        if kind == "events":
            body = [Event.from_json(item) for item in body]
        style = data.get("json_style", "compact")
        if style not in JSON_STYLES:
            raise CassetteError(f"json_style must be one of {list(JSON_STYLES)}, got {style!r}")
        return cls(
            status=int(data["status"]),
            headers=dict(data.get("headers") or {}),
            kind=kind,
            body=body,
            t=data.get("t"),
            json_style=style,
            chunked=data.get("chunked") is True,
        )


@dataclass
class Interaction:
    """One exchange. ``note`` says anything a reader must know (an excerpt, a lenient match)."""

    request: Request
    response: Response
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"request": self.request.to_json(), "response": self.response.to_json()}
        return {"note": self.note, **data} if self.note else data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interaction:
        return cls(Request.from_json(data["request"]), Response.from_json(data["response"]), data.get("note"))


@dataclass
class Cassette:
    """Recorded interactions plus ``meta`` (provenance, scrub settings); ``path`` where it lives."""

    interactions: list[Interaction] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "<memory>"

    def append(self, interaction: Interaction) -> None:
        with self.lock:
            self.interactions.append(interaction)

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            items = [i.to_json() for i in self.interactions]
        return {"format": FORMAT, "version": VERSION, "meta": self.meta, "interactions": items}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically (a temporary file renamed over the target), creating parent folders."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise CassetteError("this cassette has no path; pass one to save()")
        target.parent.mkdir(parents=True, exist_ok=True)
        text = self.dumps()
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
        self.path = target
        return target


def loads(text: str, path: Path | None = None) -> Cassette:
    """Parse our format (``json.loads`` only: nothing in a cassette can run code)."""
    where = path or "<string>"
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CassetteError(f"cassette {where} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CassetteError(f'{where} is not an aoai-mockserver cassette (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise CassetteError(
            UNKNOWN_VERSION.format(path=where, version=data.get("version"), supported=VERSION)
        )
    try:
        items = [Interaction.from_json(item) for item in data.get("interactions", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteError(f"cassette {where} has a malformed interaction: {exc!r}") from None
    return Cassette(items, dict(data.get("meta") or {}), path)


def sorted_dict(mapping: dict[str, str]) -> dict[str, str]:
    return dict(sorted(mapping.items(), key=lambda item: item[0].lower()))


def rounded(t: float | None) -> float | None:
    return None if t is None else round(t, 4)
