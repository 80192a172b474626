"""Turn bodies and errors into Starlette responses with Azure's headers and bytes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from ..call import Call
from ..errors import AzureError
from ..headers import RawHeaders, azure_headers, merged, raw_azure_headers
from ..state import MockState
from ..synth.sse import dumps
from ..wire import render_head

JSON = "application/json"  # no charset (azure-wire §4.1)
JSON_BYTES = JSON.encode()
SSE = "text/event-stream"  # recordings 02 and 03 (the newest, Nov 2025)


class BytesResponse(Response):
    """A complete body with ready-made ASGI headers: Starlette's ``Response`` without its header
    normalisation, which the hot path does not need (``raw`` names are lower-cased, as Starlette's)."""

    def __init__(self, body: bytes, status: int, raw: RawHeaders) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
        self.raw_headers = raw

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        if scope.get("aoai.head"):  # the server takes rendered header lines (mockserver.wire)
            head = render_head(self.raw_headers)
            if head is not None:
                start["aoai.head"], start["aoai.length"] = head, len(self.body)
        await send(start)
        await send({"type": "http.response.body", "body": self.body})


def json_response(call: Call, state: MockState, body: Any, profile: str, *, pretty: bool = False,
                  status: int = 200) -> Response:
    """Compact JSON, or 2-space pretty JSON plus a newline (embeddings, recording 07 lengths)."""
    data = (json.dumps(body, indent=2, ensure_ascii=False) + "\n") if pretty else dumps(body)
    return json_bytes_response(call, state, data.encode(), profile, status)


def json_bytes_response(call: Call, state: MockState, data: bytes, profile: str, status: int = 200) -> Response:
    """An already serialised JSON body with this call's Azure headers."""
    raw = raw_azure_headers(call, profile, state.settings.region)
    raw.append((b"content-type", JSON_BYTES))
    return BytesResponse(data, status, raw)


def sse_response(call: Call, state: MockState, events: AsyncIterator[bytes],
                 profile: str = "inference") -> StreamingResponse:
    headers = azure_headers(call, profile, state.settings.region)
    headers["Content-Type"] = SSE
    return StreamingResponse(events, headers=headers)


def error_profile(error: AzureError, call: Call) -> str:
    if error.family in ("auth", "throttle"):
        return error.family
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
    profile = error_profile(error, call)
    if call.rate is None and call.deployment is not None and profile in UNMETERED_PROFILES:
        call.rate = state.limiter.peek(call.deployment)  # refused before metering: nothing charged
    raw = raw_azure_headers(call, profile, state.settings.region)
    raw.append((b"content-type", JSON_BYTES))  # before the error's own headers: a scripted one may replace it
    return BytesResponse(error.render(), error.status, merged(raw, error.headers))
