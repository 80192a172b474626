"""The Azure contract: what a response must look like, taken from the recordings and the specs.

The recordings are the reference shapes (``conformance.shapes`` compares against them). They were
made on different resources between Dec 2023 and Nov 2025, and they disagree with each other in a
few documented places. ``AZURE`` allows exactly those places, and nothing the recordings do not
show, so the same assertions hold on the mock and on a real resource:

* the prompt results' ``jailbreak`` entry: absent in 01, 02, 08, 13 (Feb 2025 and older), present
  in 03, 11, 12, 14 (azure-wire §5.3);
* ``system_fingerprint``: null in 01 and 02, ``fp_...`` in 03, 11, 12, 14 (azure-wire §6.2);
* ``x-ratelimit-limit-*`` and ``x-ms-deployment-name``: only in the 2025 recordings 03 and 12;
  ``Access-Control-Allow-Origin`` and ``Cache-Control``: absent from the .NET recordings 11, 12, 14;
  the streaming ``Content-Type`` with or without ``; charset=utf-8`` (azure-wire §4.1, §4.2);
* infrastructure headers no client reads (``azureml-model-session``, ``x-envoy-upstream-service-time``,
  ``ms-azureml-model-time``, ``cmp-upstream-response-duration``, ``x-accel-buffering``, and
  ``x-aml-cluster``, seen only in recording 33) come and go between recordings of the same operation
  (azure-wire §4.2);
* ``api-supported-versions`` and ``request-id``, and a JSON ``Content-Type`` with ``; charset=utf-8``:
  only in the Nov 2025 vision recording 32 among the chat recordings (and the first and third in the
  Files and Batch recordings 27-29); the newest JSON answer, recording 25 (Mar 2026), has neither, so the
  mock keeps ``application/json`` and the two headers are allowed, not required;
* additions Azure documents for newer models and resources: ``refusal`` (recording 12), ``annotations``
  (recording 32, Nov 2025, on 2025-03-01-preview; not in 33, Mar 2025, on 2025-01-01-preview),
  ``completion_tokens_details`` / ``prompt_tokens_details`` (recording 12, azure-wire §5.5),
  ``custom_blocklists`` filter results (recording 12, azure-wire §5.3), ``obfuscation`` on chunks
  (azure-wire §6.4);
* the choice's ``protected_material_*`` filter results, which depend on the resource's filter
  configuration: present in 12 and 33 (Mar 2025, gpt-4o), absent from 01, 11, 14 and the newest chat
  recording 32 (Nov 2025), which the mock follows;
* ``model``: the underlying model of whatever deployment the target uses (azure-wire §5.2), so it
  is compared by type and emptiness only.

Other headers may be added (Azure adds headers over time), except those Azure never sends
(azure-wire §4.3: ``openai-*`` headers and ``x-ratelimit-reset-*`` on successes).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from . import shapes

VARYING_KEYS = frozenset(
    {"jailbreak", "custom_blocklists", "refusal", "protected_material_text", "protected_material_code"}
)
ADDED_KEYS = frozenset({"completion_tokens_details", "prompt_tokens_details", "obfuscation", "annotations"})
VARYING_HEADERS = frozenset(
    {
        "x-ratelimit-limit-requests",
        "x-ratelimit-limit-tokens",
        "x-ms-deployment-name",
        "access-control-allow-origin",
        "cache-control",
        "azureml-model-session",
        "x-envoy-upstream-service-time",
        "ms-azureml-model-time",
        "cmp-upstream-response-duration",
        "x-accel-buffering",
        "x-aml-cluster",
        "api-supported-versions",
        "request-id",
    }
)
NEVER_FROM_AZURE = frozenset(
    {
        "openai-processing-ms",
        "openai-version",
        "openai-organization",
        "openai-project",
        "x-ratelimit-reset-requests",
        "x-ratelimit-reset-tokens",
    }
)
SSE_TYPES = frozenset({"text/event-stream", "text/event-stream; charset=utf-8"})
JSON_TYPES = frozenset({"application/json", "application/json; charset=utf-8"})

AZURE = replace(
    shapes.STRICT,
    exact_keys=shapes.EXACT_KEYS - {"model"},
    optional_keys=VARYING_KEYS,
    extra_keys=VARYING_KEYS | ADDED_KEYS,
    nullable_keys=frozenset({"system_fingerprint"}),
    optional_headers=VARYING_HEADERS,
    extra_headers=frozenset({shapes.ANY}),
    forbidden_headers=NEVER_FROM_AZURE,
    closest_example=True,
    label="target",
)

# The Responses recordings (15-26, 30; May 2025 - Mar 2026) show the object growing: keys added in Jul-Aug
# 2025 (background, content_filters, max_tool_calls, prompt_cache_key, safety_identifier) and in 2026
# (recording 25: completed_at, penalties, prompt_cache_retention, top_logprobs, text.verbosity, logprobs),
# so either side may have them; the POSTs of May 2025 (30) carry openai-* headers that Aug 2025 dropped,
# and the 2026 one (25) adds tier headers and x-ratelimit-reset-*; a deployment of another model gives
# reasoning.effort a value (23, computer-use-preview) where a chat model has null.
RESPONSES_ADDED = frozenset(
    {
        "background", "content_filters", "max_tool_calls", "prompt_cache_key", "safety_identifier",
        "completed_at", "frequency_penalty", "presence_penalty", "prompt_cache_retention", "top_logprobs",
        "verbosity", "logprobs",
    }
)  # fmt: skip
RESPONSES_HEADERS = NEVER_FROM_AZURE | {
    "azureai-processed-tier", "azureai-requested-tier", "skip-error-remapping", "x-ms-client-request-id",
    "x-ms-middleware-request-id",
}  # fmt: skip
RESPONSES = replace(AZURE, forbidden_headers=frozenset()).but(
    optional_keys=RESPONSES_ADDED,
    extra_keys=RESPONSES_ADDED,
    nullable_keys={"effort", "content_filters"},
    optional_headers=RESPONSES_HEADERS,
)

# Error bodies that no recording holds, from the reports azure-wire cites (gateway family, §1.4, §3.2).
RESOURCE_NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}  # §1.4 (report)
VERSION_NOT_SUPPORTED = {
    "error": {"code": "BadRequest", "message": "API version not supported"}
}  # §1.2, §1.4
TOKEN_401 = {
    "statusCode": 401,
    "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired.",
}  # §2.1 (report)
# The model / service family: OpenAI key order message, type, param, code (azure-wire §3.1).
MODEL_ERROR_KEYS = ["message", "type", "param", "code"]


@dataclass(frozen=True)
class Answer:
    """What the target sent back: status, headers, and the body as text."""

    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return {k.lower(): v for k, v in self.headers.items()}.get(name.lower())


def rules_for(
    entry: dict[str, Any], deployment: str | None = None, recorded: str | None = None
) -> shapes.Rules:
    """``AZURE``, plus what this entry needs: the streaming content types, the deployment header, and
    model names in messages when the exchange went to another deployment than recorded."""
    rules = RESPONSES if "/responses" in entry["RequestUri"] else AZURE
    content_type = {k.lower(): v for k, v in entry["ResponseHeaders"].items()}.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        rules = rules.but(header_values={"content-type": SSE_TYPES})
    elif content_type.startswith("application/json"):
        rules = rules.but(header_values={"content-type": JSON_TYPES})
    if deployment is not None and deployment != recorded:
        rules = rules.but(header_values={"x-ms-deployment-name": frozenset({deployment})})
        message = (
            entry["ResponseBody"].get("error", {}).get("message")
            if isinstance(entry["ResponseBody"], dict)
            else None
        )
        if isinstance(message, str) and "specified model" in message:
            rules = rules.but(patterns={"error.message": model_message_pattern(message)})
    return rules


def model_message_pattern(message: str) -> str:
    """Recording 10's OperationNotSupported message with the model name left open."""
    head, _, tail = message.partition("specified model, ")
    _, _, rest = tail.partition(". ")
    return re.escape(head + "specified model, ") + r"[^ ]+\. " + re.escape(rest)


