"""Chat completions as Azure's SSE stream, in the default and the asynchronous filter modes.

Default mode (azure-wire §6.2; recordings 02, 11, 14): the prompt-annotation event, the role
chunk, content chunks each carrying the four harm categories, the finish chunk, the usage chunk
(with ``include_usage``), then ``[DONE]``.

Asynchronous Filter mode (azure-wire §6.3; recording 12): the chunks carry no
``content_filter_results``; annotation events with ``content_filter_offsets`` and blank identity
fields follow the finish chunk, one pair (harm categories, protected material) per window of
moderated text. A blocked stream ends with an annotation whose ``finish_reason`` is
``content_filter`` instead of a finish chunk (STREAM-DOC "Sample response stream (blocked by
filters)").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from json.encoder import encode_basestring
from typing import Any

from ..filters.annotations import chat_prompt_filter_results, choice_results, protected_material
from ..synth.chat import ChoicePlan, ToolCall
from ..synth.sse import DONE, event
from .chat_common import Identity, choice_filter, citations, logprobs_block

ASYNC_WINDOW = 1000  # "a violation is signalled within a ~1,000-character window" (STREAM-DOC)
BLANK_IDENTITY = {"created": 0, "id": "", "model": "", "object": ""}


async def stream_events(
    body: dict[str, Any],
    ident: Identity,
    plans: list[ChoicePlan],
    usage: dict[str, Any],
    prompt_hits: dict[str, Any],
    mode: str,
) -> AsyncIterator[bytes]:
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    yield event(annotation_event(prompt_hits, body.get("messages")))
    for plan in plans:
        for payload in plan_events(body, ident, plan, mode, include_usage):
            yield payload
        if mode == "async":
            for annotation in async_annotations(plan):
                yield event(annotation)
    if include_usage:
        final = chunk(ident, [], False)
        final["usage"] = usage  # usage chunk before [DONE], choices empty (recording 11)
        yield event(final)
    yield DONE


def chunk(ident: Identity, choices: list[dict[str, Any]], include_usage: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
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


def annotation_event(prompt_hits: dict[str, Any], messages: Any = None) -> dict[str, Any]:
    """Event 1: prompt annotations with blank identity fields (recordings 02, 11; per part for a prompt
    with an image, recording 32)."""
    return {
        "choices": [],
        **BLANK_IDENTITY,
        "prompt_filter_results": chat_prompt_filter_results(messages, prompt_hits),
    }


def plan_events(
    body: dict[str, Any], ident: Identity, plan: ChoicePlan, mode: str, include_usage: bool
) -> list[bytes]:
    """One choice's events: the role chunk, its content or tool-call chunks, the finish chunk."""
    wants_logprobs = bool(body.get("logprobs")) and not plan.tool_calls
    role = delta_choice(
        mode,
        {"content_filter_results": {}},
        role_delta(body, ident, plan, mode),
        None,
        {"content": []} if wants_logprobs else None,
        plan.index,
    )
    events = [event(chunk(ident, [role], include_usage))]
    if plan.tool_calls:
        events += [event(chunk(ident, [d], include_usage)) for d in tool_deltas(plan, mode)]
    elif wants_logprobs or plan.filter_error:
        events += [event(chunk(ident, [d], include_usage)) for d in content_deltas(body, ident, plan, mode)]
    else:
        events += content_events(ident, plan, mode, include_usage)
    if mode != "async" or plan.finish_reason != "content_filter":
        finish_filter = (
            {"content_filter_results": choice_results(plan.filter_hits)}
            if plan.finish_reason == "content_filter"
            else {"content_filter_results": {}}
        )
        finish = delta_choice(mode, finish_filter, {}, plan.finish_reason, None, plan.index)
        events.append(event(chunk(ident, [finish], include_usage)))
    return events


PIECE = "@@aoai-mock-piece@@"


def content_events(ident: Identity, plan: ChoicePlan, mode: str, include_usage: bool) -> list[bytes]:
    """Content chunks rendered from one template: they differ only in the text, so the chunk is
    serialised once and each piece is spliced in, JSON-escaped exactly as ``json.dumps`` would."""
    template = delta_choice(mode, content_verdict(plan), {"content": PIECE}, None, None, plan.index)
    head, tail = event(chunk(ident, [template], include_usage)).split(PIECE.encode(), 1)
    return [head + encode_basestring(piece)[1:-1].encode() + tail for piece in plan.pieces]


