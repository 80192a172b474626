"""Scripted faults driven through the official SDK against a live server.

Expected client behaviour comes from ../shared/reference/sdk-behaviour.md (openai-python §3.1 and
the test vectors in §5), compared with what the mock's journal saw.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import MockApp, create_app, load_settings
from mockserver.server import ServerThread

from .conftest import GA

pytestmark = pytest.mark.live
MESSAGES = [{"role": "user", "content": "hi"}]
sessions = (f"s{i}" for i in itertools.count())
OPEN_CLIENTS: list[openai.AzureOpenAI] = []


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(create_app(load_settings(seed=11, tokenizer="approx"))).start()
    yield thread
    thread.stop()


class Harness:
    """A session id on the shared server, an SDK client that sends it, and the journal view."""

    def __init__(self, server: ServerThread, **client_options: Any) -> None:
        self.app: MockApp = server.app
        self.session = next(sessions)
        self.endpoint = server.endpoint
        self.client = openai.AzureOpenAI(
            azure_endpoint=server.endpoint,
            api_key="k",
            api_version=GA,
            default_headers={"x-mock-session": self.session},
            **client_options,
        )
        OPEN_CLIENTS.append(self.client)

    def add(self, rule: dict[str, Any]) -> list[str]:
        rule.setdefault("match", {})["session"] = self.session
        return self.app.state.faults.add(rule)

    def chat(self, **kwargs: Any) -> Any:
        return self.client.chat.completions.create(model="gpt-4o", messages=MESSAGES, **kwargs)

    @property
    def attempts(self) -> list[Any]:
        return self.app.state.journal.filter(session=self.session)


@pytest.fixture
def harness(server: ServerThread) -> Harness:
    return Harness(server)


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    """Close every SDK client a test made, so no socket is left for the garbage collector."""
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def test_429_429_200_succeeds_after_three_attempts(harness: Harness) -> None:
    harness.add(
        {
            "sequence": [
                {"status": 429, "headers": {"retry-after-ms": "10"}},
                {"status": 429, "headers": {"retry-after-ms": "10"}},
                "pass",
            ]
        }
    )
    assert harness.chat().choices[0].message.content
    assert [e.status for e in harness.attempts] == [429, 429, 200]
    assert [e.headers["x-stainless-retry-count"] for e in harness.attempts] == ["0", "1", "2"]


def test_three_429s_raise_rate_limit_error_after_three_attempts(harness: Harness) -> None:
    harness.add({"fault": {"status": 429, "headers": {"retry-after-ms": "10"}}})
    with pytest.raises(openai.RateLimitError) as info:
        harness.chat()
    assert info.value.code == "429"
    assert "ChatCompletions_Create" in info.value.message and GA in info.value.message
    assert len(harness.attempts) == 3


def test_429_carries_azure_headers(harness: Harness) -> None:
    harness.add({"fault": {"status": 429, "variant": "requests", "retry_after": 4}, "times": 1})
    response = httpx.post(
        f"{harness.endpoint}/openai/deployments/gpt-4o/chat/completions?api-version={GA}",
        json={"messages": MESSAGES},
        headers={"api-key": "k", "x-mock-session": harness.session},
    )
    assert response.status_code == 429
    # 85 bytes, as the request-rate body quoted in azure-wire §3.5
    assert (
        response.content
        == b'{"error":{"code":"429","message": "Rate limit is exceeded. Try again in 4 seconds."}}'
    )
    assert response.headers["retry-after"] == "4"
    assert response.headers["policy-id"] == "DeploymentRatelimit-Call"
    assert response.headers["x-ratelimit-reset-requests"] == "4"
    assert "apim-request-id" in response.headers


@pytest.mark.parametrize("status", [400, 401])
def test_400_and_401_are_not_retried(harness: Harness, status: int) -> None:
    harness.add({"fault": {"status": status}})
    with pytest.raises(openai.APIStatusError) as info:
        harness.chat()
    assert info.value.status_code == status
    assert len(harness.attempts) == 1


def test_x_should_retry_false_on_503_stops_retries(harness: Harness) -> None:
    harness.add({"fault": {"status": 503, "headers": {"x-should-retry": "false"}}})
    with pytest.raises(openai.InternalServerError):
        harness.chat()
    assert len(harness.attempts) == 1


def test_retry_after_ms_200_makes_the_gap_at_least_200ms(harness: Harness) -> None:
    harness.add({"sequence": [{"status": 429, "headers": {"retry-after-ms": "200"}}, "pass"]})
    harness.chat()
    gaps = harness.app.state.journal.gaps(session=harness.session)
    assert len(gaps) == 1 and gaps[0] >= 0.2


def test_stall_longer_than_the_client_timeout_gives_a_timeout_and_a_retry(server: ServerThread) -> None:
    # the point is "a timeout, then a retry": the timeout leaves the good retry room on a loaded machine
    harness = Harness(server, timeout=1.5)
    harness.add({"fault": {"kind": "stall", "seconds": 30}, "times": 1})
    assert harness.chat().choices[0].message.content
    deadline = time.monotonic() + 10
    while len(harness.attempts) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    first, second = sorted(harness.attempts, key=lambda e: e.monotonic)
    assert first.status == 0 and "disconnected" in first.notes[0] and first.fault
    assert second.status == 200 and second.headers["x-stainless-retry-count"] == "1"


def test_stall_exhausting_retries_raises_a_timeout(server: ServerThread) -> None:
    harness = Harness(server, timeout=0.2, max_retries=1)
    harness.add({"fault": {"kind": "stall", "seconds": 30}})
    with pytest.raises(openai.APITimeoutError):
        harness.chat()


def test_stream_cut_mid_way_raises_in_the_client(server: ServerThread) -> None:
    harness = Harness(server, max_retries=0)
    harness.add({"fault": {"kind": "stream_cut", "after_chunks": 4}})
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in harness.chat(stream=True):
            received.append(chunk)
    assert 0 < len(received) <= 4


def test_clean_stream_end_without_done_just_ends(server: ServerThread) -> None:
    harness = Harness(server, max_retries=0)
    harness.add({"fault": {"kind": "stream_cut", "after_chunks": 4, "mode": "clean"}})
    assert len(list(harness.chat(stream=True))) == 4  # sdk-behaviour §3.1: no [DONE] just ends


def test_error_event_mid_stream_raises_api_error(server: ServerThread) -> None:
    harness = Harness(server, max_retries=0)
    harness.add({"fault": {"kind": "error_event", "after_chunks": 3}})
    with pytest.raises(openai.APIError) as info:
        list(harness.chat(stream=True))
    assert not isinstance(info.value, openai.APIStatusError)  # sdk-behaviour §3.1


def test_malformed_sse_event_breaks_the_parser(server: ServerThread) -> None:
    harness = Harness(server, max_retries=0)
    harness.add({"fault": {"kind": "malformed_sse", "after_chunks": 3}})
    with pytest.raises(ValueError, match="Unterminated string"):
        list(harness.chat(stream=True))


def test_connection_reset_is_a_connection_error_and_is_retried(server: ServerThread) -> None:
    harness = Harness(server, max_retries=1)
    harness.add({"fault": {"kind": "reset"}})
    with pytest.raises(openai.APIConnectionError):
        harness.chat()
    assert len(harness.attempts) == 2


def test_close_mid_body_is_a_connection_error(server: ServerThread) -> None:
    harness = Harness(server, max_retries=0)
    harness.add({"fault": {"kind": "close_mid_body", "after_bytes": 20}})
    with pytest.raises(openai.APIConnectionError):
        harness.chat()


def test_dribble_and_latency_delay_but_deliver(harness: Harness) -> None:
    harness.add(
        {
            "sequence": [
                {"kind": "dribble", "bytes": 64, "interval": 0.005},
                {"kind": "latency", "seconds": 0.15},
            ]
        }
    )
    started = time.monotonic()
    first = harness.chat().choices[0].message.content
    second = harness.chat().choices[0].message.content
    assert first == second
    assert time.monotonic() - started >= 0.15


def test_stream_timing_spaces_the_chunks(harness: Harness) -> None:
    harness.add({"fault": {"kind": "stream_timing", "first_token": 0.1, "between_chunks": 0.02}})
    started = time.monotonic()
    chunks = list(harness.chat(stream=True, max_tokens=5))
    assert len(chunks) == 8  # annotation, role, 5 content chunks, finish
    assert time.monotonic() - started >= 0.1 + 5 * 0.02


def test_rules_are_scoped_to_their_session(harness: Harness, server: ServerThread) -> None:
    harness.add({"fault": {"status": 500}})
    other = Harness(server)
    assert other.chat().choices[0].message.content
    unscoped = openai.AzureOpenAI(azure_endpoint=server.endpoint, api_key="k", api_version=GA)
    assert unscoped.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices


def test_first_two_fail_exactly_under_50_concurrent_requests(harness: Harness) -> None:
    harness.add({"fault": {"status": 500}, "times": 2})

    async def run() -> list[int]:
        client = openai.AsyncAzureOpenAI(
            azure_endpoint=harness.endpoint,
            api_key="k",
            api_version=GA,
            max_retries=0,
            default_headers={"x-mock-session": harness.session},
        )

        async def one() -> int:
            try:
                await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
                return 200
            except openai.APIStatusError as exc:
                return exc.status_code

        try:
            return await asyncio.gather(*(one() for _ in range(50)))
        finally:
            await client.close()

    results = asyncio.run(run())
    assert results.count(500) == 2 and results.count(200) == 48


def test_probability_is_seeded(server: ServerThread) -> None:
    def outcomes() -> list[int]:
        app = create_app(load_settings(seed=3))
        app.state.faults.add({"match": {}, "fault": {"status": 500}, "probability": 0.5})
        from starlette.testclient import TestClient

        client = TestClient(app, headers={"api-key": "k"})
        url = f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}"
        return [client.post(url, json={"messages": MESSAGES}).status_code for _ in range(20)]

    first = outcomes()
    assert first == outcomes()
    assert 0 < first.count(500) < 20


# --- the documented retry rule as a property -------------------------------------------------

RETRYABLE = {408, 409, 429} | set(range(500, 600))
STATUSES = [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504]


def predicted_attempts(sequence: list[Any], max_retries: int = 2) -> int:
    """openai-python's _should_retry (sdk-behaviour §3.1): XSR first, then 408/409/429/>=500."""
    for attempt, action in enumerate(sequence[: max_retries + 1], start=1):
        if action == "pass":
            return attempt
        flag = action.get("headers", {}).get("x-should-retry")
        retry = flag == "true" if flag is not None else action["status"] in RETRYABLE
        if not retry or attempt == max_retries + 1:
            return attempt
    return min(len(sequence) + 1, max_retries + 1)


