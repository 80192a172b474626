"""Run the ASGI app for one buffered request, from async code or from a sync client.

``call_app`` drives the app the way ``httpx.ASGITransport`` does (request body in one message,
response collected whole). ASGI is async-only (style.md §3.2), so a sync client runs the app on an
event loop of its own thread (one per thread, closed when the thread ends), or, when that thread is
already running a loop (a sync client called from async code), on ``Portal``: one daemon thread per
process running an asyncio loop. Async clients run the app on their own loop; under another async
library (trio) they borrow the portal through a worker thread.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

from ..faults.effects import ScriptedDisconnect
from ..types import ASGIApp, Message

T = TypeVar("T")


@dataclass
class AppRequest:
    """What the app needs from an HTTP request (built from an httpx or httpx2 request)."""

    method: str
    scheme: str
    host: str
    port: int
    target: bytes  # path and query, as sent
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class AppResponse:
    """The app's answer; ``error`` is a scripted disconnect, ``started`` whether headers went out."""

    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    error: ScriptedDisconnect | None = None
    started: bool = False

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def make_scope(request: AppRequest) -> dict[str, Any]:
    raw_path, _, query = request.target.partition(b"?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},  # as uvicorn sends
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": unquote(raw_path.decode("ascii", errors="replace")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers],
        "client": ("127.0.0.1", 0),
        "server": (request.host, request.port),
    }


async def call_app(app: ASGIApp, request: AppRequest) -> AppResponse:
    """Send ``request`` through ``app`` and collect the whole response."""
    response = AppResponse()
    complete = asyncio.Event()
    sent_body = False

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await complete.wait()  # like a client that keeps the connection until the answer is in
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            response.status, response.started = message["status"], True
            response.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            response.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                complete.set()

    try:
        await app(make_scope(request), receive, send)
    except ScriptedDisconnect as exc:
        response.error = exc
    finally:
        complete.set()
    return response


class Portal:
    """An asyncio loop in a daemon thread; ``run`` executes a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="aoai-mock-portal", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


_portal: Portal | None = None
_portal_lock = threading.Lock()


def portal() -> Portal:
    """The process's portal, started on first use."""
    global _portal
    with _portal_lock:
        if _portal is None:
            _portal = Portal()
        return _portal


class ThreadLoop:
    """A thread's private event loop; closed when the thread's locals go (the thread ended)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        if not self.loop.is_closed():
            self.loop.close()


_thread = threading.local()


def thread_loop() -> asyncio.AbstractEventLoop:
    holder = getattr(_thread, "holder", None)
    if holder is None:
        holder = _thread.holder = ThreadLoop()
        if threading.current_thread() is threading.main_thread():
            atexit.register(holder.loop.close)
    return holder.loop


def call_app_sync(app: ASGIApp, request: AppRequest) -> AppResponse:
    """Run the app for a sync client: on this thread's loop (no thread hop), or on the portal when
    this thread is already inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return thread_loop().run_until_complete(call_app(app, request))
    return portal().run(call_app(app, request))


async def call_app_async(app: ASGIApp, request: AppRequest) -> AppResponse:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (e.g. trio): run it on the portal from a worker thread
        import anyio.to_thread

        return await anyio.to_thread.run_sync(call_app_sync, app, request)
    return await call_app(app, request)
