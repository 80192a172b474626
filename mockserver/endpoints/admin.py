"""The control API under ``/_mock`` (outside the Azure pipeline): health, reset, journal, faults, the
dashboard (``mockserver.ui``).

Every answer is JSON, errors included: ``{"error": {"code", "message"}}`` with ``InvalidRequest``
(400), ``NotFound`` (404, an unknown route or rule), ``MethodNotAllowed`` (405, with ``Allow``) and
``PayloadTooLarge`` (413, bodies over ``limits.MAX_CONTROL_BYTES``). Bodies are strict JSON
(``mockserver.jsontext``). Over this API a scenario is a built-in name or an inline definition;
files are for ``--scenario`` on the command line, so a client cannot make the server open a path.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import ConfigError
from ..faults.scenarios import library, parse_scenario
from ..http import BodyAbandoned
from ..journal import filters_from_query
from ..limits import MAX_CLOCK_OFFSET
from ..state import MockState
from ..stores.base import StateUnavailable
from ..ui.routes import ui_routes
from .control_envelope import (
    bad_input,
    bad_request,
    client_gone,
    config_error,
    control_error,
    http_error,
    internal_error,
    json_body,
    state_gone,
)
from .images import image_blob


def health(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        return JSONResponse({"status": "ok", "deployments": [d.name for d in state.settings.deployments]})

    return endpoint


def reset(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    return endpoint


def requests(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            filters = filters_from_query(request.query_params)
        except ValueError as exc:
            return bad_request(str(exc))
        entries = list(state.journal.filter(**filters))
        return JSONResponse({"count": len(entries), "requests": [e.to_dict() for e in entries]})

    return endpoint


def deployments(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        from dataclasses import asdict

        return JSONResponse({"deployments": [asdict(d) for d in state.settings.deployments]})

    return endpoint


def clock(state: MockState) -> Any:
    """GET reads the mock's clock; POST ``/advance`` with ``{"seconds": N}`` moves it forward."""

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            try:
                data = await json_body(request)
                seconds = data.get("seconds") if isinstance(data, dict) else None
                if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                    raise ConfigError('send {"seconds": <a number of seconds, 0 or more>}')
                if not 0 <= seconds <= MAX_CLOCK_OFFSET - state.clock.offset:
                    raise ConfigError(
                        f"'seconds' must be between 0 and {MAX_CLOCK_OFFSET - state.clock.offset:g} "
                        f"(the clock moves at most {MAX_CLOCK_OFFSET:g} s ahead), got {seconds!r}"
                    )
                state.clock.advance(float(seconds))
            except ConfigError as exc:
                return config_error(exc)
            except ValueError as exc:
                return bad_request(str(exc))
        return JSONResponse(clock_reading(state))

    return endpoint


def clock_reading(state: MockState) -> dict[str, Any]:
    clock = state.clock
    return {"now": clock.now(), "advanced": clock.offset, "frozen": clock.frozen is not None}


def stored_files(state: MockState) -> Any:
    """GET: every stored file (the 2025 shape); ``/_mock/files/{id}/content``: a file's bytes."""

    async def endpoint(request: Request) -> Response:
        from .. import files

        file_id = request.path_params.get("file_id")
        if file_id is None:
            purpose = request.query_params.get("purpose")
            return JSONResponse({"files": [files.plain(r) for r in await files.listing(state, purpose)]})
        chunks = files.content(state, file_id)
        if chunks is None:
            return JSONResponse({"error": {"code": "NotFound", "message": f"no file {file_id!r}"}}, 404)
        return Response(b"".join([chunk async for chunk in chunks]), media_type="application/octet-stream")

    return endpoint


def stored_responses(state: MockState) -> Any:
    """GET: every stored response as it reads now (``mockserver.responses.store``)."""

    async def endpoint(request: Request) -> Response:
        from ..responses import store

        return JSONResponse({"responses": await store.listing(state)})

    return endpoint


def stored_batches(state: MockState) -> Any:
    """GET: every batch as its status now reads; POST ``/complete`` (optional ``{"id": ...}``): run the
    pending batches (or that one) to their end, moving the clock over each phase."""

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"batches": state.batches.views(await state.batches.records())})
        data = await json_body(request, empty={})
        batch_id = data.get("id") if isinstance(data, dict) else None
        if batch_id is not None:
            record = await state.batches.settle(str(batch_id))
            if record is None:
                return JSONResponse({"error": {"code": "NotFound", "message": f"no batch {batch_id!r}"}}, 404)
            records = [record]
        else:
            records = await state.batches.settle_all()
        return JSONResponse({"batches": state.batches.views(records)})

    return endpoint


