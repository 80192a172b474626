"""``RequestLog``: a test's view of the journal, in ``unittest.mock`` words."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from ..journal import JournalEntry, MockWords

FILTER_KEYS = ("operation", "deployment", "method", "path", "status", "fault")


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
        """A narrower view: by ``operation``, ``deployment``, ``method``, ``path``, ``status``,
        or ``fault`` (True: requests a fault rule hit)."""
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
