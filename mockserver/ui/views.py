"""The JSON the dashboard reads, built from the stores' public methods (journal, limiter, player).

* ``JournalRows``: the compact journal listing (one row per request, with its place in a retry chain);
* ``detail``: one request in full, a stream's events with the time each was sent;
* ``quota``: each deployment's rate-window use against its caps;
* ``replay``: what the loaded cassettes answered and what missed.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from ..journal import JournalEntry
from ..pipeline.replay import FELL_THROUGH
from ..replay.player import MISS, REPEATED, REPLAYED
from ..state import MockState
from .timeline import Attempt, Tracker

EXCERPT = 120
HIT_PREFIXES = (REPLAYED.split("{")[0], REPEATED.split("{")[0])
MISS_PREFIXES = (MISS.split("{")[0], FELL_THROUGH.split("{")[0])


def wall_clock(monotonic: float) -> float:
    """Epoch seconds of a monotonic reading: real time, also when the mock's clock is frozen."""
    return time.time() - time.monotonic() + monotonic


def status_matches(status: int, wanted: str | None) -> bool:
    """``wanted``: a status (``429``), a class (``4xx``), or empty for any."""
    if not wanted:
        return True
    if len(wanted) == 3 and wanted.endswith("xx") and wanted[0].isdigit():
        return status // 100 == int(wanted[0])
    return str(status) == wanted


class JournalRows:
    """The journal as rows, each built and encoded to JSON once: a poll reads only the requests after
    the last one seen, and a listing joins the rows' bytes (1,000 rows: well under a millisecond, where
    encoding them afresh took about 10).

    A retry's chain may begin before a poller's cursor, so chains are tracked over everything the
    journal recorded (``timeline.Tracker``), not per poll. When every request seen has left the journal
    (a reset, or a journal that turned over), tracking starts afresh."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.tracker = Tracker()
        self.built: dict[int, dict[str, Any]] = {}  # seq -> row
        self.encoded: dict[int, bytes] = {}  # seq -> the row as JSON
        self.last = 0  # the seq of the last request turned into a row
        self.lock = threading.Lock()

    def listing(
        self, after: int, filters: dict[str, str | None], limit: int | None, before: int | None = None
    ) -> tuple[int, int, list[bytes]]:
        """``(cursor, oldest, rows)``: the rows (as JSON) after the cursor ``after`` and before the
        request ``before`` (none: up to the newest) that pass ``filters``, oldest first; with ``limit``
        the newest ``limit`` of them.

        ``cursor`` is where the next poll starts (the last request looked at, filtered or not); rows
        older than ``oldest`` have left the journal (bounded, or reset) and a poller drops them."""
        with self.lock:
            oldest = self.catch_up()
            cursor = self.last  # below ``after`` when the poller knew another journal: it starts over
            end = cursor if before is None else min(cursor, before - 1)
            shown = [
                self.encoded[seq]
                for seq in range(max(after + 1, oldest), end + 1)
                if (r := self.built.get(seq)) is not None and passes(r, filters)
            ]
        if limit is not None:
            shown = shown[-limit:] if limit > 0 else []
        return cursor, oldest, shown

    def catch_up(self) -> int:
        """Rows for the requests recorded since the last listing; forget those that left. The oldest
        seq kept."""
        journal = self.state.journal
        oldest = journal.oldest
        if oldest > self.last:
            self.tracker, self.built, self.encoded = Tracker(), {}, {}
        for seq in [s for s in self.built if s < oldest]:
            del self.built[seq], self.encoded[seq]
        self.last = max(self.last, oldest - 1)  # requests that left before anyone looked
        for entry in journal.since(self.last):
            attempt = self.tracker.add(entry.seq, entry)  # positions are seqs: a chain's id is its first
            built = self.built[entry.seq] = row(attempt, attempt.first)
            self.encoded[entry.seq] = encode(built)
            self.last = entry.seq
        return oldest


def encode(value: Any) -> bytes:
    """JSON as Starlette's ``JSONResponse`` writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def listing_json(cursor: int, oldest: int, rows: list[bytes]) -> bytes:
    """``{"cursor", "oldest", "rows"}``, the rows already encoded."""
    return b'{"cursor":%d,"oldest":%d,"rows":[%s]}' % (cursor, oldest, b",".join(rows))


def passes(row: dict[str, Any], filters: dict[str, str | None]) -> bool:
    fields = ("session", "operation", "deployment")
    return all(not filters.get(name) or row[name] == filters[name] for name in fields) and status_matches(
        row["status"], filters.get("status")
    )


def row(attempt: Attempt, chain: int) -> dict[str, Any]:
    """``chain``: the seq of the chain's first attempt."""
    e = attempt.entry
    return {
        "seq": e.seq,
        "at": round(wall_clock(e.monotonic), 3),
        "method": e.method,
        "path": e.path,
        "session": e.session,
        "operation": e.operation,
        "deployment": e.deployment,
        "status": e.status,
        "fault": e.fault,
        "latency_ms": round(e.duration * 1000, 1),
        "tokens": e.tokens,
        "stream": isinstance(e.body, dict) and e.body.get("stream") is True,
        "prompt": prompt(e.body),
        "replay": replay_outcome(e.notes),
        "chain": chain,
        "attempt": attempt.number,
        "offset": micro(attempt.offset),
        "gap": micro(attempt.gap),
        "wait": micro(attempt.wait),
        "told": micro(attempt.told),
        "retry_after": micro(attempt.retry_after),
    }


def micro(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 6)


def prompt(body: Any) -> str | None:
    """A short excerpt of what was asked: the last message's text, ``input`` or ``prompt``."""
    if not isinstance(body, dict):
        return None
    messages = body.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        return clip(text_of(messages[-1].get("content")))
    for name in ("input", "prompt"):
        if name in body:
            return clip(text_of(body[name]))
    return None


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") if isinstance(p, dict) else p for p in content]
        return " ".join(p for p in parts if isinstance(p, str))
    return "" if content is None else json.dumps(content, ensure_ascii=False)


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "\u2026"


def replay_outcome(notes: list[str]) -> str | None:
    for note in notes:
        if note.startswith(HIT_PREFIXES):
            return "hit"
        if note.startswith(MISS_PREFIXES):
            return "miss"
    return None


def detail(entry: JournalEntry) -> dict[str, Any]:
    """One request in full (``JournalEntry.to_dict``), a stream's events with their send times."""
    data = entry.to_dict()
    data["at"] = wall_clock(entry.monotonic)
    data["events"] = [{"t": round(t, 6), "data": text} for t, text in entry.timed_events()]
    return data


def quota(state: MockState) -> dict[str, Any]:
    """Per deployment: its caps and what the current short window and minute used of them."""
    limiter = state.limiter
    deployments = [
        {"name": d.name, "sku": d.sku, "tpm": d.tpm, "rpm": d.rpm, **limiter.snapshot(d)}
        for d in state.settings.deployments
    ]
    return {"mode": limiter.mode, "deployments": deployments}


def replay(state: MockState) -> dict[str, Any]:
    player = state.replay
    if player is None:
        return {"loaded": False}
    return {"loaded": True, **player.stats()}
