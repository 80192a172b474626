"""``POST .../chat/completions``: render a chat plan as JSON or as Azure's SSE stream.

Key order is alphabetical at every level as in the 2024-2025 recordings (azure-wire §5.4), with
``prompt_index`` before ``content_filter_results`` and ``filtered`` before ``severity``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from ..call import Call
from ..config import Deployment
from ..ids import chat_id, fingerprint
from ..state import MockState
from ..synth import filters
from ..synth.chat import ChatInputs, ChoicePlan, ToolCall, plan_choices
from ..synth.logprobs import token_logprobs
from ..synth.sse import DONE, event
from ..versions import date_of, is_preview
from .render import json_response, sse_response

MODERN_SINCE = "2024-09-01"
DATED_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Identity:
    """The fields every chunk of one completion repeats."""

    id: str
    created: int
    model: str
    fingerprint: str | None
    modern: bool


def is_modern(call: Call) -> bool:
    """Newer response fields (``refusal``, usage details) appear for 2024+ models on preview
    api-versions from 2024-09 and on v1 (recording 12), not on GA 2024-10-21 (recordings 11, 14)."""
    if call.deployment is None or not call.deployment.modern:
        return False
    version = call.api_version
    return version is None or call.surface == "v1" or (is_preview(version) and date_of(version) >= MODERN_SINCE)


def has_fingerprint(deployment: Deployment) -> bool:
    """``system_fingerprint`` is null for gpt-4 (0613) in recordings 01 and 02 and ``fp_…`` for
    gpt-4-turbo-2024-04-09 (recording 03) and the 2024 models (11, 12, 14): the dated snapshots
    report one, whether or not they carry the newer ``refusal`` and usage fields (03 does not)."""
    return deployment.modern or bool(DATED_SNAPSHOT.search(deployment.response_model))


def identity(call: Call, state: MockState) -> Identity:
    deployment = call.deployment
    assert deployment is not None
    return Identity(
        id=chat_id(state.settings.seed, call.raw_body, deployment.name),
        created=int(state.clock.now()),
        model=deployment.response_model,
        fingerprint=fingerprint(deployment.model) if has_fingerprint(deployment) else None,
        modern=is_modern(call),
    )


async def chat_completions(call: Call, state: MockState) -> Response:
    deployment = call.deployment
    assert deployment is not None
    tokenizer = state.tokenizer(deployment)
    inputs = ChatInputs(call.body, deployment, state.settings.seed, tokenizer, state.settings.canned)
    plans = plan_choices(inputs)
    ident = identity(call, state)
    usage = usage_block(call.prompt_tokens, plans, ident.modern)
    if call.stream:
        return sse_response(call, state, stream_events(call.body, ident, plans, usage))
    return json_response(call, state, completion_body(call.body, ident, plans, usage), "inference")


# --- JSON -----------------------------------------------------------------------------------


def completion_body(
    body: dict[str, Any], ident: Identity, plans: list[ChoicePlan], usage: dict[str, Any]
) -> dict[str, Any]:
    return {
        "choices": [choice_json(body, ident, plan) for plan in plans],
        "created": ident.created,
        "id": ident.id,
        "model": ident.model,
        "object": "chat.completion",
        "prompt_filter_results": filters.prompt_filter_results(),
        "system_fingerprint": ident.fingerprint,
        "usage": usage,
    }


def choice_json(body: dict[str, Any], ident: Identity, plan: ChoicePlan) -> dict[str, Any]:
    return {
        "content_filter_results": {} if plan.tool_calls else filters.choice_results(),
        "finish_reason": plan.finish_reason,
        "index": plan.index,
        "logprobs": logprobs_block(body, ident, plan.pieces, plan.index),
        "message": message_json(body, ident, plan),
    }


def message_json(body: dict[str, Any], ident: Identity, plan: ChoicePlan) -> dict[str, Any]:
    message: dict[str, Any] = {"content": plan.content}
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


def logprobs_block(body: dict[str, Any], ident: Identity, pieces: list[str], index: int) -> dict[str, Any] | None:
    if not body.get("logprobs"):
        return None
    return {"content": token_logprobs(pieces, body.get("top_logprobs") or 0, (ident.id, index))}


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


def citations(body: dict[str, Any]) -> dict[str, Any]:
    """``message.context`` for On Your Data (GA-EX chat_completions_azure_search_minimum)."""
    source = (body.get("data_sources") or [{}])[0]
    params = source.get("parameters") or {} if isinstance(source, dict) else {}
    index = params.get("index_name") or params.get("container_name") or "index"
    return {
        "citations": [
            {
                "content": f"Content retrieved from {index} for this question.",
                "title": f"{index} document 1",
                "url": None,
                "filepath": "doc1.md",
                "chunk_id": "0",
            }
        ],
        "intent": "[]",
    }


# --- SSE ------------------------------------------------------------------------------------


def chunk(ident: Identity, choices: list[dict[str, Any]], include_usage: bool) -> dict[str, Any]:
    payload = {
        "choices": choices,
        "created": ident.created,
        "id": ident.id,
        "model": ident.model,
        "object": "chat.completion.chunk",
        "system_fingerprint": ident.fingerprint,
    }
    if include_usage:
        payload["usage"] = None  # "usage":null on every chunk when usage was requested (recording 11)
    return payload


def annotation_event() -> dict[str, Any]:
    """Event 1: prompt annotations with blank identity fields (recordings 02, 11)."""
    return {"choices": [], "created": 0, "id": "", "model": "", "object": "",
            "prompt_filter_results": filters.prompt_filter_results()}


async def stream_events(
    body: dict[str, Any], ident: Identity, plans: list[ChoicePlan], usage: dict[str, Any]
) -> AsyncIterator[bytes]:
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    yield event(annotation_event())
    for plan in plans:
        for choice in choice_deltas(body, ident, plan):
            yield event(chunk(ident, [choice], include_usage))
    if include_usage:
        final = chunk(ident, [], False)
        final["usage"] = usage  # usage chunk before [DONE], choices empty (recording 11)
        yield event(final)
    yield DONE


def choice_deltas(body: dict[str, Any], ident: Identity, plan: ChoicePlan) -> list[dict[str, Any]]:
    wants_logprobs = bool(body.get("logprobs"))
    deltas = [delta_choice(plan.index, {}, role_delta(body, ident, plan), None,
                           {"content": []} if wants_logprobs and not plan.tool_calls else None)]
    if plan.tool_calls:
        deltas.extend(tool_deltas(plan))
    else:
        entries = logprobs_block(body, ident, plan.pieces, plan.index)
        for i, piece in enumerate(plan.pieces):
            lp = {"content": [entries["content"][i]]} if entries else None
            deltas.append(delta_choice(plan.index, filters.choice_results(), {"content": piece}, None, lp))
    deltas.append(delta_choice(plan.index, {}, {}, plan.finish_reason, None))
    return deltas


def delta_choice(index: int, cfr: dict[str, Any], delta: dict[str, Any], finish: str | None,
                 logprobs: dict[str, Any] | None) -> dict[str, Any]:
    return {"content_filter_results": cfr, "delta": delta, "finish_reason": finish, "index": index,
            "logprobs": logprobs}


def role_delta(body: dict[str, Any], ident: Identity, plan: ChoicePlan) -> dict[str, Any]:
    """The role chunk's delta: ``content:""`` for text, ``content:null`` + first tool call (recording 14)."""
    delta: dict[str, Any] = {"content": None if plan.tool_calls else ""}
    if body.get("data_sources"):
        delta["context"] = citations(body)
    if ident.modern:
        delta["refusal"] = None  # recording 12
    delta["role"] = "assistant"
    if plan.tool_calls:
        delta["tool_calls"] = [tool_start(plan.tool_calls[0], 0)]
    return delta


def tool_start(call: ToolCall, index: int) -> dict[str, Any]:
    return {"function": {"arguments": "", "name": call.name}, "id": call.id, "index": index, "type": "function"}


def tool_deltas(plan: ChoicePlan) -> list[dict[str, Any]]:
    """Argument fragments as ``tool_calls`` deltas with empty filter results (recording 14)."""
    deltas = []
    for position, call in enumerate(plan.tool_calls):
        if position:
            deltas.append(delta_choice(plan.index, {}, {"tool_calls": [tool_start(call, position)]}, None, None))
        for piece in call.pieces:
            fragment = {"tool_calls": [{"function": {"arguments": piece}, "index": position}]}
            deltas.append(delta_choice(plan.index, {}, fragment, None, None))
    return deltas
