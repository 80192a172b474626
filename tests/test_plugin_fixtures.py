"""The fixtures a user gets on install: ``aoai_mock`` and ``aoai_server``, black-box through pytester."""

from __future__ import annotations

import pytest

from .plugin_support import assert_outcomes

pytestmark = pytest.mark.live

INPROCESS_CLIENTS = """
import importlib.util

import httpx
import openai
import pytest

# openai 3.x sends through httpx2, openai 1.x/2.x through httpx: cover whichever are installed
PACKAGES = [httpx] + ([__import__("httpx2")] if importlib.util.find_spec("httpx2") else [])

CHAT = [{"role": "user", "content": "Hello there"}]


def test_endpoint_is_a_fake_azure_host(aoai_mock):
    assert aoai_mock.endpoint == "https://aoai-mock.openai.azure.com"
    assert aoai_mock.mode == "inprocess"
    assert aoai_mock.api_version == "2024-10-21"


def test_sync_openai_client(aoai_mock):
    reply = aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.model == "gpt-4o-2024-08-06"
    assert reply.choices[0].message.content
    assert aoai_mock.requests.call_count == 1
    assert aoai_mock.requests.last.operation == "chat.completions"


def test_a_hand_built_client_reaches_the_mock(aoai_mock):
    client = openai.AzureOpenAI(azure_endpoint=aoai_mock.endpoint, api_key="any", api_version="2024-06-01")
    client.embeddings.create(model="text-embedding-3-small", input="hi")
    assert aoai_mock.requests.filter(operation="embeddings").call_count == 1


def test_openai_on_an_httpx_client(aoai_mock):
    # openai 3 also accepts an httpx (not httpx2) client: the httpx path of the interception
    client = aoai_mock.client(http_client=httpx.Client())
    client.chat.completions.create(model="gpt-4o-mini", messages=CHAT)
    assert aoai_mock.requests.last.deployment == "gpt-4o-mini"


def test_raw_httpx_and_httpx2(aoai_mock):
    url = f"{aoai_mock.endpoint}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
    body = {"messages": CHAT}
    for package in PACKAGES:
        response = package.post(url, json=body, headers={"api-key": "k"})
        assert response.status_code == 200
        assert response.headers["apim-request-id"]
    assert aoai_mock.requests.call_count == len(PACKAGES)


def test_streaming_content_in_process(aoai_mock):
    stream = aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text


@pytest.mark.anyio
async def test_async_openai_client(aoai_mock):
    client = aoai_mock.async_client()
    reply = await client.chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.choices[0].message.content
    stream = await client.chat.completions.create(model="gpt-4o", messages=CHAT, stream=True)
    chunks = [c async for c in stream]
    assert chunks
    assert aoai_mock.requests.call_count == 2


@pytest.mark.anyio
async def test_async_raw_httpx_and_httpx2(aoai_mock):
    url = f"{aoai_mock.endpoint}/openai/models?api-version=2024-10-21"
    for package in PACKAGES:
        async with package.AsyncClient() as client:
            response = await client.get(url, headers={"api-key": "k"})
        assert response.status_code == 200
    assert aoai_mock.requests.call_count == len(PACKAGES)


def test_sync_client_inside_a_running_loop(aoai_mock):
    import asyncio

    async def main():
        return aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)

    assert asyncio.run(main()).choices


def test_other_hosts_pass_through(aoai_mock):
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    with httpx.Client(transport=transport) as client:
        assert client.get("https://example.invalid/").status_code == 204
    assert not aoai_mock.requests.called


@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


def test_inprocess_clients_sync_and_async(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(INPROCESS_CLIENTS)
    assert_outcomes(pytester.runpytest(), passed=10)


ISOLATION = """
import pytest

CHAT = [{"role": "user", "content": "Hello"}]


@pytest.fixture(params=["aoai_mock", "aoai_server"])
def mock(request):
    return request.getfixturevalue(request.param)


def test_first_leaves_state_behind(mock):
    mock.fail(500, times=None)
    client = mock.client(max_retries=0)
    with pytest.raises(Exception):
        client.chat.completions.create(model="gpt-4o", messages=CHAT)
    assert mock.requests.call_count == 1


