"""``ReplayCursor``: what a replay remembers between requests; ``Miss``: a request it had no answer for."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Miss:
    message: str
    request: str = ""  # the incoming request, described
    closest: dict[str, Any] | None = None  # cassette, index, recorded, differs (one reason per facet)


@dataclass
class ReplayCursor:
    """What a replay remembers between requests: the recorded answers used (each is replayed once
    before the last one repeats), how often each was replayed, and the misses. One store with a
    ``reset``, like the others in ``MockState``: the seam a shared state backend would fill."""

    used: set[int] = field(default_factory=set)
    hits: dict[int, int] = field(default_factory=dict)  # position in ``Player.entries`` -> replays
    missed: list[Miss] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_now(self, matches: list[int], repeats: bool) -> tuple[int, bool] | None:
        """The first match not replayed yet (position, True), else the last one again (position,
        False) when ``repeats``, else None; the choice is counted. (``stores.redis.replay``: shared.)"""
        with self.lock:
            fresh = [p for p in matches if p not in self.used]
            taken = (fresh[0], True) if fresh else (matches[-1], False) if matches and repeats else None
            if taken is not None:
                self.used.add(taken[0])
                self.hits[taken[0]] = self.hits.get(taken[0], 0) + 1
            return taken

    async def take(self, matches: list[int], repeats: bool) -> tuple[int, bool] | None:
        return self.take_now(matches, repeats)

    def reset(self) -> None:
        self.used.clear()
        self.hits.clear()
        self.missed.clear()


class Cursor(Protocol):
    """What ``Player`` needs of its cursor: this in-process one, or ``stores.redis.replay.RedisCursor``."""

    missed: list[Miss]

    @property
    def hits(self) -> dict[int, int]: ...

    def take_now(self, matches: list[int], repeats: bool) -> tuple[int, bool] | None: ...

    async def take(self, matches: list[int], repeats: bool) -> tuple[int, bool] | None: ...

    def reset(self) -> None: ...
