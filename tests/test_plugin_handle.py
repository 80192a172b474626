"""``MockAzure`` outside pytest's fixtures: the handle the plugin builds, used directly."""

from __future__ import annotations

import asyncio
import gc
import os
import threading

import httpx
import openai
import pytest

from mockserver import load_settings
from mockserver.journal import JournalEntry
from mockserver.testing import MockAzure, RequestLog, ServerOnlyFault
from mockserver.testing.live import SessionRouter

from . import plugin_support  # noqa: F401  (keeps one copy of the HTTP stacks for pytester runs)

CHAT = [{"role": "user", "content": "Hello there"}]


def test_inprocess_handle_restores_the_transports() -> None:
    original = httpx.HTTPTransport.handle_request
    with MockAzure.inprocess(seed=3) as mock:
        assert httpx.HTTPTransport.handle_request is not original
        reply = mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
        assert reply.choices[0].message.content
        assert mock.state.settings.seed == 3
    assert httpx.HTTPTransport.handle_request is original


def test_the_same_request_gets_the_same_reply() -> None:
    def ask() -> str:
        with MockAzure.inprocess(seed=5) as mock:
            reply = mock.client().chat.completions.create(model="gpt-4o", messages=CHAT, seed=1)
            return str(reply.choices[0].message.content)

    assert ask() == ask()


def test_live_handle_and_its_env() -> None:
    with MockAzure.live(api_version="2024-06-01") as mock:
        env = mock.env()
        assert env == {
            "AZURE_OPENAI_ENDPOINT": mock.endpoint,
            "AZURE_OPENAI_API_KEY": mock.api_key,
            "OPENAI_API_VERSION": "2024-06-01",
        }
        with env:
            assert os.environ["AZURE_OPENAI_ENDPOINT"] == mock.endpoint
            with openai.AzureOpenAI(default_headers=mock.headers) as client:
                reply = client.chat.completions.create(model="gpt-4o", messages=CHAT)
        assert os.environ.get("AZURE_OPENAI_ENDPOINT") != mock.endpoint
        assert reply.model == "gpt-4o-2024-08-06"
        assert mock.requests.last.query == {"api-version": "2024-06-01"}
        assert mock.session
        assert mock.headers == {"x-mock-session": mock.session}


def test_fresh_blocks_and_server_errors() -> None:
    with MockAzure.inprocess(faults={"match": {}, "fault": {"status": 500}, "times": 1}) as mock:
        client = mock.client(max_retries=0)
        for _ in range(2):
            with mock.fresh():
                with pytest.raises(openai.InternalServerError):
                    client.chat.completions.create(model="gpt-4o", messages=CHAT)
                assert mock.requests.call_count == 1
        mock.state.errors.append(KeyError("inside the mock"))
        with pytest.raises(KeyError) as caught:
            mock.check()
        assert "raised inside the aoai mock" in caught.value.__notes__[0]
        mock.check()  # raised once, then forgotten


def test_several_server_errors_come_as_a_group() -> None:
    mock = MockAzure.inprocess()
    mock.state.errors.extend([KeyError("a"), ValueError("b")])
    with pytest.raises(ExceptionGroup) as caught:
        mock.check()
    assert len(caught.value.exceptions) == 2
    mock.close()


def test_timing_faults_are_refused_in_process() -> None:
    with MockAzure.inprocess() as mock:
        for kind in ("latency", "stall", "dribble", "stream_timing"):
            with pytest.raises(ServerOnlyFault, match=f"fault kind '{kind}' needs a real socket"):
                mock.faults.add({"match": {}, "sequence": ["pass", {"kind": kind}]})
        with pytest.raises(TypeError, match="exactly one of status"):
            mock.fail()
    with pytest.raises(ServerOnlyFault):
        MockAzure.inprocess(scenario="timeout-once")


def test_fault_rule_validation_lists_valid_values() -> None:
    with MockAzure.inprocess() as mock, pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        mock.fail(kind="explode")


def test_request_log_is_a_live_filtered_view() -> None:
    entries: list[JournalEntry] = []
    log = RequestLog(lambda: entries)
    chat = log.filter(operation="chat.completions")
    assert not chat.called
    assert chat.last is None
    chat.assert_not_called()
    entries.append(JournalEntry(1.0, 1.0, "POST", "/x", {}, "chat.completions", "d", None, {}, None, 200))
    entries.append(JournalEntry(2.0, 1.5, "POST", "/y", {}, "embeddings", "e", None, {}, None, 429, "f-1"))
    assert chat.call_count == 1
    assert log.call_count == 2
    chat.assert_called_once()
    assert log.filter(fault=True)[0].path == "/y"
    assert log.gaps() == [0.5]
    assert repr(chat) == "<RequestLog 1 request(s): POST /x -> 200>"
    with pytest.raises(AssertionError, match="expected no call matching"):
        chat.assert_not_called()
    with pytest.raises(TypeError, match="unknown filter"):
        log.filter(colour="red")


def test_async_client_in_process() -> None:
    async def main(mock: MockAzure) -> int:
        client = mock.async_client()
        await client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
        return mock.requests.call_count

    with MockAzure.inprocess() as mock:
        assert asyncio.run(main(mock)) == 1


def test_session_router_sends_unknown_sessions_to_the_idle_app() -> None:
    from mockserver import create_app

    idle = create_app(load_settings())
    router = SessionRouter(idle)
    app = create_app(load_settings())
    session = router.open(app)
    scope = {"type": "http", "headers": [(b"x-mock-session", session.encode())]}
    assert router.pick(scope)[0] is app
    assert router.pick(scope)[1]["headers"] == []
    assert router.pick({"type": "http", "headers": []})[0] is app  # no header: the current test
    assert router.pick({"type": "http", "headers": [(b"x-mock-session", b"stale")]})[0] is idle
    router.close(session)
    assert router.pick(scope)[0] is idle
    assert router.pick({"type": "http", "headers": []})[0] is idle


def test_sync_clients_in_worker_threads_leave_nothing_open() -> None:
    # each thread runs the app on a loop of its own; it must close with the thread (no ResourceWarning,
    # which filterwarnings = error would turn into a failure)
    with MockAzure.inprocess() as mock:
        client = mock.client()
        replies: list[object] = []
        threads = [
            threading.Thread(
                target=lambda: replies.append(client.chat.completions.create(model="gpt-4o", messages=CHAT))
            )
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        assert len(replies) == 4
        assert mock.requests.call_count == 4
