"""The same behaviour on both state backends (``mockserver.stores``): memory and a real Redis.

Each test runs against a served mock (``ServerThread``) on the memory backend and on Redis (its own
namespace on the session's redis-server): fault counters and sequences, seeded probabilities,
sessions, rate windows, the journal, reset, files, batches and expiry on the mock clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from mockserver import create_app
from mockserver.errors import STATE_HEADER
from mockserver.server import ServerThread

from .conftest import KEY
from .redis_support import RedisServer, namespace
from .state_helpers import (
    SMALL,
    VERSION,
    add_fault,
    chat,
    create_batch,
    file_content,
    journal,
    settings_for,
    upload,
)


def serve(state: str, ns: str, seed: int = 5) -> ServerThread:
    return ServerThread(create_app(settings_for(state, ns, seed))).start()


@pytest.fixture(params=["memory", "redis"])
def http(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    state = "memory" if request.param == "memory" else request.getfixturevalue("redis_server").url
    server = serve(state, namespace())
    with httpx.Client(base_url=server.endpoint, timeout=20) as client:
        yield client
    server.stop()


def test_first_two_fail_exactly_under_20_concurrent_requests(http: httpx.Client) -> None:
    add_fault(http, {"match": {"deployment": "gpt-4o"}, "fault": {"status": 500}, "times": 2})
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: chat(http), range(20)))
    assert statuses.count(500) == 2 and statuses.count(200) == 18
    assert [rule["hits"] for rule in http.get("/_mock/faults").json()["faults"]] == [20]


def test_a_sequence_is_followed_in_order_then_passes(http: httpx.Client) -> None:
    add_fault(http, {"match": {}, "sequence": [{"status": 429}, "pass", {"status": 503}]})
    assert [chat(http) for _ in range(5)] == [429, 200, 503, 200, 200]


def test_a_new_rule_wins_over_a_validation_error_as_it_would_in_memory(http: httpx.Client) -> None:
    assert chat(http) == 200  # the instance has read the rules once (none)
    add_fault(http, {"match": {"deployment": "gpt-4o"}, "fault": {"status": 500}, "times": 1})
    bad = {"messages": "not a list"}
    url = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
    assert http.post(url, json=bad, headers={"api-key": KEY}).status_code == 500  # the fault, not the 400
    assert http.post(url, json=bad, headers={"api-key": KEY}).status_code == 400
    assert [r["hits"] for r in http.get("/_mock/faults").json()["faults"]] == [2]


def test_rules_stay_in_their_session(http: httpx.Client) -> None:
    add_fault(http, {"match": {"session": "a"}, "fault": {"status": 500}})
    assert [chat(http, session="a"), chat(http, session="b"), chat(http)] == [500, 200, 200]
    assert [e["status"] for e in journal(http, session="a")] == [500]


def test_rpm_60_admits_its_window_of_10(http: httpx.Client) -> None:
    statuses = [chat(http, SMALL) for _ in range(14)]
    assert statuses == [200] * 10 + [429] * 4
    quota = {d["name"]: d for d in http.get("/_mock/quota").json()["deployments"]}[SMALL]
    assert quota["window"]["requests"] == 10 and quota["window"]["request_cap"] == 10


def test_the_journal_lists_every_request_once_in_order(http: httpx.Client) -> None:
    texts = [f"prompt {n}" for n in range(6)]
    for text in texts:
        chat(http, text=text)
    entries = journal(http)
    assert [e["body"]["messages"][0]["content"] for e in entries] == texts
    seqs = [e["seq"] for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + 6))
    assert entries[0]["response"]["object"] == "chat.completion"
    one = http.get(f"/_mock/requests/{seqs[2]}").json()
    assert one["request_id"] == entries[2]["request_id"]
    summary = http.get("/_mock/requests/summary", params={"after": seqs[3]}).json()
    assert [row["seq"] for row in summary["rows"]] == seqs[4:]


def test_reset_empties_the_journal_rules_windows_and_files(http: httpx.Client) -> None:
    add_fault(http, {"match": {"deployment": "gpt-4o-mini"}, "fault": {"status": 500}})
    file_id = upload(http, b'{"a": 1}\n')["id"]
    for _ in range(10):
        chat(http, SMALL)
    assert chat(http, SMALL) == 429
    assert http.post("/_mock/reset").status_code == 200
    assert journal(http) == [] and http.get("/_mock/faults").json()["faults"] == []
    assert chat(http, SMALL) == 200 and chat(http, "gpt-4o-mini") == 200
    gone = http.get(f"/openai/files/{file_id}?api-version={VERSION}", headers={"api-key": KEY})
    assert gone.status_code == 404


def test_files_are_stored_listed_read_and_deleted(http: httpx.Client) -> None:
    content = b"".join(b'{"n": %d, "pad": "%s"}\n' % (n, b"x" * 200) for n in range(2000))  # ~0.4 MB
    created = upload(http, content)
    assert created["bytes"] == len(content)
    assert file_content(http, created["id"]) == content
    listed = http.get(f"/openai/files?api-version={VERSION}", headers={"api-key": KEY}).json()["data"]
    assert [f["id"] for f in listed] == [created["id"]]
    deleted = http.delete(f"/openai/files/{created['id']}?api-version={VERSION}", headers={"api-key": KEY})
    assert deleted.json()["deleted"] is True
    again = http.get(f"/openai/files/{created['id']}?api-version={VERSION}", headers={"api-key": KEY})
    assert again.status_code == 404


def test_a_file_expires_on_the_mock_clock(http: httpx.Client) -> None:
    form = {"expires_after[seconds]": "1209600", "expires_after[anchor]": "created_at"}
    file_id = upload(http, b'{"a": 1}\n', **form)["id"]
    url = f"/openai/files/{file_id}?api-version={VERSION}"
    assert http.get(url, headers={"api-key": KEY}).status_code == 200
    assert http.post("/_mock/clock/advance", json={"seconds": 1_209_601}).status_code == 200
    assert http.get(url, headers={"api-key": KEY}).status_code == 404


def test_a_batch_runs_every_line_once(http: httpx.Client) -> None:
    batch = create_batch(http, 30)
    done = http.post("/_mock/batches/complete", json={"batch_id": batch["id"]})
    assert done.status_code == 200, done.text
    record = http.get(f"/openai/batches/{batch['id']}?api-version={VERSION}", headers={"api-key": KEY}).json()
    assert record["status"] == "completed", record
    assert record["request_counts"] == {"total": 30, "completed": 30, "failed": 0}
    lines = file_content(http, record["output_file_id"]).splitlines()
    assert sorted(json.loads(line)["custom_id"] for line in lines) == sorted(f"r{n}" for n in range(30))


def test_probability_rules_decide_the_same_on_both_backends(redis_server: RedisServer) -> None:
    def outcomes(state: str) -> list[int]:
        server = serve(state, namespace(), seed=11)
        try:
            with httpx.Client(base_url=server.endpoint, timeout=20) as http:
                add_fault(http, {"match": {}, "fault": {"status": 500}, "probability": 0.5})
                return [chat(http) for _ in range(24)]
        finally:
            server.stop()

    memory = outcomes("memory")
    assert 0 < memory.count(500) < 24
    assert outcomes(redis_server.url) == memory == outcomes("memory")


def test_redis_gone_gives_503_naming_it_then_service_resumes() -> None:
    from .redis_support import NO_REDIS, binary

    if binary() is None:
        pytest.skip(NO_REDIS)
    own = RedisServer().start()  # a Redis of its own: this test takes it away
    server = serve(own.url, namespace())
    try:
        with httpx.Client(base_url=server.endpoint, timeout=20) as http:
            assert chat(http) == 200
            own.kill()
            response = http.post(
                "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                json={"messages": [{"role": "user", "content": "hi"}]},
                headers={"api-key": KEY},
            )
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "503"
            assert "redis" in response.headers[STATE_HEADER]
            control = http.get("/_mock/requests")
            assert control.status_code == 503 and STATE_HEADER in control.headers
            own.start()
            assert chat(http) == 200
            assert [e["status"] for e in journal(http)] == [200]  # the new Redis: only what came after
    finally:
        server.stop()
        own.stop()


def test_a_redis_that_stops_answering_gives_503_within_the_timeout_then_resumes() -> None:
    from .redis_support import NO_REDIS, binary

    if binary() is None:
        pytest.skip(NO_REDIS)
    own = RedisServer().start()
    server = serve(own.url, namespace())
    try:
        with httpx.Client(base_url=server.endpoint, timeout=30) as http:
            assert chat(http) == 200
            own.pause()  # SIGSTOP: connections stay open, nothing answers
            try:
                response = http.post(
                    "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                    json={"messages": [{"role": "user", "content": "hi"}]},
                    headers={"api-key": KEY},
                )
            finally:
                own.resume()
            assert response.status_code == 503  # the link's timeout (3 s), well inside the client's 30 s
            assert "TimeoutError" in response.headers[STATE_HEADER]
            assert chat(http) == 200
    finally:
        server.stop()
        own.stop()


RESPONSES = f"/openai/responses?api-version={VERSION}"


def stored(http: httpx.Client, response_id: str, tail: str = "") -> httpx.Response:
    return http.get(f"/openai/responses/{response_id}{tail}?api-version={VERSION}", headers={"api-key": KEY})


def last_response(stream: bytes) -> dict[str, Any]:
    """The response a stream's last event carries (``response.completed`` or ``.incomplete``)."""
    event = stream.rstrip(b"\n").rsplit(b"\n\n", 1)[-1].split(b"\ndata: ", 1)[1]
    value: dict[str, Any] = json.loads(event)["response"]
    return value


