"""Hostile, huge and odd input: one regression test per class of issue 11, named for the behaviour.

Every answer here is a clear Azure-shaped (or control-API-shaped) error, never a 500, and the
server keeps answering afterwards. The fuzz suite (tests/test_fuzz.py) searches the same space at
random; these pin the cases it found.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.limits import MAX_JSON_DEPTH, MAX_UPLOAD_BYTES
from tests.conftest import GA, chat_url

MALFORMED = "We could not parse the JSON body of your request."


@pytest.fixture
def mock() -> TestClient:
    app = create_app(load_settings(seed=7, freeze_time=1_750_000_000.0, tokenizer="approx"))
    return TestClient(app, headers={"api-key": "k"}, raise_server_exceptions=True)


def post_raw(client: TestClient, body: bytes | str, url: str | None = None, **headers: str) -> Any:
    return client.post(
        url or chat_url(), content=body, headers={"content-type": "application/json", **headers}
    )


def chat(content: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": content}], **extra}


def assert_model_400(response: Any, fragment: str = "") -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert list(error) == ["message", "type", "param", "code"]
    assert error["type"] == "invalid_request_error"
    assert fragment in error["message"]
    return dict(error)


def assert_still_answers(client: TestClient) -> None:
    assert client.post(chat_url(), json=chat()).status_code == 200
    journal = client.get("/_mock/requests")
    assert journal.status_code == 200
    json.loads(journal.content)  # the whole journal encodes and parses


# --- JSON bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_a_body_nested_thousands_of_levels_deep_gets_the_malformed_json_400(
    mock: TestClient, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    assert_model_400(post_raw(mock, opener * 5000 + "1" + closer * 5000), MALFORMED)
    assert_still_answers(mock)


def test_a_body_just_within_the_depth_limit_is_parsed(mock: TestClient) -> None:
    nested = "[" * (MAX_JSON_DEPTH - 3) + "]" * (MAX_JSON_DEPTH - 3)
    body = '{"messages":[{"role":"user","content":"hi"}],"metadata":{"x":' + nested + "}}"
    response = post_raw(mock, body)
    assert response.status_code == 400  # parsed: metadata's values must be strings
    assert MALFORMED not in response.text


def test_a_lone_surrogate_in_a_prompt_gets_a_400(mock: TestClient) -> None:
    assert_model_400(post_raw(mock, '{"messages":[{"role":"user","content":"a\\ud800b"}]}'), MALFORMED)
    assert_still_answers(mock)


def test_a_surrogate_pair_is_one_character_and_accepted(mock: TestClient) -> None:
    response = post_raw(mock, '{"messages":[{"role":"user","content":"smile \\ud83d\\ude00"}]}')
    assert response.status_code == 200
    assert (
        "\U0001f600" in mock.get("/_mock/requests").json()["requests"][-1]["body"]["messages"][0]["content"]
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1E+400"])
def test_nan_and_infinity_are_not_json_numbers_and_get_a_400(mock: TestClient, literal: str) -> None:
    body = '{"messages":[{"role":"user","content":"hi"}],"temperature":' + literal + "}"
    assert_model_400(post_raw(mock, body), MALFORMED)
    assert_still_answers(mock)


def test_a_lone_surrogate_in_a_key_gets_a_400(mock: TestClient) -> None:
    assert_model_400(post_raw(mock, '{"messages":[{"role":"user","content":"hi"}],"\\udc00":1}'), MALFORMED)


# --- request size --------------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_a_413_before_it_is_read() -> None:
    app = create_app(load_settings(seed=1, max_body_bytes=1000))
    client = TestClient(app, headers={"api-key": "k"})
    response = post_raw(client, json.dumps(chat("x" * 2000)))
    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("Maximum content size limit (1000) exceeded")
    entry = client.get("/_mock/requests").json()["requests"][-1]
    assert entry["status"] == 413
    assert client.post(chat_url(), json=chat()).status_code == 200


def test_a_chunked_body_stops_being_read_once_it_passes_the_limit() -> None:
    import asyncio

    from mockserver.http import BodyTooLarge, read_body

    received: list[int] = []

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b" " * 100, "more_body": True}  # never ends

    with pytest.raises(BodyTooLarge) as raised:
        asyncio.run(read_body(receive, 1000))
    assert (raised.value.limit, raised.value.read, len(received)) == (1000, 1100, 11)


def test_an_upload_declaring_more_than_25_mb_gets_the_whisper_413(mock: TestClient) -> None:
    url = f"/openai/deployments/whisper/audio/transcriptions?api-version={GA}"
    response = mock.post(
        url,
        content=b"--x\r\n",
        headers={
            "content-type": "multipart/form-data; boundary=x",
            "content-length": str(MAX_UPLOAD_BYTES + 1),
        },
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"] == (
        f"Maximum content size limit ({MAX_UPLOAD_BYTES}) exceeded ({MAX_UPLOAD_BYTES + 1} bytes read)"
    )


# --- the control API -----------------------------------------------------------------------------


def test_an_unknown_control_route_gets_a_json_404(mock: TestClient) -> None:
    response = mock.get("/_mock/nothing")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NotFound", "message": "no control route GET /_mock/nothing"}
    }


def test_a_wrong_method_on_a_control_route_gets_a_json_405_with_allow(mock: TestClient) -> None:
    response = mock.delete("/_mock/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "MethodNotAllowed"
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"fault": {"status": NaN}}', '{"id": "\\ud800"}'])
def test_hostile_json_on_the_control_api_gets_its_400(mock: TestClient, body: str) -> None:
    response = mock.post("/_mock/faults", content=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequest"
    assert mock.get("/_mock/faults").json() == {"faults": []}


def control_posts() -> list[str]:
    from starlette.routing import Route

    from mockserver.endpoints.admin import admin_router
    from mockserver.state import MockState

    routes = admin_router(MockState(load_settings())).routes
    posts = [
        r.path for r in routes if isinstance(r, Route) and "POST" in (r.methods or ()) and "{" not in r.path
    ]
    return [path for path in posts if path != "/_mock/reset"]  # reset reads no body


@pytest.mark.parametrize("path", control_posts())
def test_every_control_post_answers_malformed_json_with_its_400(mock: TestClient, path: str) -> None:
    response = mock.post(path, content=b'{"unclosed": ')
    assert response.status_code == 400, (path, response.text[:200])
    assert response.json()["error"]["code"] == "InvalidRequest"


def test_a_scenario_name_that_is_a_server_path_is_refused(mock: TestClient) -> None:
    for name in ("/etc/passwd", "../fixtures/scenarios/flaky-5xx.toml", "a" * 300, 5):
        response = mock.post("/_mock/scenarios", json={"name": name})
        assert response.status_code == 400
        message = response.json()["error"]["message"]
        assert "must be a built-in scenario" in message
        assert "passwd is not valid" not in message  # says nothing about the file
    assert mock.post("/_mock/scenarios", json={"name": "flaky-5xx"}).status_code == 201


def test_an_inline_scenario_is_loaded(mock: TestClient) -> None:
    response = mock.post("/_mock/scenarios", json={"scenario": {"rules": [{"fault": {"status": 503}}]}})
    assert response.status_code == 201
    assert mock.post(chat_url(), json=chat()).status_code == 503


def test_a_clock_advance_past_the_year_9999_is_refused(mock: TestClient) -> None:
    for seconds in (1e300, 10**400, 10**12):
        response = mock.post("/_mock/clock/advance", content=json.dumps({"seconds": seconds}))
        assert response.status_code == 400
    assert mock.post("/_mock/clock/advance", json={"seconds": 60}).status_code == 200


# --- fault rules ---------------------------------------------------------------------------------

BAD_RULES = [
    ({"fault": {"status": 429, "retry_after": "x"}}, "fault.retry_after"),
    ({"fault": {"status": 429, "retry_after": 1e300}}, "fault.retry_after"),
    ({"fault": {"kind": "latency", "seconds": None}}, "fault.seconds"),
    (
        {"fault": {"kind": "latency", "distribution": {"type": "normal", "mean": "x"}}},
        "fault.distribution.mean",
    ),
    ({"fault": {"kind": "stream_cut", "after_chunks": []}}, "fault.after_chunks"),
    ({"fault": {"kind": "close_mid_body", "after_bytes": -1}}, "fault.after_bytes"),
    ({"fault": {"kind": "dribble", "bytes": 0}}, "fault.bytes"),
    ({"fault": {"kind": "stream_cut", "after_chunk": 2}}, "unknown field(s) ['after_chunk']"),
    ({"fault": {"status": 500, "headers": {"x-a": "one\r\ntwo"}}}, "fault.headers.x-a"),
    ({"fault": {"status": 500, "headers": {"x-a": "snow ☃"}}}, "fault.headers.x-a"),
    ({"fault": {"status": 500, "headers": {"bad name": "v"}}}, "fault.headers name"),
    ({"fault": {"status": 500, "headers": {"Content-Length": "5"}}}, "framing headers"),
    ({"fault": {"status": 101}}, "fault.status"),
    ({"fault": {"status": 204}}, "fault.status"),
    ({"fault": {"status": 304}}, "fault.status"),
    ({"fault": {"status": True}}, "fault.status"),
    ({"fault": {"status": 400, "content_filter": {"category": "weather"}}}, "fault.content_filter.category"),
    ({"sequence": [{"status": 500}, {"kind": "stall", "seconds": "long"}]}, "sequence[1].seconds"),
    ({"sequence": "pass"}, "sequence"),
    ({"match": [], "fault": {"status": 500}}, "'match' must be an object"),
    ({"match": {"stream": "yes"}, "fault": {"status": 500}}, "match.stream"),
    ({"match": {"headers": ["x"]}, "fault": {"status": 500}}, "match.headers"),
    ({"fault": {"status": 500}, "times": True}, "times"),
    ({"fault": {"status": 500}, "probability": float("nan")}, "probability"),
    ({"fault": {"status": 500}, "id": ["x"]}, "id"),
    (5, "a fault rule must be an object"),
]


@pytest.mark.parametrize(("rule", "field"), BAD_RULES)
def test_a_fault_rule_with_a_bad_value_gets_a_400_naming_the_field(
    mock: TestClient, rule: Any, field: str
) -> None:
    response = mock.post("/_mock/faults", content=json.dumps(rule, allow_nan=True).replace("NaN", '"NaN"'))
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]["message"]
    assert mock.get("/_mock/faults").json() == {"faults": []}  # nothing half-stored
    assert mock.post(chat_url(), json=chat()).status_code == 200


def test_every_transport_kind_has_its_field_checks() -> None:
    from mockserver.faults.checks import TRANSPORT_FIELDS
    from mockserver.faults import TRANSPORT_KINDS

    assert set(TRANSPORT_FIELDS) == set(TRANSPORT_KINDS)


def test_a_probability_rule_without_an_id_decides_the_same_after_a_reset(mock: TestClient) -> None:
    def decisions() -> list[int]:
        mock.post("/_mock/faults", json={"fault": {"status": 503}, "probability": 0.5})
        return [mock.post(chat_url(), json=chat(f"q{i}")).status_code for i in range(30)]

    first = decisions()
    mock.post("/_mock/reset")
    assert decisions() == first
    assert 503 in first and 200 in first


# --- images --------------------------------------------------------------------------------------


def test_an_image_link_with_a_non_ascii_digit_in_its_size_is_not_found(mock: TestClient) -> None:
    for size in ("%C2%B2x2", "1x%D9%A3", "2x2"):
        response = mock.get(f"/_mock/images/r/generated_00.png?sz={size}&k={'0' * 32}&sig=%E2%98%83")
        assert response.status_code in (403, 404)
        assert response.headers["content-type"] == "application/xml"
    response = mock.get(f"/_mock/images/r/generated_00.png?sz=2x2&k={'g' * 32}")
    assert response.status_code == 404


def test_an_image_link_is_not_signed_with_the_public_seed(mock: TestClient) -> None:
    import base64
    import hashlib

    from mockserver.endpoints.images import BLOB_NAME

    path = f"/_mock/images/r/{BLOB_NAME}"
    fields = {"st": "2025-01-01T00:00:00Z", "se": "2099-01-01T00:00:00Z", "sz": "4096x4096", "k": "0" * 32}
    message = "\n".join([path, *(f"{k}={fields[k]}" for k in sorted(fields))])
    forged = base64.b64encode(hashlib.sha256(f"7\n{message}".encode()).digest()).decode()
    response = mock.get(path, params={**fields, "sig": forged})
    assert response.status_code == 403


def test_an_image_link_takes_a_well_formed_host_only(mock: TestClient) -> None:
    url = f"/openai/deployments/dall-e-3/images/generations?api-version={GA}"
    good = mock.post(url, json={"prompt": "a cat"}, headers={"host": "mock.internal:8080"})
    assert good.json()["data"][0]["url"].startswith("http://mock.internal:8080/_mock/images/")
    bad = mock.post(url, json={"prompt": "a cat"}, headers={"host": "evil.example/@x"})
    assert "evil" not in bad.json()["data"][0]["url"]
    link = good.json()["data"][0]["url"].split("8080", 1)[1]
    assert mock.get(link).status_code == 200


# --- json_schema and tool schemas -----------------------------------------------------------------


def schema_chat(schema: Any, **extra: Any) -> dict[str, Any]:
    return chat(
        response_format={"type": "json_schema", "json_schema": {"name": "out", "schema": schema}}, **extra
    )


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        ({"type": "string", "minLength": "5"}, "'minLength'"),
        ({"type": "array", "maxItems": -1}, "'maxItems'"),
        ({"enum": "abc"}, "'enum'"),
        ({"enum": []}, "'enum'"),
        ({"$ref": 5}, "'$ref'"),
        ({"type": "text"}, "'type'"),
        ({"properties": []}, "'properties'"),
        ({"anyOf": {}}, "'anyOf'"),
        ({"required": [1]}, "'required'"),
        ({"type": "number", "minimum": 10**400}, "'minimum'"),
        ({"properties": {"a": 7}}, "schema must be"),
    ],
)
def test_a_json_schema_with_a_wrongly_typed_keyword_gets_a_400(
    mock: TestClient, schema: Any, keyword: str
) -> None:
    error = assert_model_400(
        mock.post(chat_url(), json=schema_chat(schema)), "Invalid schema for response_format 'out'"
    )
    assert keyword in error["message"]
    assert (error["param"], error["code"]) == ("response_format", "invalid_json_schema")


def test_a_tool_schema_with_a_bad_keyword_gets_a_400_naming_the_tool(mock: TestClient) -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "f", "parameters": {"type": "object", "minProperties": "x"}},
        }
    ]
    error = assert_model_400(mock.post(chat_url(), json=chat(tools=tools)), "Invalid schema for function 'f'")
    assert error["param"] == "tools[0].function.parameters"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "minLength": 10**9},
        {"type": "array", "minItems": 10**9, "items": {"type": "string", "minLength": 1000}},
        {"type": "object", "properties": {f"p{i}": {"$ref": "#"} for i in range(40)}},
    ],
)
def test_a_schema_asking_for_a_huge_value_is_cut_at_the_token_limit(mock: TestClient, schema: Any) -> None:
    import time

    started = time.process_time()
    response = mock.post(chat_url(), json=schema_chat(schema, max_tokens=50))
    assert time.process_time() - started < 5  # was minutes of CPU (the bound is the budget, not this)
    assert response.status_code == 200
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert response.json()["usage"]["completion_tokens"] <= 50


def test_without_max_tokens_a_huge_schema_stops_at_the_models_output_limit(mock: TestClient) -> None:
    response = mock.post(chat_url(), json=schema_chat({"type": "string", "minLength": 10**9}))
    assert response.status_code == 200
    assert response.json()["choices"][0]["finish_reason"] == "length"
    assert response.json()["usage"]["completion_tokens"] <= 16_384  # gpt-4o's max output tokens


def test_a_name_that_is_not_a_string_gets_a_400(mock: TestClient) -> None:
    tools = [{"type": "function", "function": {"name": {"a": 1}}}]
    assert_model_400(mock.post(chat_url(), json=chat(tools=tools)), "tools[0].function.name")


# --- media -------------------------------------------------------------------------------------


def transcribe(client: TestClient, name: str, data: bytes, **fields: str) -> Any:
    url = f"/openai/deployments/whisper/audio/transcriptions?api-version={GA}"
    return client.post(url, files={"file": (name, data, "application/octet-stream")}, data=fields)


def test_a_42_byte_flac_claiming_a_billion_seconds_is_not_believed(mock: TestClient) -> None:
    from tests.fuzz_strategies import flac

    lying = flac(48_000, 48_000 * 10**9 % (1 << 36))
    assert len(lying) <= 60
    response = transcribe(mock, "a.flac", lying, response_format="verbose_json")
    assert response.status_code == 200
    assert response.json()["duration"] < 60


def test_an_mp4_claiming_a_billion_seconds_is_not_believed(mock: TestClient) -> None:
    from tests.fuzz_strategies import mp4

    response = transcribe(mock, "a.mp4", mp4(1, 10**9, 0), response_format="verbose_json")
    assert response.status_code == 200
    assert response.json()["duration"] < 200


def test_audio_longer_than_the_transcript_cap_gets_a_400(
    mock: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.endpoints import audio
    from tests.media_helpers import make_wav

    monkeypatch.setattr(audio, "MAX_TRANSCRIPT_SECONDS", 1.0)
    error = assert_model_400(transcribe(mock, "a.wav", make_wav(2.0)), "longer than 1 seconds")
    assert error["param"] == "file"


@pytest.mark.parametrize("speed", ["nan", "inf", "-inf"])
def test_a_speech_speed_of_nan_or_infinity_gets_a_400(mock: TestClient, speed: str) -> None:
    url = "/openai/deployments/tts/audio/speech?api-version=2025-03-01-preview"
    assert_model_400(mock.post(url, json={"input": "hello", "voice": "alloy", "speed": speed}), "speed")


# --- the journal and memory ----------------------------------------------------------------------


def test_every_credential_bearing_header_and_query_parameter_is_masked(mock: TestClient) -> None:
    secrets = {
        "x-api-key": "s1",
        "proxy-authorization": "Basic s2",
        "ocp-apim-subscription-key": "s3",
        "cookie": "a=s4",
        "x-ms-token-aad-access-token": "s5",
    }
    mock.post(chat_url() + "&subscription-key=s6&api-key=s7&sig=s8", json=chat(), headers=secrets)
    entry = mock.get("/_mock/requests").json()["requests"][-1]
    text = json.dumps(entry)
    for secret in ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", '"k"'):
        assert secret not in text
    assert entry["query"]["api-version"] == GA
    assert entry["headers"]["x-api-key"] == "***"


def test_the_journal_is_bounded_by_the_bytes_it_holds(mock: TestClient) -> None:
    journal = mock.app.state.journal  # type: ignore[attr-defined]
    journal.max_bytes = 1_000_000
    for i in range(10):
        mock.post(chat_url(), json=chat(f"{i} " + "word " * 40_000))  # 200 KB each
    assert journal.bytes <= 1_000_000
    assert 1 <= len(journal) < 10
    last = mock.get("/_mock/requests").json()["requests"][-1]
    assert last["body"]["messages"][0]["content"].startswith("9 word")  # kept whole, parsed when read


def test_reset_releases_the_caches(mock: TestClient) -> None:
    from mockserver.synth.tokens import PIECES

    for i in range(5):
        for _ in range(2):  # the caches keep what they see twice (mockserver.bounded)
            mock.post(chat_url(), json=chat(f"{i} " + "different words here " * 20))
    assert len(PIECES) and len(mock.app.state.memo.cache)  # type: ignore[attr-defined]
    mock.post("/_mock/reset")
    assert len(PIECES) == 0 and len(mock.app.state.memo.cache) == 0  # type: ignore[attr-defined]


def test_the_token_piece_cache_is_bounded_by_bytes() -> None:
    from mockserver.limits import MAX_CACHE_BYTES
    from mockserver.synth.tokens import PIECES, approx_pieces

    PIECES.clear()
    for i in range(100):
        for _ in range(2):  # a text is kept the second time it is split (mockserver.bounded)
            approx_pieces(f"{i} " + "x y " * 75_000)  # 300,000 characters each
    assert 0 < PIECES.bytes <= MAX_CACHE_BYTES
    PIECES.clear()


def test_internal_errors_kept_for_tests_are_bounded() -> None:
    from mockserver.limits import MAX_KEPT_ERRORS
    from mockserver.state import MockState

    state = MockState(load_settings())
    for i in range(MAX_KEPT_ERRORS * 3):
        state.errors.append(RuntimeError(str(i)))
    assert len(state.errors) == MAX_KEPT_ERRORS
    assert str(state.errors[-1]) == str(MAX_KEPT_ERRORS * 3 - 1)


# --- wrong types deep in the body ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [[1]]}, "messages[0]"),
        (chat(tool_choice=["a"]), "tool_choice"),
        (chat(data_sources=1.5), "data_sources"),
        (chat(data_sources=[1.5]), "data_sources[0]"),
        (chat(data_sources=[{"type": "azure_search", "parameters": []}]), "data_sources[0].parameters"),
        (
            {
                "messages": [
                    {"role": "assistant", "content": "x", "tool_calls": [1]},
                    {"role": "user", "content": "hi"},
                ]
            },
            "messages[0].tool_calls[0]",
        ),
        (
            {"messages": [{"role": "assistant", "content": "x", "tool_calls": [{"function": "f"}]}]},
            "messages[0].tool_calls[0].function",
        ),
    ],
)
def test_a_wrong_type_deep_in_the_body_gets_a_400_naming_it(mock: TestClient, body: Any, param: str) -> None:
    assert assert_model_400(mock.post(chat_url(), json=body))["param"] == param