def content_deltas(
    body: dict[str, Any], ident: Identity, plan: ChoicePlan, mode: str
) -> list[dict[str, Any]]:
    entries = logprobs_block(body, ident, plan.pieces, plan.index)
    verdict = content_verdict(plan)
    deltas = []
    for i, piece in enumerate(plan.pieces):
        logprobs = {"content": [entries["content"][i]]} if entries else None
        deltas.append(delta_choice(mode, verdict, {"content": piece}, None, logprobs, plan.index))
    return deltas


def content_verdict(plan: ChoicePlan) -> dict[str, Any]:
    """Per-chunk filter keys: the four categories, or the filter-error pair (azure-wire §3.3, report)."""
    if plan.filter_error:
        return {**choice_filter(plan), "content_filter_results": {}}
    return {"content_filter_results": choice_results()}


def delta_choice(
    mode: str,
    verdict: dict[str, Any],
    delta: dict[str, Any],
    finish: str | None,
    logprobs: dict[str, Any] | None,
    index: int,
) -> dict[str, Any]:
    choice = {} if mode == "async" else dict(verdict)  # async chunks carry no filter keys (recording 12)
    choice.update({"delta": delta, "finish_reason": finish, "index": index, "logprobs": logprobs})
    return choice


def role_delta(body: dict[str, Any], ident: Identity, plan: ChoicePlan, mode: str) -> dict[str, Any]:
    """The role chunk's delta: ``content:""`` for text, ``content:null`` + first tool call (recording 14)."""
    delta: dict[str, Any] = {"content": None if plan.tool_calls else ""}
    if body.get("data_sources"):
        delta["context"] = citations(body)
    if ident.modern or mode == "async":
        delta["refusal"] = None  # recording 12
    delta["role"] = "assistant"
    if plan.tool_calls:
        delta["tool_calls"] = [tool_start(plan.tool_calls[0], 0)]
    return delta


def tool_start(call: ToolCall, index: int) -> dict[str, Any]:
    return {
        "function": {"arguments": "", "name": call.name},
        "id": call.id,
        "index": index,
        "type": "function",
    }


def tool_deltas(plan: ChoicePlan, mode: str) -> list[dict[str, Any]]:
    """Argument fragments as ``tool_calls`` deltas with empty filter results (recording 14)."""
    empty: dict[str, Any] = {"content_filter_results": {}}
    deltas = []
    for position, call in enumerate(plan.tool_calls):
        if position:
            deltas.append(
                delta_choice(
                    mode, empty, {"tool_calls": [tool_start(call, position)]}, None, None, plan.index
                )
            )
        for piece in call.pieces:
            fragment = {"tool_calls": [{"function": {"arguments": piece}, "index": position}]}
            deltas.append(delta_choice(mode, empty, fragment, None, None, plan.index))
    return deltas


def async_annotations(plan: ChoicePlan) -> list[dict[str, Any]]:
    """Offset-annotated verdicts after the text, one pair per window: the harm categories, then
    protected material (recording 12, events 50-51). A blocked stream's last window puts the harm
    verdict last, carrying ``finish_reason: content_filter`` (STREAM-DOC blocked sample)."""
    length = len(plan.content or "")
    starts = list(range(0, max(length, 1), ASYNC_WINDOW))
    blocked = plan.finish_reason == "content_filter"
    annotations = []
    for start in starts:
        offsets = {
            "check_offset": start,
            "start_offset": start,
            "end_offset": min(start + ASYNC_WINDOW, length),
        }
        protected = annotation(plan.index, offsets, protected_material(), None)
        if start == starts[-1] and blocked:
            harm = annotation(plan.index, offsets, choice_results(plan.filter_hits), "content_filter")
            annotations += [protected, harm]
        else:
            annotations += [annotation(plan.index, offsets, choice_results(), None), protected]
    return annotations


def annotation(
    index: int, offsets: dict[str, int], results: dict[str, Any], finish: str | None
) -> dict[str, Any]:
    choice = {
        "content_filter_offsets": offsets,
        "content_filter_results": results,
        "finish_reason": finish,
        "index": index,
    }
    return {"choices": [choice], **BLANK_IDENTITY}
