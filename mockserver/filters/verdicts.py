"""Content-filter verdicts: prompt-side 400s and category results.

Prompt filtered (chat): 400 exactly as recording 04 (compact, ``"type":null``,
``"param":"prompt"``, ``"status":400`` inside the body and the singular
``innererror.content_filter_result``), with the model-error headers recording 04 carries.
The jailbreak variant adds ``jailbreak {filtered, detected}`` (azure-wire §3.3, report).
"""

from __future__ import annotations

from typing import Any

from ..errors import MODEL_ERROR_HEADERS, AzureError, content_policy_violation
from .annotations import HARM_CATEGORIES

PROMPT_FILTER_MESSAGE = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
    "Please modify your prompt and retry. To learn more about our content filtering policies please read "
    "our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
)
DETECTION_CATEGORIES = (
    "jailbreak",
    "indirect_attack",
    "profanity",
    "protected_material_text",
    "protected_material_code",
)
SEVERITIES = ("safe", "low", "medium", "high")


def verdict(category: str, severity: str = "medium", filtered: bool = True) -> dict[str, Any]:
    """One category's result: severity categories or detection categories (azure-wire §5.3)."""
    if category in DETECTION_CATEGORIES:
        return {"filtered": filtered, "detected": True}
    return {"filtered": filtered, "severity": severity}


def category_results(hits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    results: dict[str, Any] = {name: {"filtered": False, "severity": "safe"} for name in HARM_CATEGORIES}
    results.update(hits)
    return dict(sorted(results.items()))


def prompt_filtered(hits: dict[str, dict[str, Any]]) -> AzureError:
    body = {
        "error": {
            "message": PROMPT_FILTER_MESSAGE,
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": category_results(hits),
            },
        }
    }
    return AzureError(400, body, headers=dict(MODEL_ERROR_HEADERS))


def hits_from_spec(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"category": "violence", "severity": "high"}`` or ``{"jailbreak": true}`` -> category hits."""
    if spec.get("jailbreak"):
        return {"jailbreak": verdict("jailbreak")}
    category = spec.get("category", "violence")
    return {category: verdict(category, spec.get("severity", "medium"))}


def image_prompt_blocked(hits: dict[str, dict[str, Any]]) -> AzureError:
    """A blocked image prompt: the content-policy 400 (azure-wire §8, report litellm#16072)."""
    return content_policy_violation(blocked_image_results(hits))


def blocked_image_results(hits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``content_filter_results`` of a blocked image prompt: the spec's ``dalleFilterResults``
    categories with the hits, keys alphabetical at both levels like the 2025 body (azure-wire §8)."""
    results: dict[str, dict[str, Any]] = {
        "hate": {"filtered": False, "severity": "safe"},
        "jailbreak": {"detected": False, "filtered": False},
        "profanity": {"detected": False, "filtered": False},
        "self_harm": {"filtered": False, "severity": "safe"},
        "sexual": {"filtered": False, "severity": "safe"},
        "violence": {"filtered": False, "severity": "safe"},
    }
    results.update(hits)
    return {name: dict(sorted(verdict.items())) for name, verdict in sorted(results.items())}
