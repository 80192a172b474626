"""The control API's envelope: every answer JSON, errors as ``{"error": {"code", "message"}}``
(``mockserver.endpoints.admin`` lists the codes), bodies read as strict JSON up to
``limits.MAX_CONTROL_BYTES``, and the handlers that turn the router's and the routes' exceptions into
that envelope."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import jsontext
from ..errors import STATE_HEADER, ConfigError
from ..http import BodyTooLarge, limited_receive
from ..limits import MAX_CONTROL_BYTES


def control_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def bad_request(message: str) -> Response:
    return control_error(400, "InvalidRequest", message)


UNSET: Any = object()


class ControlBodyTooLarge(ConfigError):
    pass


async def json_body(request: Request, empty: Any = UNSET) -> Any:
    """The request's body as strict JSON, read up to ``MAX_CONTROL_BYTES``; ``empty`` (when given) for
    a request without a body."""
    chunks = []
    receive = limited_receive(request.receive, MAX_CONTROL_BYTES)
    try:
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        return empty if not raw and empty is not UNSET else jsontext.loads(raw)
    except BodyTooLarge:
        raise ControlBodyTooLarge(f"the body is over {MAX_CONTROL_BYTES} bytes") from None
    except ValueError as exc:
        raise ConfigError(f"the body must be JSON: {exc}") from None


def config_error(exc: ConfigError) -> Response:
    if isinstance(exc, ControlBodyTooLarge):
        return control_error(413, "PayloadTooLarge", str(exc))
    return bad_request(str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    """The router's own 404 and 405, in the control API's envelope."""
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 405:
        allowed = ", ".join(sorted((exc.headers or {}).get("Allow", "").split(", ")))  # Starlette's is a set
        return control_error(
            405, "MethodNotAllowed", f"{where} is not allowed; allowed: {allowed}", headers={"Allow": allowed}
        )
    if exc.status_code == 404:
        return control_error(404, "NotFound", f"no control route {where}")
    return control_error(exc.status_code, str(exc.status_code), str(exc.detail))


async def internal_error(request: Request, exc: Exception) -> Response:
    """An unhandled error: a JSON 500 (Starlette still logs the traceback, as it should)."""
    return control_error(
        500, "InternalError", f"the control API failed on {request.method} {request.url.path}"
    )


async def client_gone(request: Request, exc: Exception) -> Response:
    return control_error(400, "InvalidRequest", "the client disconnected before its body was complete")


async def state_gone(request: Request, exc: Exception) -> Response:
    """The shared state (``mockserver.stores``) did not answer: 503 naming it, as on the data plane."""
    cause = getattr(exc, "cause", str(exc))
    headers = {STATE_HEADER: cause[:200]}
    return control_error(503, "StateUnavailable", f"the mock's state store did not answer: {cause}", headers)


async def bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConfigError)
    return config_error(exc)
