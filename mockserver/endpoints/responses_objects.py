"""``GET``/``DELETE .../responses/{id}``, ``GET .../responses/{id}/input_items``, ``POST .../cancel``.

Bodies 2-space indented (recording 15: GET, DELETE ``response.deleted``, the 404 after it; 19: the
404 of a ``store: false`` response), with the headers of an answer from the stored-objects service
(``openai-organization``, ``openai-processing-ms``, ``openai-version``; no deployment, no rate
limits). The input items list pages with ``limit`` (1-100, default 20), ``order`` (asc, desc),
``after`` and ``before`` (the spec's ``responseItemList``: object, data, first_id, last_id, has_more).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..call import Call
from ..errors import AzureError
from ..responses import store
from ..responses.errors import bad_request, cannot_cancel, response_not_found
from ..responses.events import frame, pretty, stream
from ..state import MockState
from ..validation.rules import check_enum
from .render import json_bytes_response, sse_response
from .responses import STREAM_TYPE, sent

PROFILE = "responses_object"


async def found(call: Call, state: MockState) -> dict[str, Any]:
    assert call.resource_id is not None
    shown = None if await store.stale(state, call.resource_id) else await store.view(state, call.resource_id)
    if shown is None:
        raise response_not_found(call.resource_id)
    return shown


async def responses_retrieve(call: Call, state: MockState) -> Response:
    shown = await found(call, state)
    if call.query.get("stream") == "true":
        return await resumed(call, state)
    return json_bytes_response(call, state, pretty(shown), PROFILE)


async def resumed(call: Call, state: MockState) -> Response:
    """``GET .../{id}?stream=true&starting_after=N``: a background response's stream again, from the
    event after ``N``, numbered as first sent (the mock streams it to its end at once)."""
    assert call.resource_id is not None
    parts = await store.replay_parts(state, call.resource_id)
    if parts is None:
        raise bad_request("Streaming a retrieved response is only supported for background responses.")
    final, deltas = parts
    try:
        after = int(call.query.get("starting_after", "-1"))
    except ValueError:
        raise bad_request("Invalid 'starting_after': expected an integer.", "starting_after") from None
    started = store.unfinished(final, "in_progress")
    frames = [
        payload if isinstance(payload, bytes) else frame(payload)
        for number, payload in enumerate(stream(started, final, deltas))
        if number > after
    ]
    return sse_response(call, state, sent(frames), PROFILE, STREAM_TYPE)


async def responses_delete(call: Call, state: MockState) -> Response:
    assert call.resource_id is not None
    if not await store.delete(state, call.resource_id):
        raise response_not_found(call.resource_id)
    body = {"id": call.resource_id, "object": "response.deleted", "deleted": True}  # recording 15
    return json_bytes_response(call, state, pretty(body), PROFILE)


async def responses_cancel(call: Call, state: MockState) -> Response:
    assert call.resource_id is not None
    await found(call, state)
    if not await store.is_background(state, call.resource_id):
        raise cannot_cancel()
    shown = await store.cancel(state, call.resource_id)
    assert shown is not None
    return json_bytes_response(call, state, pretty(shown), PROFILE)


async def responses_input_items(call: Call, state: MockState) -> Response:
    assert call.resource_id is not None
    await found(call, state)
    items = await store.input_of(state, call.resource_id)
    if items is None:
        raise response_not_found(call.resource_id)
    page, more = paged(items, call.query)
    body = {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": more,
    }
    return json_bytes_response(call, state, pretty(body), PROFILE)


def paged(items: list[dict[str, Any]], query: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        raise invalid_limit(query["limit"]) from None
    if not 1 <= limit <= 100:
        raise invalid_limit(query["limit"])
    order = query.get("order", "asc")
    try:
        check_enum(order, ("asc", "desc"), "order")
    except AzureError:
        raise bad_request(
            f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", "order", "invalid_value"
        ) from None
    ordered = items if order == "asc" else items[::-1]
    ids = [item["id"] for item in ordered]
    if query.get("after") in ids:
        ordered = ordered[ids.index(query["after"]) + 1 :]
    elif query.get("before") in ids:
        ordered = ordered[: ids.index(query["before"])]
    return ordered[:limit], len(ordered) > limit


def invalid_limit(value: str) -> AzureError:
    return bad_request(
        f"Invalid 'limit': expected an integer between 1 and 100, but got {value!r} instead.",
        "limit",
        "invalid_value",
    )
