"""``create_app``: the ASGI application, the one place that wires everything together.

/_mock/*   control API (health, reset, journal, ...), outside the Azure stages
anything  the Azure pipeline (``mockserver.pipeline``: its docstring lists the stage order)
"""

from __future__ import annotations

from .config import Settings, default_settings
from .endpoints.admin import admin_router
from .http import lifespan
from .pipeline import Pipeline
from .replay.slot import CassetteSlot
from .state import MockState
from .types import Receive, Scope, Send

ADMIN_PREFIX = "/_mock"


class MockApp:
    """The mock Azure OpenAI service as a pure ASGI app; ``state`` is its memory."""

    renders_heads = True  # served directly, its complete answers may hand the server rendered heads

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.pipeline = Pipeline(state)
        self.admin = admin_router(state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] != "http":
            return
        elif scope["path"].startswith(ADMIN_PREFIX):
            await self.admin(scope, receive, send)
        else:
            await self.pipeline(scope, receive, send)

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


def create_app(settings: Settings | None = None, state: MockState | None = None) -> MockApp:
    """The ASGI app for ``settings`` (built-in defaults when None)."""
    if state is None:
        state = MockState(settings or default_settings())
    return MockApp(state)
