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

import email.utils
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

SLOW_GAP = 5.0  # a vector whose expected wait exceeds this many seconds is slow for that SDK
RETRIED = (408, 409, 429, 500, 501, 502, 503, 504, 505, 599)  # Stainless: 408, 409, 429, >=500
NOT_RETRIED = (400, 401, 403, 404, 422)
# Error classes per status: openai-python _client.py _make_status_error; openai-node error.ts (sdk-behaviour §2)
ERROR_CLASSES = {400: "BadRequestError", 401: "AuthenticationError", 403: "PermissionDeniedError",
                 404: "NotFoundError", 409: "ConflictError", 422: "UnprocessableEntityError",
                 429: "RateLimitError"}
NODE_OTHER = "APIError"  # openai-node APIError.generate for a status without its own class
PYTHON_OTHER = "APIStatusError"


def status_error(status: int, other: str) -> str:
    return ERROR_CLASSES.get(status, "InternalServerError" if status >= 500 else other)


@dataclass(frozen=True)
class Expect:
    """What should be observed; None means "not checked".

    attempts: requests the server saw. gap: (low, high) seconds between consecutive attempts.
    retry_counts: ``x-stainless-retry-count`` per attempt. auth: the credential header sent
    (``api-key`` or ``authorization``). api_version: the query value (``""`` = none sent).
    path: the request path of every attempt. done: whether a stream reached ``[DONE]``.
    """

    ok: bool | None = None
    attempts: int | None = None
    error: str | tuple[str, ...] | None = None
    status: int | None = None
    gap: tuple[float, float] | None = None
    retry_counts: tuple[str | None, ...] | None = None
    auth: str | None = None
    api_version: str | None = None
    path: str | None = None
    done: bool | None = None
    headers: tuple[tuple[str, str | None], ...] = ()

    def describe(self) -> str:
        parts = []
        if self.ok is not None:
            parts.append("succeeds" if self.ok else "fails")
        if self.attempts is not None:
            parts.append(f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}")
        if self.error:
            parts.append(self.error if isinstance(self.error, str) else " or ".join(self.error))
        if self.gap:
            parts.append(f"gap {self.gap[0]:g}-{self.gap[1]:g} s")
        if self.retry_counts:
            parts.append("retry-count " + ",".join(str(c) for c in self.retry_counts))
        if self.auth:
            parts.append(f"sends {self.auth}")
        if self.api_version is not None:
            parts.append(f"api-version={self.api_version}" if self.api_version else "no api-version")
        if self.path:
            parts.append(self.path)
        if self.done is not None:
            parts.append("[DONE] seen" if self.done else "no [DONE]")
        parts += [f"{name}: {pattern}" if pattern is not None else f"no {name}" for name, pattern in self.headers]
        return ", ".join(parts)

    @property
    def waits(self) -> float:
        return self.gap[0] if self.gap else 0.0


@dataclass(frozen=True)
class Rule:
    """The expectation for ``sdk`` at ``versions`` (a PEP 440 specifier; empty = any version)."""

    sdk: str
    expect: Expect
    versions: str = ""
    observed: Expect | None = None
    note: str = ""

    def applies(self, sdk: str, version: str) -> bool:
        if sdk != self.sdk:
            return False
        if not self.versions:
            return True
        try:
            return Version(version.split()[0]) in SpecifierSet(self.versions)
        except InvalidVersion:
            return False


@dataclass(frozen=True)
class Vector:
    """One behaviour: the server's script, the call, and the rules per SDK.

    faults: the rules to add (a callable when they depend on the clock, e.g. an HTTP-date).
    not_for: sdk -> why the vector does not apply to it (reported, not failed).
    """

    id: str
    behaviour: str
    source: str
    rules: tuple[Rule, ...]
    faults: tuple[dict[str, Any], ...] | Callable[[], tuple[dict[str, Any], ...]] = ()
    operation: str = "chat"
    surface: str = "classic"
    auth: str = "key"
    settings: dict[str, Any] = field(default_factory=dict)
    server_only: bool = False
    not_for: dict[str, str] = field(default_factory=dict)

    def fault_rules(self) -> tuple[dict[str, Any], ...]:
        return self.faults() if callable(self.faults) else self.faults

    def rule_for(self, sdk: str, version: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.applies(sdk, version)), None)


