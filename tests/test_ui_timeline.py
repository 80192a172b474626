"""Retry chains: which requests were attempts of one client request, the gaps between them and the
retry-after each answer sent (mockserver.ui.timeline), and their text form in a test report."""

from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any

import pytest

from mockserver.journal import JournalEntry
from mockserver.ui.timeline import attempts, grouped, retry_after, text_timeline

PATH = "/openai/deployments/gpt-4o/chat/completions"
BODY = {"messages": [{"role": "user", "content": "Hello"}]}


def entry(
    at: float,
    status: int,
    *,
    seq: int = 0,
    duration: float = 0.01,
    body: Any = BODY,
    headers: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
    session: str | None = None,
    path: str = PATH,
) -> JournalEntry:
    return JournalEntry(
        time=1_750_000_000.0,
        monotonic=at,
        method="POST",
        path=path,
        query={},
        operation="chat.completions",
        deployment="gpt-4o",
        session=session,
        headers=headers or {},
        body=body,
        status=status,
        seq=seq,
        duration=duration,
        response_headers=sent or {},
    )


def chains_of(entries: list[JournalEntry]) -> list[list[int]]:
    """Each chain as the positions of its attempts."""
    return [[a.position for a in chain] for chain in grouped(attempts(entries))]


def test_stainless_retry_counts_chain_attempts_and_zero_starts_a_new_chain() -> None:
    count = lambda n: {"x-stainless-retry-count": str(n)}  # noqa: E731
    entries = [
        entry(0.0, 429, headers=count(0)),
        entry(0.1, 429, headers=count(1)),
        entry(0.2, 200, headers=count(2)),
        entry(0.3, 500, headers=count(0)),
        entry(0.4, 200, headers=count(0)),
    ]
    assert chains_of(entries) == [[0, 1, 2], [3], [4]]  # the last one gave up on retrying #3


def test_azure_client_request_ids_chain_attempts_whatever_came_between() -> None:
    ids = lambda x: {"x-ms-client-request-id": x}  # noqa: E731
    entries = [
        entry(0.0, 503, headers=ids("a")),
        entry(0.05, 200, headers=ids("b"), body={"other": 1}),
        entry(0.2, 503, headers=ids("a")),
        entry(0.6, 200, headers=ids("a")),
    ]
    assert chains_of(entries) == [[0, 2, 3], [1]]


def test_a_bare_client_retries_the_same_request_after_a_failure_only() -> None:
    entries = [
        entry(0.0, 429),
        entry(0.1, 200),
        entry(0.2, 200),  # a retry, then the same request again
        entry(0.3, 0),
        entry(0.4, 200, body={"messages": []}),  # a different body is not a retry
        entry(0.5, 200),
    ]  # status 0: no answer was sent, then the same body: a retry
    assert chains_of(entries) == [[0, 1], [2], [3, 5], [4]]


def test_sessions_and_paths_keep_chains_apart() -> None:
    entries = [
        entry(0.0, 429, session="a"),
        entry(0.1, 200, session="b"),
        entry(0.2, 200, session="a", path="/openai/v1/chat/completions"),
        entry(0.3, 200, session="a"),
    ]
    assert chains_of(entries) == [[0, 3], [1], [2]]


def test_gap_wait_and_the_retry_after_told() -> None:
    entries = [
        entry(10.0, 429, duration=0.02, sent={"retry-after-ms": "50"}),
        entry(10.1, 429, duration=0.01, sent={"retry-after": "1"}),
        entry(10.4, 200),
    ]
    first, second, third = attempts(entries)
    assert (first.number, first.offset, first.gap, first.told) == (1, 0.0, None, None)
    assert first.retry_after == 0.05
    assert second.number == 2 and second.gap == pytest.approx(0.1) and second.wait == pytest.approx(0.08)
    assert second.told == pytest.approx(0.05) and not second.early
    assert third.offset == pytest.approx(0.4) and third.wait == pytest.approx(0.29)
    assert third.told == 1.0 and third.early  # told to wait a second, came back after 0.29 s


@pytest.mark.parametrize(
    ("sent", "seconds"),
    [
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the ms header wins, as the SDKs read it
        ({"x-ms-retry-after-ms": "40"}, 0.04),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_as_clients_read_it(sent: dict[str, str], seconds: float | None) -> None:
    assert retry_after(entry(0.0, 429, sent=sent)) == seconds


def test_an_http_date_retry_after_counts_from_when_the_answer_was_sent() -> None:
    date = formatdate(time.time() + 30, usegmt=True)
    answered = entry(time.monotonic(), 429, duration=0.0, sent={"retry-after": date})
    assert 28 <= retry_after(answered) <= 31  # an HTTP-date has whole seconds


def test_text_timeline_one_line_per_attempt_with_gaps_against_the_retry_after() -> None:
    entries = [
        entry(1.0, 429, duration=0.01, sent={"retry-after-ms": "50"}),
        entry(1.07, 429, duration=0.01, sent={"retry-after-ms": "50"}),
        entry(1.09, 200),
        entry(2.0, 200, body={"other": True}),
    ]
    entries[0].fault = "fault-1: {'status': 429}"
    assert text_timeline(entries) == [
        "retry timeline (+time since the first attempt; gap: since the previous attempt arrived; "
        "waited: since its answer ended, vs the retry-after that answer sent):",
        f"POST {PATH}: 3 attempt(s), requests #1, #2, #3",
        "  attempt 1  +0.000s  429  [fault-1]  sent retry-after 0.050s",
        "  attempt 2  +0.070s  429  gap 0.070s  waited 0.060s vs retry-after 0.050s  sent retry-after 0.050s",
        "  attempt 3  +0.090s  200  gap 0.020s  waited 0.010s vs retry-after 0.050s (EARLY)",
    ]


def test_text_timeline_is_empty_when_every_request_succeeded_at_once() -> None:
    assert text_timeline([entry(0.0, 200), entry(0.1, 200, body={"x": 1})]) == []


def test_text_timeline_shows_a_failure_that_was_not_retried() -> None:
    lines = text_timeline([entry(0.0, 503, session="s1")])
    assert lines[1:] == [f"POST {PATH} (session s1): 1 attempt(s), requests #1", "  attempt 1  +0.000s  503"]


def test_entries_read_back_from_the_control_api_keep_what_the_timeline_needs() -> None:
    """A live or external mock's journal reaches the report through GET /_mock/requests (from_dict)."""
    from starlette.testclient import TestClient

    from mockserver import create_app, load_settings
    from mockserver.journal import JournalEntry

    client = TestClient(create_app(load_settings(seed=1, tokenizer="approx")), headers={"api-key": "k"})
    client.post("/_mock/scenarios", json={"name": "retry-429-then-ok"})
    for count in range(3):
        headers = {"x-stainless-retry-count": str(count)}
        client.post(f"{PATH}?api-version=2024-10-21", json=BODY, headers=headers)
    listed = [JournalEntry.from_dict(e) for e in client.get("/_mock/requests").json()["requests"]]
    assert [e.seq for e in listed] == [1, 2, 3]
    assert listed[0].response_headers["retry-after-ms"] == "50" and listed[0].duration > 0
    assert [(a.number, a.told) for a in attempts(listed)] == [(1, None), (2, 0.05), (3, 0.05)]
