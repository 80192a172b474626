"""A failing test's report carries the mock's last requests and responses."""

from __future__ import annotations

import pytest

from .plugin_support import assert_outcomes, section

pytestmark = pytest.mark.live

FAILING = """
import openai
import pytest


def test_wrong_expectation(aoai_mock):
    aoai_mock.fail(429, times=1, headers={"retry-after-ms": "1"})
    client = aoai_mock.client()
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Tell me a joke"}])
    client.embeddings.create(model="text-embedding-3-small", input="vectors please")
    assert aoai_mock.requests.call_count == 2  # it is 3: the 429 was retried


def test_passing(aoai_mock):
    aoai_mock.client().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])


def test_nothing_reached_the_mock(aoai_mock):
    assert aoai_mock.requests.called


def test_many_requests(aoai_server):
    client = aoai_server.client()
    for i in range(12):
        client.embeddings.create(model="text-embedding-3-small", input=f"item {i}")
    assert False
"""


def test_failing_tests_get_a_journal_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILING)
    result = pytester.runpytest()
    assert_outcomes(result, passed=1, failed=3)
    text = "\n".join(result.outlines)
    assert text.count("aoai-mockserver journal") == 3  # not for the passing test

    first = section(result)
    assert first.splitlines()[0] == "3 request(s) to https://aoai-mock.openai.azure.com (inprocess):"
    chat = "POST /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
    assert f"#1 {chat} -> 429  [fault fault-1:" in first
    assert f"#2 {chat} -> 200" in first
    embeddings = "POST /openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21"
    assert f"#3 {embeddings} -> 200" in first
    assert '"content": "Tell me a joke"' in first
    assert '"input": "vectors please"' in first
    assert "Requests to the ChatCompletions_Create Operation" in first  # the 429 body, excerpted
    assert '{"choices": [{' in first  # the chat completion, excerpted
    timeline = first.split("\n\n", 1)[1].splitlines()  # after the requests: the retry timeline
    assert timeline[0].startswith("retry timeline (+time since the first attempt; gap: ")
    assert timeline[1] == "POST /openai/deployments/gpt-4o/chat/completions: 2 attempt(s), requests #1, #2"
    assert timeline[2].startswith("  attempt 1  +0.000s  429  [fault-1]  sent retry-after 0.001s")
    assert timeline[3].startswith("  attempt 2  +")
    assert "  200  gap " in timeline[3] and " vs retry-after 0.001s" in timeline[3]
    assert len(timeline) == 4  # the embeddings call succeeded at once: not a chain worth showing

    assert "no request reached the mock (https://aoai-mock.openai.azure.com)" in text
    assert "use aoai_server for subprocesses and other HTTP libraries" in text

    assert "12 request(s) to http://127.0.0.1:" in text
    assert ", the last 10:" in text
    assert "#3 POST /openai/deployments/text-embedding-3-small/embeddings" in text
    assert '"input": "item 11"' in text


def test_passing_runs_have_no_section(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(FAILING)
    result = pytester.runpytest(f"{path.name}::test_passing")
    assert_outcomes(result, passed=1)
    assert "aoai-mockserver journal" not in result.stdout.str()
