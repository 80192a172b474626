"""The Redis backend of the state layer (``--state redis://HOST:PORT/DB``): see ``mockserver.stores``.

``redis_stores`` checks that Redis answers (else ``StateUnavailable``: ``aoai-mock serve`` exits with
one line naming it), then builds the shared stores, one module each: ``journal``, ``faults``,
``limiter``, ``objects``, ``claims``; ``link`` holds the connections and the key names. The image
links' signing key is made once per namespace (``SET NX``) and read by every instance.
"""

from __future__ import annotations

import secrets
import uuid

from ...config import Settings
from ...ids import Clock
from ..base import Stores
from .claims import RedisClaims
from .faults import RedisFaults
from .journal import RedisJournal
from .limiter import RedisLimiter
from .link import Link
from .objects import RedisObjects
from .replay import RedisCursor

__all__ = ["Link", "redis_stores"]


def redis_stores(settings: Settings, clock: Clock) -> Stores:
    link = Link(settings.state, settings.namespace)
    link.check()
    instance = uuid.uuid4().hex[:12]
    return Stores(
        "redis",
        journal=RedisJournal(link, instance, settings.journal_size),
        faults=RedisFaults(link, settings.seed, defer=settings.rate_limits != "off"),
        limiter=RedisLimiter(link, lambda: clock.offset, settings.rate_limits),
        objects=RedisObjects(link, clock),
        claims=RedisClaims(link, instance),
        signing_key=signing_key(link),
        instance=instance,
        close=link.close,
        cursor=lambda: RedisCursor(link),
    )


def signing_key(link: Link) -> bytes:
    """The namespace's one key for image links (made by the first instance, kept with the state)."""
    name = link.key("signing-key")
    link.do(link.sync.set, name, secrets.token_bytes(32), nx=True)
    key: bytes = link.do(link.sync.get, name)
    return key
