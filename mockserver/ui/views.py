"""The JSON the dashboard reads, built from the stores' public methods (journal, limiter, player).

* ``rows``: the compact journal listing (one row per request, with its place in a retry chain);
* ``detail``: one request in full, a stream's events with the time each was sent;
* ``quota``: each deployment's rate-window use against its caps;
* ``replay``: what the loaded cassettes answered and what missed.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..journal import JournalEntry
from ..replay.player import FELL_THROUGH, MISS, REPEATED, REPLAYED
from ..state import MockState
from .timeline import Attempt, attempts

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


def rows(state: MockState, after: int, filters: dict[str, str | None], limit: int | None) -> dict[str, Any]:
    """The requests recorded after the cursor ``after`` that pass ``filters``, oldest first.

    ``cursor`` is where the next poll starts (the last request looked at, filtered or not); rows older
    than ``oldest`` have left the journal (bounded, or reset) and a poller drops them."""
    oldest = state.journal.oldest
    # chains are found over the whole journal (a retry's chain began before the cursor); an idle poll
    # (nothing after the cursor) reads nothing
    everything = state.journal.snapshot() if after < state.journal.cursor else []
    new = [a for a in attempts(everything) if a.entry.seq > after]
    cursor = new[-1].entry.seq if new else min(after, state.journal.cursor)
    shown = [a for a in new if passes(a.entry, filters)]
    if limit is not None:
        shown = shown[-limit:] if limit > 0 else []
    return {"cursor": cursor, "oldest": oldest, "rows": [row(a, everything[a.first].seq) for a in shown]}


def passes(entry: JournalEntry, filters: dict[str, str | None]) -> bool:
    return (
        all(not filters.get(name) or getattr(entry, name) == filters[name]
            for name in ("session", "operation", "deployment"))
        and status_matches(entry.status, filters.get("status"))
    )


def row(attempt: Attempt, chain: int) -> dict[str, Any]:
    """``chain``: the seq of the chain's first attempt."""
    e = attempt.entry
    return {
        "seq": e.seq, "at": wall_clock(e.monotonic), "method": e.method, "path": e.path,
        "session": e.session, "operation": e.operation, "deployment": e.deployment, "status": e.status,
        "fault": e.fault, "latency_ms": round(e.duration * 1000, 1), "tokens": tokens(e),
        "stream": isinstance(e.body, dict) and e.body.get("stream") is True, "prompt": prompt(e.body),
        "replay": replay_outcome(e.notes), "chain": chain,
        "attempt": attempt.number, "offset": attempt.offset, "gap": attempt.gap, "wait": attempt.wait,
        "told": attempt.told, "retry_after": attempt.retry_after,
    }


def tokens(entry: JournalEntry) -> int | None:
    """``usage.total_tokens`` of a JSON answer, or of a stream's usage chunk (``include_usage``)."""
    response = entry.response
    if isinstance(response, dict):
        return total(response.get("usage"))
    if isinstance(response, list):
        for event in reversed(response[-3:]):
            if isinstance(event, str) and '"usage"' in event and event.startswith("data: {"):
                try:
                    found = total(json.loads(event[6:]).get("usage"))
                except ValueError:
                    continue
                if found is not None:
                    return found
    return None


def total(usage: Any) -> int | None:
    value = usage.get("total_tokens") if isinstance(usage, dict) else None
    return value if isinstance(value, int) else None


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
