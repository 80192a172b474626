"""Retry chains: which journal entries were attempts of one client request, and how far apart.

A client's retries do not say "I am a retry" the same way in every SDK (sdk-behaviour.md, rows 72-73):

* Azure SDKs send ``x-ms-client-request-id`` once per logical request and keep it across retries
  (RequestIdPolicy runs before RetryPolicy): the same id in one session is one chain.
* Stainless SDKs (openai-python, -node, -go, -java) send ``x-stainless-retry-count`` 0, 1, 2, ...
  and nothing shared: attempt ``n`` joins the latest chain of the same session, method, path and
  body whose last attempt failed and counted ``n - 1``; ``0`` always starts a chain.
* Anything else (a bare HTTP client with its own retry loop): a request joins the latest chain of the
  same session, method, path and body whose last attempt failed (a status other than 2xx/3xx, or
  none): a retry follows a failure, and the same request sent again after a success is a new one.

For each attempt: ``gap`` is the time since the previous attempt arrived (``Journal.gaps``), ``wait``
the time since the previous answer was complete (what the client slept), and ``told`` the retry-after
that answer carried, so ``wait < told`` is a client that came back early. Times are monotonic seconds
(``JournalEntry.monotonic`` and ``duration``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from ..journal import JournalEntry

CLIENT_REQUEST_ID = "x-ms-client-request-id"
RETRY_COUNT = "x-stainless-retry-count"
OPEN_CHAINS = 16  # per session, method and path: how far back a retry may look for its chain
OPEN_KEYS = 4096  # sessions x paths, and client request ids, with a chain that may still grow
SHOWN_CHAINS = 5  # in a test report
HEAD = (
    "retry timeline (+time since the first attempt; gap: since the previous attempt arrived; "
    "waited: since its answer ended, vs the retry-after that answer sent):"
)


@dataclass(frozen=True)
class Attempt:
    entry: JournalEntry
    position: int  # of the entry in the list given to ``attempts`` (0-based)
    first: int  # the position of its chain's first attempt: the chain's identity
    number: int  # 1, 2, ... within the chain
    offset: float  # seconds since the chain's first attempt arrived
    gap: float | None  # seconds since the previous attempt arrived
    wait: float | None  # seconds since the previous attempt's answer was complete
    told: float | None  # the retry-after (seconds) of the previous attempt's answer
    retry_after: float | None  # the retry-after (seconds) of this attempt's answer

    @property
    def early(self) -> bool:
        """The client came back before the retry-after it was sent."""
        return self.told is not None and self.wait is not None and self.wait < self.told


def retry_after(entry: JournalEntry) -> float | None:
    """Seconds the answer told the client to wait: ``retry-after-ms``, then ``x-ms-retry-after-ms``,
    then ``retry-after`` (seconds or an HTTP-date), the order openai-python and azure-core read them."""
    headers = entry.response_headers
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = number(headers.get(name))
        if value is not None:
            return value / 1000
    value_text = headers.get("retry-after")
    if value_text is None:
        return None
    seconds = number(value_text)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value_text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    answered = time.time() - time.monotonic() + entry.monotonic + entry.duration  # wall clock of the answer
    return max(0.0, when - answered)


def number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and value >= 0 else None


def failed(entry: JournalEntry) -> bool:
    return not 200 <= entry.status < 400


def retry_count(entry: JournalEntry) -> int | None:
    text = entry.headers.get(RETRY_COUNT, "")
    return int(text) if text.isdigit() else None


Chain = list[tuple[int, JournalEntry]]  # (position, entry) of its attempts so far


class Chains:
    """Assigns entries, in arrival order, to chains (see the module docstring).

    Only chains whose last attempt failed can grow (a retry follows a failure), so only those are
    kept, and at most ``OPEN_KEYS`` sessions, paths and client ids of them: a long-running server's
    tracker stays bounded."""

    def __init__(self) -> None:
        self.by_id: dict[tuple[str | None, str], Chain] = {}
        self.recent: dict[tuple[str | None, str, str], list[Chain]] = {}

    def add(self, position: int, entry: JournalEntry) -> Chain:
        """The chain ``entry`` joins (``entry`` now last in it)."""
        client_id = entry.headers.get(CLIENT_REQUEST_ID)
        if client_id:
            chain = self.by_id.pop((entry.session, client_id), None) or []
        else:
            chain = self.match(entry) or []
        chain.append((position, entry))
        if failed(entry):
            self.keep(chain, entry, client_id)
        return chain

    def match(self, entry: JournalEntry) -> Chain | None:
        """The open chain ``entry`` retries, taken out of the open ones."""
        count = retry_count(entry)
        chains = self.recent.get(key(entry), [])
        if count == 0 or not chains:
            return None
        for index in range(len(chains) - 1, -1, -1):
            last = chains[index][-1][1]
            if last.body != entry.body:
                continue
            last_count = retry_count(last)
            if count is None or last_count is None or last_count == count - 1:
                return chains.pop(index)
        return None

    def keep(self, chain: Chain, entry: JournalEntry, client_id: str | None) -> None:
        if client_id:
            self.by_id[(entry.session, client_id)] = chain
            bound(self.by_id)
        else:
            chains = self.recent.pop(key(entry), [])  # re-inserted: the dict's order is recency
            chains.append(chain)
            self.recent[key(entry)] = chains[-OPEN_CHAINS:]
            bound(self.recent)


def bound(table: dict[Any, Any]) -> None:
    while len(table) > OPEN_KEYS:
        del table[next(iter(table))]


def key(entry: JournalEntry) -> tuple[str | None, str, str]:
    return entry.session, entry.method, entry.path


class Tracker:
    """Attempts one entry at a time, in arrival order: ``attempts`` for a list, or kept across polls."""

    def __init__(self) -> None:
        self.chains = Chains()

    def add(self, position: int, entry: JournalEntry) -> Attempt:
        chain = self.chains.add(position, entry)
        first_position, first = chain[0]
        previous = chain[-2][1] if len(chain) > 1 else None
        return Attempt(
            entry=entry,
            position=position,
            first=first_position,
            number=len(chain),
            offset=entry.monotonic - first.monotonic,
            gap=None if previous is None else entry.monotonic - previous.monotonic,
            wait=None if previous is None else entry.monotonic - previous.monotonic - previous.duration,
            told=None if previous is None else retry_after(previous),
            retry_after=retry_after(entry),
        )


def attempts(entries: Iterable[JournalEntry]) -> list[Attempt]:
    """One ``Attempt`` per entry, in the order given (arrival order)."""
    tracker = Tracker()
    return [tracker.add(position, entry) for position, entry in enumerate(entries)]


def grouped(items: Iterable[Attempt]) -> list[list[Attempt]]:
    """Attempts by chain, chains in the order of their first attempt."""
    chains: dict[int, list[Attempt]] = {}
    for attempt in items:
        chains.setdefault(attempt.first, []).append(attempt)
    return list(chains.values())


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}s"


def attempt_line(attempt: Attempt) -> str:
    """``attempt 2  +0.061s  429  gap 0.061s  waited 0.055s vs retry-after 0.050s  [fault-1]  sent ...``"""
    line = f"  attempt {attempt.number}  +{attempt.offset:.3f}s  {attempt.entry.status or 'no response'}"
    if attempt.gap is not None:
        line += f"  gap {seconds(attempt.gap)}  waited {seconds(attempt.wait)}"
        if attempt.told is not None:
            line += f" vs retry-after {seconds(attempt.told)}"
            line += " (EARLY)" if attempt.early else ""
    if attempt.entry.fault:
        line += f"  [{attempt.entry.fault.split(':')[0]}]"
    if attempt.retry_after is not None:
        line += f"  sent retry-after {seconds(attempt.retry_after)}"
    return line


def text_timeline(entries: list[JournalEntry], shown: int = SHOWN_CHAINS) -> list[str]:
    """The retry timeline of a test report: the last ``shown`` chains that were retried or failed,
    one line per attempt (empty when every request succeeded at its first attempt)."""
    chains = [c for c in grouped(attempts(entries)) if len(c) > 1 or failed(c[0].entry)]
    if not chains:
        return []
    lines = [HEAD]
    for chain in chains[-shown:]:
        first = chain[0].entry
        session = f" (session {first.session})" if first.session else ""
        numbers = ", ".join(f"#{a.position + 1}" for a in chain)  # as the report above numbers them
        lines.append(f"{first.method} {first.path}{session}: {len(chain)} attempt(s), requests {numbers}")
        lines.extend(attempt_line(attempt) for attempt in chain)
    return lines
