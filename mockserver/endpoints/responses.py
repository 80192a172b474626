"""``POST /openai/responses`` and ``/openai/v1/responses``: generate, store, answer JSON or a stream.

The JSON answer is 2-space indented with non-ASCII escaped (recordings 15-24: their Content-Length is
that rendering), with the POST headers of recording 15; a stream has those headers less the token
pair (16, 18). ``model`` echoes the deployment named in the body (15-30). The ``stale_read`` fault
hides the new id from the next reads; ``error_event`` ends the stream with ``response.failed`` (or
an ``error`` event with ``sse_event``) at the event it names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response

from ..call import Call, ResponsesCreate
from ..fastpath.memo import request_key
from ..responses import store
from ..responses.build import Generated, generate, response_object
from ..responses.events import failure, frame, pretty, stream
from ..responses.ids import ResponseIds
from ..responses.template import Template, rendering
from ..state import MockState
from ..synth.chat import ChatInputs, ChoicePlan, plan_choices
from .render import json_bytes_response, sse_response

STREAM_TYPE = "text/event-stream; charset=utf-8"  # both Responses streams (16, 18), unlike chat's


async def responses_create(call: Call, state: MockState) -> Response:
    request = call.request_as(ResponsesCreate)
    now = int(state.clock.now())  # one reading: the ids' created_at and the memo's second agree
    ids = ResponseIds.new(now, state.settings.seed, call.request_id)
    key = memo_key(call, request, now)
    known: Template | None = state.memo.get(state.settings, key) if key is not None else None
    filled = known.filled(ids) if known is not None else None
    if known is None or filled is None:
        return await generated_answer(call, state, request, ids, key, known)
    # the same create within the same second: the checked template, with this create's own ids
    if known.store:
        await store.save_rendered(state, ids.response, filled.stored, filled.items)
    if filled.frames is not None:
        return sse_response(call, state, sent(filled.frames), "responses_stream", STREAM_TYPE)
    return json_bytes_response(call, state, filled.answer, "responses")


def memo_key(call: Call, request: ResponsesCreate, now: int) -> tuple[Any, ...] | None:
    """Only what depends on nothing but the request bytes and the settings (``Settings.fast_path``,
    ``fastpath.memo``): no background, chained context, fault (none paces or cuts a stream that is
    remembered) or filter verdict."""
    if call.filter_action is not None or call.prompt_hits or call.transport_fault is not None:
        return None
    if request.body.get("background") or request.context:
        return None
    return ("responses", *request_key(call), now)


async def generated_answer(
    call: Call,
    state: MockState,
    request: ResponsesCreate,
    ids: ResponseIds,
    key: tuple[Any, ...] | None,
    known: Template | None,
) -> Response:
    body, deployment = request.body, call.deployment
    assert deployment is not None
    assert call.deployment_name is not None
    plan = plan_for(call, state, request)
    generated = generate(ids, body, plan, request.prompt_tokens, state.settings.seed, deployment.reasoning)
    reasoning = deployment.reasoning
    final = response_object(ids, body, call.deployment_name, reasoning, generated.status, generated)
    if final["store"]:
        await store.save(state, final, list(request.items), list(request.context))
        if body.get("background"):
            await store.start_run(state, final["id"], pieces(plan, generated))
    fault = call.transport_fault or {}
    if fault.get("kind") == "stale_read":
        await store.make_stale(state, final["id"], int(fault.get("reads", 1)))
        call.transport_fault = None
    if fault.get("kind") == "error_event":  # ends the stream in Responses framing here, not the transport's
        call.transport_fault = None
    frames = None
    if body.get("stream"):
        started = response_object(ids, body, call.deployment_name, reasoning, "in_progress", None)
        flow = events(fault, started, final, pieces(plan, generated))
        if key is None:
            return sse_response(call, state, flow, "responses_stream", STREAM_TYPE)
        frames = [frame async for frame in flow]  # remembered: no fault paces or cuts it
        data = b"".join(frames)
    else:
        data = pretty(store.unfinished(final, "queued") if body.get("background") else final)
    if key is not None:
        lengths = None if frames is None else [len(frame) for frame in frames]
        remember(state, key, known, Template(final, ids, list(request.items), data, lengths), frames)
    if frames is not None:
        return sse_response(call, state, sent(frames), "responses_stream", STREAM_TYPE)
    return json_bytes_response(call, state, data, "responses")


def remember(
    state: MockState, key: tuple[Any, ...], known: Template | None, made: Template, frames: list[bytes] | None
) -> None:
    """A new create's template into the memo (kept when it is seen again); the first create that finds
    one unchecked checks it against its own rendering (``responses.template``)."""
    if known is None:
        state.memo.put(state.settings, key, made)
    elif not known.checked:
        known.check(made.ids, rendering(made.final, made.items, made.answer, frames))


def plan_for(call: Call, state: MockState, request: ResponsesCreate) -> ChoicePlan:
    assert call.deployment is not None
    settings = state.settings
    inputs = ChatInputs(
        request.chat,
        call.deployment,
        settings.seed,
        state.tokenizer(call.deployment),
        settings.canned,
        settings.content_filters,
        call.filter_action,
        "\n".join(str(m.get("content") or "") for m in request.chat["messages"]),
    )
    return plan_choices(inputs)[0]


def pieces(plan: ChoicePlan, generated: Generated) -> list[list[str]]:
    """Per output item, its deltas: the text's tokens, or each call's argument fragments (18)."""
    calls = iter(plan.tool_calls)
    found: list[list[str]] = []
    for item in generated.output:
        if item["type"] == "function_call":
            found.append(next(calls).pieces)
        elif item["type"] == "message":
            text, said = item["content"][0]["text"], "".join(plan.pieces)
            found.append(plan.pieces + ([text[len(said) :]] if len(text) > len(said) else []))  # a citation
        else:
            found.append([])
    return found


async def events(
    fault: dict[str, Any], started: dict[str, Any], final: dict[str, Any], deltas: list[list[str]]
) -> AsyncIterator[bytes]:
    cut = int(fault.get("after_chunks", 3)) if fault.get("kind") == "error_event" else None
    for number, payload in enumerate(stream(started, final, deltas)):  # numbered from 0, in order
        if cut is not None and number >= cut:
            yield frame(failure(number, started, fault.get("error"), bool(fault.get("sse_event"))))
            return
        yield payload if isinstance(payload, bytes) else frame(payload)


async def sent(frames: list[bytes]) -> AsyncIterator[bytes]:
    for data in frames:
        yield data
