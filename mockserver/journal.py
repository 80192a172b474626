"""The request journal: every request the mock saw, bounded, with unittest.mock-style helpers, and
``RequestLog``, the one filtered view of it (for tests in Python and for ``GET /_mock/requests``)."""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, overload

from .call import Call

SECRET_HEADERS = frozenset({"api-key", "authorization", "cookie", "ocp-apim-subscription-key"})
MASK = "***"
MAX_KEPT_BYTES = 256 * 1024  # of one response body; the rest is counted, not kept
TEXT_TYPES = ("application/json", "text/")
UNSET: Any = object()
SWITCH = {"true": True, "1": True, "false": False, "0": False}


@dataclass(slots=True)
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
    notes: list[str] = field(default_factory=list)
    content_type: str = ""
    size: int = 0
    chunks: list[bytes] = field(default_factory=list, repr=False)
    parsed: Any = field(default=UNSET, repr=False)

    @property
    def response(self) -> Any:
        """The response as sent: parsed JSON, the list of SSE events, text, or a size for media.

        Parsed on first access, so recording a request costs no JSON parsing."""
        if self.parsed is UNSET:
            self.parsed = summarise(self.chunks, self.content_type, self.size)
        return self.parsed

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JournalEntry:
        """Rebuild an entry from ``to_dict`` output (e.g. ``GET /_mock/requests``)."""
        values = dict(data)
        response = values.pop("response", None)
        entry = cls(**values)
        entry.parsed = response
        return entry

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for private in ("chunks", "parsed"):
            del data[private]
        data["response"] = self.response
        return data


@dataclass(slots=True)
class JournalRecord:
    """A request as the pipeline answers it, and what it sent: the journal keeps these, and builds
    a request's ``JournalEntry`` from its ``Call`` when the journal is read, so recording a request
    copies nothing (headers are masked then too)."""

    call: Call
    status: int
    upload: dict[str, Any] | None  # the upload summary of a multipart request; None: the call's body
    content_type: str = ""
    size: int = 0
    chunks: list[bytes] = field(default_factory=list)
    added: bool = False  # to the journal (once, also when the connection dropped)
    built: JournalEntry | None = None

    def keep(self, body: bytes) -> None:
        """Count a piece of the response body; keep it when it is text and under the cap."""
        self.size += len(body)
        if self.content_type.startswith(TEXT_TYPES) and self.size <= MAX_KEPT_BYTES:
            self.chunks.append(body)

    def entry(self) -> JournalEntry:
        if self.built is None:
            call = self.call
            self.built = JournalEntry(
                time=call.received_at,
                monotonic=call.started,
                method=call.method,
                path=call.path,
                query=call.query,
                operation=call.operation,
                deployment=call.deployment_name,
                session=call.session,
                headers=mask_headers(call.headers),
                body=self.upload if self.upload is not None else call.body,
                status=self.status,
                fault=call.fault,
                request_id=call.request_id,
                notes=call.notes,
                content_type=self.content_type,
                size=self.size,
                chunks=self.chunks,
            )
        return self.built


def summarise(chunks: list[bytes], content_type: str, size: int) -> Any:
    if not content_type.startswith(TEXT_TYPES):
        return {"content_type": content_type, "size": size}
    text = b"".join(chunks).decode("utf-8", errors="replace")
    if text.startswith("data: "):
        return [event for event in text.split("\n\n") if event]
    try:
        return json.loads(text)
    except ValueError:
        return text[:2000]


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if k in SECRET_HEADERS else v) for k, v in headers.items()}


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
    """A bounded, thread-safe list of ``JournalEntry`` with filter and count helpers."""

    def __init__(self, size: int = 1000) -> None:
        self.entries: deque[JournalRecord] = deque(maxlen=size)
        self.lock = threading.Lock()

    def add(self, record: JournalRecord) -> None:
        with self.lock:
            self.entries.append(record)

    def reset(self) -> None:
        with self.lock:
            self.entries.clear()

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
