"""``ObjectStore``: the keyed store, with expiry, for what the mock keeps between requests as objects.

Stored responses (the Responses API), files and batches live here, each under a ``kind``
(``"responses"``, ``"files"``, ``"batches"``, ...) and a key (the object's id). Values are JSON
objects and are kept as their JSON text, so that every backend (this in-memory one, and a shared
one such as Redis) gives back an equal copy and never the caller's own dict. Blobs (a file's
content) are kept apart from the objects and are read and written in chunks, so that an upload is
never held whole in memory beyond ``SPOOL_BYTES``.

Expiry runs on the mock's clock (``ids.Clock.now``, which ``POST /_mock/clock/advance`` and
``--freeze-time`` move), so a test can make a stored object expire without waiting. Each kind is
bounded in number (``max_items``): the oldest objects go first, as a log's oldest lines would.
"""

from __future__ import annotations

import json
import tempfile
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator
from typing import IO, Any, NamedTuple, Protocol

from .ids import Clock

SPOOL_BYTES = 1024 * 1024  # a blob larger than this is spooled to a temporary file
READ_CHUNK = 64 * 1024
MAX_ITEMS = 10_000  # per kind


class BlobTooLarge(Exception):
    """A blob went over the limit its writer set; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class ObjectStore(Protocol):
    """What the endpoints use to keep objects; every method is a coroutine so a backend may be remote."""

    async def put(self, kind: str, key: str, value: dict[str, Any], ttl: float | None = None) -> None: ...

    async def put_text(self, kind: str, key: str, text: str, ttl: float | None = None) -> None:
        """``put`` of a value given as the JSON text ``put`` would make of it (``json.dumps``)."""
        ...

    async def get(self, kind: str, key: str) -> dict[str, Any] | None: ...

    async def delete(self, kind: str, key: str) -> bool: ...

    async def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]: ...

    async def put_blob(self, kind: str, key: str, chunks: AsyncIterable[bytes], limit: int) -> int: ...

    def read_blob(self, kind: str, key: str) -> AsyncIterator[bytes] | None: ...

    async def delete_blob(self, kind: str, key: str) -> bool: ...

    async def clear(self) -> None: ...


class Spool(tempfile.SpooledTemporaryFile[bytes]):
    """A blob's file. A store dropped without a reset is collected with its files in any order (the
    state and its batch runner hold each other), so a file closes itself rather than warn that it was
    left open: the store owned it, and ``__del__`` below closes the rest."""

    def __del__(self) -> None:
        self.close()


class Stored(NamedTuple):  # a tuple of a str and a float: nothing for the garbage collector to follow
    text: str
    expires: float | None


class MemoryObjects:
    """The in-process ``ObjectStore``: insertion-ordered per kind, bounded, expiring on ``clock``."""

    def __init__(self, clock: Clock, max_items: int = MAX_ITEMS) -> None:
        self.clock = clock
        self.max_items = max_items
        self.kinds: dict[str, OrderedDict[str, Stored]] = {}
        self.blobs: dict[tuple[str, str], IO[bytes]] = {}

    async def put(self, kind: str, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        self.keep(kind, key, json.dumps(value), ttl)

    async def put_text(self, kind: str, key: str, text: str, ttl: float | None = None) -> None:
        self.keep(kind, key, text, ttl)

    def keep(self, kind: str, key: str, text: str, ttl: float | None) -> None:
        objects = self.kinds.get(kind)
        if objects is None:
            objects = self.kinds[kind] = OrderedDict()
        expires = None if ttl is None else self.clock.now() + ttl
        objects[key] = Stored(text, expires)
        objects.move_to_end(key)
        while len(objects) > self.max_items:
            objects.popitem(last=False)

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        stored = self.live(kind).get(key)
        return None if stored is None else load(stored)

    async def delete(self, kind: str, key: str) -> bool:
        return self.live(kind).pop(key, None) is not None

    async def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every live object of ``kind``, oldest first."""
        return [(key, load(stored)) for key, stored in self.live(kind).items()]

    def live(self, kind: str) -> OrderedDict[str, Stored]:
        """The objects of ``kind`` after dropping the expired ones."""
        objects = self.kinds.get(kind)
        if objects is None:
            return OrderedDict()
        now = self.clock.now()
        for key in [k for k, s in objects.items() if s.expires is not None and s.expires <= now]:
            del objects[key]
        return objects

    async def put_blob(self, kind: str, key: str, chunks: AsyncIterable[bytes], limit: int) -> int:
        """Write ``chunks`` as the blob ``kind``/``key``; raises ``BlobTooLarge`` past ``limit`` bytes."""
        spool: IO[bytes] = Spool(max_size=SPOOL_BYTES)  # kept open: the store closes it
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise BlobTooLarge(limit)
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
        await self.delete_blob(kind, key)
        self.blobs[kind, key] = spool
        return size

    def read_blob(self, kind: str, key: str) -> AsyncIterator[bytes] | None:
        spool = self.blobs.get((kind, key))
        return None if spool is None else read_spool(spool)

    async def delete_blob(self, kind: str, key: str) -> bool:
        spool = self.blobs.pop((kind, key), None)
        if spool is not None:
            spool.close()
        return spool is not None

    async def clear(self) -> None:
        self.reset()

    def __del__(self) -> None:  # an app dropped without a reset still closes its spooled files
        self.reset()

    def reset(self) -> None:
        """``clear`` without awaiting: the in-process store empties at once (``MockState.reset``)."""
        self.kinds.clear()
        for spool in self.blobs.values():
            spool.close()
        self.blobs.clear()


def load(stored: Stored) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(stored.text)
    return value


async def read_spool(spool: IO[bytes]) -> AsyncIterator[bytes]:
    """The blob from its start, in chunks (each read seeks, so readers do not disturb each other)."""
    offset = 0
    while True:
        spool.seek(offset)
        chunk = spool.read(READ_CHUNK)
        if not chunk:
            return
        offset += len(chunk)
        yield chunk