def stainless(expect: Expect, source: str = "", **python: Any) -> tuple[Rule, ...]:
    """The same expectation for openai-python and openai-node (one generated core, sdk-behaviour §2)."""
    return (Rule("openai-python", expect, note=python.get("note", "")), Rule("openai-node", expect))


def fail(status: int) -> dict[str, Any]:
    return {"status": status}


def retry_429(headers: dict[str, str | None]) -> tuple[dict[str, Any], ...]:
    """A 429 with exactly ``headers`` as its retry headers (the mock's own ``retry-after`` removed), then a pass."""
    merged: dict[str, str | None] = {"retry-after": None, "retry-after-ms": None, "x-ms-retry-after-ms": None}
    merged.update(headers)
    return ({"sequence": [{"status": 429, "headers": merged}, "pass"]},)


NODE_TIMEOUT_HEADER = (
    "sdk-behaviour §3.2 reads 'X-Stainless-Timeout = trunc(timeout/1000)'; buildHeaders takes the per-request "
    "options.timeout, so with the client's default (600 000 ms) or a client-level timeout no header is sent; "
    "only a per-request timeout sends it (observed with 7.5.0, the version read, and 7.57.0)"
)
FAST = {"retry-after-ms": "10"}  # keeps retried statuses quick; the retry decision does not depend on it


def status_vector(status: int) -> Vector:
    retried = status in RETRIED
    attempts = 3 if retried else 1
    return Vector(
        id=f"status-{status}", behaviour=f"{status} every time (retry-after-ms: 10)",
        source="sdk-behaviour §2 retried statuses, error types; §5 vectors 8-10",
        faults=({"fault": {"status": status, "headers": FAST}},),
        rules=(
            Rule("http", Expect(ok=False, attempts=1, status=status, error=f"HTTP {status}")),
            Rule("openai-python", Expect(ok=False, attempts=attempts, status=status,
                                         error=status_error(status, PYTHON_OTHER))),
            Rule("openai-node", Expect(ok=False, attempts=attempts, status=status,
                                       error=status_error(status, NODE_OTHER))),
        ),
    )


def http_date(seconds: int) -> tuple[dict[str, Any], ...]:
    when = email.utils.formatdate(time.time() + seconds, usegmt=True)
    return retry_429({"retry-after": when})


WIRE_429 = Rule("http", Expect(ok=False, attempts=1, status=429, error="HTTP 429"))
BACKOFF = (0.3, 1.3)  # first retry without a usable header: 0.5 s x (1 - 0.25 rand) = 0.375-0.5 s, plus latency
OK2 = {"ok": True, "attempts": 2}

