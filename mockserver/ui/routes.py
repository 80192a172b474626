"""The dashboard's routes under ``/_mock``: the page, its two static files, and the JSON it polls.

    GET /_mock/ui                   the page (``static/index.html`` holding the newest rows; ``/_mock/ui/``
                                    redirects to it)
    GET /_mock/ui/app.js, app.css   its script and style sheet
    GET /_mock/requests/summary     compact journal rows after a cursor (``views.JournalRows``)
    GET /_mock/requests/{seq}       one request in full, stream events timed (``views.detail``)
    GET /_mock/quota                rate-window use per deployment (``views.quota``)
    GET /_mock/replay               replay hits and misses (``views.replay``)

The page uses relative URLs only, so it works on http and https and behind a path prefix. Its
Content-Security-Policy allows no inline script: whatever a request carried is shown as text.

The page carries the newest ``FIRST_SCREEN`` rows in a JSON data block (``<script
type="application/json">``: never run, only read by ``app.js``), so the first screen is painted without
waiting for another request; the older rows follow with ``summary?before=``. Every ``<`` in that JSON is
written ``\\u003c``, so no request body can end the block (``</script>``) or open a comment in it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..state import MockState
from . import views

STATIC = Path(__file__).parent / "static"
ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
PAGE_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}
FILTERS = ("session", "operation", "deployment", "status")


def control_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def whole_number(request: Request, name: str, default: int | None) -> int | None:
    """A query parameter that must be a whole number >= 0 (ValueError names it otherwise)."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit():
        raise ValueError(f"'{name}' must be a whole number >= 0, got {text!r}")
    return int(text)


FIRST_SCREEN = 40  # rows in the page itself: a 900-pixel window shows about 32
DATA_BLOCK = b'<script type="application/json" id="first-screen">'


def page(journal_rows: views.JournalRows) -> Any:
    head, tail = (STATIC / "index.html").read_bytes().split(DATA_BLOCK + b"</script>")

    async def endpoint(request: Request) -> Response:
        if request.url.path.endswith("/"):
            return RedirectResponse("../ui" + (f"?{request.url.query}" if request.url.query else ""), 307)
        started = time.perf_counter()
        rows = views.listing_json(*journal_rows.listing(0, {}, FIRST_SCREEN)).replace(b"<", b"\\u003c")
        html = b"".join((head, DATA_BLOCK, rows, b"</script>", tail))
        headers = {**PAGE_HEADERS, "server-timing": timing(started)}
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)

    return endpoint


def timing(started: float) -> str:
    """A ``Server-Timing`` value: the time since ``started`` (``time.perf_counter``), in ms."""
    return f"listing;dur={(time.perf_counter() - started) * 1000:.2f}"


def asset() -> Any:
    files = {name: (STATIC / name).read_bytes() for name in ASSETS}

    async def endpoint(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files:
            return control_error(404, "NotFound", f"the dashboard has no file {name!r}")
        return Response(files[name], media_type=ASSETS[name], headers=PAGE_HEADERS)

    return endpoint


def summary(journal_rows: views.JournalRows) -> Any:
    """``?after=<cursor>&before=<seq>&limit=N&session=&operation=&deployment=&status=`` (status: 429
    or 4xx). ``Server-Timing`` says how long the listing took (a browser shows it beside the fetch)."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        try:
            after = whole_number(request, "after", 0) or 0
            before = whole_number(request, "before", None)
            limit = whole_number(request, "limit", None)
        except ValueError as exc:
            return control_error(400, "InvalidRequest", str(exc))
        filters = {name: request.query_params.get(name) for name in FILTERS}
        body = views.listing_json(*journal_rows.listing(after, filters, limit, before))
        return Response(body, media_type="application/json", headers={"server-timing": timing(started)})

    return endpoint


def one_request(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        seq = request.path_params["seq"]
        entry = state.journal.find(seq)
        if entry is None:
            message = f"request {seq} is not in the journal (reset, or older than the journal keeps)"
            return control_error(404, "NotFound", message)
        return JSONResponse(views.detail(entry))

    return endpoint


def quota(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        return JSONResponse(views.quota(state))

    return endpoint


def replay(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        return JSONResponse(views.replay(state))

    return endpoint


def ui_routes(state: MockState) -> list[Route]:
    journal_rows = views.JournalRows(state)  # one for the page and the summary: each row built once
    return [
        Route("/_mock/ui", page(journal_rows), methods=["GET"]),
        Route("/_mock/ui/", page(journal_rows), methods=["GET"]),
        Route("/_mock/ui/{name}", asset(), methods=["GET"]),
        Route("/_mock/requests/summary", summary(journal_rows), methods=["GET"]),
        Route("/_mock/requests/{seq:int}", one_request(state), methods=["GET"]),
        Route("/_mock/quota", quota(state), methods=["GET"]),
        Route("/_mock/replay", replay(state), methods=["GET"]),
    ]
