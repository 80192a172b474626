"""Map a path to (surface, operation, deployment): the mock's whole URL table.

Classic surface ``/openai/deployments/{deployment}/{op}?api-version=`` and resource paths
``/openai/models`` (azure-wire §1.1); v1 surface ``/openai/v1/{op}`` with the deployment in the
body's ``model`` (azure-wire §1.2). Anything else is 404 ``Resource not found``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .catalogue import (
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    IMAGES,
    LIST_MODELS,
    SPEECH,
    TRANSCRIPTIONS,
    TRANSLATIONS,
)
from .http import decode_segment

# path tail under /deployments/{d}/ or /v1/ -> operation
DEPLOYMENT_OPERATIONS = {
    "chat/completions": CHAT,
    "completions": COMPLETIONS,
    "embeddings": EMBEDDINGS,
    "images/generations": IMAGES,
    "audio/transcriptions": TRANSCRIPTIONS,
    "audio/translations": TRANSLATIONS,
    "audio/speech": SPEECH,
}
METHODS = {LIST_MODELS: "GET"}  # everything else is POST


@dataclass(frozen=True, slots=True)
class Route:
    surface: str
    operation: str
    deployment: str | None = None
    resource_id: str | None = None


def match(method: str, path: str) -> Route | None:
    """The route for ``path`` (already normalised), or None when nothing matches."""
    return cached_match(method, path) if len(path) <= 512 else find(method, path)  # long paths: not cached


@lru_cache(maxsize=1024)  # clients call a handful of paths over and over; a Route is immutable
def cached_match(method: str, path: str) -> Route | None:
    return find(method, path)


def find(method: str, path: str) -> Route | None:
    parts = path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "openai":
        return None
    route = match_parts(parts[1:])
    if route is None or METHODS.get(route.operation, "POST") != method:
        return None
    return route


def match_parts(parts: list[str]) -> Route | None:
    head, rest = parts[0], parts[1:]
    if head == "deployments" and len(rest) >= 2:
        operation = DEPLOYMENT_OPERATIONS.get("/".join(rest[1:]))
        return Route("deployments", operation, decode_segment(rest[0])) if operation else None
    if head == "v1" and rest:
        return match_resource("v1", rest) or v1_operation(rest)
    return match_resource("resource", parts)


def v1_operation(rest: list[str]) -> Route | None:
    operation = DEPLOYMENT_OPERATIONS.get("/".join(rest))
    return Route("v1", operation) if operation else None


def match_resource(surface: str, parts: list[str]) -> Route | None:
    if parts[0] != LIST_MODELS or len(parts) > 2:
        return None
    resource_id = decode_segment(parts[1]) if len(parts) == 2 else None
    return Route(surface, LIST_MODELS, resource_id=resource_id)
