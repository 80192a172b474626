"""The client-behaviour vectors and what each SDK is expected to do, keyed by SDK and version range.

Every vector is a scripted server behaviour (fault rules for the mock, scoped to one test's
``x-mock-session``) plus a client call. Expectations come from ``sdk-behaviour.md`` (the section
is named in ``source``), written per SDK (``openai-python``, ``openai-node``; ``http`` is the raw
driver, which shows what the wire carried) and per version range (PEP 440 specifiers).

Where an SDK's source (what sdk-behaviour.md read) and its observed behaviour differ, the rule
keeps both: ``expect`` is the source, ``observed`` what the installed version does, and ``note``
says why. The test accepts the observed behaviour and the matrix shows the difference; a result
that matches neither fails. Nothing is hidden by loosening an expectation.

Retry-after values are small so the run stays fast; the cap vectors use values whose expected
handling does not wait (121 s makes Python give up at once). Vectors that would really wait long
for some SDK (90 s) are ``slow`` for that SDK only.
"""

from __future__ import annotations

from typing import Any

from .expect import SLOW_GAP, Expect, Observed, Rule, Vector, check

__all__ = ["SLOW_GAP", "VECTORS", "Expect", "Observed", "Rule", "Vector", "check"]

RETRIED = (408, 409, 429, 500, 501, 502, 503, 504, 505, 599)  # Stainless: 408, 409, 429, >=500
NOT_RETRIED = (400, 401, 403, 404, 422)
# Error classes per status (sdk-behaviour §2): openai-python _make_status_error; openai-node error.ts
ERROR_CLASSES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}
NODE_OTHER = "APIError"  # openai-node APIError.generate for a status without its own class
PYTHON_OTHER = "APIStatusError"
GO_ERROR = "Error"  # openai-go: one type, *openai.Error with .StatusCode (sdk-behaviour §3.3)
# openai-java ErrorHandler (sdk-behaviour §2, §3.4): no ConflictException, so 409 (and 408) fall to "other"
JAVA_ERRORS = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "PermissionDeniedException",
    404: "NotFoundException",
    422: "UnprocessableEntityException",
    429: "RateLimitException",
}


def status_error(status: int, other: str) -> str:
    return ERROR_CLASSES.get(status, "InternalServerError" if status >= 500 else other)


def stainless(expect: Expect) -> tuple[Rule, ...]:
    """The same expectation for openai-python and openai-node (one generated core, sdk-behaviour §2)."""
    return (Rule("openai-python", expect), Rule("openai-node", expect))


def go(expect: Expect, note: str = "") -> Rule:
    """openai-go (sdk-behaviour §3.3): the same Stainless core, its own error types."""
    return Rule("openai-go", expect, note=note)


def java(expect: Expect, note: str = "", observed: Expect | None = None) -> Rule:
    """openai-java (sdk-behaviour §3.4): the same Stainless core, its own exception classes."""
    return Rule("openai-java", expect, observed=observed, note=note)


def java_error(status: int) -> str:
    if status in JAVA_ERRORS:
        return JAVA_ERRORS[status]
    return "InternalServerException" if 500 <= status <= 599 else "UnexpectedStatusCodeException"


def retry_429(headers: dict[str, str | None]) -> tuple[dict[str, Any], ...]:
    """A 429 with exactly ``headers`` as retry headers (the mock's ``retry-after`` removed), then a pass."""
    merged: dict[str, str | None] = {"retry-after": None, "retry-after-ms": None, "x-ms-retry-after-ms": None}
    merged.update(headers)
    return ({"sequence": [{"status": 429, "headers": merged}, "pass"]},)


NODE_TIMEOUT_HEADER = (
    "sdk-behaviour §3.2 reads 'X-Stainless-Timeout = trunc(timeout/1000)'; buildHeaders takes the "
    "per-request options.timeout, so with the client's default (600 000 ms) or a client-level timeout no "
    "header is sent; "
    "only a per-request timeout sends it (observed with 7.5.0, the version read, and 7.57.0)"
)
FAST = {"retry-after-ms": "10"}  # keeps retried statuses quick; the retry decision does not depend on it


