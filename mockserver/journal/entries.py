"""What the journal keeps of one request (``JournalRecord``) and the entry a reader gets from it
(``JournalEntry``): headers masked, bodies summarised, the response parsed on first read."""

from __future__ import annotations

import codecs
import functools
import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..call import Call
from ..types import Message

SECRET_HEADERS = frozenset({"api-key", "authorization", "cookie", "ocp-apim-subscription-key"})
# any header or query parameter whose name has one of these words (split at "-" and "_") is a
# credential: x-api-key, proxy-authorization, ?api-key=, ?subscription-key=, ?sig=, x-ms-token-aad-...
SECRET_WORDS = frozenset(
    {
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "auth",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "signature",
        "sig",
        "sas",
        "code",
        "bearer",
    }
)
NOT_SECRET = frozenset({"idempotency-key", "x-mock-session"})  # named like secrets, but are not
MASK = "***"
MAX_KEPT_BYTES = 256 * 1024  # of one response body; the rest is counted, not kept
TEXT_TYPES = ("application/json", "text/")
UNSET: Any = object()
# a JSON-escaped text cannot hold this unescaped, so it is a usage object's count
TOTAL_TOKENS = re.compile(rb'"total_tokens": ?(\d+)')


@dataclass(slots=True)
class JournalEntry:
    """One request and what the mock answered.

    time: epoch seconds when the request arrived; monotonic: for gaps between attempts.
    body: the parsed JSON body, or a summary of an upload (never the uploaded bytes).
    seq: the journal's number for it (1, 2, ... in arrival order of the answers; never reused, not even
    after a reset), the cursor of ``Journal.since``. duration: seconds from arrival until the answer
    was complete (or the client went away). response_headers: as sent (lower-case names).
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
    seq: int = 0
    duration: float = 0.0
    response_headers: dict[str, str] = field(default_factory=dict)
    batch_id: str | None = None  # a batch line: its batch and custom_id
    custom_id: str | None = None
    instance: str | None = None  # which instance answered, when several share one journal (stores)
    chunks: list[bytes] = field(default_factory=list, repr=False)
    chunk_times: list[float] = field(default_factory=list, repr=False)
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
        for private in ("chunks", "chunk_times", "parsed"):
            del data[private]
        data["response"] = self.response
        return data

    @property
    def tokens(self) -> int | None:
        """``usage.total_tokens`` of the answer (a JSON body, or a stream's usage chunk), else None.

        Read from the kept bytes without parsing the whole body when they are there."""
        if not self.chunks:
            return usage_total(self.response)
        for chunk in reversed(self.chunks):  # the usage comes last: in a JSON body, or a stream's last chunks
            at = chunk.rfind(b'"total_tokens"')
            if at >= 0:
                found = TOTAL_TOKENS.match(chunk, at)
                if found is None or found.end() == len(chunk):  # cut between two chunks: parse it all
                    return usage_total(self.response)
                return int(found.group(1))
        return None

    def timed_events(self) -> list[tuple[float, str]]:
        """A stream's events with the seconds after arrival at which each was sent (empty for other
        responses, and for entries rebuilt with ``from_dict``)."""
        if not self.content_type.startswith("text/event-stream") or not self.chunk_times:
            return []
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        events: list[tuple[float, str]] = []
        pending = ""
        for chunk, at in zip(self.chunks, self.chunk_times, strict=False):
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n\n")
            events.extend((at - self.monotonic, event) for event in complete if event)
        if pending:
            events.append((self.chunk_times[-1] - self.monotonic, pending))
        return events


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
    chunk_times: list[float] = field(default_factory=list)  # time.monotonic() as each kept piece was sent
    head: Message | None = None  # the ASGI http.response.start message, decoded when read
    added: bool = False  # to the journal (once, also when the connection dropped)
    seq: int = 0
    finished: float = 0.0
    built: JournalEntry | None = None
    weight: int = 0  # bytes of request and response body it holds (``Journal``'s byte bound)

    def keep(self, body: bytes) -> None:
        """Count a piece of the response body; keep it when it is text and under the cap."""
        self.size += len(body)
        if self.content_type.startswith(TEXT_TYPES) and self.size <= MAX_KEPT_BYTES:
            self.chunks.append(body)
            self.chunk_times.append(time.monotonic())

    def entry(self) -> JournalEntry:
        if self.built is None:
            call = self.call
            self.built = JournalEntry(
                time=call.received_at,
                monotonic=call.started,
                method=call.method,
                path=call.path,
                query=mask_headers(call.query),
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
                seq=self.seq,
                duration=max(0.0, self.finished - call.started),
                response_headers=mask_headers(response_headers(self.head)),
                batch_id=call.batch_id,
                custom_id=call.custom_id,
                chunks=self.chunks,
                chunk_times=self.chunk_times,
            )
        return self.built


def response_headers(start: Message | None) -> dict[str, str]:
    """The headers of an ``http.response.start`` message: ASGI's list, or the head lines the mock
    rendered itself (``mockserver.fastpath.wire``)."""
    if start is None:
        return {}
    if "aoai.head" in start:
        lines = bytes(start["aoai.head"]).decode("latin-1").split("\r\n")
        pairs = [line.split(":", 1) for line in lines if ":" in line]
        return {name.strip().lower(): value.strip() for name, value in pairs}
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", ())}


def usage_total(response: Any) -> int | None:
    """``usage.total_tokens`` of a parsed response: a JSON object, or the last events of a stream."""
    if isinstance(response, list):  # SSE events: the usage chunk comes last, before [DONE]
        for event in reversed(response[-3:]):
            if isinstance(event, str) and event.startswith("data: {") and '"usage"' in event:
                try:
                    found = usage_total(json.loads(event[6:]))
                except ValueError:
                    continue
                if found is not None:
                    return found
        return None
    usage = response.get("usage") if isinstance(response, dict) else None
    total = usage.get("total_tokens") if isinstance(usage, dict) else None
    return total if isinstance(total, int) else None


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


@functools.lru_cache(maxsize=1024)  # the same few dozen names, in every request: reading 1,000 entries
def is_secret(name: str) -> bool:  # the first time checked each ~27,000 times (a third of the time)
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
