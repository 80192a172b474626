"""Stored responses, their input items and background runs, kept only through ``state.objects``.

Kinds (``mockserver.objects.ObjectStore``; a shared backend makes chaining work across instances):

    responses       id -> the response as it is served once complete
    response_items  id -> {"input": items with their ids, "context": the chained turns' items}
    response_runs   id -> a background run: {"done_at": epoch, "cancelled": bool}
    response_stale  id -> {"left": N}: the ``stale_read`` fault's reads still to miss

Every object expires after ``[server] responses_ttl`` seconds on the mock's clock (30 days by
default). A background response completes when the clock passes its ``done_at``: ``view`` works that
out at each read, so a ``POST /_mock/clock/advance`` finishes it at once and any instance agrees.
"""

from __future__ import annotations

from typing import Any

from ..state import MockState
from .ids import input_item_id

RESPONSES, ITEMS, RUNS, STALE = "responses", "response_items", "response_runs", "response_stale"
BACKGROUND_SECONDS = 2.0  # mock-clock seconds a background response stays in_progress (inferred)


async def save(
    state: MockState,
    response: dict[str, Any],
    items: list[dict[str, Any]],
    context: list[dict[str, Any]],
) -> None:
    ttl = state.settings.responses_ttl
    key = response["id"]
    await state.objects.put(ITEMS, key, items_record(key, items, context), ttl)
    await state.objects.put(RESPONSES, key, response, ttl)


def items_record(
    response_id: str, items: list[dict[str, Any]], context: list[dict[str, Any]]
) -> dict[str, Any]:
    """What ``ITEMS`` keeps: the input items with their ids (given, or made from the response's)."""
    numbered = [
        {"id": item.get("id") or input_item_id(response_id, i), **item} for i, item in enumerate(items)
    ]
    return {"input": numbered, "context": context}


async def save_rendered(state: MockState, response_id: str, response: str, items: str) -> None:
    """``save`` of a response and its items record given as their JSON texts (``responses.template``)."""
    ttl = state.settings.responses_ttl
    await state.objects.put_text(ITEMS, response_id, items, ttl)
    await state.objects.put_text(RESPONSES, response_id, response, ttl)


async def start_run(state: MockState, response_id: str, pieces: list[list[str]]) -> None:
    """A background run, with its stream's deltas so that a stream can resume (``starting_after``)."""
    run = {"done_at": state.clock.now() + BACKGROUND_SECONDS, "cancelled": False, "pieces": pieces}
    await state.objects.put(RUNS, response_id, run, state.settings.responses_ttl)


async def view(state: MockState, response_id: str) -> dict[str, Any] | None:
    """The response as a GET shows it now, or None (never stored, deleted or expired)."""
    response = await state.objects.get(RESPONSES, response_id)
    if response is None:
        return None
    run = await state.objects.get(RUNS, response_id)
    if run is None or (not run["cancelled"] and state.clock.now() >= run["done_at"]):
        return response
    return unfinished(response, "cancelled" if run["cancelled"] else "in_progress")


def unfinished(response: dict[str, Any], status: str) -> dict[str, Any]:
    """A background response before it completes (or cancelled): no output, no usage yet."""
    shown = dict(response)
    shown.update(status=status, output=[], usage=None, incomplete_details=None)
    if "completed_at" in shown:
        shown["completed_at"] = None
    return shown


async def cancel(state: MockState, response_id: str) -> dict[str, Any] | None:
    """Cancel a running background response; a finished one stays as it is (OpenAI's behaviour)."""
    run = await state.objects.get(RUNS, response_id)
    if run is not None and state.clock.now() < run["done_at"]:
        await state.objects.put(RUNS, response_id, {**run, "cancelled": True}, state.settings.responses_ttl)
    return await view(state, response_id)


async def is_background(state: MockState, response_id: str) -> bool:
    return await state.objects.get(RUNS, response_id) is not None


async def replay_parts(state: MockState, response_id: str) -> tuple[dict[str, Any], list[list[str]]] | None:
    """A background response as complete and the deltas its stream sends, or None (not background)."""
    run = await state.objects.get(RUNS, response_id)
    response = await state.objects.get(RESPONSES, response_id)
    if run is None or response is None:
        return None
    return response, run.get("pieces", [])


async def delete(state: MockState, response_id: str) -> bool:
    found = await state.objects.delete(RESPONSES, response_id)
    await state.objects.delete(ITEMS, response_id)
    await state.objects.delete(RUNS, response_id)
    return found


async def input_of(state: MockState, response_id: str) -> list[dict[str, Any]] | None:
    record = await state.objects.get(ITEMS, response_id)
    return None if record is None else list(record["input"])


async def chain(state: MockState, response_id: str) -> list[dict[str, Any]] | None:
    """The conversation a turn chained on ``response_id`` continues: its context, input and output."""
    response = await view(state, response_id)
    record = await state.objects.get(ITEMS, response_id)
    if response is None or record is None:
        return None
    strip = [{k: v for k, v in item.items() if k != "id"} for item in record["input"]]
    return [*record["context"], *strip, *response["output"]]


async def listing(state: MockState) -> list[dict[str, Any]]:
    """Every stored response as a GET shows it now, oldest first (the plugin's ``responses`` view)."""
    shown = [await view(state, key) for key, _ in await state.objects.items(RESPONSES)]
    return [response for response in shown if response is not None]


async def make_stale(state: MockState, response_id: str, reads: int) -> None:
    await state.objects.put(STALE, response_id, {"left": reads}, state.settings.responses_ttl)


async def stale(state: MockState, response_id: str) -> bool:
    """True while the ``stale_read`` fault still hides ``response_id`` (each call uses up one read)."""
    record = await state.objects.get(STALE, response_id)
    if record is None or record["left"] <= 0:
        return False
    left = record["left"] - 1
    if left:
        await state.objects.put(STALE, response_id, {"left": left}, state.settings.responses_ttl)
    else:
        await state.objects.delete(STALE, response_id)
    return True
