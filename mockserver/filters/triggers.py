"""Content-filter emulation from configurable triggers.

A trigger is a regex (a plain phrase works too) with a category and a severity, on the prompt
side or the completion side:

* prompt side: a filtered hit rejects the request with recording 04's 400; a hit below the
  blocking threshold only shows in ``prompt_filter_results`` (filtered false, its severity);
* completion side: the answer is cut where the trigger matches the generated text (or halfway
  when it matches only the prompt), ``finish_reason`` becomes ``content_filter`` and the choice's
  ``content_filter_results`` carry the category (GA-SPEC finish_reason enum; azure-wire §3.3).

Azure's default filter configuration blocks medium and high severities; detection categories
(jailbreak, protected material, ...) block when detected (ANNOT-DOC, azure-wire §5.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import ConfigError
from .annotations import HARM_CATEGORIES
from .verdicts import DETECTION_CATEGORIES, SEVERITIES, verdict

SIDES = ("prompt", "completion")
BLOCKING = ("medium", "high")
CATEGORIES = (*HARM_CATEGORIES, *DETECTION_CATEGORIES)


@dataclass(frozen=True)
class FilterTrigger:
    pattern: re.Pattern[str]
    category: str = "violence"
    severity: str = "medium"
    side: str = "prompt"
    deployment: str | None = None

    @property
    def filtered(self) -> bool:
        return self.category in DETECTION_CATEGORIES or self.severity in BLOCKING

    def verdict(self) -> dict[str, Any]:
        return verdict(self.category, self.severity, self.filtered)

    def applies_to(self, deployment: str | None) -> bool:
        return self.deployment is None or self.deployment == deployment


def parse_trigger(item: dict[str, Any]) -> FilterTrigger:
    """A ``[[content_filters]]`` entry: match, category, severity, side, deployment."""
    if "match" not in item:
        raise ConfigError(f"each [[content_filters]] entry needs a 'match' regex: {item}")
    unknown = set(item) - {"match", "category", "severity", "side", "deployment"}
    if unknown:
        raise ConfigError(f"unknown content filter key(s) {sorted(unknown)}")
    category, severity, side = (
        item.get("category", "violence"),
        item.get("severity", "medium"),
        item.get("side", "prompt"),
    )
    for value, valid, name in (
        (category, CATEGORIES, "category"),
        (severity, SEVERITIES, "severity"),
        (side, SIDES, "side"),
    ):
        if value not in valid:
            raise ConfigError(f"content filter {name} must be one of {list(valid)}, got {value!r}")
    try:
        pattern = re.compile(item["match"], re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"bad content filter regex {item['match']!r}: {exc}") from exc
    return FilterTrigger(pattern, category, severity, side, item.get("deployment"))


@lru_cache(maxsize=256)
def image_triggers(deployment: str, patterns: tuple[str, ...]) -> tuple[FilterTrigger, ...]:
    """A deployment's ``image_filter_triggers`` (regexes, case-insensitive) as the prompt-side
    triggers they stand for: violence at medium, which Azure's default configuration blocks
    (azure-wire §5.3), scoped to that deployment."""
    return tuple(
        FilterTrigger(re.compile(pattern, re.IGNORECASE), "violence", "medium", "prompt", deployment)
        for pattern in patterns
    )


def prompt_triggers(
    configured: tuple[FilterTrigger, ...], deployment: str | None, image_patterns: tuple[str, ...]
) -> tuple[FilterTrigger, ...]:
    """The triggers a request's prompt meets: the configured ``[[content_filters]]``, then the
    image triggers of its deployment (a later trigger of the same category wins)."""
    if deployment is None or not image_patterns:
        return configured
    return configured + image_triggers(deployment, image_patterns)


def prompt_hits(
    triggers: tuple[FilterTrigger, ...], texts: list[str], deployment: str | None
) -> dict[str, Any]:
    """Category -> verdict for every prompt-side trigger found in ``texts``."""
    hits: dict[str, Any] = {}
    for trigger in triggers:
        if (
            trigger.side == "prompt"
            and trigger.applies_to(deployment)
            and any(trigger.pattern.search(text) for text in texts)
        ):
            hits[trigger.category] = trigger.verdict()
    return hits


def blocks(hits: dict[str, Any]) -> bool:
    return any(v.get("filtered") for v in hits.values())


@dataclass(frozen=True)
class Cut:
    """Where a completion is cut and what the choice's filter results say."""

    at: int
    hits: dict[str, Any]


def completion_cut(
    triggers: tuple[FilterTrigger, ...], prompt: str, text: str, deployment: str | None
) -> Cut | None:
    for trigger in triggers:
        if trigger.side != "completion" or not trigger.applies_to(deployment) or not trigger.filtered:
            continue
        found = trigger.pattern.search(text)
        if found is not None:
            return Cut(found.start(), {trigger.category: trigger.verdict()})
        if trigger.pattern.search(prompt):
            return Cut(len(text) // 2, {trigger.category: trigger.verdict()})
    return None


def forced_cut(action: dict[str, Any], text: str) -> Cut:
    """A ``{"kind": "content_filter", ...}`` fault: cut the completion as a trigger would."""
    category = action.get("category", "violence")
    severity = action.get("severity", "high")
    at = int(action.get("at_char", len(text) // 2))
    return Cut(min(at, len(text)), {category: verdict(category, severity, True)})
