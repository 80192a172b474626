"""Running one vector through one driver: script the mock, make the call, read the journal, judge.

Skip decisions live here too (``skip_reason``), so that the client tests can record a skipped
cell in the matrix before they skip.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from itertools import pairwise
from typing import Any

import pytest

from .drivers import Driver, DriverCall, Outcome, batch_input
from .expect import SLOW_GAP, Observed, Vector, check
from .report import Cell
from .targets import NO_SOCKET, Target

RESPONSES_VERSION = "2025-04-01-preview"  # the recordings' version (15-26)

# A JWT-shaped stand-in for an Entra access token; the mock accepts JWT-shaped tokens (azure-wire §2).
MOCK_ENTRA_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzIn0.c2ln"
NO_ENTRA = "needs an Entra token; this run authenticates with a key (set AOAI_CONFORMANCE_USE_ENTRA=1)"
SLOW_REASON = "slow: waits for a long Retry-After on purpose; run with --run-slow"
NO_RULE = "no expectation for {sdk} {version} in conformance/vectors.py"


def skip_reason(item: pytest.Item, target: Target, config: pytest.Config, *, slow: bool = True) -> str | None:
    """Why ``item`` cannot run against ``target`` (markers: needs_faults, server_only, and slow unless
    ``slow`` is False: the client tests decide that per SDK)."""
    if any(item.get_closest_marker(name) for name in ("selftest", "readme", "samples")):
        return None  # these start their own servers whatever the target
    if target.skip_all:
        return target.skip_all
    if item.get_closest_marker("needs_faults") and not target.is_mock:
        return target.no_faults_reason
    if item.get_closest_marker("server_only") and not target.socket:
        return NO_SOCKET
    if slow and item.get_closest_marker("slow") and not config.getoption("run_slow"):
        return SLOW_REASON
    return None


def make_call(vector: Vector, target: Target, session: str, tls: bool = False) -> DriverCall:
    """The call for ``vector``; ``tls`` for a driver whose client needs the https endpoint."""
    endpoint = target.endpoint_for(tls) or target.endpoint
    kind = {"embeddings": "embeddings", "batch": "batch"}.get(vector.operation, "chat")
    deployment = target.deployments.get(kind) or target.deployments.chat
    key = target.bearer or target.api_key or ""
    auth = "token" if target.bearer and vector.auth == "key" else vector.auth
    if vector.auth == "token" and not target.bearer:
        key = MOCK_ENTRA_TOKEN
    env = {}
    if vector.auth == "env":
        env = {
            "AZURE_OPENAI_API_KEY": key,
            "AZURE_OPENAI_ENDPOINT": endpoint,
            "OPENAI_API_VERSION": target.api_version,
        }
    params: dict[str, Any] = {} if vector.operation == "embeddings" else {"max_tokens": 16}
    version = target.api_version
    if vector.operation.startswith("responses"):  # from 2025-03-01-preview (recordings 15-26)
        params, version = {"max_output_tokens": 16}, max(version, RESPONSES_VERSION)
    if vector.operation == "batch":
        params = {"input": batch_input(deployment, vector.surface).decode()}
    return DriverCall(
        operation=vector.operation,
        endpoint=endpoint,
        deployment=deployment,
        api_key=key,
        api_version=version,
        surface=vector.surface,
        auth=auth,
        params=params,
        headers={"x-mock-session": session} if target.is_mock else {},
        settings=dict(vector.settings),
        env=env,
    )


def observe(
    vector: Vector, driver: Driver, target: Target, session: str, attempts: int
) -> tuple[Outcome, Observed]:
    """Run ``vector`` with ``driver``; the outcome and what the mock's journal saw."""
    rules = vector.fault_rules()
    scripted = target.faults(*rules, session=session) if rules else nullcontext()
    with scripted:
        outcome = driver.run(make_call(vector, target, session, driver.tls))
    entries = target.journal(session, expect=attempts) if target.is_mock else None
    return outcome, observed(outcome, entries)


def observed(outcome: Outcome, entries: list[dict[str, Any]] | None) -> Observed:
    done = outcome.result.get("done")
    seen = Observed(
        outcome.ok,
        outcome.error_class,
        outcome.status,
        done if isinstance(done, bool) else None,
        client_attempts=outcome.attempts,
        result=outcome.result,
    )
    if entries is None:  # no journal (a real resource): the client's own count is all there is
        return replace(seen, attempts=outcome.attempts)
    entries = [e for e in entries if not e.get("batch_id")]  # a batch's lines are the mock's own requests
    times = [e["monotonic"] for e in entries]
    first = entries[0] if entries else {"headers": {}, "query": {}}
    headers = first["headers"]
    auth = "api-key" if "api-key" in headers else "authorization" if "authorization" in headers else None
    return replace(
        seen,
        journal=True,
        attempts=len(entries),
        gaps=tuple(b - a for a, b in pairwise(times)),
        retry_counts=tuple(e["headers"].get("x-stainless-retry-count") for e in entries),
        auth=auth,
        api_version=first["query"].get("api-version", ""),
        paths=tuple(e["path"] for e in entries),
        headers={k.lower(): v for k, v in headers.items()},
    )


def facts(seen: Observed) -> dict[str, Any]:
    """The committed matrix keeps facts that do not change run to run (no timings)."""
    data: dict[str, Any] = {
        "ok": seen.ok,
        "error": seen.error,
        "status": seen.status,
        "attempts": seen.attempts,
    }
    if seen.retry_counts and any(seen.retry_counts):
        data["retry_counts"] = list(seen.retry_counts)
    if seen.auth:
        data["auth"] = seen.auth
    return {k: v for k, v in data.items() if v is not None}


def judge(vector: Vector, driver: Driver, seen: Observed) -> Cell:
    rule = vector.rule_for(driver.sdk, driver.version)
    if rule is None:
        return Cell("fail", detail=NO_RULE.format(sdk=driver.sdk, version=driver.version))
    problems = check(rule.expect, seen)
    expected = rule.expect.describe()
    if not problems:
        return Cell("pass", expected=expected, observed=expected, detail=rule.note, facts=facts(seen))
    if rule.observed is not None and not check(rule.observed, seen):
        return Cell(
            "differs",
            expected=expected,
            observed=rule.observed.describe(),
            detail=rule.note,
            facts=facts(seen),
        )
    return Cell(
        "fail", expected=expected, observed=seen.summary(), detail="; ".join(problems), facts=facts(seen)
    )


def slow_for(vector: Vector, driver: Driver) -> bool:
    rule = vector.rule_for(driver.sdk, driver.version)
    return rule is not None and rule.expect.waits > SLOW_GAP
