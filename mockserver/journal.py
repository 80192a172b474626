"""The request journal: every request the mock saw, bounded, with unittest.mock-style helpers."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from .call import Call

SECRET_HEADERS = frozenset({"api-key", "authorization", "cookie", "ocp-apim-subscription-key"})
MASK = "***"
MAX_KEPT_BYTES = 256 * 1024  # of one response body; the rest is counted, not kept
TEXT_TYPES = ("application/json", "text/")
UNSET: Any = object()


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
    batch_id: str | None = None  # a batch line: its batch and custom_id
    custom_id: str | None = None
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
class Exchange:
    """A request as the pipeline answers it, and what it sent: the journal keeps these, and builds
    a request's ``JournalEntry`` from its ``Call`` when the journal is read, so recording a request
    copies nothing (headers are masked then too)."""

    call: Call
    status: int
    upload: dict[str, Any] | None  # the upload summary of a multipart request; None: the call's body
    content_type: str = ""
    size: int = 0
    chunks: list[bytes] = field(default_factory=list)
    recorded: bool = False
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
                time=call.received_at, monotonic=call.started, method=call.method, path=call.path,
                query=call.query, operation=call.operation, deployment=call.deployment_name,
                session=call.session, headers=mask_headers(call.headers),
                body=self.upload if self.upload is not None else call.body, status=self.status,
                fault=call.fault, request_id=call.request_id, notes=call.notes, content_type=self.content_type,
                size=self.size, batch_id=call.batch_id, custom_id=call.custom_id, chunks=self.chunks,
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
        self.entries: deque[Exchange] = deque(maxlen=size)
        self.lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        with self.lock:
            self.entries.append(exchange)

    def reset(self) -> None:
        with self.lock:
            self.entries.clear()

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.snapshot())

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

    def snapshot(self) -> list[JournalEntry]:
        with self.lock:
            exchanges = list(self.entries)
        return [exchange.entry() for exchange in exchanges]

    def gaps(self, **filters: str | None) -> list[float]:
        """Seconds between consecutive matching requests (to check a client's retry waits)."""
        times = [e.monotonic for e in self.filter(**filters)]
        return [b - a for a, b in zip(times, times[1:], strict=False)]
