"""The control API under ``/_mock`` (outside the Azure pipeline): health, reset, journal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from ..state import MockState


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


def admin_router(state: MockState) -> Router:
    """Every control route in one table, mounted at /_mock."""
    return Router(
        routes=[
            Route("/_mock/health", health(state), methods=["GET"]),
            Route("/_mock/reset", reset(state), methods=["POST"]),
            Route("/_mock/requests", requests(state), methods=["GET"]),
            Route("/_mock/deployments", deployments(state), methods=["GET"]),
        ]
    )
