"""The session server: one uvicorn thread per test run (per xdist worker), a fresh app per test.

``SessionRouter`` is the ASGI app the server runs. Each test opens its own ``MockApp`` (its own
journal, faults, rate windows and settings) under a unique ``x-mock-session`` id, and becomes the
*current* app:

* a request carrying an open session id goes to that session's app (the header is taken off, so the
  app's unscoped fault rules apply to it);
* a request without the header (a subprocess, another language's SDK) goes to the current app;
* a request with an unknown or closed session id goes to the idle app, never into another test.

Exceptions that escape an app are kept in that app's ``state.errors`` for the test to re-raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
import uuid
from pathlib import Path

from ..app import MockApp, create_app
from ..config import Settings
from ..server import ServerThread
from ..types import Receive, Scope, Send

SESSION_HEADER = b"x-mock-session"


class SessionRouter:
    """ASGI app dispatching each request to the app of its test session."""

    renders_heads = True  # it passes response messages through untouched (mockserver.fastpath.wire)

    def __init__(self, idle: MockApp) -> None:
        self.idle = idle
        self.current = idle
        self.apps: dict[str, MockApp] = {}
        self.prefix = uuid.uuid4().hex[:8]
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, seen on its first request

    def open(self, app: MockApp, name: str = "") -> str:
        """Register ``app`` as the current test's app; returns its session id."""
        session = f"aoai-{self.prefix}-{next(self.counter)}{'-' + name if name else ''}"
        with self.lock:
            self.apps[session] = app
            self.current = app
        return session

    def close(self, session: str) -> None:
        with self.lock:
            app = self.apps.pop(session, None)
            if app is self.current:
                self.current = self.idle
        if app is not None and self.loop is not None and not self.loop.is_closed():
            # a shared state's connections live on the server's loop: closed there, before it ends
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(app.state.stores.close(), self.loop).result(timeout=5)

    def pick(self, scope: Scope) -> tuple[MockApp, Scope]:
        headers = scope.get("headers", [])
        session = next((v.decode("latin-1") for k, v in headers if k.lower() == SESSION_HEADER), None)
        with self.lock:
            if session is None:
                return self.current, scope
            app = self.apps.get(session)
        if app is None:
            return self.idle, scope
        return app, {**scope, "headers": [(k, v) for k, v in headers if k.lower() != SESSION_HEADER]}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.idle(scope, receive, send)
            return
        self.loop = self.loop or asyncio.get_running_loop()
        app, scope = self.pick(scope)
        try:
            await app(scope, receive, send)
        except (ConnectionError, OSError):
            raise  # scripted disconnects and real ones: not bugs
        except Exception as exc:
            app.state.errors.append(exc)
            raise


class LiveServer:
    """The session's uvicorn server on 127.0.0.1 and a free port, running a ``SessionRouter``; over
    https with ``tls`` (a certificate from the local CA in the user cache dir, ``mockserver.tls``)."""

    def __init__(self, settings: Settings, tls: bool = False) -> None:
        self.router = SessionRouter(create_app(settings))
        started = time.perf_counter()
        server_tls = None
        if tls:
            from ..tls import local_tls

            server_tls = local_tls()
        self.thread = ServerThread(self.router, tls=server_tls).start()
        self.start_seconds = time.perf_counter() - started
        self.endpoint = self.thread.endpoint
        self.tls = tls
        self.ca_path: Path | None = server_tls.ca_path if server_tls is not None else None

    def stop(self) -> None:
        self.thread.stop()
