"""Vectors on retries: which statuses are retried, how often, and how long each SDK waits
(``retry-after-ms``, ``retry-after`` seconds and HTTP-dates, ``x-ms-retry-after-ms``, ``x-should-retry``)."""

from __future__ import annotations

from ..expect import Expect, Rule, Vector
from .sdks import (
    BACKOFF,
    FAST,
    GO_ERROR,
    WIRE_429,
    go,
    go_over_cap,
    http_date,
    java,
    java_over_cap,
    retry_429,
    stainless,
)

RETRIES: tuple[Vector, ...] = (
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
)
