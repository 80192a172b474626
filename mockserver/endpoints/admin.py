"""The control API under ``/_mock`` (outside the Azure pipeline): health, reset, journal, faults, the
dashboard (``mockserver.ui``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from ..errors import ConfigError
from ..faults.scenarios import library, load_scenario, parse_scenario
from ..state import MockState
from ..ui.routes import ui_routes
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
        q = request.query_params
        entries = state.journal.filter(
            session=q.get("session"), operation=q.get("operation"), deployment=q.get("deployment")
        )
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
                state.clock.advance(float(seconds))
            except (ConfigError, ValueError) as exc:
                return bad_request(str(exc))
        return JSONResponse(clock_reading(state))

    return endpoint


def clock_reading(state: MockState) -> dict[str, Any]:
    clock = state.clock
    return {"now": clock.now(), "advanced": clock.offset, "frozen": clock.frozen is not None}


def bad_request(message: str) -> Response:
    return JSONResponse({"error": {"code": "InvalidRequest", "message": message}}, status_code=400)


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ConfigError("the body must be JSON") from None


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


def stored_batches(state: MockState) -> Any:
    """GET: every batch as its status now reads; POST ``/complete`` (optional ``{"id": ...}``): run the
    pending batches (or that one) to their end, moving the clock over each phase."""

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"batches": state.batches.views(await state.batches.records())})
        data = await json_body(request) if await request.body() else {}
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
            return bad_request(str(exc))
        return JSONResponse({"ids": ids}, status_code=201)

    return endpoint


def fault(state: MockState) -> Any:
    async def endpoint(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not state.faults.remove(rule_id):
            return JSONResponse({"error": {"code": "NotFound", "message": f"no fault {rule_id!r}"}}, 404)
        return JSONResponse({"deleted": rule_id})

    return endpoint


def scenarios(state: MockState) -> Any:
    """GET lists the built-in scenarios; POST loads {"name": ...} or {"scenario": {...}}."""

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"scenarios": sorted(library())})
        try:
            data = await json_body(request)
            if not isinstance(data, dict):
                raise ConfigError('send {"name": "<built-in or path>"} or {"scenario": {"rules": [...]}}')
            scenario = (
                parse_scenario_object(data["scenario"])
                if "scenario" in data
                else load_scenario(str(data.get("name")))
            )
            ids = state.faults.add(scenario["rules"])
        except ConfigError as exc:
            return bad_request(str(exc))
        return JSONResponse({"ids": ids}, status_code=201)

    return endpoint


def parse_scenario_object(data: Any) -> dict[str, Any]:
    import json

    return parse_scenario(json.dumps(data), ".json", "request body")


def admin_router(state: MockState) -> Router:
    """Every control route in one table, mounted at /_mock."""
    return Router(
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
            Route("/_mock/batches/complete", stored_batches(state), methods=["POST"]),
            Route("/_mock/images/{request_id}/{name}", image_blob(state), methods=["GET", "HEAD"]),
            *ui_routes(state),  # the dashboard and the JSON it reads (mockserver.ui)
        ]
    )
