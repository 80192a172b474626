"""What the Azure-maintained SDKs are expected to do on each client-behaviour vector.

``azopenai-go`` is the legacy ``azopenai`` v0.7.2 on azcore's pipeline (sdk-behaviour §4.2);
``azure-ai-openai-java`` is ``com.azure:azure-ai-openai`` 1.0.0-beta.16 on azure-core (§4.3). Both retry
3 times (4 attempts), on their own status lists, honour their own retry-after headers in their own
order, ignore ``x-should-retry`` and send no ``x-stainless-*`` header. ``conformance.vectors`` adds these
rules to its vectors (``AZURE_RULES`` by vector id, ``AZURE_NOT_FOR`` where a vector does not apply).
Sources are named in each rule's note where the vector's own source line does not cover them;
"code-read" marks what was read in the SDK's source rather than in sdk-behaviour.md.
"""

from __future__ import annotations

from ..expect import Expect, Rule

GO = "azopenai-go"
JAVA = "azure-ai-openai-java"
AZCORE_RETRIED = (408, 429, 500, 502, 503, 504)  # azcore policy_retry.go setDefaults (§4.2)
AZURE_CORE_NOT_RETRIED_5XX = (501, 505)  # azure-core RetryStrategy.shouldRetry: >= 500 except these (§4.3)
JAVA_ERRORS = {
    401: "ClientAuthenticationException",
    404: "ResourceNotFoundException",
    409: "ResourceModifiedException",
}  # OpenAIClientImpl @UnexpectedResponseExceptionType (§4.3)
GO_ERROR = "ResponseError"  # *azcore.ResponseError (§4.2)
JAVA_OTHER = "HttpResponseException"
# api-version: azopenai forces its constant on every request (tempAPIVersionPolicy); azure-ai-openai sends
# OpenAIServiceVersion.getLatest(); both 2025-01-01-preview (§4.2, §8). beta.16's enum has no V2024_10_21.
SDK_VERSION = "2025-01-01-preview"
# azcore calcDelay (2^try - 1) x 0.8 s x rand[0.8, 1.3) for try 1: 0.64-1.04 s, plus latency (§4.2)
AZCORE_BACKOFF = (0.6, 1.5)
# azure-core ExponentialBackoff 2^0 x 0.8 s x rand[0.95, 1.05]: 0.76-0.84 s, plus latency (§4.3)
AZURE_CORE_BACKOFF = (0.7, 1.4)
INCOMPLETE = 'errors.New("incomplete stream")'
EVENT_READER = (
    'code-read: azopenai v0.7.2 event_reader.go returns errors.New("incomplete stream") when the '
    "body ends before data: [DONE]"
)


def go(expect: Expect, note: str = "", observed: Expect | None = None) -> Rule:
    return Rule(GO, expect, observed=observed, note=note)


def java(expect: Expect, note: str = "", observed: Expect | None = None) -> Rule:
    return Rule(JAVA, expect, observed=observed, note=note)


def java_error(status: int) -> str:
    return JAVA_ERRORS.get(status, JAVA_OTHER)


def status_rules(status: int) -> tuple[Rule, ...]:
    go_attempts = 4 if status in AZCORE_RETRIED else 1
    java_retried = status in (408, 429) or (status >= 500 and status not in AZURE_CORE_NOT_RETRIED_5XX)
    return (
        go(Expect(ok=False, attempts=go_attempts, status=status, error=GO_ERROR)),
        java(Expect(ok=False, attempts=4 if java_retried else 1, status=status, error=java_error(status))),
    )


def both(expect: Expect, note: str = "") -> tuple[Rule, ...]:
    return (go(expect, note), java(expect, note))


def gap(low: float, high: float) -> Expect:
    return Expect(ok=True, attempts=2, gap=(low, high))


def waits(seconds: int) -> Expect:
    return Expect(ok=True, attempts=2, gap=(seconds - 0.1, seconds + 2.0))


