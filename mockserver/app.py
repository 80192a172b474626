"""``create_app``: the ASGI application, the one place that wires everything together.

/_mock/*   control API (health, reset, journal, ...), outside the Azure stages
anything  the Azure pipeline (``mockserver.pipeline``: its docstring lists the stage order)
"""

from __future__ import annotations

import asyncio

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
        self.admin = admin_router(state)
        self.in_flight: dict[int, str] = {}  # what the loop watchdog names when the loop is held
        self.watchdog: LoopWatchdog | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, self.start_watchdog, self.stop_watchdog)
        elif scope["type"] == "websocket":
            await refuse_websocket(scope, receive, send)
        elif scope["type"] != "http":
            return
        else:
            key = id(scope)
            self.in_flight[key] = f"{scope['method']} {scope['path'][:200]}"
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

    async def start_watchdog(self) -> None:
        """A served app watches its event loop (``mockserver.watchdog``)."""
        self.watchdog = LoopWatchdog(asyncio.get_running_loop(), self.in_flight).start()

    async def stop_watchdog(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
            self.watchdog = None


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
