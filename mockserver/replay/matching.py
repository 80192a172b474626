"""Small explaining matchers (vcrpy style): one facet each, returning why they failed, or None.

Both sides are ``RequestView`` s, normalised the same way, so the recording quirks of style.md §3.8
cannot cause a miss: double slashes collapsed (recordings 04, 08 send ``//openai/...``), URL-encoded
deployment names decoded (recording 05: ``invalid%20model%20name``), the v1 surface's deployment
taken from the body's ``model`` (recording 03), multipart bodies compared field by field without
their random boundary (recording 09; one recorded without a body matches any, recordings 27-29).
Volatile ids in request bodies (``VOLATILE_BODY_PATHS``) are
ignored.

Facets: ``method``, ``path`` (with the deployment segment as ``{deployment}``, so it names the
operation), ``deployment``, ``api_version``, ``query`` (other parameters), ``body``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..http import normalise_path
from .cassette import Request
from .options import FACETS
from .scrub import replace_path

# ids a client copies from earlier responses (tool-call ids): they change whenever that response does
VOLATILE_BODY_PATHS = ("messages.*.tool_call_id", "messages.*.tool_calls.*.id")
MAX_DIFFERENCES = 3


@dataclass(frozen=True)
class RequestView:
    """A request reduced to what matching looks at."""

    method: str
    path: str  # normalised and percent-decoded
    query: dict[str, str]
    kind: str | None = None  # "json", "form", "text", "base64" or None
    body: Any = None

    @property
    def api_version(self) -> str | None:
        return self.query.get("api-version")

    @property
    def deployment(self) -> str | None:
        """The path segment on the classic surface; the body's ``model`` on /openai/v1."""
        parts = self.path.strip("/").split("/")
        if parts[:2] == ["openai", "deployments"] and len(parts) > 2:
            return parts[2]
        if parts[:2] == ["openai", "v1"] and isinstance(self.body, dict):
            model = self.body.get("model")
            return model if isinstance(model, str) else None
        return None

    @property
    def template(self) -> str:
        """The path with the deployment segment replaced: the operation it names."""
        parts = self.path.strip("/").split("/")
        if parts[:2] == ["openai", "deployments"] and len(parts) > 2:
            parts[2] = "{deployment}"
        return "/" + "/".join(parts)

    def describe(self) -> str:
        query = f"?api-version={self.api_version}" if self.api_version else ""
        return f"{self.method} {self.path}{query}"


def view(request: Request) -> RequestView:
    """The view of a recorded (or incoming, already summarised) request."""
    return RequestView(
        request.method.upper(), normalise(request.path), dict(request.query), request.kind, request.body
    )


def normalise(path: str) -> str:
    return normalise_path(unquote(path))


Matcher = Callable[[RequestView, RequestView], str | None]


def method(recorded: RequestView, incoming: RequestView) -> str | None:
    return differ("method", recorded.method, incoming.method)


def path(recorded: RequestView, incoming: RequestView) -> str | None:
    return differ("path", recorded.template, incoming.template)


def deployment(recorded: RequestView, incoming: RequestView) -> str | None:
    return differ("deployment", recorded.deployment, incoming.deployment)


def api_version(recorded: RequestView, incoming: RequestView) -> str | None:
    return differ("api-version", recorded.api_version, incoming.api_version)


def query(recorded: RequestView, incoming: RequestView) -> str | None:
    rest = [{k: v for k, v in q.items() if k != "api-version"} for q in (recorded.query, incoming.query)]
    found = differences(rest[0], rest[1], "")
    return f"query: {'; '.join(found)}" if found else None


def body(recorded: RequestView, incoming: RequestView) -> str | None:
    if recorded.kind == "form" and incoming.kind == "form":
        if recorded.body is None:  # an upload the source did not record (from_test_proxy: null RequestBody)
            return None
        found = form_differences(recorded.body, incoming.body)
    elif recorded.kind != incoming.kind and (recorded.body is not None or incoming.body is not None):
        return f"body: recorded a {recorded.kind or 'empty'} body, got a {incoming.kind or 'empty'} one"
    else:
        found = differences(without_volatile(recorded.body), without_volatile(incoming.body), "")
    return f"body: {'; '.join(found)}" if found else None


MATCHERS: dict[str, Matcher] = {
    "method": method,
    "path": path,
    "deployment": deployment,
    "api_version": api_version,
    "query": query,
    "body": body,
}


assert tuple(MATCHERS) == FACETS, "replay.options.FACETS names every matcher, in order"


def explain(recorded: RequestView, incoming: RequestView, match_on: Sequence[str]) -> list[str]:
    """Why ``incoming`` does not match ``recorded``, one reason per failing facet (empty: a match)."""
    return [reason for name in match_on if (reason := MATCHERS[name](recorded, incoming)) is not None]


def differ(facet: str, recorded: Any, incoming: Any) -> str | None:
    return None if recorded == incoming else f"{facet}: recorded {short(recorded)}, got {short(incoming)}"


def differences(recorded: Any, incoming: Any, where: str) -> list[str]:
    """The first few places where two JSON values differ, as ``path: recorded X, got Y``."""
    if isinstance(recorded, dict) and isinstance(incoming, dict):
        found: list[str] = []
        for key in list(recorded) + [k for k in incoming if k not in recorded]:
            here = f"{where}.{key}" if where else str(key)
            if key not in incoming:
                found.append(f"{here}: recorded {short(recorded[key])}, got (absent)")
            elif key not in recorded:
                found.append(f"{here}: recorded (absent), got {short(incoming[key])}")
            else:
                found += differences(recorded[key], incoming[key], here)
            if len(found) >= MAX_DIFFERENCES:
                return found[:MAX_DIFFERENCES]
        return found
    if isinstance(recorded, list) and isinstance(incoming, list) and len(recorded) == len(incoming):
        found = []
        for index, (a, b) in enumerate(zip(recorded, incoming, strict=True)):
            found += differences(a, b, f"{where}[{index}]")
        return found[:MAX_DIFFERENCES]
    if (recorded == incoming and type(recorded) is type(incoming)) or same_number(recorded, incoming):
        return []
    return [f"{where or 'value'}: recorded {short(recorded)}, got {short(incoming)}"]


def same_number(a: Any, b: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and a == b
    )


def form_differences(recorded: dict[str, Any], incoming: dict[str, Any]) -> list[str]:
    """Text fields must be equal; a file only by content hash, and only when both hashes are known
    (recording 09 elides its audio, so any file matches it)."""
    found = []
    for name in list(recorded) + [k for k in incoming if k not in recorded]:
        a, b = recorded.get(name), incoming.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            if a.get("sha256") and b.get("sha256") and a["sha256"] != b["sha256"]:
                found.append(
                    f"{name}: a different file (sha256 {a['sha256'][:12]}... vs {b['sha256'][:12]}...)"
                )
        elif a != b:
            found.append(f"{name}: recorded {short(a)}, got {short(b)}")
    return found[:MAX_DIFFERENCES]


def without_volatile(value: Any) -> Any:
    for dotted in VOLATILE_BODY_PATHS:
        value = replace_path(value, dotted.split("."))
    return value


def short(value: Any, limit: int = 60) -> str:
    text = "(none)" if value is None else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
