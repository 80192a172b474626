"""Run the app under uvicorn with access to each connection's transport.

Transport faults (reset, close mid-body, stream cut) need the socket; the protocol below puts the
connection's transport (a ``HoldingTransport``) into ``scope["aoai.transport"]`` and, under
httptools, lets complete responses hand uvicorn a rendered head (``mockserver.fastpath.wire``).
``ServerThread`` runs a server in a background thread for tests and the pytest plugin. With a
``ServerTLS`` (``mockserver.tls``) the port speaks TLS and ``scope["aoai.tls"]`` names the certificate.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import threading
from typing import TYPE_CHECKING, Any

import uvicorn

from .fastpath.wire import HoldingTransport, rendered_head_cycle, renders_heads
from .h2c import keep_h2c_bodies
from .limits import HEADER_TIMEOUT_SECONDS, MAX_HEADER_BYTES
from .types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from .tls import ServerTLS


def base_protocol() -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:  # httptools is optional (the "speed" extra)
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


def transport_protocol(
    rendered_heads: bool = False, tls: ServerTLS | None = None, base: Any = None
) -> type[asyncio.Protocol]:
    """The HTTP protocol class; ``rendered_heads`` when the app opted in (``wire.renders_heads``).
    Requests offering an h2c upgrade keep their body on either protocol (``mockserver.h2c``)."""
    base = base or base_protocol()
    cycle = rendered_head_cycle(base) if rendered_heads else None
    on_h11_base = base.__module__.endswith(".h11_impl")

    class TransportProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            holding = HoldingTransport(transport)
            super().connection_made(holding)
            app: Any = self.app  # type: ignore[has-type]

            async def with_transport(scope: Scope, receive: Receive, send: Send) -> None:
                scope["aoai.transport"] = holding
                scope["aoai.tls"] = tls
                await app(scope, receive, send)

            self.app = with_transport
            self.head = HeadGuard(transport)

        if on_h11_base:

            def data_received(self, data: bytes) -> None:
                self.head.received(len(data))
                if h11_waiting(self):  # h11 has no parser callbacks: its state marks the head
                    self.head.begin()
                super().data_received(data)
                if not h11_waiting(self):
                    self.head.complete()
                self.head.check()

        else:

            def data_received(self, data: bytes) -> None:
                self.head.received(len(data))
                super().data_received(data)
                self.head.check()

            def on_message_begin(self) -> None:  # httptools: the first byte of a request
                super().on_message_begin()
                self.head.begin()

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self.head.complete()
            current: Any = self.cycle  # None, or the previous request's, after an upgrade request
            if cycle is None or current is None:
                return
            scope: dict[str, Any] = current.scope
            if current.__class__ is cycle.__base__ and not self.access_log:
                current.__class__ = cycle  # takes a head the mock rendered (mockserver.fastpath.wire)
                scope["aoai.head"] = True

        def connection_lost(self, exc: Exception | None) -> None:
            self.head.stop()
            super().connection_lost(exc)

    def on_h11() -> type:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return transport_protocol(False, tls, H11Protocol)

    return keep_h2c_bodies(TransportProtocol, functools.cache(on_h11))


def h11_waiting(protocol: Any) -> bool:
    """Under h11, whether the connection waits for a request head (under httptools its
    ``on_message_begin`` / ``on_headers_complete`` tell ``HeadGuard`` instead)."""
    import h11

    return protocol.conn.their_state is h11.IDLE


def endpoint(host: str, port: int, tls: bool) -> str:
    """``http(s)://host:port``, an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def refusal(status: int, reason: str, message: str) -> bytes:
    """A complete answer written before the request was parsed: the gateway envelope with the status
    as its code, as APIM writes its own errors (azure-wire §3.1; no recorded 408/431 body: inferred)."""
    body = b'{"error":{"code":"%d","message": "%s"}}' % (status, message.encode())
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: %d\r\n\r\n"
        % (status, reason.encode(), len(body))
    ) + body


TOO_LARGE = refusal(431, "Request Header Fields Too Large", "Request header fields too large")
TIMED_OUT = refusal(408, "Request Timeout", "Request timed out")


class HeadGuard:
    """A request head (request line and headers) must fit in ``MAX_HEADER_BYTES`` and arrive within
    ``HEADER_TIMEOUT_SECONDS`` of the connection opening or the request's first byte (slowloris).
    Past either, the client gets a 431 or a 408 and the connection is closed: a 32 MB header is
    never buffered, and a client sending a byte a second does not hold a connection forever.

    The byte count is of the chunks that arrived while the head was incomplete (a chunk that also
    holds the start of the body counts whole: the limit is generous for that). Under h11 the size
    is h11's own limit (``make_server``), and h11's connection state marks the head's start and end
    (``h11_waiting``), so an idle keep-alive connection or a long answer is never cut by the timer.

    One timer per connection, not one per request: a request moves the deadline, and the timer,
    when it fires early (the head it was set for is done), sets itself again for the deadline of
    the head now open, or ends when none is (a timer made and cancelled per request cost a keep-alive
    request about 2 us; issue 13's bench)."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.loop = asyncio.get_running_loop()
        self.timer: asyncio.TimerHandle | None = None
        self.deadline = 0.0
        self.bytes = 0
        self.open = False
        self.begin()

    def begin(self) -> None:
        if self.open:
            return
        self.open, self.bytes = True, 0
        self.deadline = self.loop.time() + HEADER_TIMEOUT_SECONDS
        if self.timer is None:
            self.timer = self.loop.call_at(self.deadline, self.expire)

    def received(self, size: int) -> None:
        if self.open:
            self.bytes += size

    def complete(self) -> None:
        self.open = False

    def check(self) -> None:
        if self.open and self.bytes > MAX_HEADER_BYTES:
            self.refuse(TOO_LARGE)

    def expire(self) -> None:
        self.timer = None
        if not self.open:
            return  # the head it was set for came in time; the next request's begin sets a new one
        if self.loop.time() < self.deadline:
            self.timer = self.loop.call_at(self.deadline, self.expire)  # a later head is open
        else:
            self.refuse(TIMED_OUT)

    def refuse(self, answer: bytes) -> None:
        self.open = False
        self.stop()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


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


def make_server(app: ASGIApp, log_level: str = "warning", tls: ServerTLS | None = None) -> uvicorn.Server:
    """uvicorn serving ``app``; over TLS with ``tls`` (``mockserver.tls.TLSServer``)."""
    config = uvicorn.Config(
        app,
        log_level=log_level,
        server_header=False,
        access_log=False,
        lifespan="on",
        http=transport_protocol(renders_heads(app), tls),
        timeout_graceful_shutdown=1,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    logging.getLogger("uvicorn.error").addFilter(ScriptedFaultNoise())
    if tls is not None:
        from .tls import TLSServer

        return TLSServer(config, tls)
    return uvicorn.Server(config)


class ServerThread:
    """A live server on 127.0.0.1 and a free port, in a daemon thread (https with ``tls``)."""

    def __init__(
        self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, tls: ServerTLS | None = None
    ) -> None:
        self.app = app
        self.tls = tls
        self.sock = bind(host, port)
        self.port = self.sock.getsockname()[1]
        self.endpoint = endpoint(host, self.port, tls is not None)
        self.server = make_server(app, tls=tls)
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
