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

The lines of a batch are metered apart from the deployment's online traffic (``pool="batch"``), with
the same limits: Global Batch "requests have a separate enqueued token quota avoiding any
disruption of your online workloads" (batch docs), so a running batch never throttles online calls.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from .call import RateInfo
from .catalogue import OPERATION_IDS
from .config import Deployment
from .errors import AzureError, gateway_bytes
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
    """One deployment's recent usage in one-second buckets, with running totals for the minute.

    Buckets keep the cost of a request constant however many arrived in the last minute.
    """

    def __init__(self) -> None:
        self.buckets: deque[list[int]] = deque()  # [second, requests, tokens]
        self.requests = 0
        self.tokens = 0

    def trim(self, now: float) -> None:
        while self.buckets and self.buckets[0][0] <= now - MINUTE:
            _, requests, tokens = self.buckets.popleft()
            self.requests -= requests
            self.tokens -= tokens

    def add(self, now: float, tokens: int) -> None:
        second = int(now)
        if self.buckets and self.buckets[-1][0] == second:
            self.buckets[-1][1] += 1
            self.buckets[-1][2] += tokens
        else:
            self.buckets.append([second, 1, tokens])
        self.requests += 1
        self.tokens += tokens

    def window(self, now: float) -> list[list[int]]:
        """The buckets of the short window, oldest first (at most WINDOW of them)."""
        recent = []
        for bucket in reversed(self.buckets):
            if bucket[0] <= now - WINDOW:
                break
            recent.append(bucket)
        recent.reverse()
        return recent


class RateLimiter:
    def __init__(self, clock: Clock, mode: str = "enforce") -> None:
        self.clock = clock
        self.mode = mode
        self.usage: dict[str, Usage] = {}
        self.lock = threading.Lock()

    def admit(
        self, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None]:
        """Charge one request of ``tokens`` to ``deployment`` (its ``pool``: "" online, "batch" for
        batch lines), or refuse it; returns the header values and any throttle."""
        if self.mode == "off":
            return None, None
        now = self.clock.monotonic()
        with self.lock:
            usage = self.usage_of(deployment, pool)
            usage.trim(now)
            throttle = self.check(deployment, usage, now, tokens) if self.mode == "enforce" else None
            if throttle is None:
                usage.add(now, tokens)
            return self.info(deployment, usage), throttle

    async def charge(
        self, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None]:
        """``admit`` as the state interface's hot path (``stores.base.Limits``)."""
        return self.admit(deployment, tokens, pool)

    async def charge_seen(
        self, rules_seen: str, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None] | None:
        return self.admit(deployment, tokens, pool)  # in-process rules never leave a check open

    async def look(self, deployment: Deployment) -> RateInfo | None:
        return self.peek(deployment)

    def usage_of(self, deployment: Deployment, pool: str = "") -> Usage:
        key = f"{deployment.name}#{pool}" if pool else deployment.name
        usage = self.usage.get(key)
        if usage is None:
            usage = self.usage[key] = Usage()
        return usage

    def check(self, deployment: Deployment, usage: Usage, now: float, tokens: int) -> Throttle | None:
        recent = usage.window(now)
        requests = sum(b[1] for b in recent)
        if deployment.rpm and requests + 1 > window_cap(deployment.rpm):
            return Throttle("requests", free_after(recent, requests + 1 - window_cap(deployment.rpm), 1, now))
        used = sum(b[2] for b in recent)
        token_cap = window_cap(deployment.tpm)
        if deployment.tpm and used + tokens > token_cap:
            return Throttle("tokens", free_after(recent, used + tokens - token_cap, 2, now))
        return None

    def peek(self, deployment: Deployment) -> RateInfo | None:
        """The header values without charging a request (for requests refused before metering)."""
        if self.mode == "off":
            return None
        with self.lock:
            usage = self.usage_of(deployment)
            usage.trim(self.clock.monotonic())
            return self.info(deployment, usage)

    def snapshot(self, deployment: Deployment) -> dict[str, Any]:
        """What ``deployment`` used in the current short window and minute, against its caps."""
        now = self.clock.monotonic()
        with self.lock:
            usage = self.usage_of(deployment)
            usage.trim(now)
            recent = usage.window(now)
            window = {"requests": sum(b[1] for b in recent), "tokens": sum(b[2] for b in recent)}
            minute = {"requests": usage.requests, "tokens": usage.tokens}
        return {
            "window": {
                **window,
                "seconds": WINDOW,  # a cap of None: that limit is not set
                "request_cap": window_cap(deployment.rpm) if deployment.rpm else None,
                "token_cap": window_cap(deployment.tpm) if deployment.tpm else None,
            },
            "minute": {**minute, "rpm": deployment.rpm, "tpm": deployment.tpm},
        }

    @staticmethod
    def info(deployment: Deployment, usage: Usage) -> RateInfo:
        return RateInfo(
            limit_requests=deployment.rpm,
            remaining_requests=max(deployment.rpm - usage.requests, 0),
            limit_tokens=deployment.tpm,
            remaining_tokens=max(deployment.tpm - usage.tokens, 0),
        )

    def reset(self) -> None:
        with self.lock:
            self.usage.clear()


def free_after(recent: list[list[int]], excess: int, column: int, now: float) -> float:
    """Seconds until ``excess`` requests (column 1) or tokens (column 2) leave the short window."""
    freed = 0
    for bucket in recent:
        freed += bucket[column]
        if freed >= excess:
            return max(0.001, bucket[0] + WINDOW - now)
    return WINDOW  # a single request larger than the window's share waits a full window


def window_cap(per_minute: int) -> int:
    return max(1, math.floor(per_minute / WINDOWS_PER_MINUTE))


# --- the 429 -----------------------------------------------------------------------------------

TOKEN_429 = (
    "Requests to the {operation} Operation under Azure OpenAI API version {version} have exceeded token "
    "rate limit of your current OpenAI S0 pricing tier. Please retry after {seconds} {unit}. Please go "
    "here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."
)
REQUEST_429 = "Rate limit is exceeded. Try again in {seconds} {unit}."


def unit(seconds: int) -> str:
    return "second" if seconds == 1 else "seconds"


def too_many_requests(
    variant: str, operation: str | None, version: str | None, retry_after: float, http_date: bool = False
) -> AzureError:
    """429 token-rate (``policy-id: DeploymentRatelimit-Token``) or request-rate (``-Call``).

    ``http_date``: ``retry-after`` as an HTTP-date ``retry_after`` seconds from now (RFC 9110
    §10.2.3 allows either form; Azure sends seconds, azure-wire §3.5; a proxy in front may send
    a date). It is taken from the wall clock when the answer is made, as a client compares it
    with its own clock."""
    seconds = max(1, math.ceil(retry_after))
    if variant == "requests":
        message = REQUEST_429.format(seconds=seconds, unit=unit(seconds))
        headers = {"policy-id": "DeploymentRatelimit-Call", "x-ratelimit-reset-requests": str(seconds)}
    else:
        message = TOKEN_429.format(
            operation=OPERATION_IDS.get(operation or "", "ChatCompletions_Create"),
            version=version or "v1",
            seconds=seconds,
            unit=unit(seconds),
        )
        # sic: hyphenated "rate-limit" (report, openai-python#937)
        headers = {"policy-id": "DeploymentRatelimit-Token", "x-rate-limit-reset-tokens": str(seconds)}
    headers["retry-after"] = formatdate(time.time() + seconds, usegmt=True) if http_date else str(seconds)
    return AzureError(429, gateway_bytes("429", message), headers=headers, family="throttle")
