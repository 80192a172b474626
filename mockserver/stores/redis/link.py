"""``Link``: this process's connections to the shared Redis, its key names, and its one error rule.

Two clients on one URL: the asyncio client for the hot path (a request's fault decision, rate-limit
charge and journal line: a script each, one round trip), and the blocking client for the control
plane (``/_mock``, the dashboard, the in-process handle), whose calls are rare and short. Both time
out after ``TIMEOUT`` seconds and never retry: a Redis that is gone is a ``StateUnavailable`` at once
(the pipeline's 503), and the next request simply connects again, so service resumes by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..base import StateUnavailable, shown

T = TypeVar("T")
# seconds a Redis call may take before the request gets its 503. Not less: the timer runs on the event
# loop, so a loop held by other work (a first request loads the BPE tables: 1.6 s on a loaded 2-core
# machine) would otherwise fail the calls that were waiting on a Redis that had long answered
TIMEOUT = 3.0
CONNECT_TIMEOUT = 0.5
ERRORS = (redis.RedisError, OSError)


def unavailable(url: str, exc: BaseException) -> StateUnavailable:
    return StateUnavailable(f"redis {shown(url)}: {type(exc).__name__}: {str(exc)[:160] or 'no answer'}")


class Link:
    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.prefix = f"{namespace}:"
        options: dict[str, Any] = {
            "socket_timeout": TIMEOUT,
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "retry_on_timeout": False,
            "health_check_interval": 0,
        }
        # typed Any: redis-py's own annotations widen every reply to a union of str/bytes/awaitable
        self.sync: Any = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), **options)
        # the asyncio client's timeout is ours (``wait``): with a socket_timeout, redis-py wraps every
        # write in asyncio.wait_for, a task per command (a fifth of a request's Redis cost, profiled)
        aio_options = {**options, "socket_timeout": None}
        self.aio: Any = redis.asyncio.Redis.from_url(url, retry=AsyncRetry(NoBackoff(), 0), **aio_options)

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def check(self) -> None:
        """Raise ``StateUnavailable`` naming the URL when Redis does not answer a PING now."""
        self.do(self.sync.ping)

    def do(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A blocking call (the control plane), its failure a ``StateUnavailable``."""
        try:
            return command(*args, **kwargs)
        except ERRORS as exc:
            raise unavailable(self.url, exc) from exc

    async def wait(self, call: Awaitable[T]) -> T:
        """An awaited call (the hot path), its failure a ``StateUnavailable``."""
        try:
            async with asyncio.timeout(TIMEOUT):
                return await call
        except (*ERRORS, TimeoutError) as exc:
            raise unavailable(self.url, exc) from exc

    def script(self, lua: str) -> tuple[Any, Any]:
        """The script for both clients (EVALSHA, loaded again when Redis lost it)."""
        return self.sync.register_script(lua), self.aio.register_script(lua)

    async def close(self) -> None:
        await self.aio.aclose()
        self.sync.close()
