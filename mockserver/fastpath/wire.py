"""How a response is written on the connection: the two costs of a small answer, cut.

A complete response (``endpoints.render.BytesResponse``) is the mock's hot path: an SDK call is one
such answer, and a load test is thousands. Under uvicorn it costs two ``send`` syscalls (head, then
body) and a Python pass over every header that validates and renders it; Azure's answers carry
about 18 headers, against 3 for a bare route. Here:

* ``HoldingTransport`` holds writes while a small complete response (``pipeline.ONE_WRITE``)
  is sent, so head and body leave in one write. An unpaced stream of the mock's own events
  (``endpoints.render.SynthStream``: no fault, no recorded timing paces it, so its events are made
  as fast as the loop runs) is held too, and leaves in writes of up to ``STREAM_WRITE`` bytes
  rather than one per event: the bytes a client reads are the same, the syscalls far fewer
  (issue 18). Fault-paced and replayed streams are never held (the pipeline decides), so their
  timing is what the client would see from Azure.
* ``rendered_head_cycle`` subclasses uvicorn's httptools request cycle so ``http.response.start``
  may carry ``aoai.head`` (and ``aoai.length``) instead of ``headers``: header lines rendered
  from pre-validated parts (``header_plan.HeaderTemplate``) and checked with uvicorn's own rules.
  The cycle adds its status line and default headers (date) and keeps uvicorn's bookkeeping
  (content length, keep-alive, write flow control) as its own path would. The server offers this
  (``scope["aoai.head"]``) only when it has no access log and its app opted in with
  ``renders_heads = True``: the app's promise that nothing between it and the server reads or
  rewrites response messages (an ASGI middleware that edits headers would see none). ``MockApp``
  and the plugin's session router opt in; anything wrapping them does not, and gets ordinary
  messages. A message without a head goes through uvicorn.
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import Any

# uvicorn's rules (uvicorn/protocols/http/httptools_impl.py HEADER_RE, HEADER_VALUE_RE)
HEADER_NAME_FORBIDDEN = re.compile(b'[\x00-\x1f\x7f()<>@,;:\\[\\]={} \t\\\\"]')
HEADER_VALUE_FORBIDDEN = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")
HEADER_VALUE_FORBIDDEN_TEXT = re.compile(HEADER_VALUE_FORBIDDEN.pattern.decode("latin-1"))
# names uvicorn acts on (framing and keep-alive): a head with one of them takes uvicorn's path
FRAMING = (b"connection", b"transfer-encoding")


def renders_heads(app: Any) -> bool:
    """True when ``app`` opted in to rendered heads (see the module docstring)."""
    return getattr(app, "renders_heads", False) is True


def header_line(name: bytes, value: bytes) -> bytes:
    return name + b": " + value + b"\r\n"


def valid_header(name: bytes, value: bytes) -> bool:
    """True when ``wire`` may render this header itself: a lower-case name and a value uvicorn
    accepts, and not a framing header (uvicorn's path raises on the invalid, handles the rest)."""
    return (
        not HEADER_NAME_FORBIDDEN.search(name)
        and name == name.lower()
        and name not in FRAMING
        and not HEADER_VALUE_FORBIDDEN.search(value)
    )


def valid_values(values: list[str]) -> bool:
    """True when no value has a character uvicorn refuses (the values as text, before encoding)."""
    return not HEADER_VALUE_FORBIDDEN_TEXT.search("".join(values))


BOUND_ONCE = ("is_closing", "get_extra_info", "pause_reading", "resume_reading")


class HoldingTransport:
    """The connection's transport, able to hold writes and send them as one.

    uvicorn writes a response's head and body separately: two ``send`` syscalls per response, the
    largest cost of a small answer on loopback. A small complete body (``BytesResponse``) holds the head
    until the body is written, so the whole response leaves in one write, as servers that know the
    full body send it. Streams never hold: their head leaves at once, as Azure's does. Closing or
    aborting releases held bytes first, so a scripted fault cuts the connection after them.
    """

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.held: list[bytes] | None = None
        self.held_bytes = 0
        self.limit: int | None = None
        # what uvicorn asks of every request, bound once (``__getattr__`` costs a lookup miss each)
        for name in BOUND_ONCE:
            if hasattr(transport, name):
                setattr(self, name, getattr(transport, name))

    def hold(self, limit: int | None = None) -> None:
        """Hold writes until ``release``, or until ``limit`` bytes are held (then they leave as one
        write and holding goes on). Never around bytes a fault paces: the pipeline decides."""
        self.held, self.held_bytes, self.limit = [], 0, limit

    def release(self) -> None:
        held, self.held = self.held, None
        if held and not self.transport.is_closing():
            self.transport.write(b"".join(held))

    def write(self, data: bytes) -> None:
        if self.held is None:
            self.transport.write(data)
            return
        self.held.append(data)
        self.held_bytes += len(data)
        if self.limit is not None and self.held_bytes >= self.limit:
            self.release()
            self.hold(self.limit)

    def close(self) -> None:
        self.release()
        self.transport.close()

    def abort(self) -> None:
        self.release()
        self.transport.abort()

    def __getattr__(self, name: str) -> Any:  # everything else is the transport's own
        return getattr(self.transport, name)


# The uvicorn releases (major, minor) whose httptools request cycle the rendered head was checked
# against: tests/test_wire.py passes on 0.30.6, 0.40.0, 0.49.0, 0.50.0, 0.53.0, 0.54.0 and 0.55.0.
# Outside this range the server sends ordinary messages through uvicorn's own path.
PROVEN_UVICORN = ((0, 30), (0, 55))


def uvicorn_version() -> str:
    import uvicorn

    return str(uvicorn.__version__)


def proven(version: str) -> bool:
    """True when ``version`` of uvicorn is one the rendered head was checked against."""
    numbers = [int(part) for part in re.findall(r"\d+", version)[:2]]
    release = [*numbers, 0, 0][:2]
    return PROVEN_UVICORN[0] <= (release[0], release[1]) <= PROVEN_UVICORN[1]


def rendered_head_cycle(protocol: type, version: str | None = None) -> type | None:
    """A subclass of ``protocol``'s request cycle that takes a rendered head, or None when
    ``protocol`` is not uvicorn's httptools protocol, or uvicorn (``version``, the installed one by
    default) is not a release it was checked against (``PROVEN_UVICORN``)."""
    if not proven(version if version is not None else uvicorn_version()):
        return None
    module = sys.modules.get(protocol.__module__)
    base: Any = getattr(module, "RequestResponseCycle", None)
    found: dict[int, bytes] | None = getattr(module, "STATUS_LINE", None)
    if base is None or found is None:
        return None  # another protocol (h11 keeps its own path)
    status_lines = found

    class RenderedHeadCycle(base):  # type: ignore[misc]
        response_started: bool
        waiting_for_100_continue: bool
        expected_content_length: int
        chunked_encoding: bool | None

        async def send(self, message: dict[str, Any]) -> None:
            head = message.get("aoai.head")
            if head is None or self.response_started:
                await super().send(message)
                return
            # what uvicorn's send does for http.response.start with a content-length header
            if self.flow.write_paused and not self.disconnected:
                await self.flow.drain()
            if self.disconnected:
                return
            self.response_started = True
            self.waiting_for_100_continue = False
            self.expected_content_length = message["aoai.length"]
            self.chunked_encoding = False
            parts = [status_lines[message["status"]]]
            for name, value in self.default_headers:
                parts += (name, b": ", value, b"\r\n")
            parts.append(head)
            if not self.keep_alive:
                parts.append(b"connection: close\r\n")
            parts.append(b"\r\n")
            self.transport.write(b"".join(parts))

    return RenderedHeadCycle
