"""``POST .../chat/completions``: plan the choices, then render JSON or Azure's SSE stream.

Key order is alphabetical at every level as in the 2024-2025 recordings (azure-wire §5.4), with
``prompt_index`` before ``content_filter_results`` and ``filtered`` before ``severity``. A prompt with an
image part gets recording 32's per-part ``prompt_filter_results`` (``filters.annotations``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..call import Call
from ..fastpath.memo import request_key
from ..filters.annotations import chat_prompt_filter_results
from ..jsontext import compact
from ..state import MockState
from ..synth.chat import ChatInputs, ChoicePlan, ToolCall, plan_choices
from .chat_common import Identity, choice_filter, citations, identity, logprobs_block
from .chat_stream import stream_events
from .render import json_bytes_response, json_response, sse_response


async def chat_completions(call: Call, state: MockState) -> Response:
    if call.filter_action is not None or call.prompt_hits:
        return await render(call, state)
    # the same request renders the same bytes within one second of the clock (see mockserver.fastpath.memo);
    # only non-streaming answers are kept, so a hit needs no look at the body's "stream"
    key = ("chat", *request_key(call), int(state.clock.now()))
    data = state.memo.get(state.settings, key)
    if data is None:
        if call.stream:
            return await render(call, state)
        data = compact(completion(call, state))
        state.memo.put(state.settings, key, data)
    return json_bytes_response(call, state, data, "inference")


def completion(call: Call, state: MockState) -> dict[str, Any]:
    """The non-streaming body."""
    ident, plans, usage = prepare(call, state)
    return completion_body(call, ident, plans, usage)


def prepare(call: Call, state: MockState) -> tuple[Identity, list[ChoicePlan], dict[str, Any]]:
    deployment = call.deployment
    assert deployment is not None
    settings = state.settings
    inputs = ChatInputs(
        call.body,
        deployment,
        settings.seed,
        state.tokenizer(deployment),
        settings.canned,
        settings.content_filters,
        call.filter_action,
    )
    plans = plan_choices(inputs)
    ident = identity(call, state)
    return ident, plans, usage_block(call.prompt_tokens, plans, ident.modern)


async def render(call: Call, state: MockState) -> Response:
    """Streams, and requests whose answer depends on a fault or a filter verdict."""
    if not call.stream:
        return json_response(call, state, completion(call, state), "inference")
    ident, plans, usage = prepare(call, state)
    assert call.deployment is not None
    events = stream_events(call.body, ident, plans, usage, call.prompt_hits, call.deployment.filter_mode)
    return sse_response(call, state, events)


def completion_body(
    call: Call, ident: Identity, plans: list[ChoicePlan], usage: dict[str, Any]
) -> dict[str, Any]:
    return {
        "choices": [choice_json(call.body, ident, plan) for plan in plans],
        "created": ident.created,
        "id": ident.id,
        "model": ident.model,
        "object": "chat.completion",
        "prompt_filter_results": chat_prompt_filter_results(call.body.get("messages"), call.prompt_hits),
        "system_fingerprint": ident.fingerprint,
        "usage": usage,
    }


def choice_json(body: dict[str, Any], ident: Identity, plan: ChoicePlan) -> dict[str, Any]:
    return {
        **choice_filter(plan),
        "finish_reason": plan.finish_reason,
        "index": plan.index,
        "logprobs": logprobs_block(body, ident, plan.pieces, plan.index),
        "message": message_json(body, ident, plan),
    }


def message_json(body: dict[str, Any], ident: Identity, plan: ChoicePlan) -> dict[str, Any]:
    message: dict[str, Any] = {"annotations": []} if ident.annotations else {}
    message["content"] = plan.content
    if body.get("data_sources"):
        message["context"] = citations(body)
    if ident.modern:
        message["refusal"] = None
    message["role"] = "assistant"
    if plan.tool_calls:
        message["tool_calls"] = [tool_call_json(call) for call in plan.tool_calls]
    return message


def tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {"function": {"arguments": call.arguments, "name": call.name}, "id": call.id, "type": "function"}


def usage_block(prompt: int, plans: list[ChoicePlan], modern: bool) -> dict[str, Any]:
    completion = sum(plan.completion_tokens for plan in plans)
    usage: dict[str, Any] = {"completion_tokens": completion}
    if modern:
        # recording 12: completion_tokens_details and prompt_tokens_details, alphabetical
        usage["completion_tokens_details"] = {
            "accepted_prediction_tokens": 0,
            "audio_tokens": 0,
            "reasoning_tokens": sum(plan.reasoning_tokens for plan in plans),
            "rejected_prediction_tokens": 0,
        }
    usage["prompt_tokens"] = prompt
    if modern:
        usage["prompt_tokens_details"] = {"audio_tokens": 0, "cached_tokens": 0}
    usage["total_tokens"] = prompt + completion
    return usage
