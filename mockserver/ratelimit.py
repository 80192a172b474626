"""Per-deployment usage over the last minute, for the ``x-ratelimit-*`` headers.

Azure reports the remaining requests and tokens of the deployment's per-minute quota on every
inference response (azure-wire §4.1). This meter counts what the mock served in a sliding
60-second window; it does not reject anything.
"""

from __future__ import annotations

import threading
from collections import deque

from .call import RateInfo
from .config import Deployment
from .ids import Clock

WINDOW = 60.0


class UsageMeter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.windows: dict[str, deque[tuple[float, int]]] = {}
        self.lock = threading.Lock()

    def charge(self, deployment: Deployment, tokens: int) -> RateInfo:
        """Record one request of ``tokens`` estimated tokens and return the header values."""
        now = self.clock.monotonic()
        with self.lock:
            window = self.windows.setdefault(deployment.name, deque())
            while window and now - window[0][0] > WINDOW:
                window.popleft()
            window.append((now, tokens))
            used_tokens = sum(t for _, t in window)
            used_requests = len(window)
        return RateInfo(
            limit_requests=deployment.rpm,
            remaining_requests=max(deployment.rpm - used_requests, 0),
            limit_tokens=deployment.tpm,
            remaining_tokens=max(deployment.tpm - used_tokens, 0),
        )

    def reset(self) -> None:
        with self.lock:
            self.windows.clear()
