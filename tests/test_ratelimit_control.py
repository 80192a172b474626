"""Rate limits on an injectable clock, the HTTP control API and scenario files."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings, make_deployment
from mockserver.ids import Clock
from mockserver.state import MockState

from .conftest import GA, chat_url

BODY = {"messages": [{"role": "user", "content": "hi"}]}


class FakeTicks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited(rpm: int = 0, tpm: int = 600_000, sku: str = "standard") -> tuple[TestClient, FakeTicks]:
    ticks = FakeTicks()
    deployment = make_deployment("small", "gpt-4o", tpm=tpm, rpm=rpm, sku=sku)
    settings = load_settings(deployments=(deployment,), tokenizer="approx")
    state = MockState(settings, clock=Clock(source=lambda: 1.0, ticks=ticks))
    return TestClient(create_app(state=state), headers={"api-key": "k"}), ticks


def test_request_rate_is_enforced_over_ten_second_windows() -> None:
    client, ticks = limited(rpm=60)  # 10 per 10-second window
    statuses = [client.post(chat_url("small"), json=BODY).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    throttled = client.post(chat_url("small"), json=BODY)
    assert throttled.json()["error"]["message"] == "Rate limit is exceeded. Try again in 10 seconds."
    assert throttled.headers["retry-after"] == "10"
    ticks.now += 10.001
    assert client.post(chat_url("small"), json=BODY).status_code == 200


def test_token_rate_uses_prompt_plus_max_tokens() -> None:
    client, ticks = limited(tpm=6000)  # 1000 tokens per window; rpm 36 -> 6 per window
    first = client.post(chat_url("small"), json={**BODY, "max_tokens": 900})
    assert first.status_code == 200
    second = client.post(chat_url("small"), json={**BODY, "max_tokens": 900})
    assert second.status_code == 429
    message = second.json()["error"]["message"]
    assert message.startswith(
        "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
        f"{GA} have exceeded token rate limit"
    )
    assert second.headers["policy-id"] == "DeploymentRatelimit-Token"
    assert second.content.startswith(b'{"error":{"code":"429","message": "Requests')
    ticks.now += 10.5
    assert client.post(chat_url("small"), json={**BODY, "max_tokens": 900}).status_code == 200


def test_remaining_headers_follow_the_minute() -> None:
    client, ticks = limited(rpm=600)
    headers = [client.post(chat_url("small"), json=BODY).headers for _ in range(3)]
    assert [h["x-ratelimit-remaining-requests"] for h in headers] == ["599", "598", "597"]
    ticks.now += 61
    assert client.post(chat_url("small"), json=BODY).headers["x-ratelimit-remaining-requests"] == "599"


def test_provisioned_deployments_send_retry_after_ms() -> None:
    client, _ = limited(rpm=6, sku="provisioned")
    client.post(chat_url("small"), json=BODY)
    throttled = client.post(chat_url("small"), json=BODY)
    assert throttled.status_code == 429
    assert 9000 <= int(throttled.headers["retry-after-ms"]) <= 10000


def test_report_mode_never_throttles() -> None:
    deployment = make_deployment("small", "gpt-4o", rpm=6)
    app = create_app(load_settings(deployments=(deployment,), rate_limits="report"))
    client = TestClient(app, headers={"api-key": "k"})
    responses = [client.post(chat_url("small"), json=BODY) for _ in range(5)]
    assert {r.status_code for r in responses} == {200}
    assert responses[-1].headers["x-ratelimit-remaining-requests"] == "1"


# --- control API -----------------------------------------------------------------------------


@pytest.fixture
def control() -> TestClient:
    return TestClient(create_app(load_settings(seed=2)), headers={"api-key": "k"})


def test_control_api_adds_lists_and_deletes_rules(control: TestClient) -> None:
    rule = {
        "match": {"operation": "chat.completions", "session": "s1"},
        "sequence": [{"status": 429, "headers": {"retry-after-ms": "20"}}, {"status": 503}, "pass"],
    }
    added = control.post("/_mock/faults", json=rule)
    assert added.status_code == 201
    (rule_id,) = added.json()["ids"]
    second = control.post(
        "/_mock/faults",
        json=[
            {"match": {}, "fault": {"kind": "stall", "seconds": 30}, "times": 1},
            {"match": {}, "fault": {"status": 500}},
        ],
    )
    assert len(second.json()["ids"]) == 2
    listed = control.get("/_mock/faults").json()["faults"]
    assert [f["id"] for f in listed][0] == rule_id and listed[0]["hits"] == 0
    assert control.delete(f"/_mock/faults/{rule_id}").status_code == 200
    assert control.delete(f"/_mock/faults/{rule_id}").status_code == 404
    assert control.delete("/_mock/faults").status_code == 200
    assert control.get("/_mock/faults").json()["faults"] == []


def session_statuses(control: TestClient, session: str | None, count: int) -> list[int]:
    headers = {"x-mock-session": session} if session else {}
    return [control.post(chat_url(), json=BODY, headers=headers).status_code for _ in range(count)]


def test_sequence_then_pass_through_and_session_scoping(control: TestClient) -> None:
    control.post(
        "/_mock/faults",
        json={
            "match": {"operation": "chat.completions", "session": "s1"},
            "sequence": [{"status": 429}, {"status": 503}, "pass"],
        },
    )
    assert session_statuses(control, "s2", 1) == [200]
    assert session_statuses(control, "s1", 4) == [429, 503, 200, 200]
    assert control.post(chat_url(), json=BODY).status_code == 200  # no session header: unscoped only


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"match": {}}, "exactly one of"),
        ({"fault": {"status": 999}}, "HTTP status"),
        ({"fault": {"kind": "explode"}}, "unknown fault kind"),
        ({"match": {"colour": "red"}, "fault": {"status": 500}}, "unknown match key"),
        ({"fault": {"status": 500}, "probability": 2}, "between 0 and 1"),
        ([1], "must be an object"),
    ],
)
def test_bad_rules_get_a_400_that_says_why(control: TestClient, rule: Any, fragment: str) -> None:
    response = control.post("/_mock/faults", json=rule)
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


def test_journal_endpoint_filters(control: TestClient) -> None:
    session_statuses(control, "a", 2)
    session_statuses(control, "b", 1)
    control.post(
        f"/openai/deployments/text-embedding-3-small/embeddings?api-version={GA}",
        json={"input": "x"},
        headers={"x-mock-session": "a"},
    )
    assert control.get("/_mock/requests?session=a").json()["count"] == 3
    only = control.get("/_mock/requests?session=a&operation=embeddings").json()["requests"]
    assert [r["operation"] for r in only] == ["embeddings"]
    assert only[0]["headers"]["api-key"] == "***"


def test_the_journal_endpoint_and_python_share_one_filter_vocabulary(control: TestClient) -> None:
    control.post("/_mock/faults", json={"match": {"session": "a"}, "fault": {"status": 429}, "times": 1})
    statuses = [
        control.post(chat_url(), json=BODY, headers={"x-mock-session": "a"}).status_code for _ in range(2)
    ]
    assert statuses == [429, 200]
    query = "/_mock/requests?session=a&method=POST&status=429&fault=true"
    over_http = [r["request_id"] for r in control.get(query).json()["requests"]]
    journal = control.app.state.journal  # type: ignore[attr-defined]
    in_python = [e.request_id for e in journal.filter(session="a", method="POST", status=429, fault=True)]
    assert len(over_http) == 1 and over_http == in_python
    assert control.get("/_mock/requests?session=a&fault=false").json()["count"] == 1
    assert journal.filter(session="a").filter(status=200).call_count == 1


def test_the_journal_endpoint_names_a_filter_it_does_not_know(control: TestClient) -> None:
    unknown = control.get("/_mock/requests?colour=red")
    assert unknown.status_code == 400
    assert (
        "unknown filter(s) ['colour']; valid: ['session', 'operation'" in unknown.json()["error"]["message"]
    )
    assert "status must be a number" in control.get("/_mock/requests?status=abc").json()["error"]["message"]


def test_reset_clears_rules_journal_and_rate_state(control: TestClient) -> None:
    control.post("/_mock/faults", json={"match": {}, "fault": {"status": 500}})
    assert control.post(chat_url(), json=BODY).status_code == 500
    assert control.post("/_mock/reset").status_code == 200
    assert control.get("/_mock/requests").json()["count"] == 0
    assert control.post(chat_url(), json=BODY).status_code == 200


# --- scenarios -------------------------------------------------------------------------------


def test_builtin_scenarios_are_listed_and_loadable(control: TestClient) -> None:
    names = control.get("/_mock/scenarios").json()["scenarios"]
    assert {
        "retry-429-then-ok",
        "throttle-storm",
        "flaky-5xx",
        "stream-cut",
        "timeout-once",
        "content-filter-prompt",
    } <= set(names)
    assert control.post("/_mock/scenarios", json={"name": "retry-429-then-ok"}).status_code == 201
    assert session_statuses(control, None, 3) == [429, 429, 200]
    missing = control.post("/_mock/scenarios", json={"name": "nope"})
    assert missing.status_code == 400 and "retry-429-then-ok" in missing.json()["error"]["message"]


def test_scenarios_load_at_start_and_survive_reset() -> None:
    app = create_app(load_settings(scenarios=("content-filter-prompt",)))
    client = TestClient(app, headers={"api-key": "k"})
    body = client.post(chat_url(), json=BODY)
    assert body.status_code == 400 and body.json()["error"]["code"] == "content_filter"
    client.post("/_mock/reset")
    assert client.post(chat_url(), json=BODY).status_code == 400


def test_inline_scenario_object(control: TestClient) -> None:
    scenario = {"rules": [{"match": {"operation": "embeddings"}, "fault": {"status": 503}}]}
    assert control.post("/_mock/scenarios", json={"scenario": scenario}).status_code == 201
    url = f"/openai/deployments/text-embedding-3-small/embeddings?api-version={GA}"
    assert control.post(url, json={"input": "x"}).status_code == 503


def test_a_scripted_429_can_date_its_retry_after() -> None:
    client = TestClient(create_app(load_settings(tokenizer="approx")), headers={"api-key": "k"})
    rule = {"fault": {"status": 429, "retry_after": 30, "retry_after_format": "http-date"}}
    assert client.post("/_mock/faults", json=rule).status_code in (200, 201)
    before = time.time()
    throttled = client.post(chat_url(), json=BODY)
    assert throttled.status_code == 429
    when = email.utils.parsedate_to_datetime(throttled.headers["retry-after"]).timestamp()
    assert before + 29 <= when <= time.time() + 30
    bad = client.post("/_mock/faults", json={"fault": {"status": 429, "retry_after_format": "date"}})
    assert bad.status_code == 400 and "retry_after_format" in bad.text
