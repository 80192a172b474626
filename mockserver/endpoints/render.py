"""Turn bodies and errors into Starlette responses with Azure's headers and bytes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cached_property
from typing import Any

from starlette.responses import Response, StreamingResponse

from ..call import Call
from ..catalogue import RESPONSES_CREATE
from ..errors import AzureError
from ..fastpath.header_plan import planned_header_lines, planned_headers, planned_raw_headers
from ..headers import RawHeaders, azure_headers, merged, raw_headers
from ..jsontext import compact
from ..responses.errors import UntypedError
from ..state import MockState
from ..types import Receive, Scope, Send

JSON = "application/json"  # no charset (azure-wire §4.1)
JSON_BYTES = JSON.encode()
SSE = "text/event-stream"  # recordings 02 and 03 (the newest, Nov 2025)


class BytesResponse(Response):
    """A complete JSON body with this call's Azure headers, computed when it is sent: as header lines
    for a server that takes a rendered head (``mockserver.fastpath.wire``), else as ASGI's header list.
    ``fast`` (``Settings.fast_path``): from the compiled header plans, and rendered heads allowed."""

    media_type = JSON

    def __init__(
        self,
        body: bytes,
        status: int,
        call: Call,
        profile: str,
        region: str,
        extra: dict[str, str] | None = None,
        fast: bool = True,
    ) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.call, self.profile, self.region, self.extra, self.fast = call, profile, region, extra, fast

    @cached_property
    def raw_headers(self) -> RawHeaders:  # type: ignore[override]
        headers = planned_raw_headers if self.fast else raw_headers
        raw = headers(self.call, self.profile, self.region)
        raw.append((b"content-type", JSON_BYTES))  # before ``extra``: a scripted header may replace it
        if self.extra:
            merged(raw, self.extra)
        raw.append((b"content-length", str(len(self.body)).encode("latin-1")))
        return raw

    def header_lines(self) -> bytes | None:
        if not self.fast or self.extra or "raw_headers" in self.__dict__:
            return None  # the plain path, scripted error headers, or headers read (maybe changed)
        lines = planned_header_lines(self.call, self.profile, self.region)
        if lines is None:
            return None
        return b"%bcontent-type: %b\r\ncontent-length: %d\r\n" % (lines, JSON_BYTES, len(self.body))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lines = self.header_lines() if scope.get("aoai.head") else None
        if lines is not None:  # the server takes rendered header lines (mockserver.fastpath.wire)
            start = {
                "type": "http.response.start",
                "status": self.status_code,
                "aoai.head": lines,
                "aoai.length": len(self.body),
            }
        else:
            start = {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        await send(start)
        await send({"type": "http.response.body", "body": self.body})


def json_response(call: Call, state: MockState, body: Any, profile: str, *, status: int = 200) -> Response:
    """Compact JSON (embeddings print theirs pretty: endpoints.embeddings)."""
    return json_bytes_response(call, state, compact(body), profile, status)


def json_bytes_response(
    call: Call, state: MockState, data: bytes, profile: str, status: int = 200
) -> Response:
    """An already serialised JSON body with this call's Azure headers."""
    return BytesResponse(data, status, call, profile, state.settings.region, fast=state.settings.fast_path)


def response_headers(call: Call, state: MockState, profile: str) -> dict[str, str]:
    """This call's Azure headers of ``profile``, by name (for streamed and media answers)."""
    headers = planned_headers if state.settings.fast_path else azure_headers
    return headers(call, profile, state.settings.region)


class SynthStream(StreamingResponse):
    """A stream of the mock's own events, made without waiting: nothing but a transport fault (which
    wraps ``send``) paces it, so with none the pipeline may send it in fewer writes
    (``fastpath.wire.HoldingTransport``) and marks it ``unpaced``. An unpaced stream is sent straight
    through: nothing waits between its events, so there is no wait for a disconnect to cut short
    (Starlette's listener task and its task group cost a 50-event stream a third of its time; a
    client that left meanwhile has its sends dropped by the server, as uvicorn does)."""

    unpaced = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.unpaced:
            await self.stream_response(send)
        else:
            await super().__call__(scope, receive, send)


def sse_response(
    call: Call,
    state: MockState,
    events: AsyncIterator[bytes],
    profile: str = "inference",
    media_type: str = SSE,
) -> StreamingResponse:
    headers = response_headers(call, state, profile)
    headers["Content-Type"] = media_type
    return SynthStream(events, headers=headers)


def error_profile(error: AzureError, call: Call) -> str:
    if error.family in ("auth", "throttle"):
        return error.family
    if (call.operation or "").startswith("responses.") and call.operation != RESPONSES_CREATE:
        return "responses_object"  # the stored-objects service answers (recordings 15, 19)
    if error.status == 404:
        return "not_found"
    if error.family == "gateway":
        return "gateway" if call.deployment is not None else "not_found"
    return "model_error"


# Error kinds whose recordings carry x-ratelimit-remaining-* although the request is refused before
# the rate limiter runs: 400 OperationNotSupported (recording 10 entry 2), model 400s (recording 04).
UNMETERED_PROFILES = ("gateway", "model_error")


def error_response(call: Call, state: MockState, error: AzureError) -> Response:
    """Errors are plain JSON even for ``stream:true`` requests (recording 06, azure-wire §6.1)."""
    if isinstance(error, UntypedError):  # recording 26: chunked, no Content-Type
        headers = response_headers(call, state, "responses_untyped")
        return StreamingResponse(iter([error.render()]), status_code=error.status, headers=headers)
    profile = error_profile(error, call)  # a refusal before metering has its usage (Pipeline.error)
    region, fast = state.settings.region, state.settings.fast_path
    return BytesResponse(error.render(), error.status, call, profile, region, error.headers, fast)
