"""Per-deployment rate limits the way Azure applies them (azure-wire §3.5, §12).

* Quota is TPM with RPM derived as 6 per 1000 TPM (``config.make_deployment``).
* Standard deployments evaluate the limits over short windows, so bursts are throttled before
  the minute's total is reached (PTU-DOC, azure-wire §3.5 "Windows"): here 10-second windows
  holding a sixth of the per-minute quota.
* The token estimate is prompt tokens plus ``max_tokens`` (azure-wire §3.5), computed by the
  validation stage.
* Every response reports the minute's remaining requests and tokens in ``x-ratelimit-*``.
* Provisioned (PTU) deployments answer 429 with ``retry-after-ms`` (PTU-DOC).

Modes: "enforce" (throttle), "report" (headers only), "off" (no headers either).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

from .call import RateInfo
from .config import Deployment
from .ids import Clock

MINUTE = 60.0
WINDOW = 10.0
WINDOWS_PER_MINUTE = MINUTE / WINDOW


@dataclass(frozen=True)
class Throttle:
    """Why a request was throttled and when to retry."""

    variant: str  # "requests" or "tokens"
    retry_after: float


class Usage:
    """One deployment's recent requests as (time, tokens)."""

    def __init__(self) -> None:
        self.events: deque[tuple[float, int]] = deque()

    def trim(self, now: float) -> None:
        while self.events and now - self.events[0][0] >= MINUTE:
            self.events.popleft()

    def since(self, start: float) -> list[tuple[float, int]]:
        return [e for e in self.events if e[0] > start]


class RateLimiter:
    def __init__(self, clock: Clock, mode: str = "enforce") -> None:
        self.clock = clock
        self.mode = mode
        self.usage: dict[str, Usage] = {}
        self.lock = threading.Lock()

    def admit(self, deployment: Deployment, tokens: int) -> tuple[RateInfo | None, Throttle | None]:
        """Charge one request of ``tokens``, or refuse it; returns the header values and any throttle."""
        if self.mode == "off":
            return None, None
        now = self.clock.monotonic()
        with self.lock:
            usage = self.usage.setdefault(deployment.name, Usage())
            usage.trim(now)
            throttle = self.check(deployment, usage, now, tokens) if self.mode == "enforce" else None
            if throttle is None:
                usage.events.append((now, tokens))
            return self.info(deployment, usage), throttle

    def check(self, deployment: Deployment, usage: Usage, now: float, tokens: int) -> Throttle | None:
        recent = usage.since(now - WINDOW)
        request_cap = window_cap(deployment.rpm)
        if deployment.rpm and len(recent) + 1 > request_cap:
            return Throttle("requests", wait_until(recent[len(recent) - request_cap][0], now))
        token_cap = window_cap(deployment.tpm)
        used = sum(t for _, t in recent)
        if deployment.tpm and used + tokens > token_cap:
            return Throttle("tokens", self.token_wait(recent, used + tokens - token_cap, now))
        return None

    def peek(self, deployment: Deployment) -> RateInfo | None:
        """The header values without charging a request (for requests refused before metering)."""
        if self.mode == "off":
            return None
        with self.lock:
            usage = self.usage.setdefault(deployment.name, Usage())
            usage.trim(self.clock.monotonic())
            return self.info(deployment, usage)

    @staticmethod
    def token_wait(recent: list[tuple[float, int]], excess: int, now: float) -> float:
        freed = 0
        for when, tokens in recent:
            freed += tokens
            if freed >= excess:
                return wait_until(when, now)
        return WINDOW  # a single request larger than the window's share waits a full window

    @staticmethod
    def info(deployment: Deployment, usage: Usage) -> RateInfo:
        used_tokens = sum(t for _, t in usage.events)
        return RateInfo(
            limit_requests=deployment.rpm,
            remaining_requests=max(deployment.rpm - len(usage.events), 0),
            limit_tokens=deployment.tpm,
            remaining_tokens=max(deployment.tpm - used_tokens, 0),
        )

    def reset(self) -> None:
        with self.lock:
            self.usage.clear()


def window_cap(per_minute: int) -> int:
    return max(1, math.floor(per_minute / WINDOWS_PER_MINUTE))


def wait_until(event_time: float, now: float) -> float:
    """Seconds until an event at ``event_time`` leaves the short window."""
    return max(0.001, event_time + WINDOW - now)
