"""``POST /openai/batches``: the create body (AUTH-SPEC ``BatchCreateRequest``) and the endpoints served.

* ``input_file_id``, ``endpoint`` and ``completion_window`` are required; ``metadata`` is a map of
  strings; ``output_expires_after`` (``seconds`` 1209600-2592000, ``anchor`` ``created_at``) is the
  batch docs' option for the output files.
* ``completion_window`` must be ``24h`` ("Currently the completion window must be set to 24h",
  batch docs).
* ``endpoint``: ``/chat/completions`` and ``/v1/chat/completions`` (batch docs' input formats), and
  ``/v1/responses`` (or ``/responses``), whose lines are Responses creates. ``/v1/embeddings`` is
  not: "Can I use the batch API for embeddings models? This is currently not supported." (batch
  docs, FAQ), nor are legacy completions.
* The batch API exists from 2024-07-01-preview (LIFECYCLE); an older classic api-version gets the
  404 of an unknown route (inferred, as for speech on versions without it).

Wording of the 400s is the model family's (``rules``), inferred for the batch service.
"""

from __future__ import annotations

from typing import Any

from ..call import BatchCreate, Call, VersionChecked
from ..catalogue import CHAT, RESPONSES_CREATE
from ..errors import invalid_request, resource_not_found
from ..state import MockState
from ..versions import date_of
from .files import EXPIRY_SECONDS
from .rules import check_known, check_object, check_type, require

BATCH_SINCE = "2024-07-01"
ENDPOINTS = {
    "/chat/completions": CHAT,
    "/v1/chat/completions": CHAT,
    "/responses": RESPONSES_CREATE,
    "/v1/responses": RESPONSES_CREATE,
}
KNOWN = frozenset({"input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after"})
MAX_METADATA = 16  # pairs; keys <= 64 characters, values <= 512 (OpenAI's limits, inferred for Azure)


def check_version(call: Call) -> None:
    """The batch API's first version is 2024-07-01-preview (LIFECYCLE)."""
    if call.surface != "v1" and date_of(call.api_version or "") < BATCH_SINCE:
        raise resource_not_found()


def create_request(call: Call, state: MockState) -> BatchCreate:
    check_version(call)
    body = check_object(call.body)
    check_known(body, KNOWN)
    file_id = require(body, "input_file_id")
    check_type(file_id, (str,), "input_file_id")
    endpoint = require(body, "endpoint")
    check_type(endpoint, (str,), "endpoint")
    if endpoint not in ENDPOINTS:
        raise invalid_request(
            f"Invalid value: '{endpoint}'. Supported values are: {supported()}.", "endpoint", "invalid_value"
        )
    window = require(body, "completion_window")
    if window != "24h":
        raise invalid_request(
            f"Invalid value: '{window}'. Supported values are: '24h'.", "completion_window", "invalid_value"
        )
    check_metadata(body.get("metadata"))
    check_output_expiry(body.get("output_expires_after"))
    url = endpoint[3:] if endpoint.startswith("/v1/") else endpoint
    return BatchCreate(body, ENDPOINTS[endpoint], url)


def supported() -> str:
    return ", ".join(f"'{e}'" for e in ENDPOINTS)


def check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    check_type(metadata, (dict,), "metadata")
    if len(metadata) > MAX_METADATA:
        raise invalid_request(
            f"Invalid 'metadata': too many properties. Expected an object with at most "
            f"{MAX_METADATA} properties, but got {len(metadata)} instead.",
            "metadata",
            "object_above_max_properties",
        )
    for key, value in metadata.items():
        if not isinstance(value, str) or len(key) > 64 or len(value) > 512:
            raise invalid_request(
                f"Invalid 'metadata.{key}': expected a string of at most 512 characters under "
                "a key of at most 64.",
                f"metadata.{key}",
                "invalid_value",
            )


def check_output_expiry(value: Any) -> None:
    if value is None:
        return
    check_type(value, (dict,), "output_expires_after")
    if value.get("anchor", "created_at") != "created_at":
        raise invalid_request(
            f"Invalid value: '{value.get('anchor')}'. Supported values are: 'created_at'.",
            "output_expires_after.anchor",
            "invalid_value",
        )
    seconds = value.get("seconds")
    low, high = EXPIRY_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high:
        raise invalid_request(
            f"Invalid 'output_expires_after.seconds': expected an integer from {low} to {high} "
            f"(14 to 30 days), but got {seconds!r} instead.",
            "output_expires_after.seconds",
            "invalid_value",
        )


def validate_create(call: Call, state: MockState) -> BatchCreate:
    return create_request(call, state)


def validate_version(call: Call, state: MockState) -> VersionChecked:
    check_version(call)
    return VersionChecked()
