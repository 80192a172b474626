"""The connection layer: uvicorn's server with an accept loop that speaks TLS on the mock's port."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from typing import Any

import uvicorn

from .certs import ServerTLS

HANDSHAKE = 0x16  # the TLS record type of a ClientHello
HANDSHAKE_TIMEOUT = 10.0
# an idle client need not answer our close_notify: within uvicorn's 1 s graceful shutdown, give up on it
SHUTDOWN_TIMEOUT = 0.5
REFUSED_LINGER = 5.0  # seconds a refused plain-http connection may stay half-closed for its reader


# --- the connection layer ------------------------------------------------------------------------


def refusal(address: tuple[Any, ...]) -> bytes:
    """The answer to plain http on the TLS port at ``address`` (the socket's own): a 400 in Azure's
    gateway envelope, then close."""
    host, port = str(address[0]), address[1]
    where = f"https://{f'[{host}]' if ':' in host else host}:{port}"
    message = (
        f"This aoai-mock port speaks TLS: use {where} (the mock's CA is printed in its banner and "
        "served at /_mock/tls/ca.pem)."
    )
    body = json.dumps({"error": {"code": "PlainHttpOnTlsPort", "message": message}}).encode()
    head = (
        f"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode()
    return head + body


class TLSServer(uvicorn.Server):
    """uvicorn's server with the mock's own accept loop: each connection's first byte is peeked before
    any transport owns the socket (uvloop reads ahead as soon as it does), then the connection is handed
    to uvicorn's protocol over TLS, or refused. Lifespan, shutdown and keep-alive stay uvicorn's."""

    def __init__(self, config: uvicorn.Config, tls: ServerTLS) -> None:
        super().__init__(config)
        self.tls = tls
        self.context = tls.context()
        self.accepting: list[asyncio.Task[None]] = []
        self.pending: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # lifespan and state; no listener of uvicorn's own
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        self.accepting = [loop.create_task(self.accept(sock)) for sock in sockets or []]

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for task in self.accepting:
            task.cancel()
        await super().shutdown(sockets)

    async def accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        listener.setblocking(False)
        while True:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError:  # the listener was closed (shutdown) or ran out of descriptors
                if listener.fileno() < 0:
                    return
                await asyncio.sleep(0.05)
                continue
            task = loop.create_task(self.connection(conn))
            self.pending.add(task)  # held until done: the loop keeps only weak references to tasks
            task.add_done_callback(self.pending.discard)

    async def connection(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            first = await peek(loop, conn)
        except (OSError, TimeoutError):
            conn.close()
            return
        if not first:
            conn.close()
        elif first[0] != HANDSHAKE:
            await refuse(loop, conn)
        else:
            await self.secure(loop, conn)

    async def secure(self, loop: asyncio.AbstractEventLoop, conn: socket.socket) -> None:
        config = self.config
        protocol = config.http_protocol_class(  # type: ignore[call-arg]
            config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=loop
        )
        try:
            await loop.connect_accepted_socket(
                lambda: protocol,
                conn,
                ssl=self.context,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
                ssl_shutdown_timeout=SHUTDOWN_TIMEOUT,
            )
        except (OSError, ssl.SSLError, TimeoutError):
            conn.close()  # a client that does not trust the CA hangs up: nothing to answer


async def peek(loop: asyncio.AbstractEventLoop, conn: socket.socket) -> bytes:
    """The connection's first byte, left in the socket for the TLS layer to read (b"" at EOF)."""
    conn.setblocking(False)
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(conn.fileno(), readable)
    try:
        await asyncio.wait_for(ready, HANDSHAKE_TIMEOUT)
    finally:
        loop.remove_reader(conn.fileno())
    return conn.recv(1, socket.MSG_PEEK)


async def refuse(loop: asyncio.AbstractEventLoop, conn: socket.socket) -> None:
    """Answer plain http with ``refusal`` and close once the client has read it: the answer, a FIN,
    then what the client still sends is drained, so no reset destroys the answer in flight."""
    try:
        await loop.sock_sendall(conn, refusal(conn.getsockname()))
        conn.shutdown(socket.SHUT_WR)
        async with asyncio.timeout(REFUSED_LINGER):
            while await loop.sock_recv(conn, 65536):
                pass
    except (OSError, TimeoutError):
        pass
    finally:
        conn.close()