def test_a_response_created_on_one_instance_is_read_chained_and_deleted_on_another(
    redis_server: RedisServer,
) -> None:
    """Two instances on one Redis namespace: what one creates (the same create four times, so that
    the fast path's remembered answer is stored too; JSON and streamed), the other serves, continues
    (its input tokens count the stored turn) and deletes, and the first then no longer finds."""
    ns = namespace()
    one, two = serve(redis_server.url, ns), serve(redis_server.url, ns)
    headers = {"api-key": KEY}
    try:
        with (
            httpx.Client(base_url=one.endpoint, timeout=20) as a,
            httpx.Client(base_url=two.endpoint, timeout=20) as b,
        ):
            body = {"model": "gpt-4o-mini", "input": "Tell me about Oslo", "max_output_tokens": 40}
            answers = [a.post(RESPONSES, json=body, headers=headers).json() for _ in range(4)]
            streams = [a.post(RESPONSES, json={**body, "stream": True}, headers=headers) for _ in range(4)]
            answers += [last_response(s.content) for s in streams]
            assert len({answer["id"] for answer in answers}) == 8
            for answer in answers:
                assert stored(b, answer["id"]).json() == answer
                items = stored(b, answer["id"], "/input_items").json()["data"]
                assert [item["content"] for item in items] == [
                    [{"type": "input_text", "text": "Tell me about Oslo"}]
                ]
            first = answers[-1]["id"]
            turn = {"model": "gpt-4o-mini", "input": "And Bergen?"}
            chained = b.post(RESPONSES, json={**turn, "previous_response_id": first}, headers=headers).json()
            alone = b.post(RESPONSES, json=turn, headers=headers).json()
            assert chained["previous_response_id"] == first
            assert chained["usage"]["input_tokens"] > alone["usage"]["input_tokens"]
            assert b.delete(f"/openai/responses/{first}?api-version={VERSION}", headers=headers).json()[
                "deleted"
            ]
            assert stored(a, first).status_code == 404
            again = a.post(RESPONSES, json={**turn, "previous_response_id": first}, headers=headers)
            assert again.json()["error"]["code"] == "previous_response_not_found"
            assert stored(a, chained["id"]).json() == chained  # the chained turn, made on two, on one
    finally:
        one.stop()
        two.stop()
