"""Chat completions as a client sees them: content, limits, tools, formats, streaming framing."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.config import parse_canned

from .conftest import GA, PREVIEW, chat_url

USER = [{"role": "user", "content": "Explain how Azure deployments handle rate limits"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current time in a city",
        "parameters": {"type": "object", "properties": {}},
    },
}


def post(client: TestClient, body: dict[str, Any], deployment: str = "gpt-4o", version: str = GA) -> Any:
    response = client.post(chat_url(deployment, version), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def events(client: TestClient, body: dict[str, Any], version: str = GA) -> list[Any]:
    response = client.post(chat_url(version=version), json={**body, "stream": True})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream"
    raw = response.text
    assert raw.endswith("data: [DONE]\n\n")
    frames = raw.split("\n\n")[:-1]
    assert all(frame.startswith("data: ") and "\n" not in frame for frame in frames)
    return [json.loads(frame[6:]) if frame != "data: [DONE]" else "[DONE]" for frame in frames]


def test_answer_reads_like_text_and_mentions_the_prompt(client: TestClient) -> None:
    body = post(client, {"messages": USER})
    content = body["choices"][0]["message"]["content"]
    assert len(content.split()) >= 20
    assert "deployments" in content or "Azure" in content
    assert "lorem" not in content.lower()
    assert list(body) == [
        "choices",
        "created",
        "id",
        "model",
        "object",
        "prompt_filter_results",
        "system_fingerprint",
        "usage",
    ]
    assert list(body["choices"][0]) == [
        "content_filter_results",
        "finish_reason",
        "index",
        "logprobs",
        "message",
    ]
    assert body["id"].startswith("chatcmpl-") and len(body["id"]) == 38
    assert (
        body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )


def test_prompt_tokens_match_recording_11(client: TestClient) -> None:
    messages = [
        {"role": "system", "content": "You are a curmudgeon"},
        {"role": "user", "content": "Hello, assistant!"},
    ]
    assert post(client, {"messages": messages})["usage"]["prompt_tokens"] == 22


def test_same_request_same_seed_same_body(client: TestClient) -> None:
    assert post(client, {"messages": USER}) == post(client, {"messages": USER})


def test_different_server_seeds_give_different_text() -> None:
    def text(seed: int) -> str:
        app = create_app(load_settings(seed=seed, freeze_time=1.0))
        return post(TestClient(app, headers={"api-key": "k"}), {"messages": USER})["choices"][0]["message"][
            "content"
        ]

    assert text(1) != text(2)
    assert text(1) == text(1)


def test_request_seed_changes_the_text(client: TestClient) -> None:
    one = post(client, {"messages": USER, "seed": 1})["choices"][0]["message"]["content"]
    two = post(client, {"messages": USER, "seed": 2})["choices"][0]["message"]["content"]
    assert one != two


def test_max_tokens_truncates_with_finish_reason_length(client: TestClient) -> None:
    body = post(client, {"messages": USER, "max_tokens": 5})
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 5


def test_stop_sequence_cuts_the_text(client: TestClient) -> None:
    full = post(client, {"messages": USER})["choices"][0]["message"]["content"]
    stop = full.split()[3]
    cut = post(client, {"messages": USER, "stop": [stop]})["choices"][0]
    assert cut["finish_reason"] == "stop"
    assert cut["message"]["content"] == full[: full.index(stop)]


def test_n_gives_distinct_indexed_choices(client: TestClient) -> None:
    choices = post(client, {"messages": USER, "n": 3})["choices"]
    assert [c["index"] for c in choices] == [0, 1, 2]
    assert len({c["message"]["content"] for c in choices}) == 3


def test_logprobs_per_token(client: TestClient) -> None:
    choice = post(client, {"messages": USER, "logprobs": True, "top_logprobs": 3, "max_tokens": 6})[
        "choices"
    ][0]
    entries = choice["logprobs"]["content"]
    assert len(entries) == 6
    assert "".join(e["token"] for e in entries) == choice["message"]["content"]
    for entry in entries:
        assert list(entry) == ["bytes", "logprob", "token", "top_logprobs"]
        assert entry["bytes"] == list(entry["token"].encode())
        assert len(entry["top_logprobs"]) == 3 and entry["logprob"] <= 0


def test_image_parts_are_accepted_and_never_fetched(client: TestClient) -> None:
    content = [
        {"type": "text", "text": "Describe this"},
        {"type": "image_url", "image_url": {"url": "https://unreachable.invalid/cat.png"}},
    ]
    assert post(client, {"messages": [{"role": "user", "content": content}]})["choices"][0]["message"][
        "content"
    ]


def test_required_tool_choice_calls_a_tool_with_schema_valid_arguments(client: TestClient) -> None:
    body = post(client, {"messages": USER, "tools": [WEATHER_TOOL], "tool_choice": "required"})
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"]["name"] == "get_weather"
    jsonschema.validate(json.loads(call["function"]["arguments"]), WEATHER_TOOL["function"]["parameters"])


def test_tool_choice_none_answers_in_text(client: TestClient) -> None:
    choice = post(client, {"messages": USER, "tools": [WEATHER_TOOL], "tool_choice": "none"})["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]


def test_named_tool_choice_calls_that_tool(client: TestClient) -> None:
    body = {
        "messages": USER,
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "get_time"}},
    }
    calls = post(client, body)["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_time"]


def test_auto_calls_matching_tools_in_parallel_unless_disabled(client: TestClient) -> None:
    messages = [{"role": "user", "content": "What is the weather and the time in Paris city?"}]
    body = {"messages": messages, "tools": [WEATHER_TOOL, TIME_TOOL]}
    calls = post(client, body)["choices"][0]["message"]["tool_calls"]
    assert {c["function"]["name"] for c in calls} == {"get_weather", "get_time"}
    single = post(client, {**body, "parallel_tool_calls": False})["choices"][0]["message"]["tool_calls"]
    assert len(single) == 1


def test_auto_answers_in_text_after_a_tool_result(client: TestClient) -> None:
    messages = [
        *USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    choice = post(client, {"messages": messages, "tools": [WEATHER_TOOL]})["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["content"]


def test_json_object_format_is_valid_json(client: TestClient) -> None:
    content = post(client, {"messages": USER, "response_format": {"type": "json_object"}})["choices"][0]
    assert isinstance(json.loads(content["message"]["content"]), dict)


def test_json_schema_format_validates_against_the_schema(client: TestClient) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer", "minimum": 0, "maximum": 120},
            "tags": {"type": "array", "items": {"type": "string"}},
            "address": {"$ref": "#/$defs/address"},
            "kind": {"enum": ["a", "b"]},
        },
        "required": ["name", "age", "tags", "address", "kind"],
        "additionalProperties": False,
        "$defs": {
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            }
        },
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}}
    content = post(client, {"messages": USER, "response_format": fmt})["choices"][0]["message"]["content"]
    jsonschema.validate(json.loads(content), schema)


def test_data_sources_answer_with_citations(client: TestClient) -> None:
    source = {
        "type": "azure_search",
        "parameters": {
            "endpoint": "https://s.search.windows.net/",
            "index_name": "docs",
            "authentication": {"type": "api_key", "key": "x"},
        },
    }
    message = post(client, {"messages": USER, "data_sources": [source]})["choices"][0]["message"]
    assert message["context"]["citations"][0]["title"].startswith("docs")
    assert "[doc1]" in message["content"]
    assert message["context"]["intent"] == "azure deployments handle"  # the question's content words (GA-EX)


def test_modern_fields_on_preview_versions_only(client: TestClient) -> None:
    ga = post(client, {"messages": USER})
    preview = post(client, {"messages": USER}, version=PREVIEW)
    assert "refusal" not in ga["choices"][0]["message"]  # recording 11/14 era GA
    assert preview["choices"][0]["message"]["refusal"] is None  # recording 12
    assert set(preview["usage"]) == {
        "completion_tokens",
        "completion_tokens_details",
        "prompt_tokens",
        "prompt_tokens_details",
        "total_tokens",
    }


def test_reasoning_model_counts_reasoning_tokens_within_the_limit(client: TestClient) -> None:
    body = post(client, {"messages": USER, "max_completion_tokens": 300}, "o3-mini", PREVIEW)
    usage = body["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert usage["completion_tokens"] <= 300


def test_canned_reply_by_regex() -> None:
    settings = load_settings(
        canned=(
            parse_canned({"match": "capital of france", "content": "Paris."}),
            parse_canned(
                {
                    "match": "weather",
                    "tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}],
                }
            ),
        )
    )
    client = TestClient(create_app(settings), headers={"api-key": "k"})
    said = post(client, {"messages": [{"role": "user", "content": "What is the capital of France?"}]})
    assert said["choices"][0]["message"]["content"] == "Paris."
    calls = post(
        client, {"messages": [{"role": "user", "content": "weather please"}], "tools": [WEATHER_TOOL]}
    )
    call = calls["choices"][0]["message"]["tool_calls"][0]["function"]
    assert json.loads(call["arguments"]) == {"city": "Oslo", "unit": "c"}


# --- streaming ------------------------------------------------------------------------------


def test_stream_framing_follows_recording_11(client: TestClient) -> None:
    frames = events(client, {"messages": USER, "stream_options": {"include_usage": True}, "max_tokens": 4})
    annotation, role, *content, finish, usage, done = frames
    assert done == "[DONE]"
    assert annotation["choices"] == [] and annotation["id"] == "" and "usage" not in annotation
    assert annotation["prompt_filter_results"][0]["prompt_index"] == 0
    assert role["choices"][0]["delta"] == {"content": "", "role": "assistant"}
    assert role["usage"] is None
    assert len(content) == 4
    for chunk in content:
        assert set(chunk["choices"][0]["content_filter_results"]) == {
            "hate",
            "self_harm",
            "sexual",
            "violence",
        }
        assert chunk["object"] == "chat.completion.chunk"
    assert finish["choices"][0]["finish_reason"] == "length" and finish["choices"][0]["delta"] == {}
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] == 4


def test_stream_without_include_usage_has_no_usage_key(client: TestClient) -> None:
    frames = events(client, {"messages": USER, "max_tokens": 3})
    assert all("usage" not in f for f in frames[:-1])
    assert len(frames) == 1 + 1 + 3 + 1 + 1


def test_stream_content_equals_the_non_stream_content(client: TestClient) -> None:
    full = post(client, {"messages": USER})["choices"][0]["message"]["content"]
    frames = events(client, {"messages": USER})
    streamed = "".join(f["choices"][0]["delta"].get("content") or "" for f in frames[1:-1] if f["choices"])
    assert streamed == full


def test_tool_calls_stream_as_deltas_like_recording_14(client: TestClient) -> None:
    frames = events(client, {"messages": USER, "tools": [WEATHER_TOOL], "tool_choice": "required"})
    first = frames[1]["choices"][0]["delta"]
    assert first["content"] is None and first["role"] == "assistant"
    start = first["tool_calls"][0]
    assert start["function"] == {"arguments": "", "name": "get_weather"} and start["index"] == 0
    fragments = [f["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] for f in frames[2:-2]]
    jsonschema.validate(json.loads("".join(fragments)), WEATHER_TOOL["function"]["parameters"])
    assert frames[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_errors_on_stream_requests_are_plain_json(client: TestClient) -> None:
    response = client.post(chat_url("missing"), json={"messages": USER, "stream": True})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_streamed_chunks_are_exact_compact_json_for_any_text() -> None:
    tricky = 'Quotes " and \\ backslash, tab\t, newline\n, unicode café ✓ 😀 and </script>'
    settings = load_settings(
        canned=(parse_canned({"match": "tricky", "content": tricky}),), tokenizer="approx"
    )
    client = TestClient(create_app(settings), headers={"api-key": "k"})
    raw = client.post(
        chat_url(), json={"messages": [{"role": "user", "content": "tricky"}], "stream": True}
    ).text
    frames = [f[6:] for f in raw.split("\n\n")[:-2]]
    for frame in frames:
        assert frame == json.dumps(json.loads(frame), separators=(",", ":"), ensure_ascii=False)
    streamed = "".join(json.loads(f)["choices"][0]["delta"].get("content") or "" for f in frames[1:])
    assert streamed == tricky
