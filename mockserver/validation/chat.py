"""Chat completions request validation (GA-SPEC ``createChatCompletionRequest``; limits azure-wire §12)."""

from __future__ import annotations

from typing import Any

from ..config import Deployment
from ..errors import context_length_exceeded, invalid_request, unsupported_parameter, unsupported_value
from ..synth.tokens import Tokenizer, count_chat_prompt
from ..versions import CHAT_FIELD_SINCE, JSON_SCHEMA_SINCE, check_fields, knows
from .rules import (
    check_enum,
    check_field,
    check_known,
    check_length,
    check_object,
    check_string_length,
    check_type,
    require,
)
from .schema import check_function_schema, check_response_schema

KNOWN = frozenset(
    [
        "messages",
        "model",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "max_tokens",
        "max_completion_tokens",
        "n",
        "presence_penalty",
        "response_format",
        "seed",
        "stop",
        "stream",
        "stream_options",
        "temperature",
        "top_p",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "user",
        "functions",
        "function_call",
        "data_sources",
        "store",
        "metadata",
        "reasoning_effort",
        "user_security_context",
        "prediction",
        "audio",
        "modalities",
        "service_tier",
    ]
)
ROLES = ("system", "assistant", "user", "function", "tool", "developer")
MAX_MESSAGES = 2048  # QUOTAS: chat messages per request
MAX_MESSAGE_CHARS = 1_048_576  # QUOTAS: message characters
MAX_TOOLS = 128
RESPONSE_FORMATS = ("text", "json_object", "json_schema")
REASONING_EFFORTS = ("low", "medium", "high")


def validate_chat(raw: Any, deployment: Deployment, version: str | None) -> dict[str, Any]:
    """Raise the first Azure 400 this body deserves; return the body when it is valid."""
    body = check_object(raw)
    check_known(body, KNOWN)
    check_fields(version, body, CHAT_FIELD_SINCE)
    check_messages(require(body, "messages"))
    check_sampling(body)
    check_limits(body, deployment)
    check_stop(body.get("stop"))
    check_tools(body)
    check_response_format(body.get("response_format"), version)
    check_stream(body)
    check_data_sources(body.get("data_sources"))
    return body


def check_data_sources(sources: Any) -> None:
    """On Your Data: ``{"type", "parameters"}`` objects (GA-SPEC ``azureChatExtensionConfiguration``)."""
    if sources is None:
        return
    check_type(sources, (list,), "data_sources")
    for i, source in enumerate(sources):
        check_type(source, (dict,), f"data_sources[{i}]")
        check_type(require_in(source, "type", f"data_sources[{i}]"), (str,), f"data_sources[{i}].type")
        if source.get("parameters") is not None:
            check_type(source["parameters"], (dict,), f"data_sources[{i}].parameters")


def check_messages(messages: Any) -> None:
    check_type(messages, (list,), "messages")
    check_length(messages, "messages", 1, MAX_MESSAGES)
    for i, message in enumerate(messages):
        check_message(message, f"messages[{i}]")


def check_message(message: Any, param: str) -> None:
    check_type(message, (dict,), param)
    role = require_in(message, "role", param)
    check_enum(role, ROLES, f"{param}.role")
    check_tool_calls(message.get("tool_calls"), f"{param}.tool_calls")
    content = message.get("content")
    if content is None:
        if role in ("assistant", "function"):
            return
        raise invalid_request(
            f"Missing required parameter: '{param}.content'.",
            f"{param}.content",
            "missing_required_parameter",
        )
    check_type(content, (str, list), f"{param}.content")
    if isinstance(content, str):
        check_string_length(content, f"{param}.content", MAX_MESSAGE_CHARS)
    else:
        for j, part in enumerate(content):
            check_part(part, f"{param}.content[{j}]")


def check_tool_calls(calls: Any, param: str) -> None:
    """An assistant message's ``tool_calls``: an array of objects whose ``function`` is an object."""
    if calls is None:
        return
    check_type(calls, (list,), param)
    for i, call in enumerate(calls):
        check_type(call, (dict,), f"{param}[{i}]")
        if call.get("function") is not None:
            check_type(call["function"], (dict,), f"{param}[{i}].function")


def require_in(obj: dict[str, Any], name: str, param: str) -> Any:
    if obj.get(name) is None:
        raise invalid_request(
            f"Missing required parameter: '{param}.{name}'.", f"{param}.{name}", "missing_required_parameter"
        )
    return obj[name]


def check_part(part: Any, param: str) -> None:
    """Text and image parts; image URLs are accepted and never fetched."""
    check_type(part, (dict,), param)
    kind = require_in(part, "type", param)
    check_enum(kind, ("text", "image_url", "input_audio", "refusal", "file"), f"{param}.type")
    if kind == "text":
        check_type(require_in(part, "text", param), (str,), f"{param}.text")
    if kind == "image_url":
        image = require_in(part, "image_url", param)
        check_type(image, (dict,), f"{param}.image_url")
        check_type(require_in(image, "url", f"{param}.image_url"), (str,), f"{param}.image_url.url")


