"""``POST .../embeddings`` (azure-wire §7; recording 07 for shape, key order and pretty printing)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from ..call import Call, EmbeddingsRequest
from ..floats import float_items
from ..state import MockState
from ..synth.embeddings import encode, vector
from .render import json_bytes_response

SLOT = "@@aoai-mock-vector-{}@@"


async def embeddings(call: Call, state: MockState) -> Response:
    deployment = call.deployment
    assert deployment is not None
    request = call.request_as(EmbeddingsRequest)
    dims = request.dimensions or deployment.dimensions
    data, vectors = [], []
    for index, item in enumerate(request.inputs):
        values = vector(item, deployment.model, state.settings.seed, deployment.dimensions, dims)
        encoded = encode(values, request.encoding_format)
        if isinstance(encoded, list):  # floats: spliced into the rendered JSON below
            vectors.append(encoded)
            encoded = SLOT.format(len(vectors) - 1)
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    payload = {
        "object": "list",
        "data": data,
        "model": deployment.response_model,
        "usage": {"prompt_tokens": call.prompt_tokens, "total_tokens": call.prompt_tokens},
    }
    return json_bytes_response(call, state, pretty_json(payload, vectors), "embeddings")


def pretty_json(payload: dict[str, Any], vectors: list[list[float]]) -> bytes:
    """``json.dumps(payload, indent=2, ensure_ascii=False) + "\\n"``, encoded, with each ``SLOT`` string
    replaced by its vector as that call would print it: ``json.dumps`` with an indent runs its
    pure-Python encoder, a float at a time; here the floats are printed in one pass
    (``mockserver.floats``) and set at the slot's own indentation."""
    text = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode()
    for number, values in enumerate(vectors):
        slot = json.dumps(SLOT.format(number)).encode()
        at = text.index(slot)
        line = text[text.rindex(b"\n", 0, at) + 1 : at]
        indent = line[: len(line) - len(line.lstrip(b" "))]
        items = float_items(values).replace(b",", b",\n" + indent + b"  ")
        text = text[:at] + b"[\n" + indent + b"  " + items + b"\n" + indent + b"]" + text[at + len(slot) :]
    return text