AZCORE_STOPS = (
    "azcore: a retry-after over MaxRetryDelay (60 s) stops retrying and returns the response "
    "(§4.2, §5 vector 2)"
)
AZURE_CORE_VERBATIM = "azure-core uses Retry-After as is, no cap (§4.3, §5 vector 2): waits it out (slow)"
STREAM_JAVA = (
    "code-read (sdk-behaviour §7: not verified there): beta.16's OpenAIServerSentEvents splits "
    "each line at its first colon and reads the value as JSON"
)

AZURE_RULES: dict[str, tuple[Rule, ...]] = {
    **{f"status-{s}": status_rules(s) for s in (408, 409, 429, 500, 501, 502, 503, 504, 505, 599)},
    **{f"status-{s}": status_rules(s) for s in (400, 401, 403, 404, 422)},
    "retry-count-header": both(
        Expect(ok=True, attempts=3, retry_counts=(None, None, None)),
        "no x-stainless-retry-count (§2 retry-count header sent: none)",
    ),
    "retry-after-ms": both(gap(0.19, 0.9)),
    "retry-after-seconds": both(gap(0.99, 1.8)),
    "retry-after-fractional": (
        go(
            Expect(ok=True, attempts=2, gap=AZCORE_BACKOFF),
            "azcore RetryAfter: strconv.Atoi('0.3') fails, RFC1123 fails: backoff (§4.2, §5 vector 5)",
        ),
        java(
            Expect(ok=True, attempts=2, gap=AZURE_CORE_BACKOFF),
            "azure-core parses a long, then a date: both fail, backoff (§5 vector 5, VERIFY)",
        ),
    ),
    "retry-after-zero": (
        go(Expect(ok=True, attempts=2, gap=AZCORE_BACKOFF), "0 is not > 0: backoff (§5 vector 1)"),
        java(Expect(ok=True, attempts=2, gap=(0.0, 0.3)), "used as is: immediate retry (§5 vector 1)"),
    ),
    "retry-after-over-python-cap": (
        go(Expect(ok=False, attempts=1, status=429, error=GO_ERROR), AZCORE_STOPS),
        java(waits(121), AZURE_CORE_VERBATIM),
    ),
    "retry-after-over-node-cap": (
        go(Expect(ok=False, attempts=1, status=429, error=GO_ERROR), AZCORE_STOPS),
        java(waits(90), AZURE_CORE_VERBATIM),
    ),
    "retry-after-http-date": both(gap(0.9, 3.3), "RFC1123 Retry-After honoured (§5 vector 6)"),
    "x-ms-retry-after-ms": both(gap(1.49, 2.3), "both Azure cores read x-ms-retry-after-ms (§5 vector 4)"),
    "retry-after-ms-and-x-ms": (
        go(gap(0.09, 0.8), "azcore prefers retry-after-ms (§4.2, §5 vector 4)"),
        java(gap(1.49, 2.3), "azure-core prefers x-ms-retry-after-ms (§4.3, §5 vector 4)"),
    ),
    "x-should-retry-true": (
        go(
            Expect(ok=False, attempts=1, status=400, error=GO_ERROR),
            "x-should-retry is ignored (§5 vector 7)",
        ),
        java(
            Expect(ok=False, attempts=1, status=400, error=JAVA_OTHER),
            "x-should-retry is ignored (§5 vector 7)",
        ),
    ),
    "x-should-retry-false": (
        go(
            Expect(ok=False, attempts=4, status=503, error=GO_ERROR),
            "x-should-retry is ignored (§5 vector 7)",
        ),
        java(
            Expect(ok=False, attempts=4, status=503, error=JAVA_OTHER),
            "x-should-retry is ignored (§5 vector 7)",
        ),
    ),
    "per-attempt-timeout": (
        go(
            Expect(ok=True, attempts=2),
            "RetryOptions.TryTimeout is per try; a timed-out try is retried while the "
            "parent context lives (§2, §4.2)",
        ),
        java(Expect(ok=True, attempts=2), "a response timeout is an exception: shouldRetryException (§4.3)"),
    ),
    "connection-reset": (
        go(Expect(ok=True, attempts=2), "transport errors are retried (§4.2)"),
        java(Expect(ok=True, attempts=2), "shouldRetryException: any Exception (§4.3)"),
    ),
    "stream-error-event": (
        go(
            Expect(ok=False, attempts=1, error=INCOMPLETE),
            'code-read: azopenai\'s event reader unmarshals data: {"error": ...} as an empty chunk, then the '
            'stream ends without [DONE]: errors.New("incomplete stream")',
        ),
        java(
            Expect(ok=True, attempts=1),
            STREAM_JAVA + ": data with an error key is a chunk without choices, "
            "and the end of the body ends the stream",
        ),
    ),
    "stream-event-error": (
        go(
            Expect(ok=False, attempts=1, error='errors.New("unexpected event type: event")'),
            "code-read: azopenai v0.7.2 event_reader.go fails on any field but data",
        ),
        java(
            Expect(ok=False, attempts=1, error="IllegalStateException"),
            STREAM_JAVA + ": 'event: error' has the value error, not JSON: IllegalStateException "
            "'Invalid Json format'",
        ),
    ),
    "stream-without-done": (
        go(Expect(ok=False, attempts=1, error=INCOMPLETE), EVENT_READER),
        java(Expect(ok=True, attempts=1), STREAM_JAVA + ": the end of the body ends the stream"),
    ),
    "auth-header": both(
        Expect(ok=True, attempts=1, auth="api-key", api_version=SDK_VERSION),
        "api-key (KeyCredentialPolicy); the SDK's own api-version (§4.2, §4.3, §8)",
    ),
    "entra-token": both(
        Expect(
            ok=True, attempts=1, auth="authorization", api_version=SDK_VERSION, headers=(("api-key", None),)
        ),
        "BearerTokenPolicy, scope https://cognitiveservices.azure.com/.default (§4.2, §4.3)",
    ),
    "client-headers": (
        go(
            Expect(
                ok=True,
                attempts=1,
                headers=(
                    ("user-agent", r"azsdk-go-azopenai\.Client/v\S+ \(go\S+; \w+\)"),
                    ("x-stainless-retry-count", None),
                    ("x-stainless-timeout", None),
                    ("idempotency-key", None),
                ),
            ),
            "azcore telemetry User-Agent azsdk-go-<client>/<version> (§4.2 pipeline; §7 caveats)",
        ),
        java(
            Expect(
                ok=True,
                attempts=1,
                headers=(
                    ("user-agent", r"azsdk-java-azure-ai-openai/\S+ \(.+\)"),
                    (
                        "x-ms-client-request-id",
                        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    ),
                    ("x-stainless-retry-count", None),
                    ("x-stainless-timeout", None),
                    ("idempotency-key", None),
                ),
            ),
            "UserAgentPolicy and RequestIdPolicy (§4.3 pipeline)",
        ),
    ),
    "v1-endpoint": (
        go(
            Expect(
                ok=False,
                attempts=1,
                status=400,
                error=GO_ERROR,
                auth="authorization",
                api_version=SDK_VERSION,
                path="/openai/v1/chat/completions",
            ),
            "NewClientForOpenAI still sends api-version=2025-01-01-preview, which the v1 surface refuses: "
            "an SDK bug (§8)",
        ),
    ),
}
AZURE_NOT_FOR: dict[str, dict[str, str]] = {
    "environment": {
        GO: "azopenai reads no environment variables (its samples read their own, sdk-behaviour §4.2)",
        JAVA: "OpenAIClientBuilder reads no AZURE_OPENAI_* variables (sdk-behaviour §4.3)",
    },
    "v1-endpoint": {
        JAVA: "azure-ai-openai's non-Azure client is bound to https://api.openai.com/v1 "
        "(NonAzureOpenAIClientImpl); it cannot be pointed at /openai/v1/"
    },
}