def faults(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"faults": state.faults.snapshot()})
        if request.method == "DELETE":
            state.faults.clear()
            return JSONResponse({"deleted": "all"})
        try:
            ids = state.faults.add(await json_body(request))
        except ConfigError as exc:
            return config_error(exc)
        return JSONResponse({"ids": ids}, status_code=201)

    return endpoint


def fault(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not state.faults.remove(rule_id):
            return JSONResponse({"error": {"code": "NotFound", "message": f"no fault {rule_id!r}"}}, 404)
        return JSONResponse({"deleted": rule_id})

    return endpoint


SCENARIO_BODY = 'send {"name": "<built-in scenario>"} or {"scenario": {"rules": [...]}}'


def scenarios(state: MockState) -> Any:
    """GET lists the built-in scenarios; POST loads {"name": <built-in>} or {"scenario": {...}}."""

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"scenarios": sorted(library())})
        try:
            data = await json_body(request)
            if not isinstance(data, dict) or ("scenario" in data) == ("name" in data):
                raise ConfigError(SCENARIO_BODY)
            scenario = (
                parse_scenario_object(data["scenario"]) if "scenario" in data else builtin(data["name"])
            )
            ids = state.faults.add(scenario["rules"])
        except ConfigError as exc:
            return config_error(exc)
        return JSONResponse({"ids": ids}, status_code=201)

    return endpoint


def builtin(name: Any) -> dict[str, Any]:
    """A built-in scenario by name; never a path (those are for ``--scenario``)."""
    known = library()
    if not isinstance(name, str) or name not in known:
        shown = repr(name)[:80] if isinstance(name, str) else f"a {type(name).__name__}"
        raise ConfigError(
            f"'name' must be a built-in scenario, got {shown}; built-in: {sorted(known)} "
            "(a scenario file is loaded with --scenario on the command line, or sent "
            'inline as {"scenario": {...}})'
        )
    path = known[name]
    return parse_scenario(path.read_text(encoding="utf-8"), path.suffix, name)


def parse_scenario_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("'scenario' must be an object with a 'rules' list")
    return data


async def tls_ca(request: Request) -> Response:
    """The CA certificate clients should trust (``mockserver.tls``), from the server that serves it."""
    tls = request.scope.get("aoai.tls")
    if tls is None or tls.ca_path is None:
        why = (
            "this mock serves the certificate given with --tls-cert and has no CA of its own"
            if tls
            else "this mock is not served over TLS (aoai-mock serve --tls)"
        )
        return control_error(404, "NotFound", why)
    return Response(tls.ca_path.read_bytes(), media_type="application/x-pem-file")


def admin_router(state: MockState) -> Starlette:
    """Every control route in one table, mounted at /_mock (JSON errors: ``http_error``)."""
    return Starlette(
        exception_handlers={
            HTTPException: http_error,
            ClientDisconnect: client_gone,
            BodyAbandoned: client_gone,
            ConfigError: bad_input,  # a body any route could not use: 400 (413 when too large)
            StateUnavailable: state_gone,  # Redis gone: 503 (mockserver.stores)
            500: internal_error,
        },
        routes=[
            Route("/_mock/health", health(state), methods=["GET"]),
            Route("/_mock/reset", reset(state), methods=["POST"]),
            Route("/_mock/requests", requests(state), methods=["GET"]),
            Route("/_mock/deployments", deployments(state), methods=["GET"]),
            Route("/_mock/faults", faults(state), methods=["GET", "POST", "DELETE"]),
            Route("/_mock/faults/{rule_id}", fault(state), methods=["DELETE"]),
            Route("/_mock/scenarios", scenarios(state), methods=["GET", "POST"]),
            Route("/_mock/clock", clock(state), methods=["GET"]),
            Route("/_mock/clock/advance", clock(state), methods=["POST"]),
            Route("/_mock/files", stored_files(state), methods=["GET"]),
            Route("/_mock/files/{file_id}/content", stored_files(state), methods=["GET"]),
            Route("/_mock/batches", stored_batches(state), methods=["GET"]),
            Route("/_mock/responses", stored_responses(state), methods=["GET"]),
            Route("/_mock/batches/complete", stored_batches(state), methods=["POST"]),
            Route("/_mock/images/{request_id}/{name}", image_blob(state), methods=["GET", "HEAD"]),
            *ui_routes(state),  # the dashboard and the JSON it reads (mockserver.ui)
            Route("/_mock/tls/ca.pem", tls_ca, methods=["GET"]),
        ],
    )
