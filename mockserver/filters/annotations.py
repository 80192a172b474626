"""Content-filter annotation blocks with Azure's key order.

Categories are alphabetical, with ``filtered`` before ``severity``/``detected`` (azure-wire §5.4).
Prompt results carry ``jailbreak`` as in the 2024-2025 recordings 03, 11, 12 and 14; choice
results carry the four harm categories (recordings 01, 02, 11).
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


def filter_error() -> dict[str, Any]:
    """The choice-level verdict when filtering did not run (azure-wire §3.3, Learn content-filter page)."""
    return {"error": {"code": "content_filter_error", "message": "The contents are not filtered"}}


def protected_material() -> dict[str, Any]:
    """The protected-material annotation of the asynchronous filter (recording 12, event 51)."""
    return {
        "protected_material_code": {"filtered": False, "detected": False},
        "protected_material_text": {"filtered": False, "detected": False},
    }
