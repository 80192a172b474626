"""``BatchRunner``: the work a batch needs, done by whoever observes that the clock says it is due.

``observe(batch_id, budget)`` is called by every request that reads a batch (with a budget of
seconds, so a poll never hangs on a large batch), by the server's ticker (``aoai-mock serve``), and by
the plugin's ``complete`` helper (no budget). It takes the batch, does what is due, and leaves:

1. validate the input file (``inputs.validate``), once;
2. once ``in_progress`` (``record.phase``): run the lines, a window of ``WINDOW`` lines at a time,
   ``CONCURRENCY`` of them at once, each through the pipeline (``lines.run``); every window's output
   and error lines are written as part blobs (joined into segments every ``MERGE`` windows, so the
   in-memory store spools them to disk) and the record's counts updated, so a later observer (of
   this instance or another) carries on where the last one stopped;
3. when the last line has run, or a cancel or the expiry stopped the lines: write the output and
   error files (the parts joined in order) and set ``processed_at`` or ``stopped_at``.

Output lines are not in input order (batch docs: "Responses won't be returned in identical order";
recording 28 returns request-2 before request-1): each window is permuted by a seeded shuffle that is
never the identity, so the order is the same on every run and never the input's.

Only one observer works on a batch at a time: a lock per batch in this process, and a claim in the
state's ``claims`` (atomic in Redis: ``stores.redis.claims``) with a lease in the stored record for
instances sharing the store. Record updates re-read the record and change only their own fields,
so a cancel written meanwhile is kept.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from .. import files
from ..config import Settings
from ..stores.base import Claims
from ..types import ASGIApp
from . import inputs, lines, parts
from .record import BATCHES, TERMINAL, needs_work, next_change, phase, started_at, view

WINDOW = 100
CONCURRENCY = 16
MERGE = 10  # windows' parts joined into one segment (about a MiB of output lines for chat)
LEASE = 30.0  # seconds of wall time a claim holds without being renewed
READ_BUDGET = 2.0  # seconds a request that reads a batch may spend running its lines
SETTLE_TIMEOUT = 600.0


class BatchStores(files.FileStores, Protocol):
    """What the runner needs of the mock's state (a ``MockState``): the files' stores and the settings."""

    @property
    def settings(self) -> Settings: ...

    @property
    def claims(self) -> Claims: ...


class BatchRunner:
    def __init__(self, state: BatchStores) -> None:
        self.state = state
        self.token = uuid.uuid4().hex
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()
        self.pipeline: ASGIApp | None = None

    def run_lines_with(self, pipeline: ASGIApp) -> None:
        """The app the lines go through: the state's own ``Pipeline`` (``app.MockApp`` wires it, as the
        pipeline imports the endpoints, which read this runner)."""
        self.pipeline = pipeline

    @property
    def app(self) -> ASGIApp:
        if self.pipeline is None:
            raise RuntimeError("no pipeline for the batch lines: build the app with mockserver.create_app")
        return self.pipeline

    # --- the record --------------------------------------------------------------------------

    async def load(self, batch_id: str) -> dict[str, Any] | None:
        return await self.state.objects.get(BATCHES, batch_id)

    async def update(self, batch_id: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        """Re-read the record, apply ``change`` to it, store it."""
        record = await self.load(batch_id)
        if record is None:
            return None
        change(record)
        await self.state.objects.put(BATCHES, batch_id, record)
        return record

    async def set(self, batch_id: str, **values: Any) -> dict[str, Any] | None:
        return await self.update(batch_id, lambda record: record.update(values))

    async def create(self, record: dict[str, Any]) -> None:
        await self.state.objects.put(BATCHES, record["id"], record)

    async def records(self) -> list[dict[str, Any]]:
        return [record for _, record in await self.state.objects.items(BATCHES)]

    def now(self) -> float:
        return self.state.clock.now()

    # --- observing ---------------------------------------------------------------------------

    async def observe(self, batch_id: str, budget: float | None = READ_BUDGET) -> dict[str, Any] | None:
        """Do the work that is due for ``batch_id`` (lines for at most ``budget`` seconds; None: all),
        then return its record."""
        record = await self.load(batch_id)
        if record is None or not needs_work(record, self.now()):
            return record
        with self.guard:
            lock = self.locks.setdefault(batch_id, threading.Lock())
        if not lock.acquire(blocking=False):
            return record  # another observer in this process is at it
        try:
            if await self.claim(batch_id):
                try:
                    deadline = None if budget is None else time.monotonic() + budget
                    await self.work(batch_id, deadline)
                finally:
                    await self.set(batch_id, claim=None)
                    await self.state.claims.release(f"batch:{batch_id}")
        finally:
            lock.release()
        return await self.load(batch_id)

    async def claim(self, batch_id: str) -> bool:
        record = await self.load(batch_id)
        if record is None or not await self.state.claims.claim(f"batch:{batch_id}", LEASE):
            return False
        claim = record.get("claim")
        if claim and claim["by"] != self.token and claim["until"] > time.time():
            return False
        await self.set(batch_id, claim={"by": self.token, "until": time.time() + LEASE})
        return True

    async def work(self, batch_id: str, deadline: float | None) -> None:
        record = await self.load(batch_id)
        assert record is not None
        if record["validated"] is None and record["errors"] is None:
            record = await self.validate(record)
        if self.stopping(record):
            if record["stopped_at"] is None:
                await self.finish(batch_id, stopped=True)
            return
        if record["errors"] or record["processed_at"] is not None or self.now() < started_at(record):
            return
        outcome = await self.run_lines(record, deadline)
        if outcome == "done":
            await self.finish(batch_id, stopped=False)
        elif outcome == "stopped":
            await self.finish(batch_id, stopped=True)

    def stopping(self, record: dict[str, Any]) -> bool:
        expired = record["processed_at"] is None and self.now() >= record["expires_at"]
        return record["cancelled"] is not None or expired

    async def validate(self, record: dict[str, Any]) -> dict[str, Any]:
        errors, total, deployment = await inputs.check_file(self.state, self.state.settings, record)
        validated = {"total": total, "deployment": deployment}
        updated = await self.set(record["id"], validated=validated, errors=errors)
        assert updated is not None
        return updated

    # --- lines -------------------------------------------------------------------------------

    async def run_lines(self, record: dict[str, Any], deadline: float | None) -> str:
        """Run windows of lines until all ran ("done"), a cancel or the expiry ("stopped"), or the
        deadline ("paused")."""
        chunks = files.content(self.state, record["input_file_id"])
        if chunks is None:
            return "done"  # the input was deleted after validation: what ran is what there is
        requests = inputs.requests(chunks, record["next"])
        try:
            while True:
                window = await inputs.take(requests, WINDOW)
                if not window:
                    return "done"
                outcomes = await self.run_window(record, window)
                record = await self.keep(record, outcomes) or record
                await asyncio.sleep(0)  # lines rarely wait: let the loop serve others between windows
                if self.stopping(record):
                    return "stopped"
                if deadline is not None and time.monotonic() >= deadline:
                    return "paused"
        finally:
            await requests.aclose()

    async def run_window(self, record: dict[str, Any], window: list[dict[str, Any]]) -> list[lines.Outcome]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(line: dict[str, Any]) -> lines.Outcome:
            async with gate:
                return await lines.run(self.app, record, line)

        return list(await asyncio.gather(*(one(line) for line in window)))

    async def keep(self, record: dict[str, Any], outcomes: list[lines.Outcome]) -> dict[str, Any] | None:
        """Write the window's output and error lines as part blobs and count them in the record; every
        ``MERGE`` windows' parts are joined into one segment (over a MiB: spooled to disk, not memory)."""
        batch_id, window = record["id"], record["windows"]
        order = parts.permutation(self.state.settings.seed, batch_id, window, len(outcomes))
        ordered = [outcomes[i] for i in order]
        name = f"w{window}"
        for kind, ok in (("out", True), ("err", False)):
            data = b"".join(o.text for o in ordered if o.ok == ok)
            await parts.write(self.state.objects, batch_id, name, kind, parts.one_chunk(data))
        names, merged = [*record["parts"], name], record["merged"]
        if len(names) - merged >= MERGE:
            segment = f"s{window}"
            for kind in ("out", "err"):
                joined = parts.joined(self.state.objects, batch_id, names[merged:], kind)
                await parts.write(self.state.objects, batch_id, segment, kind, joined)
            await parts.drop(self.state.objects, batch_id, names[merged:])
            names, merged = [*names[:merged], segment], merged + 1
        done = sum(1 for o in outcomes if o.ok)

        def count(stored: dict[str, Any]) -> None:
            stored["next"] += len(outcomes)
            stored["completed"] += done
            stored["failed"] += len(outcomes) - done
            stored["windows"] = window + 1
            stored["parts"], stored["merged"] = names, merged
            stored["claim"] = {"by": self.token, "until": time.time() + LEASE}

        await self.state.claims.claim(f"batch:{batch_id}", LEASE)  # renewed with the record's lease
        return await self.update(batch_id, count)

    async def finish(self, batch_id: str, stopped: bool) -> None:
        """Write the output and error files; a stopped batch with no line done gets none (recording 29)."""
        record = await self.load(batch_id)
        assert record is not None
        output = error = None
        if not stopped or record["completed"] + record["failed"] > 0:
            output = await self.write_file(record, "out", f"{batch_id}_results.jsonl")
            error = await self.write_file(record, "err", f"{batch_id}_errors.jsonl")
        await parts.drop(self.state.objects, batch_id, record["parts"])
        when = "stopped_at" if stopped else "processed_at"
        await self.set(batch_id, output_file_id=output, error_file_id=error, **{when: self.now()})

    async def write_file(self, record: dict[str, Any], kind: str, filename: str) -> str:
        file_id = files.service_file_id(self.state)
        created = int(self.now())
        expiry = record.get("output_expires_after")
        expires_at = created + int(expiry["seconds"]) if expiry else None
        new = files.new_file(file_id, filename, "batch_output", 0, created, expires_at)
        joined = parts.joined(self.state.objects, record["id"], record["parts"], kind)
        await files.store(self.state, new, joined, parts.NO_LIMIT)
        return file_id

    # --- what the endpoints and helpers ask for ----------------------------------------------

    async def cancel(self, batch_id: str) -> dict[str, Any] | None:
        now = self.now()
        await self.update(batch_id, lambda record: record.update(cancelled=now))
        return await self.observe(batch_id, budget=0.0)

    async def observe_all(self, budget: float | None = 0.0) -> list[dict[str, Any]]:
        result = []
        for record in await self.records():
            if record is not None and needs_work(record, self.now()):
                record = await self.observe(record["id"], budget) or record
            result.append(record)
        return result

    async def settle(self, batch_id: str, timeout: float = SETTLE_TIMEOUT) -> dict[str, Any] | None:
        """Run ``batch_id`` to its end, moving the clock over each phase (the plugin's helper)."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            record = await self.observe(batch_id, budget=None)
            if record is None:
                return None
            now = self.now()
            if phase(record, now).status in TERMINAL:
                return record
            boundary = next_change(record, now)
            if boundary is None:
                await asyncio.sleep(0.02)  # someone else holds it, or work is due: look again
            else:
                self.state.clock.advance(max(0.0, boundary - now) + 0.001)
        raise TimeoutError(f"batch {batch_id} did not finish within {timeout:g} s")

    async def settle_all(self) -> list[dict[str, Any]]:
        done = []
        for record in await self.records():
            settled = await self.settle(record["id"])
            if settled is not None:
                done.append(settled)
        return done

    def views(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        now = self.now()
        return [view(record, now) for record in records]

    def reset(self) -> None:
        with self.guard:
            self.locks.clear()