def status_vector(status: int) -> Vector:
    retried = status in RETRIED
    attempts = 3 if retried else 1
    return Vector(
        id=f"status-{status}",
        behaviour=f"{status} every time (retry-after-ms: 10)",
        source="sdk-behaviour §2 retried statuses, error types; §5 vectors 8-10",
        faults=({"fault": {"status": status, "headers": FAST}},),
        rules=(
            Rule("http", Expect(ok=False, attempts=1, status=status, error=f"HTTP {status}")),
            Rule(
                "openai-python",
                Expect(ok=False, attempts=attempts, status=status, error=status_error(status, PYTHON_OTHER)),
            ),
            Rule(
                "openai-node",
                Expect(ok=False, attempts=attempts, status=status, error=status_error(status, NODE_OTHER)),
            ),
            go(Expect(ok=False, attempts=attempts, status=status, error=GO_ERROR)),
            java(Expect(ok=False, attempts=attempts, status=status, error=java_error(status))),
        ),
    )


def http_date(seconds: int) -> tuple[dict[str, Any], ...]:
    """A 429 whose retry-after is an HTTP-date ``seconds`` after the mock answers (dated then, not
    when the vector is set up: a driver's start-up time would eat into the wait)."""
    merged: dict[str, str | None] = {"retry-after-ms": None, "x-ms-retry-after-ms": None}
    rule = {"status": 429, "headers": merged, "retry_after": seconds, "retry_after_format": "http-date"}
    return ({"sequence": [rule, "pass"]},)


ENTRA = Expect(
    ok=True, attempts=1, auth="authorization", api_version="2024-10-21", headers=(("api-key", None),)
)
V1 = Expect(ok=True, attempts=1, auth="authorization", api_version="", path="/openai/v1/chat/completions")
GO_CLAMP = (
    "sdk-behaviour §3.3: v3.52.0 obeys any Retry-After; commit 6d39b8b (released in 3.53.0) clamps values "
    "over 8 s to 8 s and still retries. Observed with 3.98.0 (and in its CHANGELOG, 3.67.0 'honor "
    "Retry-After delays in line with the Python SDK', #987): up to 120 s is obeyed, over 120 s is not retried"
)


def go_over_cap(seconds: int) -> tuple[Rule, ...]:
    """openai-go on a Retry-After of ``seconds`` (over 60 s): per sdk-behaviour §3.3 and §5 vector 2."""
    honoured = seconds <= 120
    observed = (
        Expect(ok=True, attempts=2, gap=(seconds - 0.1, seconds + 2.0))
        if honoured
        else Expect(ok=False, attempts=1, status=429, error=GO_ERROR)
    )
    clamp = Expect(ok=True, attempts=2, gap=(7.9, 9.5))
    return (
        Rule("openai-go", clamp, versions=">=3.67", observed=observed, note=GO_CLAMP),
        Rule("openai-go", clamp, versions=">=3.53,<3.67", note="clamped to 8 s (§3.3, commit 6d39b8b)"),
        Rule(
            "openai-go",
            Expect(ok=True, attempts=2, gap=(seconds - 0.1, seconds + 2.0)),
            versions="<3.53",
            note="v3.52.0: used verbatim, no cap (§3.3)",
        ),
    )


JAVA_CLAMP = (
    "sdk-behaviour §3.4 (4.52.0 read): Retry-After used verbatim, no cap (§5 vector 2: waits it out). "
    "Observed with 4.101.0: RetryingHttpClient coerces the delay into [0, MAX_RETRY_DELAY = 8 s] and "
    "retries after 8 s"
)


def java_over_cap(seconds: int) -> Rule:
    """openai-java on a Retry-After of ``seconds`` (over 60 s): per sdk-behaviour §3.4 and §5 vector 2."""
    waits = Expect(ok=True, attempts=2, gap=(seconds - 0.1, seconds + 2.0))
    return java(waits, observed=Expect(ok=True, attempts=2, gap=(7.9, 9.6)), note=JAVA_CLAMP)


WIRE_429 = Rule("http", Expect(ok=False, attempts=1, status=429, error="HTTP 429"))
BACKOFF = (
    0.3,
    1.3,
)  # first retry without a usable header: 0.5 s x (1 - 0.25 rand) = 0.375-0.5 s, plus latency

