"""``mock.clock``, ``mock.files``, ``mock.batches``, ``mock.responses``: the plugin handle's views of
the clock and stores.

On a mock of this process they read ``MockState`` directly (the store's coroutines run on this
thread's event loop, or on the bridge's portal when a loop is already running here); on an external
mock they use its control API (``/_mock/clock``, ``/_mock/files``, ``/_mock/batches``,
``/_mock/responses``), which is not
scoped to a session: a shared server shows every test's files and batches.

``mock.batches.complete()`` runs every pending batch to its end (``completed``, ``failed``,
``cancelled`` or ``expired``): it does the work that is due and moves the clock over each phase, so a
test never waits for the batch durations; ``mock.batches.results(id)`` parses its output and error
files.
"""

from __future__ import annotations

import asyncio
import builtins
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

from .backends import LocalBackend, RemoteBackend
from .bridge import portal, thread_loop

T = TypeVar("T")
Backend = LocalBackend | RemoteBackend


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return thread_loop().run_until_complete(coro)
    return portal().run(coro)


class ClockView:
    """The mock's clock: ``now()`` (epoch seconds) and ``advance(seconds)``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def now(self) -> float:
        if isinstance(self.backend, LocalBackend):
            return self.backend.state.clock.now()
        self.backend.need("the mock's clock")
        return float(self.backend.control.call("GET", "/clock")["now"])

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds``; returns the new time."""
        if isinstance(self.backend, LocalBackend):
            self.backend.state.clock.advance(seconds)
            return self.now()
        self.backend.need("the mock's clock")
        return float(self.backend.control.call("POST", "/clock/advance", {"seconds": seconds})["now"])


class FilesView:
    """The stored files: ``list(purpose=None)``, ``get(id)``, ``content(id)``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def list(self, purpose: str | None = None) -> builtins.list[dict[str, Any]]:
        if isinstance(self.backend, LocalBackend):
            from .. import files

            return [files.plain(r) for r in run(files.listing(self.backend.state, purpose))]
        self.backend.need("the stored files")
        query = f"?purpose={purpose}" if purpose else ""
        return list(self.backend.control.call("GET", f"/files{query}")["files"])

    def get(self, file_id: str) -> dict[str, Any] | None:
        return next((f for f in self.list() if f["id"] == file_id), None)

    def content(self, file_id: str) -> bytes | None:
        if isinstance(self.backend, LocalBackend):
            from .. import files

            chunks = files.content(self.backend.state, file_id)
            return None if chunks is None else run(collect(chunks))
        self.backend.need("the stored files")
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.backend.endpoint}/_mock/files/{file_id}/content") as response:
                return bytes(response.read())
        except urllib.error.HTTPError:
            return None

    def __len__(self) -> int:
        return len(self.list())


class BatchesView:
    """The batches: ``list()``, ``get(id)``, ``complete(id=None)``, ``results(id)``."""

    def __init__(self, backend: Backend, files: FilesView) -> None:
        self.backend = backend
        self.files = files

    def list(self) -> builtins.list[dict[str, Any]]:
        """Every batch as its status reads now (the Azure batch object)."""
        if isinstance(self.backend, LocalBackend):
            runner = self.backend.state.batches
            return runner.views(run(runner.records()))
        self.backend.need("the batches")
        return list(self.backend.control.call("GET", "/batches")["batches"])

    def get(self, batch_id: str) -> dict[str, Any] | None:
        return next((b for b in self.list() if b["id"] == batch_id), None)

    def complete(self, batch_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Run every pending batch (or ``batch_id``) to its end; returns them as they now read."""
        if isinstance(self.backend, LocalBackend):
            runner = self.backend.state.batches
            if batch_id is None:
                records = run(runner.settle_all())
            else:
                record = run(runner.settle(batch_id))
                if record is None:
                    raise KeyError(f"no batch {batch_id!r}")
                records = [record]
            return runner.views(records)
        self.backend.need("the batches")
        body = {"id": batch_id} if batch_id is not None else {}
        return list(self.backend.control.call("POST", "/batches/complete", body)["batches"])

    def results(self, batch_id: str) -> tuple[builtins.list[dict[str, Any]], builtins.list[dict[str, Any]]]:
        """The parsed lines of a finished batch's output file and error file."""
        batch = self.get(batch_id)
        if batch is None:
            raise KeyError(f"no batch {batch_id!r}")
        return self.lines(batch.get("output_file_id")), self.lines(batch.get("error_file_id"))

    def lines(self, file_id: str | None) -> builtins.list[dict[str, Any]]:
        if not file_id:
            return []
        data = self.files.content(file_id) or b""
        return [json.loads(line) for line in data.splitlines() if line.strip()]

    def __len__(self) -> int:
        return len(self.list())


async def collect(chunks: Any) -> bytes:
    return b"".join([chunk async for chunk in chunks])


class ResponsesView:
    """The stored responses (the Responses API), as a GET shows each now: ``list()``, ``get(id)``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def list(self) -> builtins.list[dict[str, Any]]:
        if isinstance(self.backend, LocalBackend):
            from ..responses import store

            return run(store.listing(self.backend.state))
        self.backend.need("the stored responses")
        return list(self.backend.control.call("GET", "/responses")["responses"])

    def get(self, response_id: str) -> dict[str, Any] | None:
        return next((r for r in self.list() if r["id"] == response_id), None)

    def __len__(self) -> int:
        return len(self.list())
