"""A cache bounded by its number of entries and by the bytes of what it holds (``limits.MAX_CACHE_BYTES``).

An entry-count bound alone lets a few huge values take any amount of memory (8192 cached token
lists of 300,000-character prompts are gigabytes). Here every entry is charged a size, the oldest
entries go first when either bound is passed, and a value larger than the byte bound is not kept.
Thread-safe: lookups take no lock (a dict read is atomic), writers do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from .limits import MAX_CACHE_BYTES


class BoundedCache:
    def __init__(self, entries: int, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self.data: dict[Hashable, tuple[Any, int]] = {}
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        found = self.data.get(key)
        return default if found is None else found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes:
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

    def pop_oldest(self) -> tuple[Hashable, tuple[Any, int]]:
        oldest = next(iter(self.data))
        return oldest, self.data.pop(oldest)

    def clear(self) -> None:
        with self.lock:
            self.data = {}
            self.bytes = 0

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
