"""What the JSON and the SSE renderings of a chat completion share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..call import Call
from ..config import Deployment
from ..filters.annotations import choice_results, filter_error
from ..ids import chat_id, fingerprint
from ..state import MockState
from ..synth.chat import ChoicePlan, last_user_text
from ..synth.logprobs import token_logprobs
from ..synth.text import keywords
from ..versions import date_of, is_preview

MODERN_SINCE = "2024-09-01"
# message.annotations ([] without web search): in the Nov 2025 recording 32 on 2025-03-01-preview, not in
# the Mar 2025 recording 33 on 2025-01-01-preview (the spec of 2025-03-01-preview does not list it yet);
# the newest recording wins, from the api-version it was made with
ANNOTATIONS_SINCE = "2025-03-01"
DATED_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Identity:
    """The fields every chunk of one completion repeats."""

    id: str
    created: int
    model: str
    fingerprint: str | None
    modern: bool
    annotations: bool = False


def is_modern(call: Call) -> bool:
    """Newer response fields (``refusal``, usage details) appear for 2024+ models on preview
    api-versions from 2024-09 and on v1 (recording 12), not on GA 2024-10-21 (recordings 11, 14)."""
    if call.deployment is None or not call.deployment.modern:
        return False
    version = call.api_version
    return (
        version is None or call.surface == "v1" or (is_preview(version) and date_of(version) >= MODERN_SINCE)
    )


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
        annotations=has_annotations(call),
    )


def has_annotations(call: Call) -> bool:
    """``message.annotations`` for 2024+ models from 2025-03-01-preview and on v1 (see ANNOTATIONS_SINCE)."""
    version = call.api_version
    return is_modern(call) and (
        version is None or call.surface == "v1" or date_of(version) >= ANNOTATIONS_SINCE
    )


def choice_filter(plan: ChoicePlan) -> dict[str, Any]:
    """The choice's verdict: its results, or the "filter did not run" error (azure-wire §3.3)."""
    if plan.filter_error:
        return {"content_filter_result": filter_error()}
    if plan.tool_calls:
        return {"content_filter_results": {}}  # tool-call choices carry empty results (recording 14)
    return {"content_filter_results": choice_results(plan.filter_hits)}


def logprobs_block(
    body: dict[str, Any], ident: Identity, pieces: list[str], index: int
) -> dict[str, Any] | None:
    if not body.get("logprobs"):
        return None
    return {"content": token_logprobs(pieces, body.get("top_logprobs") or 0, (ident.id, index))}


def citations(body: dict[str, Any]) -> dict[str, Any]:
    """``message.context`` for On Your Data (GA-EX chat_completions_azure_search_minimum)."""
    source = (body.get("data_sources") or [{}])[0]
    params = (source.get("parameters") or {}) if isinstance(source, dict) else {}
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
        # a short phrase of the question's topic, as GA-EX's "intent": "dog care"
        "intent": " ".join(keywords(last_user_text(body.get("messages") or []))[:3]).lower(),
    }
