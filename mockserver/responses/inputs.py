"""A request's ``input`` as items, and the conversation as the chat generator reads it.

``input`` is a string (recording 30) or a list of items (15-24): messages whose ``content`` is a
string or parts (``input_text``, ``input_image``, ``input_file``; an assistant's ``output_text``,
24), ``function_call`` items a previous turn produced, and ``function_call_output`` (17). A chained
turn (``previous_response_id``) sees the stored turns' input and output before its own input.
"""

from __future__ import annotations

from typing import Any

TEXT_PARTS = ("input_text", "output_text", "text", "refusal")


def input_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """``input`` as a list of items; a string is one user message (recording 30)."""
    value = body.get("input")
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    if isinstance(value, list):
        return [with_type(item) for item in value if isinstance(item, dict)]
    return []


def with_type(item: dict[str, Any]) -> dict[str, Any]:
    """An item without ``type`` but with ``role`` is a message (the SDKs' EasyInputMessage)."""
    return item if "type" in item else {"type": "message", **item}


def part_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for part in content if isinstance(content, list) else ():
        if isinstance(part, dict) and part.get("type") in TEXT_PARTS and isinstance(part.get("text"), str):
            texts.append(part["text"])
    return " ".join(texts)


def input_texts(body: Any) -> list[str]:
    """The prompt's texts, for the prompt-side content filter (``pipeline.stages.prompt_texts``)."""
    if not isinstance(body, dict):
        return []
    texts = [body["instructions"]] if isinstance(body.get("instructions"), str) else []
    for item in input_items(body):
        if item.get("type") == "message":
            texts.append(part_text(item.get("content")))
        elif item.get("type") == "function_call_output" and isinstance(item.get("output"), str):
            texts.append(item["output"])
    return texts


def chat_messages(instructions: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation as chat messages: what ``synth.chat`` plans from (the last user message,
    a tool result last means an answer in text, the canned-reply matcher)."""
    messages: list[dict[str, Any]] = []
    if isinstance(instructions, str) and instructions:
        messages.append({"role": "system", "content": instructions})
    for item in items:
        kind = item.get("type")
        if kind == "message":
            role = item.get("role") if item.get("role") in ("user", "assistant", "system") else "system"
            messages.append({"role": role, "content": part_text(item.get("content"))})
        elif kind == "function_call":
            function = {"name": item.get("name"), "arguments": item.get("arguments", "")}
            call = {"id": item.get("call_id"), "type": "function", "function": function}
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else part_text(output)
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": text})
    return messages


def chat_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Function tools in chat's form; built-in tools (web search, ...) are not generated for."""
    found = []
    for tool in tools:
        if tool.get("type") == "function":
            function = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
            found.append({"type": "function", "function": function})
    return found


def chat_tool_choice(choice: Any) -> Any:
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice.get("name")}}
    return choice if isinstance(choice, str) else "auto"


def chat_format(text: Any) -> dict[str, Any] | None:
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": fmt.get("name"), "schema": fmt.get("schema")}}
    if fmt.get("type") == "json_object":
        return {"type": "json_object"}
    return None


def chat_body(body: dict[str, Any], context: list[dict[str, Any]]) -> dict[str, Any]:
    """The chat request that generates this response's output (context: the chained turns' items)."""
    chat: dict[str, Any] = {
        "messages": chat_messages(body.get("instructions"), context + input_items(body)),
        "tools": chat_tools(body.get("tools") or []),
        "tool_choice": chat_tool_choice(body.get("tool_choice", "auto")),
        "parallel_tool_calls": body.get("parallel_tool_calls", True) is not False,
    }
    fmt = chat_format(body.get("text"))
    if fmt is not None:
        chat["response_format"] = fmt
    if isinstance(body.get("max_output_tokens"), int):
        chat["max_completion_tokens"] = body["max_output_tokens"]
    return chat
