"""Transport faults: delays, resets, truncated bodies and broken streams.

They wrap the ASGI ``send`` (the shape of Starlette's GZip responder). Resets and mid-body
closes need the connection itself: the standalone and live servers run uvicorn with a protocol
that puts the asyncio transport into ``scope["aoai.transport"]`` (``mockserver.server``). Without
it (in-process) they raise ``ConnectionResetError`` into the client instead.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from collections.abc import Callable
from typing import Any

from ..synth.sse import event
from ..types import Message, Receive, Scope, Send

MALFORMED_EVENT = b'data: {"choices":[{"delta":{"content":"\n\n'
MALFORMED_RESPONSES_EVENT = (
    b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"\n\n'
)
STREAM_ERROR = {
    "error": {
        "message": "The server had an error while processing your request.",
        "type": "server_error",
        "param": None,
        "code": "server_error",
    }
}  # the data-with-error shape the Stainless SDKs raise on (sdk-behaviour §5 vector 13)


class ScriptedDisconnect(ConnectionResetError):
    """Raised in-process where a real server would drop the connection."""


class ClientGone(Exception):
    """The client disconnected while the mock was delaying its answer (e.g. its timeout fired)."""


async def wait_or_disconnect(seconds: float, receive: Receive) -> None:
    """Sleep ``seconds`` unless the client disconnects first (then raise ``ClientGone``).

    The request body has been read, so the next ``receive()`` only returns on disconnect.
    """
    if seconds <= 0:
        return
    sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
    watcher = asyncio.ensure_future(receive())
    try:
        done, _ = await asyncio.wait({sleeper, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeper, watcher):
            task.cancel()
    if watcher in done and not watcher.cancelled() and watcher.result().get("type") == "http.disconnect":
        raise ClientGone(f"client disconnected during a {seconds:g} s delay")


def delay_seconds(action: dict[str, Any], rng: random.Random) -> float:
    """Fixed ``seconds`` or a seeded draw from ``distribution``."""
    dist = action.get("distribution")
    if not dist:
        return float(action.get("seconds", 0))
    kind = dist.get("type", "uniform")
    if kind == "normal":
        return max(0.0, rng.gauss(dist.get("mean", 0.1), dist.get("stddev", 0.02)))
    if kind == "exponential":
        return rng.expovariate(1.0 / max(dist.get("mean", 0.1), 1e-6))
    return rng.uniform(dist.get("low", 0.0), dist.get("high", 0.1))


def abort(scope: Scope, hard: bool) -> None:
    """Close the client connection: RST when ``hard`` (SO_LINGER 0), else FIN."""
    transport = scope.get("aoai.transport")
    if transport is None:
        raise ScriptedDisconnect("aoai-mock: scripted connection drop")
    sock = transport.get_extra_info("socket")
    if hard and sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.close()


def wrap_send(action: dict[str, Any], send: Send, scope: Scope) -> Send:
    """``send`` with the transport fault ``action`` applied."""
    kind = action["kind"]
    wrapper = WRAPPERS.get(kind)
    return send if wrapper is None else wrapper(action, send, scope)


def reset(action: dict[str, Any], send: Send, scope: Scope) -> Send:
    async def wrapped(message: Message) -> None:
        abort(scope, hard=True)
        raise ScriptedDisconnect("aoai-mock: scripted connection reset")

    return wrapped


def close_mid_body(action: dict[str, Any], send: Send, scope: Scope) -> Send:
    limit = int(action.get("after_bytes", 10))

    async def wrapped(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        await send(
            {"type": "http.response.body", "body": message.get("body", b"")[:limit], "more_body": True}
        )
        abort(scope, hard=False)
        raise ScriptedDisconnect("aoai-mock: scripted close mid-body")

    return wrapped


def stream_fault(action: dict[str, Any], send: Send, scope: Scope) -> Send:
    """Count body messages (one per SSE event) and break the stream after ``after_chunks``."""
    after = int(action.get("after_chunks", 3))
    state = {"sent": 0, "done": False}

    async def wrapped(message: Message) -> None:
        if message["type"] != "http.response.body" or state["done"]:
            if not state["done"]:
                await send(message)
            return
        if state["sent"] < after:
            state["sent"] += 1
            await send(message)
            if not message.get("more_body", False):
                state["done"] = True
            return
        state["done"] = True
        await break_stream(action, send, scope, message)

    return wrapped


async def break_stream(action: dict[str, Any], send: Send, scope: Scope, message: Message) -> None:
    kind = action["kind"]
    if kind == "stream_cut" and action.get("mode", "drop") == "drop":
        abort(scope, hard=False)
        raise ScriptedDisconnect("aoai-mock: scripted stream cut")
    if kind == "malformed_sse":
        broken = MALFORMED_RESPONSES_EVENT if action.get("framing") == "responses" else MALFORMED_EVENT
        await send({"type": "http.response.body", "body": broken, "more_body": True})
    if kind == "error_event":
        await send({"type": "http.response.body", "body": error_event(action), "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def error_event(action: dict[str, Any]) -> bytes:
    """``data: {"error": ...}`` (all Stainless SDKs raise), or with ``"sse_event": true`` an
    ``event: error`` line whose data has no ``error`` key: the trigger only openai-node raises on
    (sdk-behaviour §5 vector 13)."""
    error = action.get("error") or STREAM_ERROR["error"]
    if action.get("sse_event"):
        return b"event: error\n" + event(error)
    return event({"error": error})


def dribble(action: dict[str, Any], send: Send, scope: Scope) -> Send:
    size = max(1, int(action.get("bytes", 8)))
    interval = float(action.get("interval", 0.05))

    async def wrapped(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        body, more = message.get("body", b""), message.get("more_body", False)
        for start in range(0, len(body), size):
            await send({"type": "http.response.body", "body": body[start : start + size], "more_body": True})
            await asyncio.sleep(interval)
        await send({"type": "http.response.body", "body": b"", "more_body": more})

    return wrapped


def stream_timing(action: dict[str, Any], send: Send, scope: Scope) -> Send:
    """Time to first token before the first chunk after the annotation event, then a gap per chunk."""
    first, between = float(action.get("first_token", 0)), float(action.get("between_chunks", 0))
    state = {"events": 0}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            state["events"] += 1
            if state["events"] == 2:
                await asyncio.sleep(first)
            elif state["events"] > 2:
                await asyncio.sleep(between)
        await send(message)

    return wrapped


WRAPPERS: dict[str, Callable[[dict[str, Any], Send, Scope], Send]] = {
    "reset": reset,
    "close_mid_body": close_mid_body,
    "stream_cut": stream_fault,
    "malformed_sse": stream_fault,
    "error_event": stream_fault,
    "dribble": dribble,
    "stream_timing": stream_timing,
}