def test_second_starts_clean(mock):
    assert not mock.requests.called
    assert mock.faults.snapshot() == []
    client = mock.client(max_retries=0)
    assert client.chat.completions.create(model="gpt-4o", messages=CHAT).choices
    mock.requests.assert_called_once()


def test_reset_inside_a_test(mock):
    client = mock.client()
    client.chat.completions.create(model="gpt-4o", messages=CHAT)
    mock.fail(429, times=None)
    mock.reset()
    assert mock.requests.call_count == 0
    client.chat.completions.create(model="gpt-4o", messages=CHAT)
    assert mock.requests.last.status == 200
"""


def test_every_test_gets_fresh_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ISOLATION)
    assert_outcomes(pytester.runpytest(), passed=6)


SERVER = """
import os
import subprocess
import sys

import httpx

SCRIPT = '''
import openai
client = openai.AzureOpenAI()  # reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
print(client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).model)
'''


def test_a_subprocess_reaches_the_live_server(aoai_server):
    assert aoai_server.endpoint.startswith("http://127.0.0.1:")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env={**os.environ, **aoai_server.env()},
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "gpt-4o-2024-08-06", done.stderr
    assert aoai_server.requests.call_count == 1
    assert aoai_server.requests.last.operation == "chat.completions"


def test_same_server_for_the_session_fresh_app_per_test(aoai_server, aoai_live_server):
    assert aoai_server.endpoint == aoai_live_server.endpoint
    assert aoai_server.session.startswith("aoai-")
    assert not aoai_server.requests.called


def test_control_api_shows_this_test_only(aoai_server):
    aoai_server.client().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    journal = httpx.get(f"{aoai_server.endpoint}/_mock/requests").json()
    assert journal["count"] == 1


def test_env_context_manager(aoai_server):
    with aoai_server.env():
        assert os.environ["AZURE_OPENAI_ENDPOINT"] == aoai_server.endpoint
        assert os.environ["OPENAI_API_VERSION"] == "2024-10-21"
    assert os.environ.get("AZURE_OPENAI_ENDPOINT") != aoai_server.endpoint


def test_timing_faults_on_the_live_server(aoai_server):
    import openai
    import pytest

    aoai_server.fail(kind="stall", seconds=5)
    client = aoai_server.client(max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
"""


def test_live_server_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SERVER)
    assert_outcomes(pytester.runpytest(), passed=5)


FAULTS = """
import openai
import pytest

CHAT = [{"role": "user", "content": "Hello"}]


def test_fail_then_recover(aoai_mock):
    aoai_mock.fail(429, times=2, headers={"retry-after-ms": "1"})
    reply = aoai_mock.client(max_retries=2).chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.choices
    assert [e.status for e in aoai_mock.requests] == [429, 429, 200]
    assert aoai_mock.requests.filter(fault=True).call_count == 2


def test_fail_sequence_and_rule_ids(aoai_mock):
    rule = aoai_mock.fail_sequence([{"status": 503}, "pass", {"status": 400}], operation="chat.completions")
    client = aoai_mock.client(max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=CHAT)
    client.chat.completions.create(model="gpt-4o", messages=CHAT)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o", messages=CHAT)
    [snapshot] = aoai_mock.faults.snapshot()
    assert snapshot["id"] == rule and snapshot["applied"] == 2
    assert aoai_mock.faults.remove(rule)
    assert len(aoai_mock.faults) == 0


def test_faults_add_raw_rules(aoai_mock):
    ids = aoai_mock.faults.add([{"match": {"deployment": "gpt-4o-mini"}, "fault": {"status": 401}}])
    client = aoai_mock.client(max_retries=0)
    client.chat.completions.create(model="gpt-4o", messages=CHAT)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4o-mini", messages=CHAT)
    aoai_mock.faults.clear()
    client.chat.completions.create(model="gpt-4o-mini", messages=CHAT)
    assert len(ids) == 1


def test_connection_reset_in_process(aoai_mock):
    aoai_mock.fail(kind="reset")
    with pytest.raises(openai.APIConnectionError):
        aoai_mock.client(max_retries=0).chat.completions.create(model="gpt-4o", messages=CHAT)


def test_stream_cut_in_process(aoai_mock):
    import httpx

    aoai_mock.fail(kind="stream_cut", after_chunks=2)
    client = aoai_mock.client(max_retries=0)
    stream = client.chat.completions.create(model="gpt-4o", messages=CHAT, stream=True)
    seen = []
    # what a dropped socket gives: openai 3.x wraps httpx2's error, openai 2.x lets httpx's through
    with pytest.raises((openai.APIConnectionError, httpx.RemoteProtocolError)):
        for chunk in stream:
            seen.append(chunk)
    assert len(seen) == 2


def test_timing_faults_need_the_server(aoai_mock):
    from mockserver.testing import ServerOnlyFault

    with pytest.raises(ServerOnlyFault, match="aoai_server"):
        aoai_mock.fail(kind="stall", seconds=30)


def test_scenario_at_run_time(aoai_mock):
    aoai_mock.load_scenario("retry-429-then-ok")
    aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert [e.status for e in aoai_mock.requests] == [429, 429, 200]


def test_reply_and_deployments(aoai_mock):
    aoai_mock.reply("(?i)capital of france", "Paris.")
    reply = aoai_mock.client().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "The capital of France?"}])
    assert reply.choices[0].message.content == "Paris."
    assert aoai_mock.deployment("gpt-4o").model == "gpt-4o"
    assert "text-embedding-3-small" in {d.name for d in aoai_mock.deployments}
