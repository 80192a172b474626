"""The control-API routes the dashboard reads: journal rows after a cursor, one request in full, quota,
replay, and the page itself (served by the mock, with a policy that runs no inline script)."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.replay import Cassette, Interaction, Request, Response
from mockserver.server import ServerThread

from .conftest import GA, KEY, chat_url

CHAT = [{"role": "user", "content": "Hello"}]


def make_client(**settings: Any) -> TestClient:
    app = create_app(load_settings(seed=7, tokenizer="approx", **settings))
    return TestClient(app, headers={"api-key": KEY})


@pytest.fixture
def control() -> TestClient:
    return make_client()


def chat(client: TestClient, content: str = "Hello", **headers: str) -> Any:
    body = {"messages": [{"role": "user", "content": content}]}
    return client.post(chat_url(), json=body, headers=headers)


def summary(client: TestClient, **params: Any) -> dict[str, Any]:
    answer = client.get("/_mock/requests/summary", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- journal rows after a cursor ----------------------------------------------------------------


def test_rows_after_a_cursor_give_only_what_is_new(control: TestClient) -> None:
    for word in ("one", "two"):
        chat(control, word)
    first = summary(control)
    assert [r["prompt"] for r in first["rows"]] == ["one", "two"]  # oldest first
    assert [r["seq"] for r in first["rows"]] == [1, 2]
    assert (first["cursor"], first["oldest"]) == (2, 1)
    assert summary(control, after=first["cursor"])["rows"] == []  # an idle poll
    chat(control, "three")
    later = summary(control, after=first["cursor"])
    assert [r["prompt"] for r in later["rows"]] == ["three"] and later["cursor"] == 3


def test_a_row_says_what_a_table_shows(control: TestClient) -> None:
    control.post("/_mock/faults", json={"match": {"session": "s1"}, "fault": {"status": 503}, "times": 1})
    chat(control, "first", **{"x-mock-session": "s1"})
    chat(control, "second", **{"x-mock-session": "s1"})
    failed, ok = summary(control)["rows"]
    assert failed["status"] == 503 and failed["fault"].startswith("fault-1")
    assert failed["session"] == "s1" and failed["operation"] == "chat.completions"
    assert failed["deployment"] == "gpt-4o" and failed["tokens"] is None
    assert ok["status"] == 200 and ok["fault"] is None and ok["tokens"] > 0
    assert ok["latency_ms"] >= 0 and abs(ok["at"] - time.time()) < 60  # real time, for the table


def test_the_cursor_survives_a_reset_and_oldest_tells_the_poller_to_drop_rows(control: TestClient) -> None:
    chat(control)
    chat(control)
    assert control.post("/_mock/reset").status_code == 200
    after_reset = summary(control, after=2)
    assert after_reset == {"cursor": 2, "oldest": 3, "rows": []}
    chat(control)
    assert [r["seq"] for r in summary(control, after=2)["rows"]] == [3]  # numbers are never reused


def test_a_bounded_journal_reports_the_oldest_it_still_keeps() -> None:
    client = make_client(journal_size=3)
    for i in range(5):
        chat(client, f"n{i}")
    listing = summary(client)
    assert listing["oldest"] == 3 and [r["prompt"] for r in listing["rows"]] == ["n2", "n3", "n4"]
    assert client.get("/_mock/requests/1").status_code == 404
    assert client.get("/_mock/requests/5").json()["seq"] == 5


def test_a_cursor_ahead_of_the_journal_comes_back_as_the_journal_cursor(control: TestClient) -> None:
    chat(control)
    assert summary(control, after=40)["cursor"] == 1  # another server (or a restart): the page starts over


def test_rows_filter_by_session_operation_deployment_and_status(control: TestClient) -> None:
    control.post("/_mock/faults", json={"match": {"session": "a"}, "fault": {"status": 429}, "times": 1})
    chat(control, "a1", **{"x-mock-session": "a"})
    chat(control, "a2", **{"x-mock-session": "a"})
    chat(control, "b1", **{"x-mock-session": "b"})
    control.post(
        "/openai/deployments/text-embedding-3-small/embeddings",
        params={"api-version": GA},
        json={"input": "vec"},
    )
    prompts = lambda **f: [r["prompt"] for r in summary(control, **f)["rows"]]  # noqa: E731
    assert prompts(session="a") == ["a1", "a2"]
    assert prompts(status="429") == ["a1"]
    assert prompts(status="2xx") == ["a2", "b1", "vec"]
    assert prompts(status="4xx", session="b") == []
    assert prompts(operation="embeddings") == ["vec"]
    assert prompts(deployment="gpt-4o", session="b") == ["b1"]
    assert prompts(limit=2) == ["b1", "vec"]  # the newest two
    assert summary(control, session="nobody")["cursor"] == 4  # the cursor moves past filtered rows too


def test_the_newest_screenful_first_then_the_rows_before_it(control: TestClient) -> None:
    for i in range(1, 8):
        chat(control, f"n{i}", **{"x-mock-session": "odd" if i % 2 else "even"})
    screen = summary(control, limit=3)
    assert [r["seq"] for r in screen["rows"]] == [5, 6, 7] and (screen["cursor"], screen["oldest"]) == (7, 1)
    older = summary(control, before=5)
    assert [r["prompt"] for r in older["rows"]] == ["n1", "n2", "n3", "n4"] and older["cursor"] == 7
    assert summary(control, before=5, after=2)["rows"] == older["rows"][2:]
    assert [r["seq"] for r in summary(control, before=5, session="odd")["rows"]] == [1, 3]
    assert summary(control, before=5, limit=1)["rows"] == older["rows"][-1:]  # the newest of them
    assert summary(control, before=1)["rows"] == [] and summary(control, before=0)["rows"] == []
    assert summary(control, before=99)["rows"] == summary(control)["rows"]


def test_a_listing_is_the_same_json_each_time_and_says_its_server_time(control: TestClient) -> None:
    chat(control, 'quotes " and <markup> and \u00e9t\u00e9')
    first = control.get("/_mock/requests/summary")
    again = control.get("/_mock/requests/summary")
    assert first.headers["content-type"] == "application/json"
    assert first.content == again.content  # each row encoded once, kept
    assert first.json()["rows"][0]["prompt"] == 'quotes " and <markup> and \u00e9t\u00e9'
    name, duration = first.headers["server-timing"].split(";dur=")
    assert name == "listing" and float(duration) >= 0


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=1.5", "before=-3"])
def test_bad_cursor_parameters_are_azure_style_400s(control: TestClient, query: str) -> None:
    answer = control.get(f"/_mock/requests/summary?{query}")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequest" and "whole number" in error["message"]


def test_rows_carry_the_retry_chain_with_gaps_and_the_retry_after_sent(control: TestClient) -> None:
    control.post("/_mock/scenarios", json={"name": "retry-429-then-ok"})  # 429 (retry-after-ms 50) twice
    for attempt in range(3):
        chat(control, "retry me", **{"x-stainless-retry-count": str(attempt)})
        if attempt < 2:
            time.sleep(0.06)  # a client that honours retry-after-ms 50
    chat(control, "a new request", **{"x-stainless-retry-count": "0"})
    rows = summary(control)["rows"]
    assert [(r["status"], r["chain"], r["attempt"]) for r in rows] == [
        (429, 1, 1),
        (429, 1, 2),
        (200, 1, 3),
        (200, 4, 1),
    ]
    assert rows[0]["retry_after"] == pytest.approx(0.05) and rows[0]["gap"] is None
    for retry in rows[1:3]:
        assert retry["told"] == pytest.approx(0.05)
        assert retry["wait"] >= 0.06 and retry["gap"] >= retry["wait"]
    assert rows[3]["told"] is None


# --- one request in full -------------------------------------------------------------------------


def test_one_request_in_full_with_masked_keys_and_the_headers_sent(control: TestClient) -> None:
    control.post("/_mock/faults", json={"match": {}, "fault": {"status": 429, "retry_after": 3}, "times": 1})
    chat(control, "<script>alert(1)</script>")
    entry = control.get("/_mock/requests/1").json()
    assert entry["seq"] == 1 and entry["status"] == 429
    assert entry["headers"]["api-key"] == "***"
    assert entry["body"]["messages"][0]["content"] == "<script>alert(1)</script>"  # kept as given
    assert entry["response_headers"]["retry-after"] == "3"
    assert entry["response"]["error"]["code"] == "429"
    assert entry["events"] == [] and entry["duration"] >= 0


@pytest.mark.live
def test_a_stream_lists_its_events_with_the_time_each_was_sent() -> None:
    server = ServerThread(create_app(load_settings(seed=7, tokenizer="approx"))).start()
    try:
        httpx.post(
            f"{server.endpoint}/_mock/faults",
            json={
                "match": {},
                "fault": {"kind": "stream_timing", "first_token": 0.05, "between_chunks": 0.01},
            },
        )
        answer = httpx.post(
            server.endpoint + chat_url(), json={"messages": CHAT, "stream": True}, headers={"api-key": KEY}
        )
        assert answer.status_code == 200
        entry = httpx.get(f"{server.endpoint}/_mock/requests/1").json()
    finally:
        server.stop()
    events = entry["events"]
    assert events[-1]["data"] == "data: [DONE]"
    assert [e["data"] for e in events] == entry["response"]  # the same events as the journal keeps
    times = [e["t"] for e in events]
    # the first token waited 50 ms after the annotation event, then one every 10 ms; asyncio's timers
    # may fire up to the clock's resolution early, hence the 10-20% margins
    assert times[1] - times[0] >= 0.045
    assert all(b - a >= 0.008 for a, b in itertools.pairwise(times[1:]))
    assert entry["duration"] >= times[-1]


def test_an_unknown_request_is_an_azure_style_404(control: TestClient) -> None:
    answer = control.get("/_mock/requests/12")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "NotFound"


# --- quota, replay, rules ----------------------------------------------------------------------


def test_quota_shows_each_deployments_window_use_against_its_caps(control: TestClient) -> None:
    chat(control)
    chat(control)
    data = control.get("/_mock/quota").json()
    assert data["mode"] == "enforce"
    gpt4o = next(d for d in data["deployments"] if d["name"] == "gpt-4o")
    assert gpt4o["window"]["requests"] == 2 and gpt4o["minute"]["requests"] == 2
    assert gpt4o["window"]["tokens"] == gpt4o["minute"]["tokens"] > 0
    assert gpt4o["window"]["seconds"] == 10
    assert gpt4o["window"]["request_cap"] == gpt4o["rpm"] // 6  # a sixth of the minute (azure-wire §3.5)
    assert gpt4o["minute"]["tpm"] == gpt4o["tpm"]
    idle = next(d for d in data["deployments"] if d["name"] == "gpt-4o-mini")
    assert idle["window"]["requests"] == idle["minute"]["tokens"] == 0


def test_replay_reports_not_loaded_without_cassettes(control: TestClient) -> None:
    assert control.get("/_mock/replay").json() == {"loaded": False}


def test_replay_counts_hits_and_explains_a_miss_with_the_nearest_recording(tmp_path: Path) -> None:
    recorded = Request(
        "POST",
        "/openai/deployments/gpt-4o/chat/completions",
        {"api-version": GA},
        {},
        "json",
        {"messages": [{"role": "user", "content": "What is the capital of France?"}]},
    )
    answer = Response(200, {"Content-Type": "application/json"}, "json", {"choices": []})
    path = Cassette([Interaction(recorded, answer)], {}).save(tmp_path / "c.json")
    client = make_client(replay=(str(path),))
    assert chat(client, "What is the capital of France?").status_code == 200
    assert chat(client, "Count to four").status_code == 404
    data = client.get("/_mock/replay").json()
    assert data["loaded"] is True and data["hits"] == 1
    assert data["cassettes"] == [{"name": "c.json", "interactions": 1}]
    assert data["interactions"][0]["hits"] == 1 and data["interactions"][0]["status"] == 200
    (miss,) = data["misses"]
    assert miss["request"] == f"POST /openai/deployments/gpt-4o/chat/completions?api-version={GA}"
    assert miss["closest"]["cassette"] == "c.json" and miss["closest"]["index"] == 1
    assert miss["closest"]["differs"] == [
        "body: messages[0].content: recorded 'What is the capital of France?', got 'Count to four'"
    ]
    assert [r["replay"] for r in summary(client)["rows"]] == ["hit", "miss"]
    client.post("/_mock/reset")
    assert client.get("/_mock/replay").json()["misses"] == []


def test_rules_from_a_scenario_carry_its_name(control: TestClient) -> None:
    control.post("/_mock/scenarios", json={"name": "retry-429-then-ok"})
    control.post("/_mock/faults", json={"match": {}, "fault": {"status": 500}, "times": 1})
    named, plain = control.get("/_mock/faults").json()["faults"]
    assert named["name"] == "retry-429-then-ok" and "name" not in plain


# --- the page -------------------------------------------------------------------------------------


def test_the_page_is_served_by_the_mock_with_a_policy_that_runs_no_inline_script(control: TestClient) -> None:
    page = control.get("/_mock/ui")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert '<script src="ui/app.js"' in page.text  # relative: http or https, any prefix
    script = control.get("/_mock/ui/app.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text  # everything shown is set as text
    assert control.get("/_mock/ui/app.css").headers["content-type"].startswith("text/css")


def test_the_page_carries_the_newest_rows_as_data_that_no_body_can_break_out_of(
    control: TestClient,
) -> None:
    empty = first_screen(control.get("/_mock/ui").text)
    assert empty == {"cursor": 0, "oldest": 1, "rows": []}
    attack = '</script><script>window.pwned = 1</script><!-- <b>bold</b> </SCRIPT >'
    chat(control, attack)  # left out: older than the 40 the page carries
    for i in range(40):
        chat(control, f"n{i}")
    chat(control, attack)
    page = control.get("/_mock/ui")
    assert page.status_code == 200 and page.headers["server-timing"].startswith("listing;dur=")
    block = page.text.split(DATA_BLOCK)[1].split("</script>")[0]
    assert "<" not in block  # written \u003c: nothing in it ends the block, opens a comment or a tag
    assert "window.pwned" not in page.text.split(DATA_BLOCK)[1].split("</script>", 1)[1]
    carried = first_screen(page.text)
    assert carried == summary(control, limit=40)  # the summary's newest 40, as the poller reads them
    assert carried["rows"][-1]["prompt"] == attack and carried["rows"][0]["prompt"] == "n1"
    assert [r["seq"] for r in summary(control, before=carried["rows"][0]["seq"])["rows"]] == [1, 2]


def first_screen(html: str) -> Any:
    """The JSON in the page's data block."""
    return json.loads(html.split(DATA_BLOCK)[1].split("</script>")[0])