def differences(entry: dict[str, Any], answer: Answer, rules: shapes.Rules = AZURE) -> list[str]:
    """Status, headers and body of ``answer`` against the recorded ``entry``."""
    problems = []
    if answer.status != entry["StatusCode"]:
        problems.append(f"status: recorded {entry['StatusCode']}, target {answer.status}")
    problems += shapes.compare_headers(entry["ResponseHeaders"], answer.headers, rules)
    recorded = entry["ResponseBody"]
    if isinstance(recorded, str):  # no Content-Type (26): the recorder kept the bytes as base64
        same = answer.text.encode() == base64.b64decode(recorded)
        return problems + ([] if same else [f"body: not the recorded bytes: {answer.text[:80]!r}"])
    if isinstance(recorded, list):
        # 12 holds an excerpt marker; 16 and 18 store each ``event:`` line as an element of its own
        events = [e for e in shapes.joined_events(recorded) if e.startswith(("data: ", "event: "))]
        return problems + shapes.compare_streams(events, shapes.split_events(answer.text), rules)
    try:
        body = json.loads(answer.text)
    except ValueError:
        return [*problems, f"body: not JSON: {answer.text[:80]!r}"]
    return (
        problems + shapes.compare(recorded, body, rules=rules) + rendering_problems(entry, answer.text, body)
    )


