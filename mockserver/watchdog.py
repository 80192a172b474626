"""A watchdog on the server's event loop: says so, once per stall, when something holds it.

Every request shares one event loop, so one that computes for a second delays every other client by
a second. The mock bounds its own work (``mockserver.limits``: generation budgets, transcript caps,
body and head limits, uploads measured in a worker thread); this watchdog is how a breach shows:
a thread pings the loop every ``interval`` seconds and, when a ping waits longer than
``threshold``, logs one WARNING on the ``aoai_mock`` logger with how long the loop was held and the
requests in flight (method and path), so a bound that is missing can be found and added. It never
interrupts a request (an asyncio task cannot be pre-empted).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from .limits import LOOP_STALL_SECONDS
from .types import Scope

LOGGER = logging.getLogger("aoai_mock")


class LoopWatchdog:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        in_flight: dict[int, Scope],
        threshold: float = LOOP_STALL_SECONDS,
        interval: float = 0.05,
    ) -> None:
        self.loop, self.in_flight = loop, in_flight
        self.threshold, self.interval = threshold, interval
        self.stopped = threading.Event()
        self.stalls = 0
        self.thread = threading.Thread(target=self.watch, name="aoai-mock-watchdog", daemon=True)

    def start(self) -> LoopWatchdog:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def watch(self) -> None:
        while not self.stopped.wait(self.interval):
            answered = threading.Event()
            sent = time.monotonic()
            try:
                self.loop.call_soon_threadsafe(answered.set)
            except RuntimeError:  # the loop is closed
                return
            if answered.wait(self.threshold):
                continue
            doing = sorted(map(describe, list(self.in_flight.values())))[:5]
            answered.wait()  # until the loop is free again, to report how long it was held
            if self.stopped.is_set():
                return
            self.stalls += 1
            LOGGER.warning(
                "aoai-mock: the event loop was held for %.2f s; requests in flight: %s",
                time.monotonic() - sent,
                ", ".join(doing) or "none",
            )


def describe(scope: Scope) -> str:
    """A request in flight as the warning names it: its method and (the start of) its path."""
    return f"{scope['method']} {scope['path'][:200]}"
