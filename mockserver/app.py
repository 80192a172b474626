"""``create_app``: the ASGI application, the one place that wires everything together.

/_mock/*   control API (health, reset, journal, ...), outside the Azure stages
anything  the Azure pipeline (``mockserver.pipeline``: its docstring lists the stage order)

Served with a lifespan (``aoai-mock serve``), the app watches its event loop and runs the batch
ticker: batches that are due advance even when nobody polls them (``mockserver.batch.runner``;
in-process, the requests that read a batch and the plugin's helper do that work).
"""

from __future__ import annotations

import asyncio
import contextlib

from .config import Settings, default_settings
from .endpoints.admin import admin_router
from .errors import resource_not_found
from .http import lifespan
from .pipeline import Pipeline
from .replay.slot import CassetteSlot
from .state import MockState
from .types import Receive, Scope, Send
from .watchdog import LoopWatchdog

ADMIN_PREFIX = "/_mock"


class MockApp:
    """The mock Azure OpenAI service as a pure ASGI app; ``state`` is its memory."""

    renders_heads = True  # served directly, its complete answers may hand the server rendered heads

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.pipeline = Pipeline(state)
        # batch lines run through this bare pipeline: a recorder's wrapper (replay.attach) never sees them
        state.batches.run_lines_with(self.pipeline)
        self.admin = admin_router(state)
        self.in_flight: dict[int, Scope] = {}  # what the loop watchdog names when the loop is held
        self.watchdog: LoopWatchdog | None = None
        self.ticker: asyncio.Future[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, self.start_serving, self.stop_serving)
        elif scope["type"] == "websocket":
            await refuse_websocket(scope, receive, send)
        elif scope["type"] != "http":
            return
        else:
            key = id(scope)
            self.in_flight[key] = scope  # named only when the loop is held (watchdog)
            try:
                if scope["path"].startswith(ADMIN_PREFIX):
                    await self.admin(scope, receive, send)
                else:
                    await self.pipeline(scope, receive, send)
            finally:
                self.in_flight.pop(key, None)

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def cassette(self) -> CassetteSlot | None:
        """The cassette attached to this mock (``replay.slot``), or None; set it to attach one."""
        return self.state.cassette

    @cassette.setter
    def cassette(self, slot: CassetteSlot | None) -> None:
        self.state.cassette = slot

    async def start_serving(self) -> None:
        """A served app watches its event loop (``mockserver.watchdog``) and runs the batch ticker.
        On a shared state it loads its tokenizers first: a first request that loads BPE tables holds
        the loop for a second or more, and Redis calls waiting behind it would time out (503)."""
        if self.state.stores.backend != "memory":
            for deployment in self.state.settings.deployments:
                self.state.tokenizer(deployment).count("warm")
        self.watchdog = LoopWatchdog(asyncio.get_running_loop(), self.in_flight).start()
        self.ticker = asyncio.ensure_future(batch_ticker(self.state))

    async def stop_serving(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
            self.watchdog = None
        if self.ticker is not None:
            self.ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.ticker
            self.ticker = None
        await self.state.stores.close()  # a shared store's connections (memory: nothing)


TICK = 0.25  # seconds between the ticker's looks at the stored batches


async def batch_ticker(state: MockState) -> None:
    """Advance every batch that is due, a slice of work at a time, for as long as the server runs."""
    while True:
        await asyncio.sleep(TICK)
        try:
            await state.batches.observe_all(budget=TICK)
        except Exception as exc:  # kept for tests to re-raise, like the pipeline's unscripted failures
            state.errors.append(exc)


async def refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """No route of the mock speaks WebSocket: the upgrade is refused with Azure's 404 Resource not
    found where the server can send an HTTP answer (the ``websocket.http.response`` extension),
    else closed before the handshake (uvicorn answers 403). (Azure's answer is not recorded: an
    upgrade is a GET, and a GET on these routes is an unknown route there: inferred.)"""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        error = resource_not_found()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": error.status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": error.render()})
    else:
        await send({"type": "websocket.close", "code": 1008})


def create_app(settings: Settings | None = None, state: MockState | None = None) -> MockApp:
    """The ASGI app for ``settings`` (built-in defaults when None)."""
    if state is None:
        state = MockState(settings or default_settings())
    return MockApp(state)
