"""Requests that offer an h2c upgrade keep their body, on both of uvicorn's HTTP/1.1 protocols.

Java's built-in ``java.net.http.HttpClient`` (azure-core's JDK transport, and any Java code on an
``http://`` URL) adds ``Connection: Upgrade, HTTP2-Settings``, ``Upgrade: h2c`` and ``HTTP2-Settings``
to its requests (sdk-behaviour §8). A server that does not take the upgrade answers in HTTP/1.1 and
ignores the offer (RFC 7540 §3.2; RFC 9113 §3.1 drops h2c altogether). h11 does. httptools does not:
its ``on_headers_complete`` tells llhttp to skip the body of any upgrade request, so the body is
lost and the mock answered 400 "could not parse the JSON body" to a valid request (uvicorn#2722,
httptools#124).

``keep_h2c_bodies(protocol, fallback)``: under httptools, a connection whose next request head
offers h2c is handed, before the parser sees a byte of it, to ``fallback`` (the same protocol built
on h11) for the rest of its life. The head is complete before the check (a head split across reads
is held until its blank line, up to ``HEAD_LIMIT``, while it can still be a request head). A request
pipelined behind another in one read is not checked (no client pipelines; Java's does not). Either
way the offer is ignored quietly: it is not a mistake of the client's, so uvicorn's "Unsupported
upgrade request." warning is not logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

H2C_OFFER = re.compile(rb"\r\nupgrade:[ \t]*h2c[ \t]*\r\n", re.IGNORECASE)
HEAD_END = b"\r\n\r\n"
# what a request line can start with: a method token, then a space (bytes that cannot begin a request,
# such as a TLS ClientHello on the plain port, go to the parser at once, which refuses them)
REQUEST_START = re.compile(rb"(?:\r\n)*[A-Za-z]{0,24}(?: |$)")
HEAD_LIMIT = 65536  # uvicorn's own parsers refuse longer heads; past it the bytes go on as they are
logger = logging.getLogger("uvicorn.error")


def offers_h2c(data: bytes, end: int | None = None) -> bool:
    """Whether the head in ``data[:end]`` offers h2c. Any spelling of "h2c" holds "2c" or "2C": a
    head without either (nearly every head) is passed over by two byte searches, not the regex."""
    end = len(data) if end is None else end
    if data.find(b"2c", 0, end) < 0 and data.find(b"2C", 0, end) < 0:
        return False
    return H2C_OFFER.search(data, 0, end) is not None


def keep_h2c_bodies(protocol: type, fallback: Callable[[], type]) -> type:
    """``protocol`` with h2c offers ignored quietly; under httptools, handed to ``fallback`` first."""
    quiet: Any = quiet_h2c(protocol)
    if not any(cls.__module__.endswith(".httptools_impl") for cls in protocol.__mro__):
        return quiet  # type: ignore[no-any-return]

    class H2CToH11(quiet):  # type: ignore[misc]
        """Checks each request head that starts a read for an h2c offer before httptools parses it."""

        def connection_made(self, transport: Any) -> None:
            self.raw_transport = transport
            self.request_starts = True  # the next byte begins a request
            self.held = b""
            super().connection_made(transport)

        def on_message_begin(self) -> None:
            self.request_starts = False
            super().on_message_begin()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.request_starts = True

        def data_received(self, data: bytes) -> None:
            if not self.request_starts:
                super().data_received(data)
                return
            data, self.held = self.held + data, b""
            end = data.find(HEAD_END)
            if end < 0 and len(data) < HEAD_LIMIT and REQUEST_START.match(data):
                self.held = data  # wait for the blank line that ends the head
                return
            idle = self.cycle is None or self.cycle.response_complete
            if end >= 0 and idle and offers_h2c(data, end + 2):
                self.hand_over(data)
                return
            super().data_received(data)

        def hand_over(self, data: bytes) -> None:
            """The connection, and the bytes read so far, go to the h11 protocol."""
            self._unset_keepalive_if_required()
            self.connections.discard(self)
            successor = fallback()(
                config=self.config, server_state=self.server_state, app_state=self.app_state, _loop=self.loop
            )
            self.raw_transport.set_protocol(successor)
            successor.connection_made(self.raw_transport)
            successor.data_received(data)

    return H2CToH11


def quiet_h2c(protocol: type) -> type:
    base: Any = protocol

    class QuietH2C(base):  # type: ignore[misc]
        def _unsupported_upgrade_warning(self) -> None:
            if self._get_upgrade() == b"h2c":
                logger.debug("h2c upgrade offer ignored: answering in HTTP/1.1")
                return
            super()._unsupported_upgrade_warning()

    return QuietH2C
