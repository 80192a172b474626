"""Record and replay of the Responses API: a stream is kept event by event with its ``event:`` lines,
a chain (create, stream, chained create, retrieve) replays with its ids intact, and the recorded JSON
keeps its indented rendering."""

from __future__ import annotations

from pathlib import Path

import httpx

from mockserver.replay import load
from mockserver.testing.handle import MockAzure

URL = "/openai/responses?api-version=2025-04-01-preview"


def chain(mock: MockAzure) -> list[httpx.Response]:
    with mock.http_client(httpx.Client) as http:
        base, headers = mock.endpoint, {"api-key": mock.api_key, **mock.headers}
        first = http.post(
            base + URL, headers=headers, json={"model": "gpt-4o-mini", "input": "Hello, I am Ada."}
        )
        stream = http.post(
            base + URL, headers=headers, json={"model": "gpt-4o-mini", "input": "Say hi", "stream": True}
        )
        body = {"model": "gpt-4o-mini", "input": "My name?", "previous_response_id": first.json()["id"]}
        second = http.post(base + URL, headers=headers, json=body)
        path = f"/openai/responses/{second.json()['id']}?api-version=2025-04-01-preview"
        again = http.get(base + path, headers=headers)
    return [first, stream, second, again]


def test_a_responses_chain_records_and_replays_with_its_ids(tmp_path: Path) -> None:
    cassette = tmp_path / "responses.json"
    with MockAzure.inprocess() as recorder:
        recorder.use_cassette(cassette, mode="all")
        recorded = chain(recorder)
    kept = load(cassette)
    assert len(kept.interactions) == 4
    events = kept.interactions[1].response.body
    assert events[0].raw.startswith("event: response.created\ndata: {")
    assert events[-1].raw.startswith("event: response.completed\ndata: {")
    with MockAzure.inprocess(seed=99) as player:  # another seed: the ids can only come from the cassette
        player.use_cassette(cassette, mode="none")
        replayed = chain(player)
    for was, now in zip(recorded, replayed, strict=True):
        assert now.status_code == was.status_code == 200
        assert now.content == was.content  # the ids, the indented JSON and the stream's event lines
    assert replayed[0].text.startswith('{\n  "id": "resp_')
