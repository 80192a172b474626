"""Map a path to (surface, operation, deployment): the mock's whole URL table.

Classic surface ``/openai/deployments/{deployment}/{op}?api-version=`` and resource paths
``/openai/models``, ``/openai/files``, ``/openai/batches``, ``/openai/responses`` (azure-wire §1.1,
AUTH-SPEC); v1 surface ``/openai/v1/{op}`` with the deployment in the body's ``model`` (azure-wire
§1.2), and the same resource paths under ``/openai/v1/``. Anything else is 404 ``Resource not found``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .catalogue import (
    BATCHES_CANCEL,
    BATCHES_CREATE,
    BATCHES_LIST,
    BATCHES_RETRIEVE,
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    FILES_CONTENT,
    FILES_CREATE,
    FILES_DELETE,
    FILES_LIST,
    FILES_RETRIEVE,
    IMAGES,
    LIST_MODELS,
    RESPONSES_CANCEL,
    RESPONSES_CREATE,
    RESPONSES_DELETE,
    RESPONSES_INPUT_ITEMS,
    RESPONSES_RETRIEVE,
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
METHODS = {LIST_MODELS: "GET"}  # everything else under DEPLOYMENT_OPERATIONS is POST

# resource collection, whether an id follows it, the tail after the id, method -> operation
RESOURCE_OPERATIONS: dict[tuple[str, bool, str, str], str] = {
    ("models", False, "", "GET"): LIST_MODELS,
    ("models", True, "", "GET"): LIST_MODELS,
    ("files", False, "", "POST"): FILES_CREATE,
    ("files", False, "", "GET"): FILES_LIST,
    ("files", True, "", "GET"): FILES_RETRIEVE,
    ("files", True, "", "DELETE"): FILES_DELETE,
    ("files", True, "content", "GET"): FILES_CONTENT,
    ("batches", False, "", "POST"): BATCHES_CREATE,
    ("batches", False, "", "GET"): BATCHES_LIST,
    ("batches", True, "", "GET"): BATCHES_RETRIEVE,
    ("batches", True, "cancel", "POST"): BATCHES_CANCEL,
    # Responses: /openai/responses?api-version= and /openai/v1/responses, never under /deployments/
    # (sdk-behaviour §16); create takes its deployment from the body's ``model`` (recordings 15-30)
    ("responses", False, "", "POST"): RESPONSES_CREATE,
    ("responses", True, "", "GET"): RESPONSES_RETRIEVE,
    ("responses", True, "", "DELETE"): RESPONSES_DELETE,
    ("responses", True, "input_items", "GET"): RESPONSES_INPUT_ITEMS,
    ("responses", True, "cancel", "POST"): RESPONSES_CANCEL,
}
# no deployment to resolve (a response's create names one in its body)
RESOURCE_SCOPED = frozenset(RESOURCE_OPERATIONS.values()) - {RESPONSES_CREATE}
COLLECTIONS = frozenset(collection for collection, _, _, _ in RESOURCE_OPERATIONS)


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
    return match_parts(parts[1:], method)


def match_parts(parts: list[str], method: str) -> Route | None:
    head, rest = parts[0], parts[1:]
    if head == "deployments" and len(rest) >= 2:
        operation = DEPLOYMENT_OPERATIONS.get("/".join(rest[1:]))
        if operation is None or not post(operation, method):
            return None
        return Route("deployments", operation, decode_segment(rest[0]))
    if head == "v1" and rest:
        return match_resource("v1", rest, method) or v1_operation(rest, method)
    return match_resource("resource", parts, method)


def post(operation: str, method: str) -> bool:
    return METHODS.get(operation, "POST") == method


def v1_operation(rest: list[str], method: str) -> Route | None:
    operation = DEPLOYMENT_OPERATIONS.get("/".join(rest))
    return Route("v1", operation) if operation is not None and post(operation, method) else None


def match_resource(surface: str, parts: list[str], method: str) -> Route | None:
    """``{collection}``, ``{collection}/{id}`` or ``{collection}/{id}/{tail}``."""
    if parts[0] not in COLLECTIONS or len(parts) > 3 or "" in parts:
        return None
    has_id, tail = len(parts) >= 2, parts[2] if len(parts) == 3 else ""
    operation = RESOURCE_OPERATIONS.get((parts[0], has_id, tail, method))
    if operation is None:
        return None
    return Route(surface, operation, resource_id=decode_segment(parts[1]) if has_id else None)
