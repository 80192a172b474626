"""``GET /openai/models`` and ``/openai/v1/models`` (AUTH-SPEC, AUTH-EX ``get_models.json``).

One entry per distinct model in the catalogue, in the AUTH-EX shape: capabilities,
lifecycle_status, deprecation, id, status, created_at, object.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..call import Call
from ..catalogue import CHAT, COMPLETIONS, EMBEDDINGS
from ..config import Deployment
from ..errors import resource_not_found
from ..state import MockState
from .render import json_response

CREATED_AT = 1_704_067_200  # 2024-01-01, a fixed catalogue date
DEPRECATION = {"fine_tune": 1_767_225_600, "inference": 1_798_761_600}


def model_entry(deployment: Deployment) -> dict[str, Any]:
    caps = deployment.capabilities
    return {
        "capabilities": {
            "fine_tune": False,
            "inference": True,
            "completion": COMPLETIONS in caps,
            "chat_completion": CHAT in caps,
            "embeddings": EMBEDDINGS in caps,
        },
        "lifecycle_status": "generally-available",
        "deprecation": dict(DEPRECATION),
        "id": deployment.response_model,
        "status": "succeeded",
        "created_at": CREATED_AT,
        "object": "model",
    }


def catalogue(state: MockState) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for deployment in state.settings.deployments:
        seen.setdefault(deployment.response_model, model_entry(deployment))
    return list(seen.values())


async def models(call: Call, state: MockState) -> Response:
    entries = catalogue(state)
    if call.resource_id is not None:
        for entry in entries:
            if entry["id"] == call.resource_id:
                return json_response(call, state, entry, "resource")
        raise resource_not_found()
    return json_response(call, state, {"data": entries, "object": "list"}, "resource")
