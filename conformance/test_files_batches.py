"""Part 1, from the recordings: the files and batch flows of recordings 27, 28, 29 and 31, sent again.

A flow recording cannot be replayed one request at a time (its ids come from its own earlier answers),
so each test makes the recorded requests in the recorded order, taking ids from the target's answers,
and compares every answer with its recorded entry (``contract.differences``: status, headers, keys and
their order, value types, compact or indented JSON, chunked framing on a socket). A batch is polled
until it ends; each poll is compared with the recorded polls of the same status, and the statuses must
come in the recorded order (some may be skipped between two polls). The output file of recording 28 is
compared line by line with the recorded lines (base64 in the recording).

A mock target runs these in seconds (``conformance/mock.toml`` shortens the batch phases); on a real
resource a batch takes minutes (recording 28: nine), so ``AOAI_CONFORMANCE_BATCH_DEPLOYMENT`` (a
Global Batch deployment) must name one; the replay stand-in answers in recorded order.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from . import contract, shapes
from .flows import (
    BATCH_RULES,
    GO_UPLOAD,
    batch_deployment,
    batch_input,
    check,
    output_line_problems,
    poll,
    upload,
)
from .recordings import load_entries
from .targets import Target

pytestmark = [pytest.mark.contract, pytest.mark.recorded]


def test_recording_27_files_upload_get_delete(target: Target, http: Any, session_id: str) -> None:
    entries = load_entries("27")
    content = b'{"this line": "is not a request"}\n'
    answer = check(
        target,
        entries[0],
        upload(
            target, http, session_id, "2024-10-01-preview", "intentionally-bad-batch-input.jsonl", content
        ),
        "the upload",
    )
    file_id = answer.json()["id"]
    check(
        target,
        entries[1],
        target.send(
            http, "GET", f"/openai/files/{file_id}?api-version=2024-10-01-preview", session=session_id
        ),
        "the file",
    )
    unknown = entries[2]["RequestUri"].split("/openai/files/")[1].split("?")[0]
    for entry in entries[2:4]:  # an id the resource never had: 200 deleted:false, twice
        deleted = check(
            target,
            entry,
            target.send(
                http, "DELETE", f"/openai/files/{unknown}?api-version=2025-03-01-preview", session=session_id
            ),
            "deleting an unknown file",
        )
        assert deleted.json()["id"] == unknown
    for entry in entries[4:6]:  # the file: deleted, then deleted:false
        check(
            target,
            entry,
            target.send(
                http, "DELETE", f"/openai/files/{file_id}?api-version=2025-03-01-preview", session=session_id
            ),
            "deleting the file",
        )


def test_recording_28_batch_create_poll_complete_output(target: Target, http: Any, session_id: str) -> None:
    entries = load_entries("28")
    version = "2025-01-01-preview"
    content = batch_input(batch_deployment(target))
    answer = check(
        target,
        entries[0],
        upload(target, http, session_id, version, "temp-test-batch-input.jsonl", content),
        "the upload",
    )
    body = {
        "input_file_id": answer.json()["id"],
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    }
    created = check(
        target,
        entries[1],
        target.send(http, "POST", f"/openai/batches?api-version={version}", body, session=session_id),
        "the created batch",
        BATCH_RULES,
    )
    batch_id = created.json()["id"]
    done = poll(
        target, http, session_id, f"/openai/batches/{batch_id}?api-version={version}", list(entries[2:9])
    )
    assert done["status"] == "completed"
    output, raw = target.send(
        http,
        "GET",
        f"/openai/files/{done['output_file_id']}/content?api-version={version}",
        session=session_id,
    )
    found = shapes.compare_headers(entries[9]["ResponseHeaders"], output.headers, contract.AZURE)
    if target.socket:
        found += contract.framing(entries[9], output.headers, raw)
    found += output_line_problems(base64.b64decode(entries[9]["ResponseBody"]), raw)
    assert output.status == 200
    assert not found, "the output file differs from the recording:\n  " + "\n  ".join(found)
    check(
        target,
        entries[10],
        target.send(
            http, "DELETE", f"/openai/files/{answer.json()['id']}?api-version={version}", session=session_id
        ),
        "deleting the input file",
    )


def test_recording_29_batch_cancel(target: Target, http: Any, session_id: str) -> None:
    entries = load_entries("29")
    version = "2025-04-01-preview"
    content = batch_input(batch_deployment(target))
    answer = check(
        target,
        entries[0],
        upload(target, http, session_id, version, "temp-test-batch-input.jsonl", content),
        "the upload",
    )
    body = {
        "input_file_id": answer.json()["id"],
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    }
    created = check(
        target,
        entries[1],
        target.send(http, "POST", f"/openai/batches?api-version={version}", body, session=session_id),
        "the created batch",
        BATCH_RULES,
    )
    batch_id = created.json()["id"]
    cancel = target.send(
        http,
        "POST",
        f"/openai/batches/{batch_id}/cancel?api-version={version}",
        headers={"Content-Length": "0"},
        content=b"",
        session=session_id,
    )
    check(target, entries[2], cancel, "the cancel", BATCH_RULES)
    done = poll(
        target, http, session_id, f"/openai/batches/{batch_id}?api-version={version}", list(entries[3:5])
    )
    assert done["status"] == "cancelled"
    check(
        target,
        entries[5],
        target.send(
            http, "DELETE", f"/openai/files/{answer.json()['id']}?api-version={version}", session=session_id
        ),
        "deleting the input file",
    )


def test_recording_31_files_upload_go_2024_07_01_preview(target: Target, http: Any, session_id: str) -> None:
    (entry,) = load_entries("31")
    headers = {"Content-Type": "multipart/form-data; boundary=boundary-for-recordings"}
    answer = check(
        target,
        entry,
        target.send(
            http,
            "POST",
            "/openai/files?api-version=2024-07-01-preview",
            headers=headers,
            content=GO_UPLOAD,
            session=session_id,
        ),
        "the Go upload (200, 2024 key order)",
    )
    if target.is_mock:  # the resource keeps the file; a mock target tidies up
        target.send(
            http,
            "DELETE",
            f"/openai/files/{answer.json()['id']}?api-version=2024-07-01-preview",
            session=session_id,
        )
