"""``POST .../embeddings`` (azure-wire §7; recording 07 for shape, key order and pretty printing)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..call import Call
from ..state import MockState
from ..synth.embeddings import encode, vector
from ..validation.embeddings import normalise_input
from .render import json_response


async def embeddings(call: Call, state: MockState) -> Response:
    deployment = call.deployment
    assert deployment is not None
    body: dict[str, Any] = call.body
    dims = body.get("dimensions") or deployment.dimensions
    data = []
    for index, item in enumerate(normalise_input(body["input"])):
        values = vector(item, deployment.model, state.settings.seed, deployment.dimensions, dims)
        data.append(
            {"object": "embedding", "index": index, "embedding": encode(values, body.get("encoding_format"))}
        )
    payload = {
        "object": "list",
        "data": data,
        "model": deployment.response_model,
        "usage": {"prompt_tokens": call.prompt_tokens, "total_tokens": call.prompt_tokens},
    }
    return json_response(call, state, payload, "embeddings", pretty=True)
