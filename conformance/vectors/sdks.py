"""What each SDK is known to do, as building blocks for the vectors: error classes per status,
retry caps, backoff windows and the rule helpers (``stainless``, ``go``, ``java``)."""

from __future__ import annotations

from typing import Any

from ..expect import Expect, Rule, Vector

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
# first retry without a usable header: 0.5 s x (1 - 0.25 rand) = 0.375-0.5 s, plus latency
BACKOFF = (0.3, 1.3)
