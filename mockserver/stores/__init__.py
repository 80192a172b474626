"""The state layer: where what the mock remembers between requests lives (``MockState`` holds it).

``open_stores(settings, clock)`` gives one ``Stores``: the journal, the fault rules with their
counters, the rate-limit windows, the object store (stored responses, files, batches), claims on
shared work, and the image links' signing key, each behind its protocol in ``stores.base``.

* ``memory`` (the default, ``state = "memory"``): this process's own memory, today's speed; it
  imports nothing new.
* ``redis`` (``state = "redis://HOST:PORT/DB"``, ``mockserver.stores.redis``): every instance and
  worker on the same Redis and ``namespace`` acts as one Azure resource. Decisions that must be exact
  run as Lua scripts in Redis. Imported only when asked for (the ``redis`` extra).

What stays per process whatever the backend: pure caches (``fastpath.memo``, header plans), the
seeded request-id sequence, the attached cassette, and the mock clock's advances.
"""

from __future__ import annotations

import secrets

from ..config import Settings
from ..config_keys import MEMORY_STATE as MEMORY
from ..config_keys import check_state
from ..ids import Clock
from ..journal import Journal
from ..objects import MemoryObjects
from ..ratelimit import RateLimiter
from .base import StateUnavailable, Stores, shown

__all__ = ["MEMORY", "StateUnavailable", "Stores", "check_state", "open_stores", "reach", "shown"]


class LocalClaims:
    """One process: the batch runner's own lock decides; every claim is granted."""

    async def claim(self, name: str, seconds: float) -> bool:
        return True

    async def release(self, name: str) -> None:
        return None


def open_stores(settings: Settings, clock: Clock) -> Stores:
    """The stores ``settings.state`` names; a Redis one is checked now (``StateUnavailable``)."""
    if settings.state == MEMORY:
        return memory_stores(settings, clock)
    from .redis import redis_stores  # the extra, only when asked for

    return redis_stores(settings, clock)


# the image links' key of the memory backend: one per process (every app of a process opens the others' links)
PROCESS_KEY = secrets.token_bytes(32)


def reach(settings: Settings) -> None:
    """Raise ``StateUnavailable`` when the shared state ``settings`` names does not answer now."""
    if settings.state == MEMORY:
        return
    from .redis.link import Link

    link = Link(settings.state, settings.namespace)
    try:
        link.check()
    finally:
        link.sync.close()


def memory_stores(settings: Settings, clock: Clock) -> Stores:
    from ..faults.rules import FaultStore

    return Stores(
        MEMORY,
        journal=Journal(settings.journal_size),
        faults=FaultStore(settings.seed),
        limiter=RateLimiter(clock, settings.rate_limits),
        objects=MemoryObjects(clock),
        claims=LocalClaims(),
        signing_key=PROCESS_KEY,
    )
