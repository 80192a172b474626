"""End to end: record through the proxy against a second mock (no internet here), stop that upstream,
replay the cassette, and get identical answers; streams keep their events and their pacing.

The upstream paces its stream with a ``stream_timing`` fault: the first content chunk after
``FIRST`` seconds, then one every ``GAP`` seconds. At replay speed 1 every inter-event gap must be
within ``TOLERANCE`` seconds of the recorded gap (the figure the README states).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import openai
import pytest

from mockserver import MockApp, create_app, load_settings
from mockserver.recorder import RecorderApp
from mockserver.server import ServerThread

pytestmark = pytest.mark.live

GA = "2024-10-21"
FIRST, GAP = 0.08, 0.05
TOLERANCE = 0.03  # seconds, per inter-event gap, at speed 1
CHAT = {
    "model": "gpt-4o",
    "messages": [{"role": "user", "content": "Count the planets of the solar system"}],
    "max_tokens": 12,
}
STREAM_RULE = {
    "match": {"stream": True},
    "fault": {"kind": "stream_timing", "first_token": FIRST, "between_chunks": GAP},
}


def client(endpoint: str) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=endpoint, api_key="client-key", api_version=GA, max_retries=0, timeout=10
    )


def drive(endpoint: str) -> dict[str, Any]:
    """The same calls, recorded or replayed: chat, a timed stream, embeddings (base64 and float)."""
    sdk = client(endpoint)
    results: dict[str, Any] = {}
    raw = sdk.chat.completions.with_raw_response.create(**CHAT)
    results["chat"] = (raw.http_response.status_code, raw.http_response.json())
    started, events, times = time.perf_counter(), [], []
    with sdk.chat.completions.with_streaming_response.create(**CHAT, stream=True) as response:
        for line in response.iter_lines():
            if line:
                events.append(line)
                times.append(time.perf_counter() - started)
    results["stream"] = events
    results["stream_times"] = times
    results["embeddings"] = sdk.embeddings.create(
        model="text-embedding-3-small", input=["alpha", "beta"]
    ).model_dump()
    results["embeddings_float"] = sdk.embeddings.create(
        model="text-embedding-3-small", input="gamma", encoding_format="float", dimensions=4
    ).model_dump()
    return results


@pytest.fixture
def upstream() -> Iterator[ServerThread]:
    app = create_app(load_settings(seed=5, freeze_time=1_750_000_000.0, tokenizer="approx"))
    app.state.faults.add([STREAM_RULE])
    thread = ServerThread(app).start()
    yield thread
    thread.stop()


def start_recorder(upstream: str, cassette: Path, **options: Any) -> ServerThread:
    return ServerThread(cast(MockApp, RecorderApp(upstream, cassette, **options))).start()


def test_record_stop_upstream_replay_identical(upstream: ServerThread, tmp_path: Path) -> None:
    cassette = tmp_path / "session.json"
    recorder = start_recorder(upstream.endpoint, cassette)
    try:
        recorded = drive(recorder.endpoint)
    finally:
        recorder.stop()
    upstream.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{upstream.endpoint}/_mock/health", timeout=1)

    replay = ServerThread(create_app(load_settings(replay=(str(cassette),), replay_speed=1.0))).start()
    try:
        replayed = drive(replay.endpoint)
        journal = replay.app.state.journal.calls
    finally:
        replay.stop()

    assert replayed["chat"] == recorded["chat"]
    assert replayed["stream"] == recorded["stream"]
    assert replayed["embeddings"] == recorded["embeddings"]
    assert replayed["embeddings_float"] == recorded["embeddings_float"]
    assert all(note.startswith("replayed session.json #") for entry in journal for note in entry.notes)
    assert [e.notes[0].rsplit("#", 1)[1] for e in journal] == ["1", "2", "3", "4"]
    gaps_ok(recorded["stream_times"], replayed["stream_times"])


def gaps_ok(recorded: list[float], replayed: list[float]) -> None:
    """Every gap between consecutive events at speed 1 is within TOLERANCE of the recorded one."""

    def gaps(times: list[float]) -> list[float]:
        return [b - a for a, b in itertools.pairwise(times)]

    assert len(recorded) == len(replayed) > 4
    assert max(gaps(recorded)) >= GAP * 0.9  # the upstream really paced its stream
    worst = max(abs(a - b) for a, b in zip(gaps(recorded), gaps(replayed), strict=True))
    assert worst <= TOLERANCE, (worst, gaps(recorded), gaps(replayed))


def test_recorded_stream_has_events_with_their_times(upstream: ServerThread, tmp_path: Path) -> None:
    cassette = tmp_path / "s.json"
    recorder = start_recorder(upstream.endpoint, cassette)
    try:
        drive(recorder.endpoint)
    finally:
        recorder.stop()
    data = json.loads(cassette.read_text())
    assert data["format"] == "aoai-mockserver-cassette"
    assert data["version"] == 1
    stream = data["interactions"][1]["response"]
    times = [event["t"] for event in stream["events"]]
    assert times == sorted(times)
    assert times[1] >= FIRST * 0.9  # the first content chunk came after the time to first token
    assert stream["events"][-1] == {"t": times[-1], "data": "[DONE]"}
    assert data["interactions"][0]["response"]["json"]["object"] == "chat.completion"


def test_speed_zero_replays_at_once_and_half_plays_twice_as_fast(
    upstream: ServerThread, tmp_path: Path
) -> None:
    cassette = tmp_path / "s.json"
    recorder = start_recorder(upstream.endpoint, cassette)
    try:
        recorded = drive(recorder.endpoint)["stream_times"]
    finally:
        recorder.stop()
    durations = {}
    for speed in (0.0, 0.5):
        server = ServerThread(create_app(load_settings(replay=(str(cassette),), replay_speed=speed))).start()
        try:
            durations[speed] = drive(server.endpoint)["stream_times"][-1]
        finally:
            server.stop()
    assert durations[0.0] < recorded[-1] / 4
    assert abs(durations[0.5] - recorded[-1] / 2) <= TOLERANCE * 2
