"""Part 1: embeddings against recording 07 (float and base64, ``dimensions``).

Key order ``object, data, model, usage`` (non-alphabetical), pretty-printed JSON (the recorded
Content-Length, azure-wire §7), base64 = little-endian float32 (``"AACAPw=="`` is 1.0).
"""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from . import contract
from .targets import Target
from .templates import recorded, rules, with_items

pytestmark = pytest.mark.contract
INPUTS = ["hello", "conformance"]


def embed(target: Target, http: Any, session: str, **extra: Any) -> contract.Answer:
    path = target.chat_path(
        deployment=target.deployments["embeddings"], version="2025-01-01-preview", op="embeddings"
    )
    answer, _ = target.send(http, "POST", path, {"input": INPUTS, "dimensions": 4, **extra}, session=session)
    return answer


@pytest.mark.parametrize(("exchange", "encoding"), [("07-float", None), ("07-base64", "base64")])
def test_embeddings_have_the_recorded_shape(
    exchange: str, encoding: str | None, target: Target, http: Any, session_id: str
) -> None:
    entry = with_items(recorded(exchange), "data", len(INPUTS))
    if encoding is None:  # the recording asked for dimensions=1; this request asks for 4
        for item in entry["ResponseBody"]["data"]:
            item["embedding"] = item["embedding"] * 4
    answer = embed(target, http, session_id, **({"encoding_format": encoding} if encoding else {}))
    problems = contract.differences(entry, answer, rules(entry, target.deployments["embeddings"]))
    assert not problems, f"embeddings differ from recording {exchange}:\n  " + "\n  ".join(problems)


def test_base64_embeddings_are_little_endian_float32(target: Target, http: Any, session_id: str) -> None:
    answer = embed(target, http, session_id, encoding_format="base64")
    assert answer.status == 200, answer.text[:200]
    for item in answer.json()["data"]:
        raw = base64.b64decode(item["embedding"])
        assert len(raw) == 4 * 4, f"{len(raw)} bytes for 4 dimensions"
        assert all(abs(v) <= 1.0 for v in struct.unpack("<4f", raw))
