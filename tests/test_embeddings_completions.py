"""Embeddings and legacy completions as a client sees them."""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from .conftest import GA

EMB = f"/openai/deployments/text-embedding-3-small/embeddings?api-version={GA}"
CMPL = f"/openai/deployments/gpt-35-turbo-instruct/completions?api-version={GA}"


def test_embeddings_are_deterministic_unit_vectors(client: TestClient) -> None:
    body = client.post(EMB, json={"input": ["hello", "world"]}).json()
    assert list(body) == ["object", "data", "model", "usage"]  # recording 07 order
    first, second = (d["embedding"] for d in body["data"])
    assert len(first) == 1536
    assert math.isclose(math.fsum(v * v for v in first), 1.0, rel_tol=1e-5)
    assert first != second
    assert client.post(EMB, json={"input": "hello"}).json()["data"][0]["embedding"] == first
    assert body["usage"] == {"prompt_tokens": 2, "total_tokens": 2}


def test_embeddings_are_pretty_printed_like_recording_07(client: TestClient) -> None:
    response = client.post(EMB, json={"input": "hello", "dimensions": 1})
    assert response.text == json.dumps(response.json(), indent=2) + "\n"
    assert abs(response.json()["data"][0]["embedding"][0]) == 1.0


def test_base64_is_little_endian_float32_of_the_same_vector(client: TestClient) -> None:
    floats = client.post(EMB, json={"input": "hello", "dimensions": 8}).json()["data"][0]["embedding"]
    encoded = client.post(EMB, json={"input": "hello", "dimensions": 8, "encoding_format": "base64"})
    raw = base64.b64decode(encoded.json()["data"][0]["embedding"])
    assert list(struct.unpack("<8f", raw)) == floats


def test_dimensions_truncate_and_renormalise(client: TestClient) -> None:
    full = client.post(EMB, json={"input": "hello"}).json()["data"][0]["embedding"]
    short = client.post(EMB, json={"input": "hello", "dimensions": 4}).json()["data"][0]["embedding"]
    norm = math.sqrt(sum(v * v for v in full[:4]))
    assert [round(v, 5) for v in short] == [round(v / norm, 5) for v in full[:4]]


def test_token_array_inputs(client: TestClient) -> None:
    body = client.post(EMB, json={"input": [[1, 2, 3], [4, 5]]}).json()
    assert len(body["data"]) == 2 and body["usage"]["prompt_tokens"] == 5


def test_large_embedding_model_has_3072_dims(client: TestClient) -> None:
    url = f"/openai/deployments/text-embedding-3-large/embeddings?api-version={GA}"
    assert len(client.post(url, json={"input": "x"}).json()["data"][0]["embedding"]) == 3072


def test_legacy_completion_shape_follows_recording_13(client: TestClient) -> None:
    body = client.post(CMPL, json={"prompt": ["What is Azure OpenAI?"], "max_tokens": 50}).json()
    assert list(body) == ["id", "object", "created", "model", "prompt_filter_results", "choices", "usage"]
    assert body["object"] == "text_completion" and body["model"] == "gpt-3.5-turbo-instruct"
    choice = body["choices"][0]
    assert list(choice) == ["text", "index", "finish_reason", "logprobs", "content_filter_results"]
    assert list(body["usage"]) == ["prompt_tokens", "completion_tokens", "total_tokens"]
    assert choice["text"].startswith("\n\n")


def test_legacy_completion_defaults_to_16_tokens(client: TestClient) -> None:
    body = client.post(CMPL, json={"prompt": "Tell me about deployments"}).json()
    assert body["usage"]["completion_tokens"] <= 16
    assert body["choices"][0]["finish_reason"] == "length"


def test_legacy_prompt_list_n_echo_and_logprobs(client: TestClient) -> None:
    body = client.post(
        CMPL,
        json={"prompt": ["one prompt", "two prompt"], "n": 2, "echo": True, "logprobs": 2, "max_tokens": 5},
    ).json()
    assert [c["index"] for c in body["choices"]] == [0, 1, 2, 3]
    assert len(body["prompt_filter_results"]) == 2
    assert body["choices"][0]["text"].startswith("one prompt")
    assert body["choices"][2]["text"].startswith("two prompt")
    logprobs = body["choices"][0]["logprobs"]
    assert set(logprobs) == {"tokens", "token_logprobs", "top_logprobs", "text_offset"}
    assert all(len(top) == 2 for top in logprobs["top_logprobs"])


def test_legacy_completion_streams(client: TestClient) -> None:
    raw = client.post(CMPL, json={"prompt": "Stream me", "max_tokens": 4, "stream": True}).text
    frames = [f[6:] for f in raw.split("\n\n") if f]
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[1:-1]]
    assert len(chunks) == 4
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert all(c["object"] == "text_completion" for c in chunks)


@given(
    vectors=st.lists(
        st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=1, max_size=40),
        min_size=1,
        max_size=3,
    )
)
def test_the_spliced_vectors_print_as_json_dumps_prints_them(vectors: list[list[float]]) -> None:
    from mockserver.endpoints.embeddings import SLOT, pretty_json

    def payload(embeddings: list[Any]) -> dict[str, Any]:
        data = [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(embeddings)]
        return {"object": "list", "data": data, "model": "m", "usage": {"prompt_tokens": 1}}

    slots = payload([SLOT.format(i) for i in range(len(vectors))])
    want = (json.dumps(payload(vectors), indent=2, ensure_ascii=False) + "\n").encode()
    assert pretty_json(slots, vectors) == want


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=60))
def test_float_lists_print_as_json_dumps_prints_them_with_and_without_orjson(values: list[float]) -> None:
    from mockserver import floats

    want = json.dumps(values, separators=(",", ":"))[1:-1].encode()
    assert floats.float_items(values) == want
    fast, floats.orjson = floats.orjson, None
    try:
        assert floats.float_items(values) == want
    finally:
        floats.orjson = fast
