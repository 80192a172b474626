"""Content-filter annotation blocks with Azure's key order.

Categories are alphabetical, with ``filtered`` before ``severity``/``detected`` (azure-wire §5.4).
Prompt results carry ``jailbreak`` as in the 2024-2025 recordings 03, 11, 12 and 14; choice
results carry the four harm categories (recordings 01, 02, 11).

A chat prompt with an image part is reported per content part (recording 32, Nov 2025, the only
vision recording): each entry has ``prompt_index`` (the part's index in the user message's content)
and the singular ``content_filter_result``; the image part's holds the image filter's categories in
its own order (sexual, violence, hate, self_harm, the spec's ``dalleContentFilterResults`` order) plus
``custom_blocklists``, a text part's is empty, and the image parts come first. Which message, and the
order with several images, are not shown by any recording: the mock reports the parts of the last
user message that has an image (recording 32 has one user message, text then image: [1, 0]).
"""

from __future__ import annotations

from typing import Any

HARM_CATEGORIES = ("hate", "self_harm", "sexual", "violence")


def safe_harm() -> dict[str, Any]:
    return {"filtered": False, "severity": "safe"}


def choice_results(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """A choice's ``content_filter_results`` (recording 01); ``overrides`` replace categories."""
    results: dict[str, Any] = {name: safe_harm() for name in HARM_CATEGORIES}
    results.update(overrides or {})
    return dict(sorted(results.items()))


def prompt_results(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {name: safe_harm() for name in HARM_CATEGORIES}
    results["jailbreak"] = {"filtered": False, "detected": False}
    results.update(overrides or {})
    return dict(sorted(results.items()))


def prompt_filter_results(count: int = 1, overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """``prompt_filter_results``: ``prompt_index`` first, then the results (azure-wire §5.4)."""
    return [{"prompt_index": i, "content_filter_results": prompt_results(overrides)} for i in range(count)]


IMAGE_CATEGORIES = ("sexual", "violence", "hate", "self_harm")  # recording 32's order


def image_part_results(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """An image part's ``content_filter_result`` (recording 32); ``overrides`` replace categories."""
    results: dict[str, Any] = {name: safe_harm() for name in IMAGE_CATEGORIES}
    results["custom_blocklists"] = {"filtered": False, "details": []}
    for name, value in (overrides or {}).items():
        results[name] = value  # a known category keeps its place; another one comes last
    return results


def image_parts(messages: Any) -> list[dict[str, Any]] | None:
    """The content parts of the last user message that has an ``image_url`` part, or None."""
    if not isinstance(messages, list):
        return None
    for message in reversed(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if (
            message.get("role") == "user"
            and isinstance(content, list)
            and any(isinstance(part, dict) and part.get("type") == "image_url" for part in content)
        ):
            return [part if isinstance(part, dict) else {} for part in content]
    return None


def chat_prompt_filter_results(
    messages: Any, overrides: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A chat prompt's ``prompt_filter_results``: per content part for a prompt with an image."""
    parts = image_parts(messages)
    if parts is None:
        return prompt_filter_results(overrides=overrides)
    images = [i for i, part in enumerate(parts) if part.get("type") == "image_url"]
    others = [i for i, part in enumerate(parts) if part.get("type") != "image_url"]
    return [{"prompt_index": i, "content_filter_result": image_part_results(overrides)} for i in images] + [
        {"prompt_index": i, "content_filter_result": {}} for i in others
    ]


def filter_error() -> dict[str, Any]:
    """The choice-level verdict when filtering did not run (azure-wire §3.3, Learn content-filter page)."""
    return {"error": {"code": "content_filter_error", "message": "The contents are not filtered"}}


def protected_material() -> dict[str, Any]:
    """The protected-material annotation of the asynchronous filter (recording 12, event 51)."""
    return {
        "protected_material_code": {"filtered": False, "detected": False},
        "protected_material_text": {"filtered": False, "detected": False},
    }
