"""A cache bounded by its number of entries and by the bytes of what it holds (``limits.MAX_CACHE_BYTES``).

An entry-count bound alone lets a few huge values take any amount of memory (8192 cached token
lists of 300,000-character prompts are gigabytes). Here every entry is charged a size, the oldest
entries go first when either bound is passed, and a value larger than the byte bound is not kept.
Thread-safe: lookups take no lock (a dict read is atomic), writers do.

A key is kept the second time it is put, not the first (a "doorkeeper": the first put only notes the
key's hash). Under varied traffic (a load test's prompts, every request different) most keys never
come back, and keeping each would cost an insert and an eviction per request for nothing; a key that
recurs (a test suite's fixed prompt, a retry) is kept from its second sighting on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from .limits import MAX_CACHE_BYTES


class BoundedCache:
    def __init__(self, entries: int, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        # ordered: the oldest entry leaves in O(1) (a plain dict's first key is found by a scan past
        # the slots its earlier evictions left)
        self.data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()
        self.seen: set[int] = set()  # hashes of keys put once (the doorkeeper), cleared when full

    def get(self, key: Hashable, default: Any = None) -> Any:
        found = self.data.get(key)
        return default if found is None else found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes or not self.admits(key):
            return
        with self.lock:
            old = self.data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self.data[key] = (value, size)
            self.bytes += size
            while len(self.data) > self.entries or self.bytes > self.max_bytes:
                _, (_, dropped) = self.pop_oldest()
                self.bytes -= dropped

    def admits(self, key: Hashable) -> bool:
        """True the second time ``key`` is put (and after); the first time only its hash is noted."""
        marker = hash(key)
        if marker in self.seen or key in self.data:
            return True
        if len(self.seen) >= 4 * self.entries:
            self.seen.clear()
        self.seen.add(marker)
        return False

    def pop_oldest(self) -> tuple[Hashable, tuple[Any, int]]:
        return self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data = OrderedDict()
            self.bytes = 0
            self.seen = set()

    def __len__(self) -> int:
        return len(self.data)


def memoised(cache: BoundedCache, size: Callable[[Any, Any], int]) -> Callable[[Callable[[Any], Any]], Any]:
    """Decorate a pure one-argument function with ``cache``; ``size(arg, result)`` charges an entry."""

    def wrap(function: Callable[[Any], Any]) -> Any:
        def cached(arg: Any) -> Any:
            found = cache.get(arg)
            if found is not None:
                return found
            result = function(arg)
            cache.put(arg, result, size(arg, result))
            return result

        cached.cache = cache  # type: ignore[attr-defined]
        cached.__doc__ = function.__doc__
        cached.__name__ = function.__name__
        return cached

    return wrap
