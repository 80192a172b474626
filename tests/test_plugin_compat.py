"""The plugin with pytest-xdist and with Hypothesis (fresh state per example, no health-check trip)."""

from __future__ import annotations

import pytest

from .plugin_support import assert_outcomes

pytestmark = pytest.mark.live

XDIST = """
import os

import pytest

CHAT = [{"role": "user", "content": "Hello"}]


@pytest.mark.parametrize("n", range(6))
def test_inprocess(aoai_mock, n):
    aoai_mock.fail(500, times=1)
    aoai_mock.client(max_retries=1).chat.completions.create(model="gpt-4o", messages=CHAT)
    assert [e.status for e in aoai_mock.requests] == [500, 200]


@pytest.mark.parametrize("n", range(6))
def test_live(aoai_server, n):
    aoai_server.client().embeddings.create(model="text-embedding-3-small", input=str(n))
    assert aoai_server.requests.call_count == 1
    print("WORKER", os.environ.get("PYTEST_XDIST_WORKER"), aoai_server.endpoint)
"""


def test_xdist_two_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(XDIST)
    result = pytester.runpytest_subprocess("-n", "2", "-rA")
    assert_outcomes(result, passed=12)
    servers = {line.split()[-1] for line in result.outlines if line.startswith("WORKER gw")}
    assert len(servers) == 2  # one session server per worker


HYPOTHESIS = """
import openai
import pytest
from hypothesis import given, settings, strategies as st

CHAT = [{"role": "user", "content": "Hello"}]


@settings(max_examples=25, deadline=None)
@given(failures=st.integers(min_value=0, max_value=3))
def test_fresh_state_per_example(aoai_mock, failures):
    assert not aoai_mock.requests.called  # nothing left from the previous example
    aoai_mock.fail(503, times=failures)
    client = aoai_mock.client(max_retries=0)
    for _ in range(failures):
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="gpt-4o", messages=CHAT)
    client.chat.completions.create(model="gpt-4o", messages=CHAT)
    assert aoai_mock.requests.call_count == failures + 1


@pytest.mark.aoai(faults={"match": {}, "fault": {"status": 500}, "times": 1})
@settings(max_examples=10, deadline=None)
@given(text=st.text(alphabet="abc ", min_size=1, max_size=10))
def test_marker_faults_come_back_for_each_example(aoai_server, text):
    client = aoai_server.client(max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])


@settings(max_examples=5)
@given(st.integers())
def test_other_function_scoped_fixtures_still_trip_the_check(aoai_mock, tmp_path, n):
    pass


@pytest.mark.anyio
@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2))
async def test_async_examples(aoai_mock, failures):
    aoai_mock.fail(500, times=failures)
    client = aoai_mock.async_client(max_retries=0)
    for _ in range(failures):
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(model="gpt-4o", messages=CHAT)
    await client.chat.completions.create(model="gpt-4o", messages=CHAT)
    assert aoai_mock.requests.call_count == failures + 1


@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


def test_hypothesis_examples_get_fresh_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HYPOTHESIS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert_outcomes(result, passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_other_function_scoped_fixtures_still_trip_the_check*uses a "
            "function-scoped fixture 'tmp_path'*"
        ]
    )
    assert "'aoai_mock'" not in result.stdout.str()


STRATEGIES = """
import openai
from hypothesis import given, settings

from mockserver.strategies import chat_requests, embedding_requests, fault_rules, invalid_chat_requests


@settings(max_examples=40, deadline=None)
@given(body=chat_requests())
def test_valid_requests_succeed(aoai_mock, body):
    reply = aoai_mock.client().chat.completions.create(**body)
    assert len(reply.choices) == body.get("n", 1)
    assert reply.usage.prompt_tokens > 0


@settings(max_examples=60, deadline=None)
@given(case=invalid_chat_requests())
def test_invalid_requests_name_the_param(aoai_mock, case):
    try:
        aoai_mock.client(max_retries=0).chat.completions.create(**case.body)
    except openai.BadRequestError as error:
        assert error.param == case.param
    else:
        raise AssertionError(f"accepted {case}")


@settings(max_examples=20, deadline=None)
@given(body=embedding_requests())
def test_embeddings(aoai_mock, body):
    reply = aoai_mock.client().embeddings.create(**body)
    assert len(reply.data) == (1 if isinstance(body["input"], str) else len(body["input"]))


@settings(max_examples=40, deadline=None)
@given(rule=fault_rules())
def test_every_request_of_a_fault_script_is_journaled(aoai_mock, rule):
    aoai_mock.faults.add(rule)
    client = aoai_mock.client(max_retries=0)
    statuses = []
    for _ in range(3):
        try:
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
            statuses.append(200)
        except openai.APIStatusError as error:
            statuses.append(error.status_code)
        except Exception:  # dropped connections, and bodies a transport fault broke
            statuses.append(None)
    journaled = [e.status for e in aoai_mock.requests]
    assert len(journaled) == 3
    assert all(s is None or s == j for s, j in zip(statuses, journaled))
"""


def test_strategies_for_property_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(STRATEGIES)
    assert_outcomes(pytester.runpytest_subprocess("-p", "no:cacheprovider"), passed=4)
