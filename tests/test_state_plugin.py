"""The pytest plugin on a shared state: ``--aoai-state redis://...`` with ``--aoai-mode server``."""

from __future__ import annotations

import pytest

from .plugin_support import assert_outcomes, header_line
from .redis_support import RedisServer

pytestmark = pytest.mark.live

SHARED = """
import httpx

def test_shared(aoai_mock):
    assert aoai_mock.state.stores.backend == "redis"
    aoai_mock.faults.add({"match": {}, "fault": {"status": 500}, "times": 1})
    client = aoai_mock.client(max_retries=0)
    chat = client.chat.completions
    try:
        chat.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    except Exception as exc:
        print("FIRST", type(exc).__name__)
    reply = chat.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert reply.choices
    print("JOURNAL", [e.status for e in aoai_mock.requests])
"""


def test_the_plugin_serves_its_mocks_on_redis(pytester: pytest.Pytester, redis_server: RedisServer) -> None:
    pytester.makepyfile(SHARED)
    result = pytester.runpytest("-s", "--aoai-mode", "server", "--aoai-state", redis_server.url)
    assert_outcomes(result, passed=1)
    result.stdout.fnmatch_lines(["*FIRST InternalServerError*", "*JOURNAL ?500, 200?*"])
    assert f"state={redis_server.url}" in header_line(result)


def test_a_shared_state_in_process_is_a_usage_error(pytester: pytest.Pytester, redis_server: RedisServer) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--aoai-state", redis_server.url)
    result.stderr.fnmatch_lines(["ERROR: --aoai-state * needs --aoai-mode server*"])
