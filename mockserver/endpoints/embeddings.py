"""``POST .../embeddings`` (azure-wire §7; recording 07 for shape, key order and pretty printing)."""

from __future__ import annotations

from starlette.responses import Response

from ..call import Call, EmbeddingsRequest
from ..state import MockState
from ..synth.embeddings import encode, vector
from .render import json_response


async def embeddings(call: Call, state: MockState) -> Response:
    deployment = call.deployment
    assert deployment is not None
    request = call.request_as(EmbeddingsRequest)
    dims = request.dimensions or deployment.dimensions
    data = []
    for index, item in enumerate(request.inputs):
        values = vector(item, deployment.model, state.settings.seed, deployment.dimensions, dims)
        data.append(
            {"object": "embedding", "index": index, "embedding": encode(values, request.encoding_format)}
        )
    payload = {
        "object": "list",
        "data": data,
        "model": deployment.response_model,
        "usage": {"prompt_tokens": call.prompt_tokens, "total_tokens": call.prompt_tokens},
    }
    return json_response(call, state, payload, "embeddings", pretty=True)
