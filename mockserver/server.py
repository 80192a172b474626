"""Run the app under uvicorn with access to each connection's transport.

Transport faults (reset, close mid-body, stream cut) need the socket; the protocol below puts the
connection's transport (a ``HoldingTransport``) into ``scope["aoai.transport"]`` and, under
httptools, lets complete responses hand uvicorn a rendered head (``mockserver.fastpath.wire``).
``ServerThread`` runs a server in a background thread for tests and the pytest plugin.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

import uvicorn

from .fastpath.wire import HoldingTransport, rendered_head_cycle, renders_heads
from .types import ASGIApp, Receive, Scope, Send


def base_protocol() -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:  # httptools is optional (the "speed" extra)
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


def transport_protocol(rendered_heads: bool = False) -> type[asyncio.Protocol]:
    """The HTTP protocol class; ``rendered_heads`` when the app opted in (``wire.renders_heads``)."""
    base: Any = base_protocol()
    cycle = rendered_head_cycle(base) if rendered_heads else None

    class TransportProtocol(base):  # type: ignore[misc]
        def on_headers_complete(self) -> None:
            super().on_headers_complete()  # httptools only: it creates the request's cycle
            current: Any = self.cycle  # None, or the previous request's, after an upgrade request
            if cycle is None or current is None:
                return
            scope: dict[str, Any] = current.scope
            if current.__class__ is cycle.__base__ and not self.access_log:
                current.__class__ = cycle  # takes a head the mock rendered (mockserver.fastpath.wire)
                scope["aoai.head"] = True

        def connection_made(self, transport: asyncio.Transport) -> None:
            holding = HoldingTransport(transport)
            super().connection_made(holding)
            app: Any = self.app  # type: ignore[has-type]

            async def with_transport(scope: Scope, receive: Receive, send: Send) -> None:
                scope["aoai.transport"] = holding
                await app(scope, receive, send)

            self.app = with_transport

    return TransportProtocol


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class ScriptedFaultNoise(logging.Filter):
    """Scripted resets and cuts end responses early on purpose; uvicorn need not report them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "ASGI callable returned without" not in record.getMessage()


# Idle keep-alive connections: uvicorn closes them after 5 s, so a client that waits out an 8 s
# Retry-After on a pooled connection fails on the closed socket (openai-java, seen in the conformance
# suite) where Azure would answer. Azure's front ends drop idle connections after about 4 minutes
# (report: Azure Load Balancer's default TCP idle timeout, and Microsoft Q&A on API Management
# "values greater than 240 seconds may not be reliably honored"); the mock keeps them that long.
KEEP_ALIVE_SECONDS = 240


def make_server(app: ASGIApp, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level=log_level,
        server_header=False,
        access_log=False,
        lifespan="on",
        http=transport_protocol(renders_heads(app)),
        timeout_graceful_shutdown=1,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    logging.getLogger("uvicorn.error").addFilter(ScriptedFaultNoise())
    return uvicorn.Server(config)


class ServerThread:
    """A live server on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.sock = bind(host, port)
        self.port = self.sock.getsockname()[1]
        self.endpoint = f"http://{host}:{self.port}"
        self.server = make_server(app)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self, timeout: float = 10.0) -> ServerThread:
        self.thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout / 0.005)):
            if self.server.started:
                return self
            deadline.wait(0.005)
        raise RuntimeError("aoai-mock server thread did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()
