"""The request journal: every request the mock saw, bounded, with unittest.mock-style helpers, and
``RequestLog``, the one filtered view of it (for tests in Python and for ``GET /_mock/requests``)."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload

from ..limits import MAX_JOURNAL_BYTES
from .entries import JournalEntry, JournalRecord, mask_headers

__all__ = [
    "FILTER_KEYS",
    "Journal",
    "JournalEntry",
    "JournalRecord",
    "MockWords",
    "RequestLog",
    "filters_from_query",
    "mask_headers",
]

SWITCH = {"true": True, "1": True, "false": False, "0": False}


class MockWords:
    """``unittest.mock`` words over ``snapshot()``: ``calls``, ``call_count``, ``called``, ``last``."""

    def snapshot(self) -> list[JournalEntry]:
        raise NotImplementedError

    @property
    def calls(self) -> list[JournalEntry]:
        return self.snapshot()

    @property
    def call_count(self) -> int:
        return len(self.snapshot())

    @property
    def called(self) -> bool:
        return self.call_count > 0

    @property
    def last(self) -> JournalEntry | None:
        entries = self.snapshot()
        return entries[-1] if entries else None


class Journal(MockWords):
    """A thread-safe list of ``JournalEntry`` with filter and count helpers, bounded by its number of
    entries (``size``) and by the body bytes they hold (``max_bytes``): the oldest entries go first."""

    def __init__(self, size: int = 1000, max_bytes: int = MAX_JOURNAL_BYTES) -> None:
        self.entries: deque[JournalRecord] = deque()
        self.size, self.max_bytes = size, max_bytes
        self.bytes = 0
        self.lock = threading.Lock()
        self.numbers = itertools.count(1)
        self.last_seq = 0

    def add(self, record: JournalRecord) -> None:
        record.finished = time.monotonic()
        with self.lock:
            record.seq = self.last_seq = next(self.numbers)
            self.entries.append(record)
            self.bytes += record.weight
            while len(self.entries) > 1 and (len(self.entries) > self.size or self.bytes > self.max_bytes):
                self.bytes -= self.entries.popleft().weight

    async def append(self, record: JournalRecord) -> None:
        """``add`` as the state interface's hot path (``stores.base.JournalStore``)."""
        self.add(record)

    @property
    def cursor(self) -> int:
        """The ``seq`` of the last request recorded (0 before the first); it survives ``reset``."""
        return self.last_seq

    @property
    def oldest(self) -> int:
        """The ``seq`` of the oldest request still kept (``cursor + 1`` when none is)."""
        with self.lock:
            return self.entries[0].seq if self.entries else self.last_seq + 1

    def since(self, cursor: int) -> list[JournalEntry]:
        """The entries recorded after ``cursor`` (a ``seq``), oldest first: a poller's new requests."""
        with self.lock:
            newer: list[JournalRecord] = []
            for record in reversed(self.entries):
                if record.seq <= cursor:
                    break
                newer.append(record)
        return [record.entry() for record in reversed(newer)]

    def find(self, seq: int) -> JournalEntry | None:
        """The entry numbered ``seq``, or None once it has left the bounded journal."""
        with self.lock:  # the kept entries are numbered without gaps: oldest, oldest + 1, ...
            index = seq - self.entries[0].seq if self.entries else -1
            found = self.entries[index] if 0 <= index < len(self.entries) else None
        return found.entry() if found is not None else None

    def reset(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        return len(self.entries)

    def filter(self, **filters: Any) -> RequestLog:
        """A live view of the matching entries (``RequestLog``; a filter given as None matches all)."""
        return RequestLog(self.snapshot, **{k: v for k, v in filters.items() if v is not None})

    def snapshot(self) -> list[JournalEntry]:
        with self.lock:
            records = list(self.entries)
        return [record.entry() for record in records]

    def gaps(self, **filters: Any) -> list[float]:
        """Seconds between consecutive matching requests (to check a client's retry waits)."""
        return self.filter(**filters).gaps()


# --- views: the one filter vocabulary (Python and GET /_mock/requests) --------------------------

FILTER_KEYS = ("session", "operation", "deployment", "method", "path", "status", "fault")


class RequestLog(MockWords, Sequence[JournalEntry]):
    """The requests the mock saw in this test, oldest first; a read-only sequence of ``JournalEntry``.

    ``call_count``, ``called``, ``last`` and ``calls`` read like ``unittest.mock``; ``filter`` narrows
    the view (``mock.requests.filter(operation="chat.completions").call_count``). The view is live:
    each access reads the journal again.
    """

    def __init__(self, fetch: Callable[[], list[JournalEntry]], **filters: Any) -> None:
        unknown = set(filters) - set(FILTER_KEYS)
        if unknown:
            raise TypeError(f"unknown filter(s) {sorted(unknown)}; valid: {list(FILTER_KEYS)}")
        self.fetch = fetch
        self.filters = filters

    def entries(self) -> list[JournalEntry]:
        return [e for e in self.fetch() if self.keeps(e)]

    def keeps(self, entry: JournalEntry) -> bool:
        for key, wanted in self.filters.items():
            value = getattr(entry, key)
            if key == "fault":
                if bool(value) != bool(wanted):
                    return False
            elif value != wanted:
                return False
        return True

    def filter(self, **filters: Any) -> RequestLog:
        """A narrower view: by ``session`` (the ``x-mock-session`` id), ``operation``, ``deployment``,
        ``method``, ``path``, ``status``, or ``fault`` (True: requests a fault rule hit)."""
        return RequestLog(self.fetch, **{**self.filters, **filters})

    @overload
    def __getitem__(self, index: int) -> JournalEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[JournalEntry]: ...
    def __getitem__(self, index: int | slice) -> JournalEntry | list[JournalEntry]:
        return self.entries()[index]

    def __len__(self) -> int:
        return len(self.entries())

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __repr__(self) -> str:
        lines = [f"{e.method} {e.path} -> {e.status}" for e in self.entries()]
        return f"<RequestLog {len(lines)} request(s){': ' if lines else ''}{'; '.join(lines)}>"

    def snapshot(self) -> list[JournalEntry]:
        return self.entries()

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests (a client's retry waits)."""
        times = [e.monotonic for e in self.entries()]
        return [b - a for a, b in itertools.pairwise(times)]

    def assert_called(self) -> None:
        if not self.called:
            raise AssertionError(f"expected the mock to be called{self.where()}; it was not")

    def assert_called_once(self) -> None:
        if self.call_count != 1:
            raise AssertionError(f"expected 1 call{self.where()}, got {self.call_count}: {self!r}")

    def assert_not_called(self) -> None:
        if self.called:
            raise AssertionError(f"expected no call{self.where()}, got {self.call_count}: {self!r}")

    def where(self) -> str:
        return f" matching {self.filters}" if self.filters else ""


def filters_from_query(query: Mapping[str, str]) -> dict[str, Any]:
    """``GET /_mock/requests`` parameters as ``RequestLog`` filters (``status`` a number, ``fault``
    true or false); a ``ValueError`` names an unknown parameter or a bad value."""
    unknown = sorted(set(query) - set(FILTER_KEYS))
    if unknown:
        raise ValueError(f"unknown filter(s) {unknown}; valid: {list(FILTER_KEYS)}")
    filters: dict[str, Any] = dict(query)
    if "status" in filters:
        if not filters["status"].isdigit():
            raise ValueError(f"status must be a number, got {filters['status']!r}")
        filters["status"] = int(filters["status"])
    if "fault" in filters:
        if filters["fault"].lower() not in SWITCH:
            raise ValueError(f"fault must be one of {list(SWITCH)}, got {filters['fault']!r}")
        filters["fault"] = SWITCH[filters["fault"].lower()]
    return filters
