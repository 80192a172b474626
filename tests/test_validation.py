"""Bad input gets an Azure-shaped 400 naming the parameter, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .conftest import GA, PREVIEW, chat_url

USER = [{"role": "user", "content": "hi"}]

CHAT_CASES: list[tuple[Any, str | None, str | None]] = [
    # (body, param, code)
    ({}, "messages", "missing_required_parameter"),
    ({"messages": []}, "messages", "empty_array"),
    ({"messages": "hi"}, "messages", "invalid_type"),
    ({"messages": [{"content": "x"}]}, "messages[0].role", "missing_required_parameter"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role", "invalid_value"),
    ({"messages": [{"role": "user"}]}, "messages[0].content", "missing_required_parameter"),
    ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content", "invalid_type"),
    (
        {"messages": [{"role": "user", "content": [{"type": "text"}]}]},
        "messages[0].content[0].text",
        "missing_required_parameter",
    ),
    ({"messages": USER, "temperature": 3}, "temperature", "decimal_above_max_value"),
    ({"messages": USER, "temperature": "hot"}, "temperature", "invalid_type"),
    ({"messages": USER, "top_p": -0.5}, "top_p", "decimal_below_min_value"),
    ({"messages": USER, "n": 0}, "n", "integer_below_min_value"),
    ({"messages": USER, "n": 129}, "n", "integer_above_max_value"),
    ({"messages": USER, "n": 1.5}, "n", "invalid_type"),
    ({"messages": USER, "max_tokens": 0}, "max_tokens", "integer_below_min_value"),
    ({"messages": USER, "presence_penalty": 2.5}, "presence_penalty", "decimal_above_max_value"),
    ({"messages": USER, "logprobs": True, "top_logprobs": 21}, "top_logprobs", "integer_above_max_value"),
    ({"messages": USER, "top_logprobs": 2}, "top_logprobs", "invalid_value"),
    ({"messages": USER, "stop": ["a", "b", "c", "d", "e"]}, "stop", "array_above_max_length"),
    ({"messages": USER, "stop": 5}, "stop", "invalid_type"),
    ({"messages": USER, "stream": "yes"}, "stream", "invalid_type"),
    ({"messages": USER, "tool_choice": "sometimes"}, "tool_choice", "invalid_value"),
    ({"messages": USER, "tools": [{"type": "function"}]}, "tools[0].function", "missing_required_parameter"),
    ({"messages": USER, "response_format": {"type": "yaml"}}, "response_format.type", "invalid_value"),
    ({"messages": USER, "stream_options": {"include_usage": True}}, "stream_options", None),
    (
        {"messages": [{"role": "user", "content": "x" * 1_048_577}]},
        "messages[0].content",
        "string_above_max_length",
    ),
    ({"messages": USER, "frobnicate": 1}, None, None),
    ([1, 2], None, "invalid_type"),
]


@pytest.mark.parametrize(("body", "param", "code"), CHAT_CASES)
def test_bad_chat_bodies(client: TestClient, body: Any, param: str | None, code: str | None) -> None:
    response = client.post(chat_url(version=PREVIEW), json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert list(error) == ["message", "type", "param", "code"]
    assert (error["param"], error["code"]) == (param, code)
    assert error["message"]


def test_unknown_argument_uses_azures_wording(client: TestClient) -> None:
    error = client.post(chat_url(), json={"messages": USER, "frobnicate": 1}).json()["error"]
    assert error["message"] == "Unrecognized request argument supplied: frobnicate"


def test_too_many_messages(client: TestClient) -> None:
    body = {"messages": USER * 2049}
    assert client.post(chat_url(), json=body).json()["error"]["code"] == "array_above_max_length"


def test_reasoning_model_rejects_max_tokens_and_temperature(client: TestClient) -> None:
    error = client.post(chat_url("o3-mini"), json={"messages": USER, "max_tokens": 10}).json()["error"]
    assert error == {  # azure-wire §3.2 (report dify#9746)
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    }
    hot = client.post(chat_url("o3-mini"), json={"messages": USER, "temperature": 0.2}).json()["error"]
    assert hot["code"] == "unsupported_value" and hot["param"] == "temperature"


def test_context_length_exceeded_uses_azures_messages(client: TestClient) -> None:
    long = [{"role": "user", "content": "word " * 20_000}]
    error = client.post(chat_url("gpt-35-turbo-instruct"), json={"prompt": "x"}).json()  # wrong op, sanity
    assert error["error"]["code"] == "OperationNotSupported"
    body = client.post(chat_url("gpt-4o"), json={"messages": long, "max_tokens": 120_000}).json()["error"]
    assert body["code"] == "context_length_exceeded" and body["param"] == "messages"
    assert body["message"].startswith(
        "This model's maximum context length is 128000 tokens. However, you requested"
    )
    assert "in the messages" in body["message"] and "120000 in the completion" in body["message"]


def test_json_schema_needs_a_2024_08_version(client: TestClient) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    old = client.post(chat_url(version="2024-06-01"), json={"messages": USER, "response_format": fmt})
    assert old.status_code == 400 and old.json()["error"]["param"] == "response_format"
    assert (
        client.post(chat_url(version=GA), json={"messages": USER, "response_format": fmt}).status_code == 200
    )


EMBEDDING_CASES: list[tuple[str, Any, str | None, str | None]] = [
    ("text-embedding-3-small", {}, "input", "missing_required_parameter"),
    ("text-embedding-3-small", {"input": []}, "input", "empty_array"),
    ("text-embedding-3-small", {"input": [""]}, "input[0]", "empty_string"),
    ("text-embedding-3-small", {"input": ["x"] * 2049}, "input", "array_above_max_length"),
    ("text-embedding-3-small", {"input": 5}, "input", "invalid_type"),
    ("text-embedding-3-small", {"input": "x", "encoding_format": "hex"}, "encoding_format", "invalid_value"),
    ("text-embedding-3-small", {"input": "x", "dimensions": 0}, "dimensions", "integer_below_min_value"),
    ("text-embedding-3-small", {"input": "x", "dimensions": 1537}, "dimensions", "integer_above_max_value"),
    ("text-embedding-ada-002", {"input": "x", "dimensions": 256}, "dimensions", None),
]


@pytest.mark.parametrize(("deployment", "body", "param", "code"), EMBEDDING_CASES)
def test_bad_embedding_bodies(
    client: TestClient, deployment: str, body: Any, param: str | None, code: str | None
) -> None:
    response = client.post(f"/openai/deployments/{deployment}/embeddings?api-version={GA}", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "prompt"),
        ({"prompt": 3}, "prompt"),
        ({"prompt": "x", "logprobs": 6}, "logprobs"),
        ({"prompt": "x", "best_of": 21}, "best_of"),
        ({"prompt": ["a", 1]}, "prompt[1]"),
    ],
)
def test_bad_completion_bodies(client: TestClient, body: Any, param: str) -> None:
    response = client.post(
        f"/openai/deployments/gpt-35-turbo-instruct/completions?api-version={GA}", json=body
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_no_bad_input_produces_a_500(client: TestClient) -> None:
    weird: list[Any] = [
        None,
        0,
        "s",
        [],
        {"messages": [None]},
        {"messages": [[]]},
        {"messages": USER, "n": None},
        {"messages": USER, "tools": "x"},
        {"messages": USER, "tools": [1]},
        {"messages": USER, "tool_choice": {"function": 1}},
        {"messages": USER, "logit_bias": []},
    ]
    for body in weird:
        response = client.post(chat_url(), json=body)
        assert response.status_code in (200, 400), (body, response.text)
