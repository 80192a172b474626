"""The control API under ``/_mock`` (outside the Azure pipeline): health, reset, journal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from ..errors import ConfigError
from ..faults.scenarios import library, load_scenario, parse_scenario
from ..journal import filters_from_query
from ..state import MockState
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


def bad_request(message: str) -> Response:
    return JSONResponse({"error": {"code": "InvalidRequest", "message": message}}, status_code=400)


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ConfigError("the body must be JSON") from None


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
            Route("/_mock/images/{request_id}/{name}", image_blob(state), methods=["GET", "HEAD"]),
        ]
    )
