"""The journal in Redis: one bounded list every instance appends to and any instance reads.

Each line is ``<seq>\\n<JSON>``; a script numbers it (one counter for the resource, never reused) and
trims the list to ``journal_size`` lines and ``MAX_JOURNAL_BYTES`` of text in the same step, so
readers on any instance see every request once, in the order their answers were recorded. Each entry
names the ``instance`` that answered. Times of arrival (``monotonic``) travel as epoch seconds and come
back on the reader's monotonic clock, so gaps between attempts served by two instances still hold.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from ...journal import JournalEntry, JournalRecord, MockWords, RequestLog
from ...limits import MAX_JOURNAL_BYTES
from .coalesce import Coalescer
from .link import Link

# ARGV[1] lines (``coalesce``: several requests' lines in one call), each: text, size, most bytes
APPEND = """
local out = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  local seq = redis.call('INCR', KEYS[2])
  local item = seq .. '\\n' .. ARGV[2 + 3 * i]
  redis.call('RPUSH', KEYS[1], item)
  local bytes = redis.call('INCRBY', KEYS[3], #item)
  local n = redis.call('LLEN', KEYS[1])
  local size, most = tonumber(ARGV[3 + 3 * i]), tonumber(ARGV[4 + 3 * i])
  while n > 1 and (n > size or bytes > most) do
    local old = redis.call('LPOP', KEYS[1])
    bytes = redis.call('INCRBY', KEYS[3], -#old)
    n = n - 1
  end
  out[i + 1] = seq
end
return out
"""
SKIPPED = frozenset({"chunks", "chunk_times", "parsed", "seq", "monotonic"})
FIELDS = tuple(name for name in JournalEntry.__slots__ if name not in SKIPPED)


def to_text(entry: JournalEntry) -> str:
    data: dict[str, Any] = {name: getattr(entry, name) for name in FIELDS}
    data["epoch"] = entry.monotonic - time.monotonic() + time.time()
    data["text"] = b"".join(entry.chunks).decode("utf-8", errors="replace")
    data["sizes"] = [len(chunk) for chunk in entry.chunks]
    data["at"] = [t - time.monotonic() + time.time() for t in entry.chunk_times]
    return json.dumps(data, ensure_ascii=False, default=str)


def from_line(line: bytes) -> JournalEntry:
    head, _, text = line.partition(b"\n")
    data = json.loads(text)
    shift = time.monotonic() - time.time()
    body, sizes = data.pop("text").encode("utf-8"), data.pop("sizes")
    chunks, start = [], 0
    for size in sizes:
        chunks.append(body[start : start + size])
        start += size
    at = [t + shift for t in data.pop("at")]
    monotonic = data.pop("epoch") + shift
    return JournalEntry(monotonic=monotonic, seq=int(head), chunks=chunks, chunk_times=at, **data)


class RedisJournal(MockWords):
    def __init__(self, link: Link, instance: str, size: int, max_bytes: int = MAX_JOURNAL_BYTES) -> None:
        self.link, self.instance = link, instance
        self.size, self.max_bytes = size, max_bytes
        self.keys = [link.key("journal"), link.key("journal", "seq"), link.key("journal", "bytes")]
        _, async_append = link.script(APPEND)
        self.batch = Coalescer(link, async_append)

    async def append(self, record: JournalRecord) -> None:
        record.finished = time.monotonic()
        entry = record.entry()
        entry.instance = self.instance
        args = [to_text(entry), self.size, self.max_bytes]
        record.seq = entry.seq = int(await self.batch.call(self.keys, args))

    def lines(self, start: int = 0, end: int = -1) -> list[bytes]:
        result: list[bytes] = self.link.do(self.link.sync.lrange, self.keys[0], start, end)
        return result

    def snapshot(self) -> list[JournalEntry]:
        return [from_line(line) for line in self.lines()]

    def since(self, cursor: int) -> list[JournalEntry]:
        """The entries after ``cursor``, oldest first (the kept lines are numbered without gaps)."""
        oldest = self.oldest
        return [from_line(line) for line in self.lines(max(0, cursor + 1 - oldest))]

    def find(self, seq: int) -> JournalEntry | None:
        index = seq - self.oldest
        if index < 0:
            return None
        found = self.lines(index, index)
        return from_line(found[0]) if found else None

    @property
    def cursor(self) -> int:
        return int(self.link.do(self.link.sync.get, self.keys[1]) or 0)

    @property
    def oldest(self) -> int:
        pipe = self.link.sync.pipeline(transaction=True)
        first, last = self.link.do(pipe.lindex(self.keys[0], 0).get(self.keys[1]).execute)
        return int(first.partition(b"\n")[0]) if first else int(last or 0) + 1

    def filter(self, **filters: Any) -> RequestLog:
        return RequestLog(self.snapshot, **{k: v for k, v in filters.items() if v is not None})

    def gaps(self, **filters: Any) -> list[float]:
        return self.filter(**filters).gaps()

    def reset(self) -> None:
        """No entries; the numbering goes on (as in memory: ``seq`` is never reused)."""
        self.link.do(self.link.sync.delete, self.keys[0], self.keys[2])

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        return int(self.link.do(self.link.sync.llen, self.keys[0]))