"""


def test_fault_api(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAULTS)
    assert_outcomes(pytester.runpytest(), passed=8)


SERVER_ERRORS = """
import pytest
import mockserver.endpoints


async def broken_handler(call, state):
    raise ZeroDivisionError("a bug inside the mock")


@pytest.fixture
def broken_embeddings(monkeypatch):
    monkeypatch.setitem(mockserver.endpoints.HANDLERS, "embeddings", broken_handler)


@pytest.mark.parametrize("fixture", ["aoai_mock", "aoai_server"])
def test_swallows_the_500(request, broken_embeddings, fixture):
    mock = request.getfixturevalue(fixture)
    try:
        mock.client(max_retries=0).embeddings.create(model="text-embedding-3-small", input="x")
    except Exception:
        pass


def test_unaffected(aoai_mock):
    aoai_mock.client().embeddings.create(model="text-embedding-3-small", input="x")
"""


def test_exceptions_inside_the_mock_fail_the_test_that_caused_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SERVER_ERRORS)
    result = pytester.runpytest()
    assert_outcomes(result, passed=3, errors=2)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_swallows_the_500*", "*ZeroDivisionError*"])
    result.stdout.fnmatch_lines(["*raised inside the aoai mock while it served this test*"])


RESPX = """
import httpx
import respx


@respx.mock
def test_respx_routes_and_the_mock_side_by_side(aoai_mock):
    route = respx.get("https://api.example.com/ping").mock(return_value=httpx.Response(200, json={"ok": 1}))
    with httpx.Client() as client:
        assert client.get("https://api.example.com/ping").json() == {"ok": 1}
        url = f"{aoai_mock.endpoint}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
        body = {"messages": [{"role": "user", "content": "x"}]}
        reply = client.post(url, json=body, headers={"api-key": "k"})
    assert reply.status_code == 200
    assert route.called
    assert aoai_mock.requests.call_count == 1
"""


def test_respx_users_keep_their_routes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(RESPX)
    assert_outcomes(pytester.runpytest(), passed=1)


CLIENT_FIXTURES = """
import pytest


def test_aoai_client(aoai_client, aoai_mock):
    aoai_client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert aoai_mock.requests.call_count == 1


@pytest.mark.anyio
async def test_aoai_async_client(aoai_async_client, aoai_mock):
    await aoai_async_client.embeddings.create(model="text-embedding-3-small", input="x")
    assert aoai_mock.requests.last.operation == "embeddings"


@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


def test_client_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CLIENT_FIXTURES)
    assert_outcomes(pytester.runpytest(), passed=2)
