"""The pytest plugin's cassette API: ``use_cassette`` (a mock of this process) and ``recording_proxy``
(an external target), with the record modes none / once / new_episodes / all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from mockserver import ConfigError, create_app, load_settings
from mockserver.replay import CassetteNotFound, RecordMode, load
from mockserver.replay.plugin_support import CassetteMiss, cassette_path, recording_proxy, use_cassette
from mockserver.server import ServerThread

GA = "2024-10-21"


def new_app(seed: int = 1) -> Any:
    return create_app(load_settings(seed=seed, freeze_time=1_750_000_000.0, tokenizer="approx"))


def ask(app: Any, content: str) -> Any:
    client = TestClient(app, headers={"api-key": "k"})
    return client.post(
        f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}",
        json={"messages": [{"role": "user", "content": content}]},
    )


def contents(path: Path) -> list[str]:
    return [i.request.body["messages"][0]["content"] for i in load(path).interactions]


def test_once_records_what_the_mock_answered_then_replays_it(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "chat.json"
    recorder = new_app(seed=1)
    with use_cassette(recorder, path, "once") as session:
        first = ask(recorder, "Tell me a story").json()
        assert session.plan.record
        assert not session.plan.replay
    assert path.is_file()
    assert contents(path) == ["Tell me a story"]
    assert session.recorded[0].response.body == first

    replayer = new_app(seed=2)  # another seed would generate another answer
    with use_cassette(replayer, path, "once") as session:
        assert ask(replayer, "Tell me a story").json() == first
    assert replayer.state.journal.last.notes == ["replayed chat.json #1"]
    session.check()
    assert load(path).to_json()["interactions"] == [i.to_json() for i in session.cassette.interactions]


def test_the_app_is_restored_after_the_block(tmp_path: Path) -> None:
    app = new_app()
    pipeline, slot, replay = app.pipeline, app.cassette, app.state.replay
    with use_cassette(app, tmp_path / "x.json", "all"):
        assert app.cassette is not slot  # attached through the app's one cassette slot,
        assert app.pipeline is pipeline  # never by swapping the pipeline
    assert (app.pipeline, app.cassette, app.state.replay) == (pipeline, slot, replay)
    assert not (tmp_path / "x.json").exists()  # nothing recorded, nothing written


def test_none_needs_the_cassette_and_misses_fail_the_test(tmp_path: Path) -> None:
    with (
        pytest.raises(CassetteNotFound, match="does not exist and record mode 'none' only replays"),
        use_cassette(new_app(), tmp_path / "missing.json"),
    ):
        pass
    path = tmp_path / "c.json"
    app = new_app()
    with use_cassette(app, path, "all"):
        ask(app, "recorded")
    with use_cassette(app, path, RecordMode.NONE) as session:
        assert ask(app, "recorded").status_code == 200
        answer = ask(app, "not recorded")
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "ReplayMiss"
    with pytest.raises(CassetteMiss, match=r"1 request\(s\) had no recorded answer in cassette") as info:
        session.check()
    assert isinstance(info.value, AssertionError)
    assert "got 'not recorded'" in str(info.value)


def test_new_episodes_replays_known_requests_and_appends_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    app = new_app()
    with use_cassette(app, path, "all"):
        known = ask(app, "known").json()
    other = new_app(seed=5)
    with use_cassette(other, path, "new_episodes") as session:
        assert ask(other, "known").json() == known
        ask(other, "new one")
    session.check()  # misses fall through when recording: not an error
    assert contents(path) == ["known", "new one"]
    assert [e.notes[0].split(":")[0] for e in other.state.journal.calls] == [
        "replayed c.json #1",
        "replay miss, answered by the generator",
    ]


def test_all_replaces_the_cassette(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    app = new_app()
    for words in (["a", "b"], ["c"]):
        with use_cassette(app, path, "all"):
            for word in words:
                ask(app, word)
    assert contents(path) == ["c"]


def test_body_fields_are_scrubbed_in_process(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    app = new_app()
    with use_cassette(app, path, "all", body_fields=["messages.*.content"]):
        ask(app, "my secret question")
    assert "my secret question" not in path.read_text()
    with use_cassette(new_app(), path, "none") as session:
        pass
    assert session.cassette.meta["scrub"]["body_fields"] == ["messages.*.content"]


def test_cassette_path_rules(tmp_path: Path) -> None:
    test_file = tmp_path / "tests" / "test_chat.py"
    assert cassette_path("chat", test_file) == tmp_path / "tests" / "cassettes" / "chat.json"
    assert cassette_path("sub/chat.yaml", test_file) == tmp_path / "tests" / "cassettes" / "sub" / "chat.yaml"
    assert cassette_path(str(tmp_path / "abs"), test_file) == tmp_path / "abs.json"


def test_record_mode_parse_lists_the_valid_values() -> None:
    assert RecordMode.parse("new_episodes") is RecordMode.NEW_EPISODES
    with pytest.raises(
        ConfigError, match=r"record mode must be one of \['none', 'once', 'new_episodes', 'all'\]"
    ):
        RecordMode.parse("sometimes")


@pytest.mark.live
def test_recording_proxy_for_an_external_target(tmp_path: Path) -> None:
    upstream = ServerThread(new_app()).start()
    path = tmp_path / "external.json"
    try:
        with recording_proxy(upstream.endpoint, path, "once") as proxy:
            client = openai.AzureOpenAI(
                azure_endpoint=proxy.endpoint, api_key="k", api_version=GA, max_retries=0
            )
            recorded = client.embeddings.create(model="text-embedding-3-small", input="x").model_dump()
    finally:
        upstream.stop()
    with recording_proxy("http://127.0.0.1:9", path, "none") as proxy:  # upstream gone: replay only
        client = openai.AzureOpenAI(azure_endpoint=proxy.endpoint, api_key="k", api_version=GA, max_retries=0)
        assert client.embeddings.create(model="text-embedding-3-small", input="x").model_dump() == recorded
        with pytest.raises(openai.NotFoundError):
            client.embeddings.create(model="text-embedding-3-small", input="y")
    with pytest.raises(CassetteMiss, match="got 'y'"):
        proxy.check()


README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.live
def test_readme_cassette_example_records_then_replays(pytester: pytest.Pytester) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Record and replay") :]
    match = re.search(r"```python\n# (test_\w+\.py)\n(.*?)```", section, re.S)
    assert match is not None
    pytester.path.joinpath(match.group(1)).write_text(match.group(2), encoding="utf-8")
    first = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    first.assert_outcomes(passed=1)
    cassette = pytester.path / "cassettes" / "story.json"
    recorded = cassette.read_text()
    assert contents(cassette) == ["Tell me a story"]
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert cassette.read_text() == recorded  # replayed, not recorded again


@pytest.mark.live
def test_recording_on_a_live_server_keeps_the_answers_headers(tmp_path: Path) -> None:
    import httpx

    app = new_app()
    server = ServerThread(app).start()
    path = tmp_path / "live.json"
    try:
        with use_cassette(app, path, "all"):
            sent = httpx.post(
                f"{server.endpoint}/openai/deployments/gpt-4o/chat/completions?api-version={GA}",
                headers={"api-key": "k"},
                json={"messages": [{"role": "user", "content": "Hello"}]},
                timeout=10,
            )
    finally:
        server.stop()
    (recorded,) = load(path).interactions
    headers = {k.lower(): v for k, v in recorded.response.headers.items()}
    assert headers["content-type"] == sent.headers["content-type"] == "application/json"
    assert headers["apim-request-id"] == sent.headers["apim-request-id"]
    assert recorded.response.body == sent.json()
