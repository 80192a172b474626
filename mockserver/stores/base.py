"""What a state backend provides: one store per kind of shared memory, behind these protocols.

The hot path (the pipeline) awaits the ``async`` methods, so a backend may be remote and answer in
one round trip. The control plane (``/_mock``, the dashboard, the in-process handle) calls the plain
methods: they are rare, and a remote backend answers them with a short timeout.

    JournalStore  append (hot path); snapshot, since, find, oldest, cursor, filter, reset
    FaultRules    choose (hot path); add, remove, clear, snapshot
    Limits        charge, peek (hot path); snapshot, reset, mode
    ObjectStore   (``mockserver.objects``) every method a coroutine
    Claims        claim: one instance at a time does a piece of shared work (a batch's lines)

A backend that cannot answer raises ``StateUnavailable``: the pipeline answers 503 in Azure's
envelope naming the cause (``errors.state_unavailable``), never a hang past its timeout.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..call import Call, RateInfo
    from ..config import Deployment
    from ..faults.rules import FaultRule
    from ..journal import JournalEntry, JournalRecord, RequestLog
    from ..objects import ObjectStore
    from ..ratelimit import Throttle
    from ..replay.cursor import Cursor


class StateUnavailable(Exception):
    """The shared state did not answer (``cause``: what the client said, one line)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class JournalStore(Protocol):
    async def append(self, record: JournalRecord) -> None: ...

    def snapshot(self) -> list[JournalEntry]: ...

    def since(self, cursor: int) -> list[JournalEntry]: ...

    def find(self, seq: int) -> JournalEntry | None: ...

    def filter(self, **filters: Any) -> RequestLog: ...

    @property
    def oldest(self) -> int: ...

    @property
    def cursor(self) -> int: ...

    @property
    def calls(self) -> list[JournalEntry]: ...

    def reset(self) -> None: ...


class FaultRules(Protocol):
    async def choose(self, call: Call, settle: bool = False) -> tuple[FaultRule, Any] | None:
        """The rule and action for ``call``, or None. A shared store may leave "none" unconfirmed
        (``call.rules_seen``) for ``Limits.charge_seen`` to confirm; ``settle`` decides now."""
        ...

    def add(self, data: dict[str, Any] | list[dict[str, Any]]) -> list[str]: ...

    def load_once(self, data: list[dict[str, Any]]) -> list[str]: ...

    def remove(self, rule_id: str) -> bool: ...

    def clear(self) -> None: ...

    def snapshot(self) -> list[dict[str, Any]]: ...


class Limits(Protocol):
    mode: str

    async def charge(
        self, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None]: ...

    async def charge_seen(
        self, rules_seen: str, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None] | None:
        """``charge``, only while the fault rules are still at version ``rules_seen``; None (and
        nothing charged) when they changed."""
        ...

    async def look(self, deployment: Deployment) -> RateInfo | None: ...

    def peek(self, deployment: Deployment) -> RateInfo | None: ...

    def snapshot(self, deployment: Deployment) -> dict[str, Any]: ...

    def reset(self) -> None: ...


class Claims(Protocol):
    async def claim(self, name: str, seconds: float) -> bool:
        """True when this instance may do the work ``name`` now (nobody else holds it)."""
        ...

    async def release(self, name: str) -> None: ...


async def nothing() -> None:
    return None


@dataclass
class Stores:
    """One backend's stores; ``instance`` names this process in the journal and in claims."""

    backend: str
    journal: JournalStore
    faults: FaultRules
    limiter: Limits
    objects: ObjectStore
    claims: Claims
    signing_key: bytes
    instance: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    cursor: Callable[[], Cursor | None] = lambda: None  # a shared replay cursor (None: the player's own)
    close: Callable[[], Coroutine[Any, Any, None]] = nothing


def shown(url: str) -> str:
    """A state URL without its password (it names the store in messages and headers)."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    return url
