"""The openai SDK's whole batch flow, on both surfaces, in-process and on a live server: upload, create,
poll to completion at the default durations, download and parse, list, cancel, delete; with lines that
meet a scripted 429 and a content filter."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from mockserver.testing.handle import MockAzure

TERMINAL = ("completed", "failed", "cancelled", "expired")
FILTER = {"category": "violence", "severity": "medium"}


@pytest.fixture
def aoai_mock() -> Iterator[MockAzure]:
    with MockAzure.inprocess() as mock:
        yield mock


@pytest.fixture
def aoai_server() -> Iterator[MockAzure]:
    with MockAzure.live() as mock:
        yield mock


def input_file(deployment: str, url: str) -> bytes:
    rows = [
        {
            "custom_id": name,
            "method": "POST",
            "url": url,
            "body": {
                "model": deployment,
                "messages": [{"role": "user", "content": f"Tell me about {name}"}],
                "max_tokens": 20,
            },
        }
        for name in ("ok-1", "ok-2", "throttled", "filtered")
    ]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def make_client(mock: MockAzure, surface: str) -> Any:
    if surface == "classic":
        return mock.client(api_version="2025-01-01-preview", max_retries=0)
    return openai.OpenAI(
        base_url=mock.base_url,
        api_key=mock.api_key,
        max_retries=0,
        default_headers=mock.headers,
        http_client=mock.http_client(openai.DefaultHttpxClient),
    )


def poll(client: Any, batch_id: str, seen: list[str], timeout: float = 30.0) -> Any:
    give_up = time.monotonic() + timeout
    while True:
        batch = client.batches.retrieve(batch_id)
        if not seen or seen[-1] != batch.status:
            seen.append(batch.status)
        if batch.status in TERMINAL:
            return batch
        assert time.monotonic() < give_up, f"still {batch.status} after {timeout} s"
        time.sleep(0.25)


def run_flow(mock: MockAzure, surface: str) -> None:
    client = make_client(mock, surface)
    url = "/chat/completions" if surface == "classic" else "/v1/chat/completions"
    mock.faults.add(
        [
            {"match": {"batch": True, "custom_id": "throttled"}, "fault": {"status": 429, "retry_after": 2}},
            {
                "match": {"batch": True, "custom_id": "filtered"},
                "fault": {"status": 400, "content_filter": FILTER},
            },
        ]
    )
    uploaded = client.files.create(
        file=("requests.jsonl", io.BytesIO(input_file("gpt-4o-mini", url))), purpose="batch"
    )
    assert uploaded.status == "processed"
    assert uploaded.purpose == "batch"
    batch = client.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"run": surface},
    )
    assert batch.status == "validating"
    assert batch.endpoint == "/chat/completions"
    seen: list[str] = []
    started = time.monotonic()
    done = poll(client, batch.id, seen)
    assert done.status == "completed", done
    assert time.monotonic() - started < 15  # the default durations: about 3 s
    assert seen[-1] == "completed"
    assert set(seen) <= {"validating", "in_progress", "finalizing", "completed"}
    assert done.request_counts.total == 4
    assert done.request_counts.completed == 2
    assert done.request_counts.failed == 2
    assert done.metadata == {"run": surface}

    output = [json.loads(row) for row in client.files.content(done.output_file_id).text.splitlines()]
    assert sorted(row["custom_id"] for row in output) == ["ok-1", "ok-2"]
    for row in output:
        body = row["response"]["body"]
        assert row["response"]["status_code"] == 200
        assert body["object"] == "chat.completion"
        assert body["choices"][0]["message"]["content"]
    errors = {
        row["custom_id"]: row
        for row in (json.loads(r) for r in client.files.content(done.error_file_id).text.splitlines())
    }
    assert errors["throttled"]["response"]["status_code"] == 429
    assert errors["filtered"]["response"]["status_code"] == 400
    assert errors["filtered"]["response"]["body"]["error"]["code"] == "content_filter"

    assert batch.id in [b.id for b in client.batches.list()]
    assert {f.id for f in client.files.list()} >= {uploaded.id, done.output_file_id, done.error_file_id}

    second = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    cancelling = client.batches.cancel(second.id)
    assert cancelling.status == "cancelling"
    assert cancelling.cancelling_at is not None
    cancelled = poll(client, second.id, [])
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at is not None

    assert client.files.delete(uploaded.id).deleted is True
    assert client.files.delete(uploaded.id).deleted is False
    ran = [e for e in mock.requests.calls if e.batch_id == batch.id]
    assert sorted(e.custom_id for e in ran) == ["filtered", "ok-1", "ok-2", "throttled"]


@pytest.mark.parametrize("surface", ["classic", "v1"])
def test_the_sdk_batch_flow_in_process(aoai_mock: MockAzure, surface: str) -> None:
    run_flow(aoai_mock, surface)


@pytest.mark.parametrize("surface", ["classic", "v1"])
def test_the_sdk_batch_flow_on_a_live_server(aoai_server: MockAzure, surface: str) -> None:
    run_flow(aoai_server, surface)


def test_the_helper_runs_every_pending_batch_to_its_end(aoai_mock: MockAzure) -> None:
    client = aoai_mock.client()
    file_id = client.files.create(
        file=("in.jsonl", input_file("gpt-4o-mini", "/chat/completions")), purpose="batch"
    ).id
    ids = [
        client.batches.create(input_file_id=file_id, endpoint="/chat/completions", completion_window="24h").id
        for _ in range(2)
    ]
    before = aoai_mock.clock.now()
    finished = aoai_mock.batches.complete()
    assert [b["status"] for b in finished] == ["completed", "completed"]
    assert aoai_mock.clock.now() - before >= 3  # the clock moved over the three phases, nobody waited
    output, errors = aoai_mock.batches.results(ids[0])
    assert len(output) == 4
    assert errors == []
    assert client.batches.retrieve(ids[1]).status == "completed"
    assert len(aoai_mock.files.list(purpose="batch_output")) == 4
    assert aoai_mock.files.content(file_id) == input_file("gpt-4o-mini", "/chat/completions")


def test_the_helper_and_clock_on_a_live_server(aoai_server: MockAzure) -> None:
    client = aoai_server.client()
    file_id = client.files.create(
        file=("in.jsonl", input_file("gpt-4o-mini", "/chat/completions")), purpose="batch"
    ).id
    batch_id = client.batches.create(
        input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
    ).id
    (finished,) = aoai_server.batches.complete(batch_id)
    assert finished["status"] == "completed"
    assert len(aoai_server.batches.results(batch_id)[0]) == 4
    now = aoai_server.clock.now()
    assert aoai_server.clock.advance(60) >= now + 60


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_async_sdk_polls_a_batch_to_completion(aoai_mock: MockAzure) -> None:
    import asyncio

    client = aoai_mock.async_client()
    uploaded = await client.files.create(
        file=("in.jsonl", input_file("gpt-4o-mini", "/chat/completions")), purpose="batch"
    )
    batch = await client.batches.create(
        input_file_id=uploaded.id, endpoint="/chat/completions", completion_window="24h"
    )
    while batch.status not in TERMINAL:
        await asyncio.sleep(0.25)
        batch = await client.batches.retrieve(batch.id)
    assert batch.status == "completed"
    assert batch.request_counts.completed == 4
    content = await client.files.content(batch.output_file_id)
    assert len(content.text.splitlines()) == 4
    await client.close()


def test_the_views_of_an_external_mock_use_its_control_api() -> None:
    from conformance.serve import ServeProcess
    from mockserver.testing.handle import open_external
    from mockserver.testing.spec import MockSpec

    server = ServeProcess()  # its own: the test moves the server's clock
    mock = open_external(server.endpoint, MockSpec(), "key", session="ext-1", is_mock=True)
    try:
        client = mock.client()
        file_id = client.files.create(
            file=("in.jsonl", input_file("gpt-4o-mini", "/chat/completions")), purpose="batch"
        ).id
        batch_id = client.batches.create(
            input_file_id=file_id, endpoint="/chat/completions", completion_window="24h"
        ).id
        assert mock.files.get(file_id)["purpose"] == "batch"
        assert mock.files.content(file_id) == input_file("gpt-4o-mini", "/chat/completions")
        assert mock.files.content("file-missing") is None
        (finished,) = mock.batches.complete(batch_id)
        assert finished["status"] == "completed"
        output, errors = mock.batches.results(batch_id)
        assert len(output) == 4
        assert errors == []
        assert mock.batches.get(batch_id)["status"] == "completed"
        before = mock.clock.now()
        assert mock.clock.advance(5) >= before + 5
    finally:
        mock.close()
        server.stop()