def rendering(body: Any, text_or_length: str | int) -> str | None:
    """How a body is rendered: compact, pretty (2-space indent plus newline, embeddings 07), or
    indented (2-space indent, no newline, non-ASCII escaped: the batch bodies of recordings 28, 29)."""
    compact = shapes.compact(body)
    pretty = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    indented = json.dumps(body, indent=2)
    for name, candidate in (("compact", compact), ("pretty", pretty), ("indented", indented)):
        if isinstance(text_or_length, int) and len(candidate.encode()) == text_or_length:
            return name
        if candidate == text_or_length:
            return name
    return None


def rendering_problems(entry: dict[str, Any], text: str, body: Any) -> list[str]:
    """Compact vs pretty JSON where the recorded Content-Length tells (azure-wire §7, §14)."""
    length = {k.lower(): v for k, v in entry["ResponseHeaders"].items()}.get("content-length")
    expected = rendering(entry["ResponseBody"], int(length)) if length else None
    actual = rendering(body, text)
    if expected is not None and actual != expected:
        return [f"body: rendered {actual or 'neither compact nor pretty'}, the recording is {expected}"]
    return []


def framing(entry: dict[str, Any], headers: dict[str, str], raw: bytes) -> list[str]:
    """Streams are chunked without Content-Length; JSON carries one (azure-wire §6.1, §4.2)."""
    recorded = {k.lower(): v for k, v in entry["ResponseHeaders"].items()}
    got = {k.lower(): v for k, v in headers.items()}
    problems = []
    if recorded.get("transfer-encoding") == "chunked" and got.get("transfer-encoding") != "chunked":
        problems.append("framing: the recording is chunked, the target is not")
    if "content-length" in recorded and got.get("content-length") != str(len(raw)):
        problems.append(f"framing: Content-Length {got.get('content-length')} for {len(raw)} bytes")
    if "content-length" not in recorded and "content-length" in got:
        problems.append("framing: Content-Length on a stream")
    return problems


def error_envelope_problems(body: Any, expected: dict[str, Any]) -> list[str]:
    """An error body against an expected gateway body: every key, its order and value exactly."""
    return shapes.compare(
        expected,
        body,
        rules=replace(
            shapes.STRICT, label="target", exact_keys=shapes.EXACT_KEYS | {"message", "statusCode"}
        ),
    )


def model_error_problems(body: Any) -> list[str]:
    """The model / service envelope: ``{"error": {message, type, param, code, ...}}`` in that order."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return [f"body: no 'error' object: {str(body)[:80]}"]
    keys = [k for k in error if k in MODEL_ERROR_KEYS]
    problems = [f"error.{k}: missing" for k in MODEL_ERROR_KEYS if k not in error]
    if keys != [k for k in MODEL_ERROR_KEYS if k in error]:
        problems.append(f"error: key order {keys}, expected {MODEL_ERROR_KEYS}")
    if not isinstance(error.get("message"), str) or not error.get("message"):
        problems.append("error.message: not a non-empty string")
    return problems
