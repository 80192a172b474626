"""Record and replay cover files and batches: uploads as hashes, file content byte for byte (base64)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.replay.formats import load
from mockserver.testing.handle import MockAzure

CONTENT = bytes(range(256)) + b"\n"  # not UTF-8: a cassette must keep it exactly
LINES = b"".join(
    json.dumps(
        {
            "custom_id": f"r{n}",
            "method": "POST",
            "url": "/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Q{n}"}]},
        }
    ).encode()
    + b"\n"
    for n in range(3)
)


def flow(mock: MockAzure, finish: bool) -> dict[str, object]:
    client = mock.client(api_version="2025-01-01-preview", max_retries=0)
    blob = client.files.create(file=("blob.bin", CONTENT), purpose="assistants")
    source = client.files.create(file=("in.jsonl", LINES), purpose="batch")
    batch = client.batches.create(
        input_file_id=source.id, endpoint="/chat/completions", completion_window="24h"
    )
    if finish:
        mock.batches.complete(batch.id)  # not an exchange: the cassette holds only what the client sent
    done = client.batches.retrieve(batch.id)
    return {
        "blob": client.files.content(blob.id).content,
        "status": done.status,
        "output": client.files.content(done.output_file_id).text,
        "listed": [b.id for b in client.batches.list()],
        "deleted": client.files.delete(source.id).deleted,
    }


def test_a_recorded_batch_flow_replays_byte_for_byte(tmp_path: Path) -> None:
    cassette = tmp_path / "batch.json"
    with MockAzure.inprocess(cassette=str(cassette), record_mode="all") as recording:
        recorded = flow(recording, finish=True)
    assert recorded["blob"] == CONTENT
    assert recorded["status"] == "completed"
    stored = load(cassette)
    kinds = {
        (i.request.method, i.request.path.split("?")[0].rsplit("/", 1)[-1]): i for i in stored.interactions
    }
    upload = next(i for i in stored.interactions if i.request.kind == "form")
    assert set(upload.request.body["file"]) == {
        "filename",
        "content_type",
        "size",
        "sha256",
    }  # never the bytes
    contents = [i for i in stored.interactions if i.request.path.endswith("/content")]
    assert {i.response.kind for i in contents} == {"base64"}
    assert ("GET", "content") in kinds
    assert not [
        i for i in stored.interactions if "chat/completions" in i.request.path
    ]  # lines are not recorded

    with MockAzure.inprocess(cassette=str(cassette), record_mode="none") as replaying:
        replayed = flow(replaying, finish=False)
        assert replaying.batches.list() == []  # nothing generated: every answer came from the cassette
    assert replayed == recorded


def test_a_different_upload_misses_the_cassette(tmp_path: Path) -> None:
    cassette = tmp_path / "upload.json"
    with MockAzure.inprocess(cassette=str(cassette), record_mode="all") as recording:
        recording.client().files.create(file=("a.txt", b"one"), purpose="assistants")
    with (
        pytest.raises(Exception, match="different file"),
        MockAzure.inprocess(cassette=str(cassette), record_mode="none") as replaying,
    ):
        replaying.client(max_retries=0).files.create(file=("a.txt", b"two"), purpose="assistants")
