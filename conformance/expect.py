"""The vocabulary of the client-behaviour vectors: what to expect, what was seen, and the check.

``Expect`` is what should be observed (None: not checked); ``Rule`` binds one to an SDK and a
version range (PEP 440), keeping the source's expectation and, where the installed SDK differs, the
observed one; ``Vector`` is a scripted server behaviour with its rules; ``Observed`` is a driver's
outcome plus what the mock's journal saw; ``check`` lists where the two part.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

SLOW_GAP = 5.0  # a vector whose expected wait exceeds this many seconds is slow for that SDK


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
    result: tuple[tuple[str, Any], ...] = ()  # what the driver reports: (key, value) pairs

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
        parts += [
            f"{name}: {pattern}" if pattern is not None else f"no {name}" for name, pattern in self.headers
        ]
        parts += [f"{key} {value}" for key, value in self.result]
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

    @property
    def slow(self) -> bool:
        """Whether some SDK is expected to wait long here (each SDK is then judged on its own)."""
        return any(rule.expect.waits > SLOW_GAP for rule in self.rules)

    def rule_for(self, sdk: str, version: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.applies(sdk, version)), None)


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
    client_attempts: int | None = None
    journal: bool = False
    result: dict[str, Any] | None = None

    def summary(self) -> str:
        parts = ["succeeded" if self.ok else f"failed: {self.error}"]
        if self.attempts is not None:
            parts.append(f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}")
        return ", ".join(parts)


def check(expect: Expect, seen: Observed) -> list[str]:
    """Where ``seen`` departs from ``expect``; journal facts are skipped where there is no journal."""
    problems = []
    if expect.ok is not None and seen.ok != expect.ok:
        problems.append(
            f"expected {'success' if expect.ok else 'failure'}, got "
            f"{'success' if seen.ok else 'failure ' + str(seen.error)}"
        )
    allowed = (expect.error,) if isinstance(expect.error, str) else expect.error
    if allowed and seen.error not in allowed:
        problems.append(f"error class {seen.error!r}, expected {' or '.join(allowed)}")
    if expect.status is not None and seen.status != expect.status:
        problems.append(f"status {seen.status}, expected {expect.status}")
    if expect.done is not None and seen.done is not None and seen.done != expect.done:
        problems.append(f"[DONE] {'seen' if seen.done else 'not seen'}, expected the opposite")
    for key, value in expect.result:
        got = (seen.result or {}).get(key)
        if got != value:
            problems.append(f"{key} {got!r}, expected {value!r}")
    return problems + journal_problems(expect, seen)


def journal_problems(expect: Expect, seen: Observed) -> list[str]:
    problems = []
    if expect.attempts is not None and seen.attempts is not None and seen.attempts != expect.attempts:
        problems.append(f"{seen.attempts} attempts, expected {expect.attempts}")
    if seen.client_attempts is not None and seen.journal and seen.client_attempts != seen.attempts:
        problems.append(f"the client counted {seen.client_attempts} requests, the server saw {seen.attempts}")
    if not seen.journal:
        return problems
    if expect.gap is not None and seen.gaps is not None:
        low, high = expect.gap
        bad = [g for g in seen.gaps if not low <= g <= high]
        if bad or not seen.gaps:
            shown = ", ".join(f"{g:.2f}" for g in seen.gaps) or "none"
            problems.append(f"gaps between attempts {shown} s, expected {low:g}-{high:g} s")
    if expect.retry_counts is not None and seen.retry_counts != expect.retry_counts:
        problems.append(
            f"x-stainless-retry-count {list(seen.retry_counts or ())}, expected {list(expect.retry_counts)}"
        )
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