action = st.one_of(
    st.just("pass"),
    st.builds(
        lambda status, flag: {
            "status": status,
            "headers": {"retry-after-ms": "1", **({"x-should-retry": flag} if flag else {})},
        },
        st.sampled_from(STATUSES),
        st.sampled_from([None, None, "true", "false"]),
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(action, min_size=1, max_size=4))
def test_journal_attempts_equal_the_sdk_retry_rule(server: ServerThread, sequence: list[Any]) -> None:
    harness = Harness(server)
    harness.add({"sequence": sequence})
    try:
        harness.chat()
    except openai.APIStatusError:
        pass
    assert len(harness.attempts) == predicted_attempts(sequence)


def test_error_event_can_use_an_sse_event_line(harness: Harness) -> None:
    harness.add(
        {
            "fault": {
                "kind": "error_event",
                "after_chunks": 2,
                "sse_event": True,
                "error": {"message": "overloaded", "type": "server_error"},
            }
        }
    )
    url = f"{harness.endpoint}/openai/deployments/gpt-4o/chat/completions?api-version={GA}"
    raw = httpx.post(
        url,
        json={"messages": MESSAGES, "stream": True},
        headers={"api-key": "k", "x-mock-session": harness.session},
    ).text
    events = raw.split("\n\n")
    assert events[2] == 'event: error\ndata: {"message":"overloaded","type":"server_error"}'
    assert "[DONE]" not in raw
