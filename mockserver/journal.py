"""The request journal: every request the mock saw, bounded, with unittest.mock-style helpers."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

SECRET_HEADERS = frozenset({"api-key", "authorization", "cookie", "ocp-apim-subscription-key"})
MASK = "***"


@dataclass
class JournalEntry:
    """One request and what the mock answered.

    time: epoch seconds when the request arrived; monotonic: for gaps between attempts.
    body: the parsed JSON body, or a summary of an upload (never the uploaded bytes).
    """

    time: float
    monotonic: float
    method: str
    path: str
    query: dict[str, str]
    operation: str | None
    deployment: str | None
    session: str | None
    headers: dict[str, str]
    body: Any
    status: int = 0
    fault: str | None = None
    request_id: str = ""
    response: Any = None
    notes: list[str] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list, repr=False)
    recorded: bool = field(default=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["chunks"], data["recorded"]
        return data


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if k in SECRET_HEADERS else v) for k, v in headers.items()}


class Journal:
    """A bounded, thread-safe list of ``JournalEntry`` with filter and count helpers."""

    def __init__(self, size: int = 1000) -> None:
        self.entries: deque[JournalEntry] = deque(maxlen=size)
        self.lock = threading.Lock()

    def record(self, entry: JournalEntry) -> None:
        with self.lock:
            self.entries.append(entry)

    def reset(self) -> None:
        with self.lock:
            self.entries.clear()

    def __iter__(self) -> Iterator[JournalEntry]:
        with self.lock:
            return iter(list(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def filter(
        self, *, session: str | None = None, operation: str | None = None, deployment: str | None = None
    ) -> list[JournalEntry]:
        return [
            e
            for e in self
            if (session is None or e.session == session)
            and (operation is None or e.operation == operation)
            and (deployment is None or e.deployment == deployment)
        ]

    @property
    def calls(self) -> list[JournalEntry]:
        return list(self)

    @property
    def call_count(self) -> int:
        return len(self)

    @property
    def called(self) -> bool:
        return len(self) > 0

    @property
    def last(self) -> JournalEntry | None:
        with self.lock:
            return self.entries[-1] if self.entries else None

    def gaps(self, **filters: str | None) -> list[float]:
        """Seconds between consecutive matching requests (to check a client's retry waits)."""
        times = [e.monotonic for e in self.filter(**filters)]
        return [b - a for a, b in zip(times, times[1:], strict=False)]
