"""The Responses vectors (issue 15): a 429 retried on create, a stream cut short, a stream that ends in
``response.failed`` or an ``error`` event, and the stale read (Azure's store lagging behind a create)."""

from __future__ import annotations

from typing import Any

from ..expect import Expect, Rule, Vector
from .sdks import FAST, GO_ERROR, go, java, stainless

CREATE = {"operation": "responses.create"}
NOT_YET = {
    "http": "raw HTTP speaks chat completions only; the Responses vectors are the SDKs'",
    "azopenai-go": "the Go azopenai package has no Responses client of its own: it delegates to openai-go "
    "(recording 30), whose driver runs these vectors",
    "azure-ai-openai-java": "azure-ai-openai (Java) has no Responses client",
}


# openai-java on the classic surface (AzureUrlPathMode.LEGACY, what AUTO picks for an Azure host) puts every
# request whose params have model() under /deployments/{model}/ (sdk-behaviour §16), /responses too, where
# Azure serves no Responses API (it is /openai/responses, recordings 15-26): the route's 404, not retried
JAVA_LEGACY = java(
    Expect(ok=False, attempts=1, error="NotFoundException", status=404),
    note="LEGACY path mode sends POST /openai/deployments/{model}/responses (observed with 4.101.0; §16): "
    "404 Resource not found",
)


def responses_vector(
    id: str, behaviour: str, source: str, operation: str, faults: tuple[dict[str, Any], ...], *rules: Rule
) -> Vector:
    return Vector(
        id=id,
        behaviour=behaviour,
        source=source,
        operation=operation,
        faults=faults,
        not_for=NOT_YET,
        rules=(*rules, JAVA_LEGACY),
    )


RESPONSES: tuple[Vector, ...] = (
    responses_vector(
        "responses-retry-429",
        "responses.create: 429 once, then 200",
        "sdk-behaviour §2 (429 retried by the Stainless core, whatever the operation)",
        "responses",
        ({"match": CREATE, "fault": {"status": 429, "headers": FAST}, "times": 1},),
        *stainless(Expect(ok=True, attempts=2, retry_counts=("0", "1"))),
        go(Expect(ok=True, attempts=2, retry_counts=("0", "1"))),
    ),
    responses_vector(
        "responses-stream-cut",
        "responses stream ends cleanly after 4 events, without response.completed",
        "issue 15 (stream_cut in Responses framing); sdk-behaviour §3.1 (a stream that just ends, ends)",
        "responses_stream",
        ({"match": CREATE, "fault": {"kind": "stream_cut", "after_chunks": 4, "mode": "clean"}},),
        *stainless(Expect(ok=True, attempts=1, result=(("events", 4), ("completed", False)))),
        go(Expect(ok=True, attempts=1, result=(("events", 4), ("completed", False)))),
    ),
    responses_vector(
        "responses-stream-failed",
        "responses stream ends with response.failed (error.code server_error) after 4 events",
        "issue 15; sdk-behaviour §3.1 (no top-level error key: yielded, not raised)",
        "responses_stream",
        ({"match": CREATE, "fault": {"kind": "error_event", "after_chunks": 4}},),
        *stainless(Expect(ok=True, attempts=1, result=(("last", "response.failed"), ("completed", False)))),
        go(
            Expect(ok=True, attempts=1, result=(("last", "response.failed"),)),
            note="ssestream ends only on a top-level error key; response.failed's error is inside response",
        ),
    ),
    responses_vector(
        "responses-stream-error-event",
        "responses stream ends with an `event: error` (type error, code, message) after 4 events",
        "sdk-behaviour §3.1, §3.2 Streaming (openai-node raises on `event: error`, openai-python yields it)",
        "responses_stream",
        ({"match": CREATE, "fault": {"kind": "error_event", "after_chunks": 4, "sse_event": True}},),
        Rule("openai-python", Expect(ok=True, attempts=1, result=(("last", "error"),))),
        Rule("openai-node", Expect(ok=False, attempts=1, error="APIError")),
        go(Expect(ok=True, attempts=1, result=(("last", "error"),)), note="no top-level error key (§3.3)"),
    ),
    responses_vector(
        "responses-stale-read",
        "responses.create, then retrieve at once: 404 while Azure's store lags (stale_read, 1 read)",
        "reports dotnet/extensions#7704 (GET 404 for up to 32 s after completed), "
        "microsoft/agent-framework#6419",
        "responses_retrieve",
        ({"match": CREATE, "fault": {"kind": "stale_read", "reads": 1}},),
        *stainless(Expect(ok=False, attempts=2, error="NotFoundError", status=404)),
        go(Expect(ok=False, attempts=2, error=GO_ERROR, status=404)),
    ),
)
