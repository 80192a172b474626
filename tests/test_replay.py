"""Replay: the cassette format, the explaining matchers, near misses, order, fall-through, config, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import ConfigError, create_app, load_settings
from mockserver.cli import main
from mockserver.replay import (
    Cassette,
    CassetteError,
    CassetteNotFound,
    Event,
    Interaction,
    Player,
    Request,
    Response,
    load,
    loads,
)
from mockserver.replay.bodies import summarise_multipart
from mockserver.replay.matching import MATCHERS, RequestView, explain, view

from .conftest import LiveServer
from .replay_helpers import call, multipart, resend

GA = "2024-10-21"
ROOT = Path(__file__).resolve().parent.parent


def chat(
    content: str = "Hello",
    *,
    status: int = 200,
    reply: str = "Hi!",
    version: str = GA,
    deployment: str = "gpt-4o",
    extra: dict[str, Any] | None = None,
) -> Interaction:
    body = {"messages": [{"role": "user", "content": content}], **(extra or {})}
    request = Request(
        "POST",
        f"/openai/deployments/{deployment}/chat/completions",
        {"api-version": version},
        {"Content-Type": "application/json"},
        "json",
        body,
    )
    answer = (
        {"choices": [{"message": {"content": reply}}]} if status == 200 else {"error": {"code": str(status)}}
    )
    return Interaction(
        request,
        Response(
            status, {"Content-Type": "application/json", "x-ms-region": "Sweden Central"}, "json", answer
        ),
    )


def stream(content: str = "Stream please") -> Interaction:
    request = Request(
        "POST",
        "/openai/v1/chat/completions",
        {},
        {},
        "json",
        {"model": "gpt-4o", "messages": [{"role": "user", "content": content}], "stream": True},
    )
    events = [Event('data: {"n":1}\n\n', 0.01), Event("data: [DONE]\n\n", 0.02)]
    return Interaction(request, Response(200, {"Content-Type": "text/event-stream"}, "events", events, 0.005))


def save(
    tmp_path: Path, *interactions: Interaction, name: str = "c.json", meta: dict[str, Any] | None = None
) -> Path:
    return Cassette(list(interactions), meta or {}).save(tmp_path / name)


def app_for(path: Path, **settings: Any) -> Any:
    return create_app(load_settings(replay=(str(path),), **settings))


def send(app: Any, interaction: Interaction, **changes: Any) -> Any:
    request = interaction.request
    body = {**request.body, **changes} if changes else request.body
    return resend(app, Request(request.method, request.path, request.query, {}, request.kind, body))


# --- the format --------------------------------------------------------------------------------


def test_cassette_round_trips_and_is_readable_json(tmp_path: Path) -> None:
    path = save(tmp_path, chat(), stream(), meta={"source": "unit test"})
    text = path.read_text()
    data = json.loads(text)
    assert (data["format"], data["version"]) == ("aoai-mockserver-cassette", 1)
    assert text.endswith("}\n")
    assert '\n  "interactions": [\n' in text
    events = data["interactions"][1]["response"]["events"]
    assert events == [{"t": 0.01, "data": '{"n":1}'}, {"t": 0.02, "data": "[DONE]"}]
    again = load(path)
    assert again.to_json() == Cassette([chat(), stream()], {"source": "unit test"}).to_json()


def test_events_that_are_not_plain_data_lines_are_kept_raw() -> None:
    odd = [Event("event: x\ndata: 1\n\n", None), Event('data: {"cut', 1.5), Event("data: a\r\n\r\n")]
    assert [e.to_json() for e in odd] == [
        {"t": None, "raw": "event: x\ndata: 1\n\n"},
        {"t": 1.5, "raw": 'data: {"cut'},
        {"t": None, "raw": "data: a\r\n\r\n"},
    ]
    assert [Event.from_json(e.to_json()) for e in odd] == odd


def test_headers_and_query_are_written_sorted_bodies_keep_their_order(tmp_path: Path) -> None:
    interaction = chat(extra={"zeta": 1, "alpha": 2})
    interaction.response.headers = {"x-b": "1", "A-first": "2"}
    data = json.loads(save(tmp_path, interaction).read_text())["interactions"][0]
    assert list(data["response"]["headers"]) == ["A-first", "x-b"]
    assert list(data["request"]["json"]) == ["messages", "zeta", "alpha"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"interactions": []}', "not an aoai-mockserver cassette"),
        ('{"format": "aoai-mockserver-cassette", "version": 99}', "version 99"),
        (
            '{"format": "aoai-mockserver-cassette", "version": 1, "interactions": [{"request": {}}]}',
            "malformed",
        ),
    ],
)
def test_bad_cassettes_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CassetteError, match=message):
        loads(text)


def test_a_missing_cassette_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        load(tmp_path / "nope.json")
    assert isinstance(info.value, CassetteNotFound)
    assert isinstance(info.value, ConfigError)


# --- matching ----------------------------------------------------------------------------------


def test_each_matcher_explains_its_facet() -> None:
    recorded = view(chat().request)
    other = chat("Bye", version="2024-06-01", deployment="gpt-4o-mini").request
    other.query["extra"] = "1"
    reasons = {name: MATCHERS[name](recorded, view(other)) for name in MATCHERS}
    assert reasons == {
        "method": None,
        "path": None,  # the same operation: the deployment is its own facet
        "deployment": "deployment: recorded 'gpt-4o', got 'gpt-4o-mini'",
        "api_version": "api-version: recorded '2024-10-21', got '2024-06-01'",
        "query": "query: extra: recorded (absent), got '1'",
        "body": "body: messages[0].content: recorded 'Hello', got 'Bye'",
    }
    embeddings = Request("POST", "/openai/deployments/gpt-4o/embeddings", {"api-version": GA}, {}, "json", {})
    assert MATCHERS["path"](recorded, view(embeddings)) == (
        "path: recorded '/openai/deployments/{deployment}/chat/completions', "
        "got '/openai/deployments/{deployment}/embeddings'"
    )


def test_v1_deployment_comes_from_the_body_model() -> None:
    assert view(stream().request).deployment == "gpt-4o"
    other = Request(
        "POST", "/openai/v1/chat/completions", {}, {}, "json", {**stream().request.body, "model": "o3"}
    )
    assert explain(view(stream().request), view(other), ["deployment", "body"]) == [
        "deployment: recorded 'gpt-4o', got 'o3'",
        "body: model: recorded 'gpt-4o', got 'o3'",
    ]


def test_body_matching_ignores_key_order_int_float_and_tool_call_ids() -> None:
    recorded = chat(extra={"temperature": 0, "top_p": 1})
    recorded.request.body["messages"].append({"role": "tool", "tool_call_id": "call_AAA", "content": "20C"})
    incoming = chat(extra={"top_p": 1.0, "temperature": 0.0})
    incoming.request.body["messages"].append({"role": "tool", "tool_call_id": "call_BBB", "content": "20C"})
    assert explain(view(recorded.request), view(incoming.request), MATCHERS) == []
    incoming.request.body["temperature"] = True  # a bool is not the number 1
    assert explain(view(recorded.request), view(incoming.request), ["body"]) == [
        "body: temperature: recorded 0, got True"
    ]


def test_multipart_bodies_match_field_by_field_whatever_the_boundary() -> None:
    form = {"model": "whisper", "file": {"filename": "a.wav", "content_type": "audio/wav"}}

    def summary(audio: bytes) -> RequestView:
        content_type, body = multipart(form, audio)  # a fresh random boundary each time
        summarised = summarise_multipart(body, content_type)
        return view(
            Request("POST", "/openai/deployments/whisper/audio/transcriptions", {}, {}, "form", summarised)
        )

    assert explain(summary(b"abc"), summary(b"abc"), MATCHERS) == []
    (reason,) = explain(summary(b"abc"), summary(b"xyz"), MATCHERS)
    assert reason.startswith("body: file: a different file (sha256 ")


# --- serving -----------------------------------------------------------------------------------


def test_a_hit_replays_status_headers_and_body(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, chat()))
    answer = send(app, chat())
    assert answer.status == 200
    assert answer.json() == {"choices": [{"message": {"content": "Hi!"}}]}
    assert answer.headers["x-ms-region"] == "Sweden Central"  # recorded, not generated
    assert app.state.journal.last.notes == ["replayed c.json #1"]
    assert app.state.journal.last.deployment == "gpt-4o"


def test_a_miss_is_an_azure_404_naming_the_closest_request_and_each_difference(tmp_path: Path) -> None:
    path = save(
        tmp_path,
        chat("What is the capital of France?"),
        chat("Count to three", version="2024-06-01"),
        stream(),
    )
    app = app_for(path)
    answer = send(app, chat("Count to four"))
    assert answer.status == 404
    error = answer.json()["error"]
    assert error["code"] == "ReplayMiss"
    assert error["message"] == (
        "aoai-mock replay: no recorded exchange matches POST /openai/deployments/gpt-4o/chat/completions"
        "?api-version=2024-10-21. Closest: c.json #1 (POST /openai/deployments/gpt-4o/chat/completions"
        "?api-version=2024-10-21), which differs in body: messages[0].content: recorded 'What is the capital "
        "of France?', got 'Count to four'."
    )
    assert app.state.journal.last.notes == [error["message"]]
    assert app.state.replay.misses == [error["message"]]


def test_a_miss_with_two_differing_facets_lists_both(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, chat("Count to three", version="2024-06-01")))
    message = send(app, chat("Count to four")).json()["error"]["message"]
    assert message.endswith(
        "which differs in api-version: recorded '2024-06-01', got '2024-10-21'; "
        "body: messages[0].content: recorded 'Count to three', got 'Count to four'."
    )


def test_an_empty_cassette_says_so(tmp_path: Path) -> None:
    message = send(app_for(save(tmp_path, name="empty.json")), chat()).json()["error"]["message"]
    assert message.endswith("The cassette(s) empty.json hold no exchanges.")


def test_identical_requests_replay_in_recorded_order_then_the_last_repeats(tmp_path: Path) -> None:
    path = save(tmp_path, chat(status=429), chat(status=503), chat(reply="finally"))
    app = app_for(path)
    statuses = [send(app, chat()).status for _ in range(4)]
    assert statuses == [429, 503, 200, 200]
    assert app.state.journal.last.notes == [
        "replayed c.json #3 again (all 3 recorded answers to this request were used)"
    ]
    assert call(app, "POST", "/_mock/reset").status == 200  # rewinds the sequence
    assert send(app, chat()).status == 429


def test_without_repeats_an_exhausted_sequence_is_a_miss(tmp_path: Path) -> None:
    player = Player([load(save(tmp_path, chat(status=429), chat()))], allow_repeats=False)
    app = create_app(load_settings())
    app.state.replay = player
    assert [send(app, chat()).status for _ in range(2)] == [429, 200]
    third = send(app, chat())
    assert third.status == 404
    assert "All 2 recorded answers to it were already replayed" in third.json()["error"]["message"]


def test_fallthrough_sends_misses_to_the_generator(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, chat()), replay_fallthrough=True, seed=3)
    assert send(app, chat()).json() == {"choices": [{"message": {"content": "Hi!"}}]}
    generated = send(app, chat("Something never recorded"))
    assert generated.status == 200
    assert generated.json()["object"] == "chat.completion"
    (note,) = app.state.journal.last.notes
    assert note.startswith("replay miss, answered by the generator: aoai-mock replay: no recorded exchange")


def test_replay_serves_deployments_the_catalogue_does_not_know(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, chat(deployment="my-private-gpt")))
    assert send(app, chat(deployment="my-private-gpt")).status == 200


def test_auth_still_runs_before_replay(tmp_path: Path) -> None:
    app = create_app(load_settings(replay=(str(save(tmp_path, chat())),), keys=frozenset({"right"})))
    request = chat().request
    answer = call(
        app,
        "POST",
        request.path,
        request.query,
        {"api-key": "wrong", "content-type": "application/json"},
        json.dumps(request.body).encode(),
    )
    assert answer.status == 401


def test_match_on_is_configurable(tmp_path: Path) -> None:
    path = save(tmp_path, chat())
    strict = app_for(path)
    loose = app_for(path, replay_match_on=("method", "path", "deployment", "body"))
    assert send(strict, chat(version="2024-06-01")).status == 404
    assert send(loose, chat(version="2024-06-01")).status == 200
    with pytest.raises(ConfigError, match=r"unknown replay matcher\(s\) \['headers'\]; valid: \['method'"):
        load_settings(replay_match_on=("headers",))


def test_a_field_scrubbed_when_recording_still_matches_the_real_value(tmp_path: Path) -> None:
    recorded = chat(extra={"user": "Sanitized"})
    app = app_for(save(tmp_path, recorded, meta={"scrub": {"body_fields": ["user"]}}))
    assert send(app, chat(extra={"user": "alice@example.com"})).status == 200


def test_streams_replay_one_event_per_chunk(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, stream()))
    answer = send(app, stream())
    assert answer.chunks == [b'data: {"n":1}\n\n', b"data: [DONE]\n\n"]
    assert answer.headers["content-type"] == "text/event-stream"


def test_toml_config_keys(tmp_path: Path) -> None:
    path = save(tmp_path, chat())
    config = tmp_path / "mock.toml"
    config.write_text(
        f'[server]\nreplay = "{path}"\nreplay_speed = 1.5\nreplay_fallthrough = true\n'
        'replay_match_on = ["method", "path", "body"]\n'
    )
    settings = load_settings(config)
    assert settings.replay == (str(path),)
    assert (settings.replay_speed, settings.replay_fallthrough) == (1.5, True)
    assert settings.replay_match_on == ("method", "path", "body")
    with pytest.raises(ConfigError, match="replay_speed must be a number >= 0"):
        load_settings(replay_speed=-1)


# --- the command line --------------------------------------------------------------------------


@pytest.mark.live
def test_serve_replay_from_the_command_line(tmp_path: Path) -> None:
    path = save(tmp_path, chat(), stream())
    server = LiveServer("--replay", str(path), "--replay-speed", "1")
    try:
        request = chat().request
        url = f"{server.endpoint}{request.path}"
        answer = httpx.post(url, params=request.query, json=request.body, headers={"api-key": "k"}, timeout=5)
        assert answer.json() == {"choices": [{"message": {"content": "Hi!"}}]}
        with httpx.stream(
            "POST",
            f"{server.endpoint}/openai/v1/chat/completions",
            json=stream().request.body,
            headers={"api-key": "k"},
            timeout=5,
        ) as response:
            assert response.read() == b'data: {"n":1}\n\ndata: [DONE]\n\n'
        journal = httpx.get(f"{server.endpoint}/_mock/requests", timeout=5).json()["requests"]
        assert [r["notes"] for r in journal] == [["replayed c.json #1"], ["replayed c.json #2"]]
    finally:
        server.stop()


def test_serve_refuses_a_bad_cassette_at_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "aoai-mockserver-cassette", "version": 7}')
    assert main(["serve", "--replay", str(bad)]) == 2
    assert "has version 7" in capsys.readouterr().err
    assert main(["serve", "--replay", str(tmp_path / "missing.json")]) == 2
    assert "cassette not found" in capsys.readouterr().err


def test_banner_mentions_the_replay(tmp_path: Path) -> None:
    from mockserver.cli import banner

    settings = load_settings(replay=("x.json",), replay_speed=1.0)
    assert "  replay:      x.json (speed 1; misses: 404 ReplayMiss)" in banner(settings, 8000)


def test_module_help_lists_record_and_import() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "--help"], capture_output=True, text=True, timeout=30, cwd=ROOT
    )
    assert "record" in done.stdout
    assert "import" in done.stdout


def unknown_route_call() -> Interaction:
    """An exchange on a route the generator does not emulate (vector stores, on the v1 surface)."""
    request = Request(
        "POST",
        "/openai/v1/vector_stores",
        {},
        {"Content-Type": "application/json"},
        "json",
        {"name": "docs", "input": "Hello"},
    )
    answer = {"id": "vs_1", "object": "vector_store", "output_text": "Hi!"}
    return Interaction(request, Response(200, {"Content-Type": "application/json"}, "json", answer))


def test_recorded_exchanges_on_unknown_routes_and_newer_versions_replay(tmp_path: Path) -> None:
    newer = chat(version="2099-01-01-preview", reply="From the future")
    app = app_for(save(tmp_path, unknown_route_call(), newer))
    assert send(app, unknown_route_call()).json()["output_text"] == "Hi!"
    assert send(app, newer).json() == {"choices": [{"message": {"content": "From the future"}}]}
    miss = send(app, unknown_route_call(), input="Something else")
    assert miss.status == 404 and miss.json()["error"]["code"] == "ReplayMiss"


def test_without_a_cassette_or_on_fallthrough_unknown_routes_keep_azures_errors(tmp_path: Path) -> None:
    plain = create_app(load_settings())
    assert send(plain, unknown_route_call()).json() == {
        "error": {"code": "404", "message": "Resource not found"}
    }
    assert (
        send(plain, chat(version="2099-01-01-preview")).json()["error"]["message"]
        == "API version not supported"
    )
    fallthrough = app_for(save(tmp_path, chat()), replay_fallthrough=True)
    assert send(fallthrough, unknown_route_call()).json()["error"]["message"] == "Resource not found"
    assert send(fallthrough, chat(version="2099-01-01-preview")).status == 400
    assert send(fallthrough, chat()).status == 200


def test_scripted_faults_apply_to_replayed_answers(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, chat(), stream()))
    app.state.faults.add(
        {
            "match": {"operation": "chat.completions", "stream": False},
            "fault": {"status": 429, "retry_after": 3},
            "times": 1,
        }
    )
    throttled = send(app, chat())
    assert throttled.status == 429 and throttled.headers["retry-after"] == "3"
    replayed = send(app, chat())
    assert (replayed.status, replayed.json()) == (200, {"choices": [{"message": {"content": "Hi!"}}]})
    first, second = app.state.journal.calls
    assert first.fault is not None and first.status == 429
    assert second.fault is None and second.notes[-1].startswith("replayed")

    app.state.faults.add(
        {
            "match": {"stream": True},
            "fault": {"kind": "stream_cut", "after_chunks": 1, "mode": "clean"},
            "times": 1,
        }
    )
    cut = send(app, stream())
    assert cut.chunks == [b'data: {"n":1}\n\n']  # the recorded stream, ended without [DONE]
    assert send(app, stream()).chunks[-1] == b"data: [DONE]\n\n"


def test_a_replayed_request_meets_each_fault_rule_once(tmp_path: Path) -> None:
    app = app_for(save(tmp_path, chat()))
    rule = {"match": {"operation": "chat.completions"}, "sequence": ["pass", {"status": 503}]}
    (rule_id,) = app.state.faults.add(rule)
    assert [send(app, chat()).status for _ in range(3)] == [200, 503, 200]
    (counted,) = app.state.faults.snapshot()
    assert (counted["id"], counted["hits"], counted["applied"]) == (rule_id, 3, 1)


def test_a_replayed_request_passes_the_generators_checks(tmp_path: Path) -> None:
    recorded = chat(reply="Recorded")
    recorded.request.body["temperature"] = 9  # the generator would refuse it; Azure answered it
    app = app_for(save(tmp_path, recorded), rate_limits="enforce")
    answer = send(app, recorded)
    assert (answer.status, answer.json()) == (200, {"choices": [{"message": {"content": "Recorded"}}]})
    assert "x-ratelimit-remaining-requests" not in answer.headers  # the recording's headers, not metered
