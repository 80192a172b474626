"""``RedisObjects``: the ``objects.ObjectStore`` every instance shares (stored responses, files, batches).

An object is a string key holding ``<expires>\\n<JSON text>`` (``expires`` on the mock clock, ``-`` for
never), listed per kind in a sorted set scored by a counter, so ``items`` comes oldest first and a
kind stays bounded (``max_items``: the oldest go first), as in ``objects.MemoryObjects``. Expiry is
checked against the mock clock when read; Redis also drops an expired object itself (``PEXPIRE``)
unless the clock is frozen. A blob is a list of chunks of at most ``objects.READ_CHUNK`` bytes,
written under a temporary key and renamed into place, so a reader never sees half an upload.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from ...ids import Clock
from ...objects import MAX_ITEMS, READ_CHUNK, BlobTooLarge
from .link import Link

PUT = """
redis.call('SET', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[3])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  for i, old in ipairs(redis.call('ZPOPMIN', KEYS[2], extra)) do
    if i % 2 == 1 then redis.call('DEL', ARGV[5] .. old) end
  end
end
return 1
"""


class RedisObjects:
    def __init__(self, link: Link, clock: Clock, max_items: int = MAX_ITEMS) -> None:
        self.link, self.clock, self.max_items = link, clock, max_items
        _, self.async_put = link.script(PUT)

    def object_key(self, kind: str, key: str = "") -> str:
        return self.link.key("obj", kind, key)

    def blob_key(self, kind: str, key: str) -> str:
        return self.link.key("blob", kind, key)

    async def put(self, kind: str, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        await self.put_text(kind, key, json.dumps(value), ttl)

    async def put_text(self, kind: str, key: str, text: str, ttl: float | None = None) -> None:
        expires = "-" if ttl is None else repr(self.clock.now() + ttl)
        wall_ms = 0 if ttl is None or self.clock.frozen is not None else max(1, round(ttl * 1000))
        keys = [self.object_key(kind, key), self.link.key("index", kind), self.link.key("index", kind, "n")]
        args = [f"{expires}\n{text}", wall_ms, key, self.max_items, self.object_key(kind)]
        await self.link.wait(self.async_put(keys=keys, args=args))

    def live(self, text: bytes | None) -> dict[str, Any] | None:
        if text is None:
            return None
        expires, _, body = text.partition(b"\n")
        if expires != b"-" and float(expires) <= self.clock.now():
            return None
        value: dict[str, Any] = json.loads(body)
        return value

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.live(await self.link.wait(self.link.aio.get(self.object_key(kind, key))))

    async def delete(self, kind: str, key: str) -> bool:
        pipe = self.link.aio.pipeline(transaction=True)
        pipe.get(self.object_key(kind, key)).delete(self.object_key(kind, key))
        text, _, _ = await self.link.wait(pipe.zrem(self.link.key("index", kind), key).execute())
        return self.live(text) is not None

    async def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every live object of ``kind``, oldest first."""
        names = await self.link.wait(self.link.aio.zrange(self.link.key("index", kind), 0, -1))
        if not names:
            return []
        texts = await self.link.wait(self.link.aio.mget([self.object_key(kind, n.decode()) for n in names]))
        result = []
        for name, text in zip(names, texts, strict=True):
            value = self.live(text)
            if value is not None:
                result.append((name.decode(), value))
        return result

    async def put_blob(self, kind: str, key: str, chunks: AsyncIterable[bytes], limit: int) -> int:
        """Write ``chunks`` as the blob ``kind``/``key``; raises ``BlobTooLarge`` past ``limit`` bytes."""
        spare = self.link.key("blob-upload", uuid.uuid4().hex)
        size, pending = 0, bytearray()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise BlobTooLarge(limit)
                pending += chunk
                while len(pending) >= READ_CHUNK:
                    await self.link.wait(self.link.aio.rpush(spare, bytes(pending[:READ_CHUNK])))
                    del pending[:READ_CHUNK]
            pipe = self.link.aio.pipeline(transaction=True)
            pipe.rpush(spare, bytes(pending))  # also an empty blob exists: one empty chunk
            await self.link.wait(pipe.rename(spare, self.blob_key(kind, key)).execute())
        except BaseException:
            await self.link.wait(self.link.aio.delete(spare))
            raise
        return size

    def read_blob(self, kind: str, key: str) -> AsyncIterator[bytes] | None:
        name = self.blob_key(kind, key)
        if not self.link.do(self.link.sync.exists, name):
            return None
        return self.chunks(name)

    async def chunks(self, name: str) -> AsyncIterator[bytes]:
        index = 0
        while True:
            chunk = await self.link.wait(self.link.aio.lindex(name, index))
            if chunk is None:
                return
            index += 1
            if chunk:
                yield bytes(chunk)

    async def delete_blob(self, kind: str, key: str) -> bool:
        return bool(await self.link.wait(self.link.aio.delete(self.blob_key(kind, key))))

    async def clear(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Every object and blob of this namespace gone (``MockState.reset``, from any instance)."""
        patterns = [self.link.key(part, "*") for part in ("obj", "index", "blob", "blob-upload")]
        names = self.link.do(
            lambda: [k for p in patterns for k in self.link.sync.scan_iter(match=p, count=1000)]
        )
        if names:
            self.link.do(self.link.sync.delete, *names)
