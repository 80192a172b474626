"""Checks of a Responses request (``POST /openai/responses``), and the version gate of all five operations.

The fields are the 2025-04-01-preview spec's ``CreateResponse`` plus what the 2026 recording 25 echoes
(``prompt_cache_key``, ``safety_identifier``, ``top_logprobs``, ...). Errors name the param in the
model envelope, rendered as the Responses service renders (2-space indented); an unknown field gets
OpenAI's ``Unknown parameter`` (the Responses service passes OpenAI's checks through; inferred).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from ..call import Call, ResponsesCreate, VersionChecked
from ..errors import AzureError
from ..responses import store
from ..responses.errors import RESPONSES_SINCE, bad_request, indented, previous_not_found, version_too_old
from ..responses.inputs import chat_body, input_items
from ..state import MockState
from ..versions import date_of
from .batches import check_metadata
from .rules import check_enum, check_field, check_object, check_type

KNOWN = frozenset(
    {
        "model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "text",
        "max_output_tokens", "max_tool_calls", "temperature", "top_p", "metadata", "truncation",
        "include", "reasoning", "store", "background", "stream", "stream_options", "previous_response_id",
        "user", "service_tier", "prompt_cache_key", "safety_identifier", "top_logprobs", "prompt",
    }
)  # fmt: skip
ITEM_TYPES = ("message", "function_call", "function_call_output", "reasoning", "item_reference")
FORMATS = ("text", "json_object", "json_schema")


def check_version(call: Call) -> None:
    if call.surface != "v1" and date_of(call.api_version or "") < RESPONSES_SINCE:
        raise version_too_old()


def validate_object(call: Call, state: MockState) -> VersionChecked:
    """Retrieve, delete, input items, cancel: only the api-version to check."""
    check_version(call)
    return VersionChecked()


def validate_create(call: Call, state: MockState) -> ResponsesCreate | Awaitable[ResponsesCreate]:
    """The request as the handler reads it; an awaitable when it continues a stored response (its
    turns are read from the store), else at once (and the validate stage may remember it)."""
    check_version(call)
    try:
        body = check_body(call.body)
    except AzureError as error:
        raise reindented(error) from None
    previous = body.get("previous_response_id")
    if previous is None:
        return typed(call, state, body, [])
    return chained(call, state, body, previous)


def reindented(error: AzureError) -> AzureError:
    if isinstance(error.body, bytes):
        return error
    return indented(error.status, error.body, error.headers)


def check_body(given: Any) -> dict[str, Any]:
    body = check_object(given)
    for name in body:
        if name not in KNOWN:
            raise bad_request(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    check_type(body.get("input", ""), (str, list), "input")
    for name, kinds in (("instructions", (str,)), ("previous_response_id", (str,)), ("user", (str,))):
        check_field(body, name, kinds)
    for name in ("store", "background", "stream", "parallel_tool_calls"):
        check_field(body, name, (bool,))
    check_field(body, "temperature", (float,), 0, 2)
    check_field(body, "top_p", (float,), 0, 1)
    check_field(body, "max_output_tokens", (int,), 16)
    check_field(body, "max_tool_calls", (int,), 1)
    check_field(body, "top_logprobs", (int,), 0, 20)
    check_field(body, "tools", (list,))
    check_field(body, "include", (list,))
    check_metadata(body.get("metadata"))
    if body.get("truncation") is not None:
        check_enum(body["truncation"], ("auto", "disabled"), "truncation")
    check_items(body)
    check_text(body.get("text"))
    check_tools(body.get("tools") or [])
    if body.get("background") and body.get("store") is False:
        raise bad_request("Background mode requires 'store' to be true.", "background")  # OpenAI's rule
    return body


def check_items(body: dict[str, Any]) -> None:
    value = body.get("input")
    if not isinstance(value, list):
        return
    for index, item in enumerate(value):
        check_type(item, (dict,), f"input[{index}]")
        kind = item.get("type", "message" if "role" in item else None)
        if kind not in ITEM_TYPES:
            raise bad_request(
                f"Invalid value: '{kind}'. Supported values are: "
                + ", ".join(f"'{t}'" for t in ITEM_TYPES)
                + ".",
                f"input[{index}].type",
                "invalid_value",
            )
        if kind == "function_call_output" and not isinstance(item.get("call_id"), str):
            raise bad_request(
                f"Missing required parameter: 'input[{index}].call_id'.",
                f"input[{index}].call_id",
                "missing_required_parameter",
            )


def check_text(text: Any) -> None:
    if text is None:
        return
    check_type(text, (dict,), "text")
    fmt = text.get("format")
    if fmt is None:
        return
    check_type(fmt, (dict,), "text.format")
    check_enum(fmt.get("type"), FORMATS, "text.format.type")
    if fmt["type"] == "json_schema":
        for name in ("name", "schema"):
            if fmt.get(name) is None:
                raise bad_request(
                    f"Missing required parameter: 'text.format.{name}'.",
                    f"text.format.{name}",
                    "missing_required_parameter",
                )


def check_tools(tools: list[Any]) -> None:
    for index, tool in enumerate(tools):
        check_type(tool, (dict,), f"tools[{index}]")
        if tool.get("type") == "function" and not isinstance(tool.get("name"), str):
            raise bad_request(
                f"Missing required parameter: 'tools[{index}].name'.",
                f"tools[{index}].name",
                "missing_required_parameter",
            )


async def chained(call: Call, state: MockState, body: dict[str, Any], previous: str) -> ResponsesCreate:
    """The request with the stored turns it continues (``previous_response_id``)."""
    found = None if await store.stale(state, previous) else await store.chain(state, previous)
    if found is None:
        raise previous_not_found(previous)
    return typed(call, state, body, found)


def typed(
    call: Call, state: MockState, body: dict[str, Any], context: list[dict[str, Any]]
) -> ResponsesCreate:
    """The typed request with its token count (the context counts as prompt)."""
    assert call.deployment is not None
    chat = chat_body(body, context)
    tokenizer = state.tokenizer(call.deployment)
    # like chat's count: 4 per message plus 3 (recording 15: "Hello, model!" is 11 input tokens)
    prompt = 3 + sum(4 + tokenizer.count(str(m.get("content") or "")) for m in chat["messages"])
    output = int(body.get("max_output_tokens") or 0)
    return ResponsesCreate(
        body=body,
        items=tuple(input_items(body)),
        context=tuple(context),
        chat=chat,
        prompt_tokens=prompt,
        estimated_tokens=prompt + output,
    )
