"""``Coalescer``: calls of one script that arrive while an earlier call is in flight go to Redis
together, in the next call (a group commit). Each caller still waits for its own answer, so the
journal line is stored before the response's last byte and a rate-limit decision is known before
the answer, as with one call each; under load a request costs a fraction of a round trip.

The script takes the items as repeated groups of ``width`` arguments (and their keys in order) and
answers one result per item, applied one after another in Redis, so the decisions stay exact.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..base import StateUnavailable
from .link import Link

Item = tuple[list[str], list[Any], "asyncio.Future[Any]"]


class Coalescer:
    def __init__(self, link: Link, script: Any) -> None:
        self.link, self.script = link, script
        self.pending: list[Item] = []
        self.busy = False
        self.draining: asyncio.Future[None] | None = None  # kept: a task nobody holds may be collected

    async def call(self, keys: list[str], args: list[Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending.append((keys, args, future))
        if not self.busy:
            self.busy = True
            try:
                await self.flush()  # this caller sends the first batch itself
            finally:
                if self.pending:  # what arrived meanwhile goes on without holding this caller
                    self.draining = asyncio.ensure_future(self.drain())
                else:
                    self.busy = False
        return await future

    async def drain(self) -> None:
        try:
            while self.pending:
                await self.flush()
        finally:
            self.busy = False

    async def flush(self) -> None:
        batch, self.pending = self.pending, []
        keys = [key for item in batch for key in item[0]]
        args = [len(batch), *(arg for item in batch for arg in item[1])]
        try:
            answers = await self.link.wait(self.script(keys=keys, args=args))
        except StateUnavailable as exc:
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(StateUnavailable(exc.cause))
            return
        except BaseException as exc:  # cancelled: the others' answers are not known either
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(StateUnavailable(f"redis {type(exc).__name__}"))
            raise
        for (_, _, future), answer in zip(batch, answers, strict=True):
            if not future.done():
                future.set_result(answer)