VECTORS: tuple[Vector, ...] = (
    *(status_vector(s) for s in RETRIED + NOT_RETRIED),
    Vector(
        id="retry-count-header",
        behaviour="429, 429, then 200: attempts and x-stainless-retry-count",
        source="sdk-behaviour §5 vectors 10-11",
        faults=({"sequence": [{"status": 429, "headers": FAST}, {"status": 429, "headers": FAST}, "pass"]},),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=3, retry_counts=("0", "1", "2"))),
            go(Expect(ok=True, attempts=3, retry_counts=("0", "1", "2"))),
            java(Expect(ok=True, attempts=3, retry_counts=("0", "1", "2"))),
        ),
    ),
    Vector(
        id="retry-after-ms",
        behaviour="429 with retry-after-ms: 200, then 200",
        source="sdk-behaviour §3.1 _parse_retry_after_header, §3.2 retryRequest",
        faults=retry_429({"retry-after-ms": "200"}),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=2, gap=(0.19, 0.9))),
            go(Expect(ok=True, attempts=2, gap=(0.19, 0.9))),
            java(Expect(ok=True, attempts=2, gap=(0.19, 0.9))),
        ),
    ),
    Vector(
        id="retry-after-seconds",
        behaviour="429 with Retry-After: 1, then 200",
        source="sdk-behaviour §3.1, §3.2 (retry-after as seconds)",
        faults=retry_429({"retry-after": "1"}),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=2, gap=(0.99, 1.8))),
            go(Expect(ok=True, attempts=2, gap=(0.99, 1.8))),
            java(Expect(ok=True, attempts=2, gap=(0.99, 1.8))),
        ),
    ),
    Vector(
        id="retry-after-fractional",
        behaviour="429 with Retry-After: 0.3, then 200",
        source="sdk-behaviour §5 vector 5 (Stainless SDKs parse a float)",
        faults=retry_429({"retry-after": "0.3"}),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=2, gap=(0.29, 0.9))),
            go(Expect(ok=True, attempts=2, gap=(0.29, 0.9))),
            java(Expect(ok=True, attempts=2, gap=(0.29, 0.9))),
        ),
    ),
    Vector(
        id="retry-after-zero",
        behaviour="429 with Retry-After: 0, then 200",
        source="sdk-behaviour §5 vector 1",
        faults=retry_429({"retry-after": "0"}),
        rules=(
            WIRE_429,
            Rule(
                "openai-python", Expect(ok=True, attempts=2, gap=BACKOFF), note="0 is not > 0: backoff (§3.1)"
            ),
            Rule(
                "openai-node",
                Expect(ok=True, attempts=2, gap=(0.0, 0.3)),
                note="0 <= v <= 60 s: immediate retry (§3.2)",
            ),
            go(Expect(ok=True, attempts=2, gap=(0.0, 0.3)), note="0: immediate retry (§5 vector 1)"),
            java(Expect(ok=True, attempts=2, gap=(0.0, 0.3)), note="used verbatim: immediate retry (§3.4)"),
        ),
    ),
    Vector(
        id="retry-after-over-python-cap",
        behaviour="429 with Retry-After: 121 (over Python's 120 s cap), then 200",
        source="sdk-behaviour §5 vector 3, §3.1 history of the cap",
        faults=retry_429({"retry-after": "121"}),
        rules=(
            WIRE_429,
            Rule(
                "openai-python",
                Expect(ok=False, attempts=1, error="RateLimitError"),
                versions=">=2.52",
                note=">120 s: no retry (v2.52.0+)",
            ),
            Rule(
                "openai-python",
                Expect(ok=True, attempts=2, gap=BACKOFF),
                versions="<2.52",
                note=">60 s ignored: backoff",
            ),
            Rule(
                "openai-node", Expect(ok=True, attempts=2, gap=BACKOFF), note=">60 s ignored: backoff (§3.2)"
            ),
            *go_over_cap(121),
            java_over_cap(121),
        ),
    ),
    Vector(
        id="retry-after-over-node-cap",
        behaviour="429 with Retry-After: 90 (over Node's 60 s cap), then 200",
        source="sdk-behaviour §5 vector 2",
        faults=retry_429({"retry-after": "90"}),
        rules=(
            WIRE_429,
            Rule(
                "openai-python",
                Expect(ok=True, attempts=2, gap=(89.9, 92.0)),
                versions=">=2.52",
                note="waits 90 s (slow)",
            ),
            Rule(
                "openai-python",
                Expect(ok=True, attempts=2, gap=BACKOFF),
                versions="<2.52",
                note=">60 s ignored: backoff",
            ),
            Rule(
                "openai-node", Expect(ok=True, attempts=2, gap=BACKOFF), note=">60 s ignored: backoff (§3.2)"
            ),
            *go_over_cap(90),
            java_over_cap(90),
        ),
    ),
    Vector(
        id="retry-after-http-date",
        behaviour="429 with Retry-After: <HTTP-date 2 s ahead>, then 200",
        source="sdk-behaviour §5 vector 6",
        faults=http_date(2),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=2, gap=(0.9, 3.3))),
            go(Expect(ok=True, attempts=2, gap=(0.9, 3.3))),
            java(Expect(ok=True, attempts=2, gap=(0.9, 3.3))),
        ),
    ),
    Vector(
        id="x-ms-retry-after-ms",
        behaviour="429 with only x-ms-retry-after-ms: 1500, then 200",
        source="sdk-behaviour §5 vector 4 (Stainless SDKs ignore x-ms-retry-after-ms)",
        faults=retry_429({"x-ms-retry-after-ms": "1500"}),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=2, gap=BACKOFF)),
            go(Expect(ok=True, attempts=2, gap=BACKOFF)),
            java(Expect(ok=True, attempts=2, gap=BACKOFF), note="x-ms-retry-after-ms unused: backoff (§3.4)"),
        ),
    ),
    Vector(
        id="retry-after-ms-and-x-ms",
        behaviour="429 with retry-after-ms: 100 and x-ms-retry-after-ms: 1500",
        source="sdk-behaviour §5 vector 4",
        faults=retry_429({"retry-after-ms": "100", "x-ms-retry-after-ms": "1500"}),
        rules=(
            WIRE_429,
            *stainless(Expect(ok=True, attempts=2, gap=(0.09, 0.8))),
            go(Expect(ok=True, attempts=2, gap=(0.09, 0.8))),
            java(Expect(ok=True, attempts=2, gap=(0.09, 0.8))),
        ),
    ),
    Vector(
        id="x-should-retry-true",
        behaviour="400 with x-should-retry: true, then 200",
        source="sdk-behaviour §5 vector 7",
        faults=({"sequence": [{"status": 400, "headers": {"x-should-retry": "true", **FAST}}, "pass"]},),
        rules=(
            Rule("http", Expect(ok=False, attempts=1, status=400, error="HTTP 400")),
            *stainless(Expect(ok=True, attempts=2)),
            go(Expect(ok=True, attempts=2)),
            java(Expect(ok=True, attempts=2)),
        ),
    ),
    Vector(
        id="x-should-retry-false",
        behaviour="503 with x-should-retry: false",
        source="sdk-behaviour §5 vector 7",
        faults=({"fault": {"status": 503, "headers": {"x-should-retry": "false", **FAST}}},),
        rules=(
            Rule("http", Expect(ok=False, attempts=1, status=503, error="HTTP 503")),
            *stainless(Expect(ok=False, attempts=1, status=503, error="InternalServerError")),
            go(Expect(ok=False, attempts=1, status=503, error=GO_ERROR)),
            java(Expect(ok=False, attempts=1, status=503, error="InternalServerException")),
        ),
    ),
    Vector(
        id="per-attempt-timeout",
        behaviour="first attempt stalls past the client timeout (0.5 s), then 200",
        source="sdk-behaviour §2 retried on timeout; §5 vector 12",
        faults=({"fault": {"kind": "stall", "seconds": 3}, "times": 1},),
        settings={"timeout": 0.5},
        server_only=True,
        rules=(
            Rule("http", Expect(ok=False, attempts=1, error=("ReadTimeout", "TimeoutException"))),
            *stainless(Expect(ok=True, attempts=2, retry_counts=("0", "1"))),
            go(
                Expect(ok=False, attempts=1, error="context.DeadlineExceeded"),
                note="WithRequestTimeout is per attempt; Execute returns ctx.Err() without retrying "
                "(§3.3, §5 vector 12)",
            ),
            java(
                Expect(ok=True, attempts=2, retry_counts=("0", "1")),
                note="OkHttp timeouts are IOExceptions: retried (§2, §5 vector 12)",
            ),
        ),
    ),
    Vector(
        id="connection-reset",
        behaviour="connection reset before any byte, then 200",
        source="sdk-behaviour §2 retried on connection error",
        faults=({"fault": {"kind": "reset"}, "times": 1},),
        server_only=True,
        rules=(
            Rule(
                "http",
                Expect(ok=False, attempts=1, error=("RemoteProtocolError", "ReadError", "ConnectError")),
            ),
            *stainless(Expect(ok=True, attempts=2)),
            go(Expect(ok=True, attempts=2), note="res == nil: retried (§3.3 shouldRetry)"),
            java(Expect(ok=True, attempts=2), note="IOException: retried (§3.4 shouldRetry(throwable))"),
        ),
    ),
    Vector(
        id="stream-error-event",
        behaviour='stream: data: {"error": ...} after 3 events',
        source="sdk-behaviour §5 vector 13, §3.1 Streaming, §3.2 Streaming",
        operation="chat_stream",
        faults=({"fault": {"kind": "error_event", "after_chunks": 3}},),
        rules=(
            Rule("http", Expect(ok=False, attempts=1, error="stream error event", done=False)),
            *stainless(Expect(ok=False, attempts=1, error="APIError")),
            go(
                Expect(ok=False, attempts=1, error="StreamError"),
                note="Stream.Err() is *ssestream.StreamError (§3.3)",
            ),
            java(Expect(ok=False, attempts=1, error="SseException"), note="SseHandler: error field (§3.4)"),
        ),
    ),
    Vector(
        id="stream-event-error",
        behaviour="stream: an `event: error` line whose data has no error key, after 3 events",
        source="sdk-behaviour §5 vector 13 (the Node-only trigger), §3.1 Streaming, §3.2 Streaming",
        operation="chat_stream",
        faults=({"fault": {"kind": "error_event", "after_chunks": 3, "sse_event": True,
                           "error": {"message": "overloaded"}}},),
        rules=(
            Rule("http", Expect(ok=True, attempts=1, done=False)),
            Rule("openai-python", Expect(ok=True, attempts=1)),
            Rule("openai-node", Expect(ok=False, attempts=1, error="APIError")),
            go(Expect(ok=True, attempts=1), note="only data with an error key ends the stream (§3.3)"),
            java(
                Expect(ok=True, attempts=1),
                observed=Expect(ok=False, attempts=1, error="OpenAIInvalidDataException"),
                note="sdk-behaviour §3.4: SseHandler raises only for a payload with an error field, so "
                "the event passes as a chunk. Observed with 4.101.0: it does pass, but the chunk has no "
                "choices, and chunk.choices() (what a typed consumer reads) throws "
                "OpenAIInvalidDataException ('`choices` is not set')",
            ),
        ),
    ),
    Vector(
        id="stream-without-done",
        behaviour="stream ends cleanly without data: [DONE]",
        source="sdk-behaviour §5 vector 13 (missing [DONE] then EOF ends cleanly)",
        operation="chat_stream",
        faults=({"fault": {"kind": "stream_cut", "after_chunks": 4, "mode": "clean"}},),
        rules=(
            Rule("http", Expect(ok=True, attempts=1, done=False)),
            *stainless(Expect(ok=True, attempts=1)),
            go(Expect(ok=True, attempts=1)),
            java(Expect(ok=True, attempts=1)),
        ),
    ),
    Vector(
        id="auth-header",
        behaviour="key auth: the header the client sends (raw: Go's 'Api-Key' spelling)",
        source="sdk-behaviour §5 vector 14, §2 key auth header",
        rules=(
            Rule("http", Expect(ok=True, attempts=1, auth="api-key")),
            *stainless(Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21")),
            go(
                Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21"),
                note="azure.WithAPIKey sends 'Api-Key' (§2 key auth header)",
            ),
            java(
                Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21"),
                note="AzureApiKeyCredential sends api-key (§3.4)",
            ),
        ),
    ),
    Vector(
        id="entra-token",
        behaviour="Entra ID token (azure_ad_token / azureADTokenProvider) on the classic surface",
        source="sdk-behaviour §2 Entra auth",
        auth="token",
        not_for={"http": "raw HTTP sends what it is told; the SDK rows show what each client sends"},
        rules=(
            *stainless(ENTRA),
            go(ENTRA, note="azure.WithTokenCredential: azcore BearerTokenPolicy (§3.3)"),
            java(ENTRA, note="BearerTokenCredential: Authorization: Bearer (§3.4)"),
        ),
    ),
    Vector(
        id="client-headers",
        behaviour="headers a default client adds: timeout, User-Agent, no idempotency key",
        source="sdk-behaviour §2 timeout header sent; §3.1 Headers; §3.2 Headers",
        not_for={"http": "raw HTTP adds nothing"},
        rules=(
            Rule(
                "openai-python",
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-read-timeout", r"600(\.0)?"),
                        ("x-stainless-timeout", None),
                        ("user-agent", r"(Async)?AzureOpenAI/Python \S+"),
                        ("idempotency-key", None),
                    ),
                ),
            ),
            Rule(
                "openai-node",
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", "600"),
                        ("x-stainless-read-timeout", None),
                        ("user-agent", r"AzureOpenAI/JS \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                observed=Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", None),
                        ("x-stainless-read-timeout", None),
                        ("user-agent", r"AzureOpenAI/JS \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                note=NODE_TIMEOUT_HEADER,
            ),
            go(
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", None),
                        ("x-stainless-read-timeout", None),
                        ("user-agent", r"OpenAI/Go \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                note="X-Stainless-Timeout only with a RequestTimeout (§2, §3.3)",
            ),
            java(
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", "600"),
                        ("x-stainless-read-timeout", "600"),
                        ("user-agent", r"\S+/Java \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                note="the OkHttp adapter adds both timeout headers in seconds; default 10 min (§3.4)",
            ),
        ),
    ),
    Vector(
        id="environment",
        behaviour="client built from AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION",
        source="sdk-behaviour §5 vector 15",
        auth="env",
        not_for={
            "http": "raw HTTP has no environment configuration",
            "openai-go": "openai-go's azure package reads no environment variables (§3.3, §5 vector 15)",
            "openai-java": "openai-java's fromEnv() reads AZURE_OPENAI_KEY and OPENAI_BASE_URL, not these "
            "(§3.4, §5 vector 15)",
        },
        rules=stainless(Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21")),
    ),
    Vector(
        id="v1-endpoint",
        behaviour="plain OpenAI client on {endpoint}/openai/v1/",
        source="sdk-behaviour §5 vector 17",
        surface="v1",
        rules=(
            Rule(
                "http",
                Expect(
                    ok=True,
                    attempts=1,
                    auth="authorization",
                    api_version="",
                    path="/openai/v1/chat/completions",
                ),
            ),
            *stainless(V1),
            go(V1),
            java(V1),
        ),
    ),
)
# The batch flow: two lines answer, one meets a scripted 429, one a prompt content filter (400)
BATCH_FAULTS = (
    {"match": {"batch": True, "custom_id": "throttled"}, "fault": {"status": 429, "retry_after": 1}},
    {"match": {"batch": True, "custom_id": "filtered"},
     "fault": {"status": 400, "content_filter": {"category": "violence", "severity": "medium"}}},
)
BATCH_DONE = Expect(ok=True, result=(("status", "completed"), ("output", ["ok-1", "ok-2"]),
                                      ("errors", [["filtered", 400], ["throttled", 429]]), ("listed", True),
                                      ("cancel", ["cancelling", "cancelled"]), ("deleted", True)))
BATCH_ONLY = {
    "http": "raw HTTP makes one request; the flow is the SDKs' (files, batches, polling, download)",
    "openai-go": "the batch flow vector covers the Python and Node SDKs (issue 16)",
    "openai-java": "the batch flow vector covers the Python and Node SDKs (issue 16)",
}


def batch_vector(surface: str) -> Vector:
    where = "the v1 surface (plain OpenAI client)" if surface == "v1" else "the classic surface"
    return Vector(
        id="batch-flow" if surface == "classic" else "batch-flow-v1",
        behaviour=f"files.create, batches.create, poll to completed, files.content and parse, batches.list, "
        f"batches.cancel of a second batch, files.delete, on {where}; lines meet a 429 and a content filter",
        source="issue 16; recordings 28 (lifecycle, output lines) and 04 (the filter's 400)",
        operation="batch",
        surface=surface,
        faults=BATCH_FAULTS,
        not_for=BATCH_ONLY,
        rules=stainless(BATCH_DONE),
    )


VECTORS = (*VECTORS, batch_vector("classic"), batch_vector("v1"))
BY_ID = {vector.id: vector for vector in VECTORS}