def check_sampling(body: dict[str, Any]) -> None:
    check_field(body, "temperature", (float,), 0, 2)
    check_field(body, "top_p", (float,), 0, 1)
    check_field(body, "presence_penalty", (float,), -2, 2)
    check_field(body, "frequency_penalty", (float,), -2, 2)
    check_field(body, "n", (int,), 1, 128)
    check_field(body, "seed", (int,))
    check_field(body, "logprobs", (bool,))
    check_field(body, "logit_bias", (dict,))
    check_field(body, "user", (str,))
    check_field(body, "parallel_tool_calls", (bool,))
    top = check_field(body, "top_logprobs", (int,), 0, 20)
    if top is not None and not body.get("logprobs"):
        raise invalid_request(
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when "
            "'top_logprobs' is specified.",
            "top_logprobs",
            "invalid_value",
        )
    if body.get("reasoning_effort") is not None:
        check_enum(body["reasoning_effort"], REASONING_EFFORTS, "reasoning_effort")


def check_limits(body: dict[str, Any], deployment: Deployment) -> None:
    check_field(body, "max_tokens", (int,), 1)
    check_field(body, "max_completion_tokens", (int,), 1)
    if deployment.reasoning:
        if body.get("max_tokens") is not None:
            raise unsupported_parameter("max_tokens", "max_completion_tokens")
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            raise unsupported_value("temperature", temperature, 1)


def check_stop(stop: Any) -> None:
    if stop is None:
        return
    check_type(stop, (str, list), "stop")
    if isinstance(stop, list):
        check_length(stop, "stop", 0, 4)
        for i, item in enumerate(stop):
            check_type(item, (str,), f"stop[{i}]")


def check_tools(body: dict[str, Any]) -> None:
    tools = check_field(body, "tools", (list,))
    names = set()
    for i, tool in enumerate(tools or ()):
        check_type(tool, (dict,), f"tools[{i}]")
        check_enum(require_in(tool, "type", f"tools[{i}]"), ("function",), f"tools[{i}].type")
        function = require_in(tool, "function", f"tools[{i}]")
        check_type(function, (dict,), f"tools[{i}].function")
        name = require_in(function, "name", f"tools[{i}].function")
        check_type(name, (str,), f"tools[{i}].function.name")
        names.add(name)
        if function.get("parameters") is not None:
            check_function_schema(function["parameters"], name, i)
    if tools is not None:
        check_length(tools, "tools", 0, MAX_TOOLS)
    check_tool_choice(body.get("tool_choice"), names, tools is not None)


def check_tool_choice(choice: Any, names: set[str], has_tools: bool) -> None:
    if choice is None:
        return
    check_type(choice, (str, dict), "tool_choice")
    if isinstance(choice, str):
        check_enum(choice, ("none", "auto", "required"), "tool_choice")
        if choice == "required" and not has_tools:
            raise invalid_request(
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                "tool_choice",
                None,
            )
        return
    function = require_in(choice, "function", "tool_choice")
    check_type(function, (dict,), "tool_choice.function")
    name = require_in(function, "name", "tool_choice.function")
    if name not in names:
        raise invalid_request(
            f"Invalid value for 'tool_choice': no function named '{name}' was specified "
            "in the 'tools' parameter.",
            "tool_choice",
            None,
        )


def check_response_format(fmt: Any, version: str | None) -> None:
    if fmt is None:
        return
    check_type(fmt, (dict,), "response_format")
    kind = require_in(fmt, "type", "response_format")
    check_enum(kind, RESPONSE_FORMATS, "response_format.type")
    if kind == "json_schema":
        if not knows(version, JSON_SCHEMA_SINCE):
            # structured outputs arrived in 2024-08-01-preview (azure-wire §1.3); wording inferred
            raise invalid_request(
                f"Invalid parameter: 'response_format' of type 'json_schema' is not "
                f"supported with api-version {version}.",
                "response_format",
                None,
            )
        schema = require_in(fmt, "json_schema", "response_format")
        check_type(schema, (dict,), "response_format.json_schema")
        name = require_in(schema, "name", "response_format.json_schema")
        check_type(name, (str,), "response_format.json_schema.name")
        if schema.get("schema") is not None:
            check_response_schema(schema["schema"], name)


def check_stream(body: dict[str, Any]) -> None:
    check_field(body, "stream", (bool,))
    options = check_field(body, "stream_options", (dict,))
    if options is not None and not body.get("stream"):
        raise invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", None
        )


def check_context(body: dict[str, Any], deployment: Deployment, tokenizer: Tokenizer) -> int:
    """Prompt tokens; 400 context_length_exceeded when prompt + requested output exceed the window."""
    prompt = count_chat_prompt(tokenizer, body)
    completion = body.get("max_completion_tokens", body.get("max_tokens"))
    window = deployment.context_window
    if window and completion is not None and prompt + completion > window:
        raise context_length_exceeded(window, prompt, completion)
    if window and prompt > window:
        raise context_length_exceeded(window, prompt, None)
    return prompt