DATA_BLOCK = '<script type="application/json" id="first-screen">'


def test_the_page_with_a_trailing_slash_redirects_keeping_the_filters(control: TestClient) -> None:
    answer = control.get("/_mock/ui/?session=s1", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "../ui?session=s1"


def test_an_unknown_page_file_is_an_azure_style_404(control: TestClient) -> None:
    answer = control.get("/_mock/ui/secrets.txt")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "NotFound"


def test_reading_the_dashboard_leaves_the_journal_alone(control: TestClient) -> None:
    for path in ("/_mock/ui", "/_mock/ui/app.js", "/_mock/requests/summary", "/_mock/quota", "/_mock/replay"):
        assert control.get(path).status_code == 200
    assert summary(control)["rows"] == []


def test_the_serve_banner_names_the_dashboard() -> None:
    from mockserver.cli import banner

    assert "  dashboard:   http://127.0.0.1:8000/_mock/ui" in banner(load_settings(), 8000)


def test_tokens_are_the_usage_the_answer_reported(control: TestClient) -> None:
    plain = chat(control, "How many tokens?").json()
    streamed = control.post(
        chat_url(), json={"messages": CHAT, "stream": True, "stream_options": {"include_usage": True}}
    )
    usage_event = [e for e in streamed.text.split("\n\n") if '"usage":{' in e][-1]
    control.post(chat_url(), json={"messages": CHAT, "stream": True})  # no usage chunk asked for
    rows = summary(control)["rows"]
    assert rows[0]["tokens"] == plain["usage"]["total_tokens"]
    assert rows[1]["tokens"] == json.loads(usage_event.removeprefix("data: "))["usage"]["total_tokens"]
    assert rows[2]["tokens"] is None
