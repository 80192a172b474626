"""Memoised request processing.

The mock is deterministic: the same request, settings and seed give the same answer (and the
same ``created`` within one second of the clock). Validation results and rendered non-streaming
bodies are therefore kept in a small LRU keyed by everything that determines them, so repeated
requests (retries, a test suite's fixed prompts, load tests) skip the work. Anything that varies
per request (ids in headers, rate-limit headers, faults, the journal) is still done every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from .call import Call

SIZE = 512


def request_key(call: Call) -> tuple[Any, ...]:
    """What determines a JSON request's processing besides the settings."""
    return (call.operation, call.deployment_name, call.surface, call.api_version, call.raw_body)


class Memo:
    """A bounded, thread-safe LRU; cleared whenever the settings object changes."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self.data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.owner: object = None
        self.lock = threading.Lock()

    def get(self, owner: object, key: tuple[Any, ...]) -> Any:
        with self.lock:
            if owner is not self.owner:
                self.data.clear()
                self.owner = owner
                return None
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, owner: object, key: tuple[Any, ...], value: Any) -> None:
        with self.lock:
            if owner is not self.owner:
                self.data.clear()
                self.owner = owner
            self.data[key] = value
            if len(self.data) > self.size:
                self.data.popitem(last=False)

    def reset(self) -> None:
        with self.lock:
            self.data.clear()