VECTORS: tuple[Vector, ...] = (
    *(status_vector(s) for s in RETRIED + NOT_RETRIED),
    Vector(
        id="retry-count-header", behaviour="429, 429, then 200: attempts and x-stainless-retry-count",
        source="sdk-behaviour §5 vectors 10-11",
        faults=({"sequence": [{"status": 429, "headers": FAST}, {"status": 429, "headers": FAST}, "pass"]},),
        rules=(WIRE_429, *stainless(Expect(ok=True, attempts=3, retry_counts=("0", "1", "2")))),
    ),
    Vector(
        id="retry-after-ms", behaviour="429 with retry-after-ms: 200, then 200",
        source="sdk-behaviour §3.1 _parse_retry_after_header, §3.2 retryRequest",
        faults=retry_429({"retry-after-ms": "200"}),
        rules=(WIRE_429, *stainless(Expect(**OK2, gap=(0.19, 0.9)))),
    ),
    Vector(
        id="retry-after-seconds", behaviour="429 with Retry-After: 1, then 200",
        source="sdk-behaviour §3.1, §3.2 (retry-after as seconds)",
        faults=retry_429({"retry-after": "1"}),
        rules=(WIRE_429, *stainless(Expect(**OK2, gap=(0.99, 1.8)))),
    ),
    Vector(
        id="retry-after-fractional", behaviour="429 with Retry-After: 0.3, then 200",
        source="sdk-behaviour §5 vector 5 (Stainless SDKs parse a float)",
        faults=retry_429({"retry-after": "0.3"}),
        rules=(WIRE_429, *stainless(Expect(**OK2, gap=(0.29, 0.9)))),
    ),
    Vector(
        id="retry-after-zero", behaviour="429 with Retry-After: 0, then 200",
        source="sdk-behaviour §5 vector 1",
        faults=retry_429({"retry-after": "0"}),
        rules=(
            WIRE_429,
            Rule("openai-python", Expect(**OK2, gap=BACKOFF), note="0 is not > 0: backoff (§3.1)"),
            Rule("openai-node", Expect(**OK2, gap=(0.0, 0.3)), note="0 <= v <= 60 s: immediate retry (§3.2)"),
        ),
    ),
    Vector(
        id="retry-after-over-python-cap", behaviour="429 with Retry-After: 121 (over Python's 120 s cap), then 200",
        source="sdk-behaviour §5 vector 3, §3.1 history of the cap",
        faults=retry_429({"retry-after": "121"}),
        rules=(
            WIRE_429,
            Rule("openai-python", Expect(ok=False, attempts=1, error="RateLimitError"), versions=">=2.52",
                 note=">120 s: no retry (v2.52.0+)"),
            Rule("openai-python", Expect(**OK2, gap=BACKOFF), versions="<2.52", note=">60 s ignored: backoff"),
            Rule("openai-node", Expect(**OK2, gap=BACKOFF), note=">60 s ignored: backoff (§3.2)"),
        ),
    ),
    Vector(
        id="retry-after-over-node-cap", behaviour="429 with Retry-After: 90 (over Node's 60 s cap), then 200",
        source="sdk-behaviour §5 vector 2",
        faults=retry_429({"retry-after": "90"}),
        rules=(
            WIRE_429,
            Rule("openai-python", Expect(**OK2, gap=(89.9, 92.0)), versions=">=2.52", note="waits 90 s (slow)"),
            Rule("openai-python", Expect(**OK2, gap=BACKOFF), versions="<2.52", note=">60 s ignored: backoff"),
            Rule("openai-node", Expect(**OK2, gap=BACKOFF), note=">60 s ignored: backoff (§3.2)"),
        ),
    ),
    Vector(
        id="retry-after-http-date", behaviour="429 with Retry-After: <HTTP-date 2 s ahead>, then 200",
        source="sdk-behaviour §5 vector 6",
        faults=lambda: http_date(2),
        rules=(WIRE_429, *stainless(Expect(**OK2, gap=(0.9, 3.3)))),
    ),
    Vector(
        id="x-ms-retry-after-ms", behaviour="429 with only x-ms-retry-after-ms: 1500, then 200",
        source="sdk-behaviour §5 vector 4 (Stainless SDKs ignore x-ms-retry-after-ms)",
        faults=retry_429({"x-ms-retry-after-ms": "1500"}),
        rules=(WIRE_429, *stainless(Expect(**OK2, gap=BACKOFF))),
    ),
    Vector(
        id="retry-after-ms-and-x-ms", behaviour="429 with retry-after-ms: 100 and x-ms-retry-after-ms: 1500",
        source="sdk-behaviour §5 vector 4",
        faults=retry_429({"retry-after-ms": "100", "x-ms-retry-after-ms": "1500"}),
        rules=(WIRE_429, *stainless(Expect(**OK2, gap=(0.09, 0.8)))),
    ),
    Vector(
        id="x-should-retry-true", behaviour="400 with x-should-retry: true, then 200",
        source="sdk-behaviour §5 vector 7",
        faults=({"sequence": [{"status": 400, "headers": {"x-should-retry": "true", **FAST}}, "pass"]},),
        rules=(Rule("http", Expect(ok=False, attempts=1, status=400, error="HTTP 400")),
               *stainless(Expect(**OK2))),
    ),
    Vector(
        id="x-should-retry-false", behaviour="503 with x-should-retry: false",
        source="sdk-behaviour §5 vector 7",
        faults=({"fault": {"status": 503, "headers": {"x-should-retry": "false", **FAST}}},),
        rules=(Rule("http", Expect(ok=False, attempts=1, status=503, error="HTTP 503")),
               *stainless(Expect(ok=False, attempts=1, status=503, error="InternalServerError"))),
    ),
    Vector(
        id="per-attempt-timeout", behaviour="first attempt stalls past the client timeout (0.5 s), then 200",
        source="sdk-behaviour §2 retried on timeout; §5 vector 12",
        faults=({"fault": {"kind": "stall", "seconds": 3}, "times": 1},),
        settings={"timeout": 0.5}, server_only=True,
        rules=(Rule("http", Expect(ok=False, attempts=1, error=("ReadTimeout", "TimeoutException"))),
               *stainless(Expect(**OK2, retry_counts=("0", "1")))),
    ),
    Vector(
        id="connection-reset", behaviour="connection reset before any byte, then 200",
        source="sdk-behaviour §2 retried on connection error",
        faults=({"fault": {"kind": "reset"}, "times": 1},), server_only=True,
        rules=(Rule("http", Expect(ok=False, attempts=1,
                                   error=("RemoteProtocolError", "ReadError", "ConnectError"))),
               *stainless(Expect(**OK2))),
    ),
    Vector(
        id="stream-error-event", behaviour="stream: data: {\"error\": ...} after 3 events",
        source="sdk-behaviour §5 vector 13, §3.1 Streaming, §3.2 Streaming",
        operation="chat_stream", faults=({"fault": {"kind": "error_event", "after_chunks": 3}},),
        rules=(Rule("http", Expect(ok=False, attempts=1, error="stream error event", done=False)),
               *stainless(Expect(ok=False, attempts=1, error="APIError"))),
    ),
    Vector(
        id="stream-without-done", behaviour="stream ends cleanly without data: [DONE]",
        source="sdk-behaviour §5 vector 13 (missing [DONE] then EOF ends cleanly)",
        operation="chat_stream", faults=({"fault": {"kind": "stream_cut", "after_chunks": 4, "mode": "clean"}},),
        rules=(Rule("http", Expect(ok=True, attempts=1, done=False)), *stainless(Expect(ok=True, attempts=1))),
    ),
    Vector(
        id="auth-header", behaviour="key auth: the header the client sends (raw: Go's 'Api-Key' spelling)",
        source="sdk-behaviour §5 vector 14, §2 key auth header",
        rules=(Rule("http", Expect(ok=True, attempts=1, auth="api-key")),
               *stainless(Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21"))),
    ),
    Vector(
        id="entra-token", behaviour="Entra ID token (azure_ad_token / azureADTokenProvider) on the classic surface",
        source="sdk-behaviour §2 Entra auth",
        auth="token",
        not_for={"http": "raw HTTP sends what it is told; the SDK rows show what each client sends"},
        rules=stainless(Expect(ok=True, attempts=1, auth="authorization", api_version="2024-10-21",
                               headers=(("api-key", None),))),
    ),
    Vector(
        id="client-headers", behaviour="headers a default client adds: timeout, User-Agent, no idempotency key",
        source="sdk-behaviour §2 timeout header sent; §3.1 Headers; §3.2 Headers",
        not_for={"http": "raw HTTP adds nothing"},
        rules=(
            Rule("openai-python", Expect(ok=True, attempts=1, headers=(
                ("x-stainless-read-timeout", r"600(\.0)?"), ("x-stainless-timeout", None),
                ("user-agent", r"(Async)?AzureOpenAI/Python \S+"), ("idempotency-key", None)))),
            Rule("openai-node", Expect(ok=True, attempts=1, headers=(
                ("x-stainless-timeout", "600"), ("x-stainless-read-timeout", None),
                ("user-agent", r"AzureOpenAI/JS \S+"), ("idempotency-key", None))),
                 observed=Expect(ok=True, attempts=1, headers=(
                     ("x-stainless-timeout", None), ("x-stainless-read-timeout", None),
                     ("user-agent", r"AzureOpenAI/JS \S+"), ("idempotency-key", None))),
                 note=NODE_TIMEOUT_HEADER),
        ),
    ),
    Vector(
        id="environment", behaviour="client built from AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION",
        source="sdk-behaviour §5 vector 15",
        auth="env",
        not_for={"http": "raw HTTP has no environment configuration"},
        rules=stainless(Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21")),
    ),
    Vector(
        id="v1-endpoint", behaviour="plain OpenAI client on {endpoint}/openai/v1/",
        source="sdk-behaviour §5 vector 17",
        surface="v1",
        rules=(Rule("http", Expect(ok=True, attempts=1, auth="authorization", api_version="",
                                   path="/openai/v1/chat/completions")),
               *stainless(Expect(ok=True, attempts=1, auth="authorization", api_version="",
                                 path="/openai/v1/chat/completions"))),
    ),
)
BY_ID = {vector.id: vector for vector in VECTORS}


@dataclass(frozen=True)
class Observed:
    """A driver's outcome plus what the mock's journal saw (None where the target has no journal)."""

    ok: bool
    error: str | None
    status: int | None
    done: bool | None
    attempts: int | None = None
    gaps: tuple[float, ...] | None = None
    retry_counts: tuple[str | None, ...] | None = None
    auth: str | None = None
    api_version: str | None = None
    paths: tuple[str, ...] | None = None
    headers: dict[str, str] | None = None

    def summary(self) -> str:
        parts = ["succeeded" if self.ok else f"failed: {self.error}"]
        if self.attempts is not None:
            parts.append(f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}")
        return ", ".join(parts)


def check(expect: Expect, seen: Observed) -> list[str]:
    """Where ``seen`` departs from ``expect``; journal facts are skipped where there is no journal."""
    problems = []
    if expect.ok is not None and seen.ok != expect.ok:
        problems.append(f"expected {'success' if expect.ok else 'failure'}, got "
                        f"{'success' if seen.ok else 'failure ' + str(seen.error)}")
    allowed = (expect.error,) if isinstance(expect.error, str) else expect.error
    if allowed and seen.error not in allowed:
        problems.append(f"error class {seen.error!r}, expected {' or '.join(allowed)}")
    if expect.status is not None and seen.status != expect.status:
        problems.append(f"status {seen.status}, expected {expect.status}")
    if expect.done is not None and seen.done is not None and seen.done != expect.done:
        problems.append(f"[DONE] {'seen' if seen.done else 'not seen'}, expected the opposite")
    return problems + journal_problems(expect, seen)


def journal_problems(expect: Expect, seen: Observed) -> list[str]:
    if seen.attempts is None:
        return []
    problems = []
    if expect.attempts is not None and seen.attempts != expect.attempts:
        problems.append(f"{seen.attempts} attempts, expected {expect.attempts}")
    if expect.gap is not None and seen.gaps is not None:
        low, high = expect.gap
        bad = [g for g in seen.gaps if not low <= g <= high]
        if bad or not seen.gaps:
            shown = ", ".join(f"{g:.2f}" for g in seen.gaps) or "none"
            problems.append(f"gaps between attempts {shown} s, expected {low:g}-{high:g} s")
    if expect.retry_counts is not None and seen.retry_counts != expect.retry_counts:
        problems.append(f"x-stainless-retry-count {list(seen.retry_counts or ())}, expected {list(expect.retry_counts)}")
    if expect.auth is not None and seen.auth != expect.auth:
        problems.append(f"credential header {seen.auth!r}, expected {expect.auth!r}")
    if expect.api_version is not None and seen.api_version != expect.api_version:
        problems.append(f"api-version {seen.api_version!r}, expected {expect.api_version!r}")
    if expect.path is not None and seen.paths and any(p != expect.path for p in seen.paths):
        problems.append(f"paths {sorted(set(seen.paths))}, expected {expect.path}")
    return problems + header_problems(expect, seen.headers or {})


def header_problems(expect: Expect, headers: dict[str, str]) -> list[str]:
    """Headers of the first attempt: each must match its pattern, or be absent where the pattern is None."""
    problems = []
    for name, pattern in expect.headers:
        value = headers.get(name)
        if pattern is None and value is not None:
            problems.append(f"sent {name}: {value!r}, expected none")
        elif pattern is not None and (value is None or re.fullmatch(pattern, value) is None):
            problems.append(f"{name}: {value!r}, expected {pattern!r}")
    return problems
