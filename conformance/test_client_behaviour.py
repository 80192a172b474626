"""Part 2: client behaviour. Every vector of ``conformance.vectors`` through every driver.

The mock is scripted through its control API (or directly in-process) for this test's
``x-mock-session``; the driver makes one call; the journal says what reached the server. Each
result goes into the behaviour matrix (``conformance.report``), skips included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .drivers import Driver
from .expect import Vector
from .harness import NO_ENTRA, judge, observe, skip_reason, slow_for
from .report import Cell, Matrix
from .targets import Target
from .vectors import VECTORS

pytestmark = pytest.mark.client


def vector_params() -> Iterator[Any]:
    for vector in VECTORS:
        marks = []
        if vector.faults:
            marks.append(pytest.mark.needs_faults)
        if vector.server_only:
            marks.append(pytest.mark.server_only)
        if vector.slow:
            marks.append(pytest.mark.slow)  # for -m selection; only the SDKs that would wait are skipped
        yield pytest.param(vector, id=vector.id, marks=marks)


@pytest.mark.parametrize("vector", list(vector_params()))
def test_vector(
    vector: Vector,
    driver_name: str,
    driver_pool: dict[str, Driver],
    target: Target,
    session_id: str,
    matrix: Matrix,
    request: pytest.FixtureRequest,
) -> None:
    driver = driver_pool[driver_name]
    matrix.target = target.name
    reason = why_not(vector, driver, target, request)
    if reason:
        matrix.record(vector, driver, Cell("n/a" if driver.sdk in vector.not_for else "skip", detail=reason))
        pytest.skip(reason)
    rule = vector.rule_for(driver.sdk, driver.version)
    attempts = rule.expect.attempts if rule and rule.expect.attempts else 1
    outcome, seen = observe(vector, driver, target, session_id, attempts)
    cell = judge(vector, driver, seen)
    matrix.record(vector, driver, cell)
    assert cell.verdict in ("pass", "differs"), (
        f"{driver.name} ({driver.sdk} {driver.version}) on {vector.id}: {cell.detail}\n"
        f"  expected: {cell.expected}\n  outcome: {outcome.to_json()}"
    )


def why_not(vector: Vector, driver: Driver, target: Target, request: pytest.FixtureRequest) -> str | None:
    if driver.sdk in vector.not_for:
        return vector.not_for[driver.sdk]
    reason = skip_reason(request.node, target, request.config, slow=False)
    if reason:
        return reason
    problem = driver.unavailable()
    if problem:
        return f"driver {driver.name}: {problem}"
    if vector.auth == "token" and not (target.is_mock or target.bearer):
        return NO_ENTRA
    if slow_for(vector, driver) and not request.config.getoption("run_slow"):
        return "slow for this SDK (it waits out the Retry-After); run with --run-slow"
    return None
