"""The request journal: every request the mock saw, bounded, with unittest.mock-style helpers."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from .call import Call
from .limits import MAX_JOURNAL_BYTES

SECRET_HEADERS = frozenset({"api-key", "authorization", "cookie", "ocp-apim-subscription-key"})
# any header or query parameter whose name has one of these words (split at "-" and "_") is a
# credential: x-api-key, proxy-authorization, ?api-key=, ?subscription-key=, ?sig=, x-ms-token-aad-...
SECRET_WORDS = frozenset({"key", "token", "secret", "password", "passwd", "auth", "authorization", "cookie",
                          "credential", "credentials", "signature", "sig", "sas", "code", "bearer"})
NOT_SECRET = frozenset({"idempotency-key", "x-mock-session"})  # named like secrets, but are not
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
    weight: int = 0  # bytes of request and response body it holds (``Journal``'s byte bound)

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
                query=mask_headers(call.query), operation=call.operation, deployment=call.deployment_name,
                session=call.session, headers=mask_headers(call.headers),
                body=self.upload if self.upload is not None else call.body, status=self.status,
                fault=call.fault, request_id=call.request_id, notes=call.notes, content_type=self.content_type,
                size=self.size, chunks=self.chunks,
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


def is_secret(name: str) -> bool:
    """Whether a header or query parameter named ``name`` carries a credential."""
    name = name.lower()
    if name in SECRET_HEADERS:
        return True
    if name in NOT_SECRET:
        return False
    return not SECRET_WORDS.isdisjoint(name.replace("_", "-").split("-"))


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """Headers (and query parameters) with every credential's value masked."""
    return {k: (MASK if is_secret(k) else v) for k, v in headers.items()}


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
        self.entries: deque[Exchange] = deque()
        self.size, self.max_bytes = size, max_bytes
        self.bytes = 0
        self.lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        with self.lock:
            self.entries.append(exchange)
            self.bytes += exchange.weight
            while len(self.entries) > 1 and (len(self.entries) > self.size or self.bytes > self.max_bytes):
                self.bytes -= self.entries.popleft().weight

    def reset(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0

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
