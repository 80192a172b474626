"""The Responses API on the wire, without an SDK: headers per kind of answer (with and without the fast
path), the untyped 400 of recording 26, the version gate, errors naming the param, input-item paging,
expiry on the mock's clock, reasoning and filtered streams."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings

CLASSIC = "/openai/responses?api-version=2025-04-01-preview"
HEADERS = {"api-key": "k"}
POST_HEADERS = {
    "apim-request-id",
    "strict-transport-security",
    "x-content-type-options",
    "x-ms-client-request-id",
    "x-ms-deployment-name",
    "x-ms-middleware-request-id",
    "x-ms-region",
    "x-ratelimit-limit-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-remaining-tokens",
    "x-request-id",
    "content-type",
    "content-length",
}
GET_HEADERS = {
    "apim-request-id",
    "openai-organization",
    "openai-processing-ms",
    "openai-version",
    "strict-transport-security",
    "x-content-type-options",
    "x-ms-middleware-request-id",
    "x-ms-region",
    "x-request-id",
    "content-type",
    "content-length",
}


def client(**changes: Any) -> TestClient:
    return TestClient(create_app(load_settings(seed=3).with_changes(**changes)))


def create(http: TestClient, **body: Any) -> Any:
    return http.post(CLASSIC, headers=HEADERS, json={"model": "gpt-4o-mini", "input": "Hello there", **body})


def at(response_id: str, tail: str = "") -> str:
    return f"/openai/responses/{response_id}{tail}?api-version=2025-04-01-preview"


@pytest.mark.parametrize("fast", [True, False])
def test_headers_per_kind_of_answer_with_and_without_the_fast_path(fast: bool) -> None:
    http = client(fast_path=fast)
    posted = create(http)
    assert set(posted.headers) == POST_HEADERS
    assert posted.headers["content-length"] == str(len(posted.content))
    assert posted.content == json.dumps(posted.json(), indent=2).encode()  # indented, non-ASCII escaped
    got = http.get(at(posted.json()["id"]), headers=HEADERS)
    assert set(got.headers) == GET_HEADERS
    assert got.content == posted.content
    streamed = create(http, stream=True)
    assert streamed.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert "x-ratelimit-remaining-tokens" not in streamed.headers  # recordings 16, 18
    missing = http.get(at("resp_" + "0" * 48), headers=HEADERS)
    assert missing.status_code == 404
    assert set(missing.headers) == GET_HEADERS


def test_a_body_without_model_is_recording_26s_untyped_400() -> None:
    http = client()
    for path in (CLASSIC, "/openai/v1/responses"):
        answer = http.post(path, headers=HEADERS, json={"input": "Hi"})
        assert answer.status_code == 400
        assert "content-type" not in answer.headers
        assert answer.content == b'{\n  "error": {\n    "message": "Missed model deployment"\n  }\n}'


@pytest.mark.parametrize("version", ["2024-10-21", "2025-01-01-preview", "2025-02-01-preview"])
def test_versions_before_2025_03_01_preview_are_refused(version: str) -> None:
    answer = client().post(
        f"/openai/responses?api-version={version}", headers=HEADERS, json={"model": "gpt-4o"}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BadRequest"
    assert "2025-03-01-preview and later" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "param", "code"),
    [
        ({"colour": "blue"}, "colour", "unknown_parameter"),
        ({"temperature": 3}, "temperature", "decimal_above_max_value"),
        ({"max_output_tokens": 8}, "max_output_tokens", "integer_below_min_value"),
        ({"input": 5}, "input", "invalid_type"),
        ({"input": [{"type": "telepathy"}]}, "input[0].type", "invalid_value"),
        ({"truncation": "sometimes"}, "truncation", "invalid_value"),
        ({"text": {"format": {"type": "json_schema"}}}, "text.format.name", "missing_required_parameter"),
        ({"previous_response_id": "resp_missing"}, "previous_response_id", "previous_response_not_found"),
    ],
)
def test_bad_fields_get_a_400_naming_the_param(change: dict[str, Any], param: str, code: str) -> None:
    answer = create(client(), **change)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")
    assert answer.content == json.dumps(answer.json(), indent=2).encode()


def test_input_items_page_with_limit_order_after_and_before() -> None:
    http = client()
    items = [{"role": "user", "content": f"turn {n}"} for n in range(5)]
    created = create(http, input=items).json()
    listed = http.get(at(created["id"], "/input_items"), headers=HEADERS).json()
    assert list(listed) == ["object", "data", "first_id", "last_id", "has_more"]
    ids = [item["id"] for item in listed["data"]]
    assert [item["content"] for item in listed["data"]] == [f"turn {n}" for n in range(5)]
    page = http.get(at(created["id"], "/input_items") + "&limit=2", headers=HEADERS).json()
    assert ([i["id"] for i in page["data"]], page["has_more"]) == (ids[:2], True)
    after = http.get(at(created["id"], "/input_items") + f"&after={ids[1]}&limit=2", headers=HEADERS).json()
    assert [i["id"] for i in after["data"]] == ids[2:4]
    backwards = http.get(at(created["id"], "/input_items") + "&order=desc", headers=HEADERS).json()
    assert [i["id"] for i in backwards["data"]] == ids[::-1]
    before = http.get(at(created["id"], "/input_items") + f"&before={ids[2]}", headers=HEADERS).json()
    assert [i["id"] for i in before["data"]] == ids[:2]
    bad = http.get(at(created["id"], "/input_items") + "&limit=500", headers=HEADERS)
    assert (bad.status_code, bad.json()["error"]["param"]) == (400, "limit")


def test_stored_responses_expire_after_the_ttl_on_the_mock_clock() -> None:
    http = client(responses_ttl=3600.0)
    kept = create(http).json()["id"]
    http.post("/_mock/clock/advance", json={"seconds": 3599})
    assert http.get(at(kept), headers=HEADERS).status_code == 200
    http.post("/_mock/clock/advance", json={"seconds": 2})
    assert http.get(at(kept), headers=HEADERS).status_code == 404
    chained = create(http, previous_response_id=kept)
    assert chained.json()["error"]["code"] == "previous_response_not_found"


def test_a_reasoning_stream_and_a_filtered_stream() -> None:
    http = client()
    answer = create(http, model="o4-mini", stream=True, reasoning={"summary": "auto"})
    kinds = [line.removeprefix("event: ") for line in answer.text.splitlines() if line.startswith("event: ")]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert "response.reasoning_summary_text.delta" in kinds
    assert kinds[-1] == "response.completed"
    numbers = [
        json.loads(line[6:])["sequence_number"]
        for line in answer.text.splitlines()
        if line.startswith("data: ")
    ]
    assert numbers == list(range(len(kinds)))
    rule = {
        "match": {"operation": "responses.create"},
        "fault": {"kind": "content_filter", "category": "hate", "severity": "high"},
    }
    assert http.post("/_mock/faults", json=rule).status_code == 201
    filtered = create(http, stream=True)
    last = json.loads(filtered.text.strip().splitlines()[-1][6:])
    assert last["type"] == "response.incomplete"
    assert last["response"]["incomplete_details"] == {"reason": "content_filter"}
    completion = last["response"]["content_filters"][1]
    assert completion["source_type"] == "completion"
    assert completion["blocked"] is True
    assert completion["content_filter_results"]["hate"] == {"filtered": True, "severity": "high"}


@pytest.mark.parametrize("fast", [True, False])
def test_the_same_request_twice_gets_two_responses_with_their_own_ids(fast: bool) -> None:
    """The fast path remembers an answer (same request, same second) but never its ids: each create
    is its own stored response, the bytes and the object carry the new ids."""
    http = client(fast_path=fast, freeze_time=1_754_441_765.0)
    body = {"input": "Weather in Oslo?", "tools": [{"type": "function", "name": "weather", "parameters": {}}]}
    first, second = create(http, **body), create(http, **body)
    one, two = first.json(), second.json()
    assert one["id"] != two["id"]
    assert one["output"][0]["id"] != two["output"][0]["id"]
    assert two["output"][0]["id"].endswith(two["id"][-16:])  # items share the response's tail
    assert {**one, "id": None, "output": None} == {**two, "id": None, "output": None}
    for answer in (one, two):
        stored = http.get(at(answer["id"]), headers=HEADERS)
        assert stored.json() == answer
        items = http.get(at(answer["id"], "/input_items"), headers=HEADERS).json()["data"]
        assert items[0]["content"] == [{"type": "input_text", "text": "Weather in Oslo?"}]


def test_rate_limits_charge_responses_tokens_like_chat() -> None:
    from mockserver import make_deployment

    base = load_settings(seed=3)
    tiny = make_deployment("tiny", "gpt-4o-mini", tpm=1200, rpm=100)  # 200 tokens per 10 s window
    http = TestClient(create_app(base.with_changes(deployments=(*base.deployments, tiny))))
    first = create(http, model="tiny", max_output_tokens=100)
    assert first.status_code == 200
    charged = 1200 - int(first.headers["x-ratelimit-remaining-tokens"])
    assert charged > 100  # the prompt's tokens plus the requested output, as for chat (azure-wire §3.5)
    throttled = create(http, model="tiny", max_output_tokens=100)
    assert throttled.status_code == 429
    assert "Responses_Create" in throttled.json()["error"]["message"]
    assert throttled.headers["retry-after"]


def test_a_background_stream_resumes_after_the_event_it_names() -> None:
    http = client()
    first = create(http, background=True, stream=True)
    sent = [json.loads(line[6:]) for line in first.text.splitlines() if line.startswith("data: ")]
    response_id = sent[0]["response"]["id"]
    again = http.get(at(response_id) + "&stream=true&starting_after=3", headers=HEADERS)
    assert again.headers["content-type"] == "text/event-stream; charset=utf-8"
    resumed = [json.loads(line[6:]) for line in again.text.splitlines() if line.startswith("data: ")]
    assert resumed == sent[4:]  # the same events, numbered as first sent
    assert resumed[0]["sequence_number"] == 4
    plain = create(http).json()["id"]
    refused = http.get(at(plain) + "&stream=true", headers=HEADERS)
    assert refused.status_code == 400


def test_the_stale_read_scenario() -> None:
    http = client(scenarios=("responses-stale-read",))
    created = create(http).json()["id"]
    assert [http.get(at(created), headers=HEADERS).status_code for _ in range(3)] == [404, 404, 200]


def test_web_search_answers_with_a_search_call_and_a_citation() -> None:
    http = client()
    body = {"input": "What was a positive news story from today?", "tools": [{"type": "web_search_preview"}]}
    answer = create(http, **body).json()
    search, message = answer["output"]
    assert list(search) == ["id", "type", "status", "action"]
    assert search["id"].startswith("ws_")
    assert search["action"]["query"] == search["action"]["queries"][0]
    assert answer["tools"][0]["search_context_size"] == "medium"
    (citation,) = message["content"][0]["annotations"]
    text = message["content"][0]["text"]
    assert citation["url"] in text[citation["start_index"] : citation["end_index"]]
    streamed = create(http, **body, stream=True).text
    kinds = [line[7:] for line in streamed.splitlines() if line.startswith("event: ")]
    assert kinds[3:6] == [
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
    ]
    assert "response.output_text.annotation.added" in kinds
    deltas = [
        json.loads(line[6:])["delta"]
        for line in streamed.splitlines()
        if '"response.output_text.delta"' in line and line.startswith("data: ")
    ]
    done = next(
        json.loads(line[6:])
        for line in streamed.splitlines()
        if line.startswith('data: {"type":"response.output_text.done"')
    )
    assert "".join(deltas) == done["text"]
