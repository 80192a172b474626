"""Memoised request processing.

The mock is deterministic: the same request, settings and seed give the same answer (and the
same ``created`` within one second of the clock). Validation results and rendered non-streaming
bodies are therefore kept in a small cache keyed by everything that determines them, so repeated
requests (retries, a test suite's fixed prompts, load tests) skip the work. Anything that varies
per request (ids in headers, rate-limit headers, faults, the journal) is still done every time.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..bounded import BoundedCache
from ..call import Call

if TYPE_CHECKING:
    from ..config import Settings

SIZE = 512
# keys hold request bodies: larger ones are not kept, so 512 entries stay a few MiB at most
MAX_KEY_BYTES = 16 * 1024


def request_key(call: Call) -> tuple[Any, ...]:
    """What determines a JSON request's processing besides the settings."""
    return (call.operation, call.deployment_name, call.surface, call.api_version, call.raw_body)


class Memo:
    """A thread-safe cache bounded by entries and by bytes (oldest entry evicted first,
    ``bounded.BoundedCache``); emptied when the settings change and on reset.

    Lookups take no lock: a dict read is atomic."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self.cache = BoundedCache(size)
        self.owner: object = None
        self.lock = threading.Lock()

    def get(self, settings: Settings, key: tuple[Any, ...]) -> Any:
        """The value kept for ``key`` under ``settings``; None when there is none, or when the
        settings turn the fast path off."""
        if settings is not self.owner or not settings.fast_path:
            return None  # stale: the next put starts afresh
        return self.cache.get(key)

    def put(self, settings: Settings, key: tuple[Any, ...], value: Any) -> None:
        key_bytes = sum(len(part) for part in key if isinstance(part, bytes))
        if not settings.fast_path or key_bytes > MAX_KEY_BYTES:
            return
        with self.lock:
            if settings is not self.owner:
                self.cache.clear()
                self.owner = settings
        weight = len(value) if isinstance(value, bytes) else getattr(value, "size", 64)  # size: its own say
        self.cache.put(key, value, key_bytes + weight + 200)

    def reset(self) -> None:
        self.cache.clear()
