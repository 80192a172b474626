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
import json
import time
from typing import Any

import pytest

from . import contract, shapes
from .recordings import load_entries, missing_reason
from .target_kinds import DEPLOYMENT_ENV
from .targets import Target

pytestmark = [pytest.mark.contract, pytest.mark.recorded]
TERMINAL = ("completed", "failed", "cancelled", "expired")
FILE_RULES = contract.AZURE.but(exact_keys={"deleted", "purpose", "filename", "object"})
BATCH_RULES = contract.AZURE.but(exact_keys={"endpoint", "completion_window", "object"})
MOCK_TIMEOUT, AZURE_TIMEOUT = 60.0, 3600.0
NO_BATCH_DEPLOYMENT = "needs a Global Batch deployment on this target: set {variable}"
GO_UPLOAD = (  # recording 31's request body, decoded
    b'--boundary-for-recordings\r\nContent-Disposition: form-data; name="file"; filename=""\r\n'
    b"Content-Type: application/octet-stream\r\n\r\nhello world\r\n--boundary-for-recordings\r\n"
    b'Content-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--boundary-for-recordings--\r\n'
)


@pytest.fixture(autouse=True)
def recordings_present() -> None:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)


def problems_of(
    target: Target, entry: dict[str, Any], answer: contract.Answer, raw: bytes, rules: Any
) -> list[str]:
    found = contract.differences(entry, answer, rules)
    if target.socket:
        found += contract.framing(entry, answer.headers, raw)
    return found


def check(
    target: Target,
    entry: dict[str, Any],
    sent: tuple[contract.Answer, bytes],
    what: str,
    rules: Any = FILE_RULES,
) -> contract.Answer:
    answer, raw = sent
    found = problems_of(target, entry, answer, raw, rules)
    assert not found, f"{what} differs from the recording:\n  " + "\n  ".join(found)
    return answer


def multipart(fields: dict[str, str], name: str, content: bytes, boundary: str = "aoai-conformance") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def upload(
    target: Target, http: Any, session: str, version: str, name: str, content: bytes
) -> tuple[contract.Answer, bytes]:
    body = multipart({"purpose": "batch"}, name, content)
    headers = {"Content-Type": "multipart/form-data; boundary=aoai-conformance"}
    return target.send(
        http, "POST", f"/openai/files?api-version={version}", headers=headers, content=body, session=session
    )


def batch_deployment(target: Target) -> str:
    name = target.deployments.get("batch") or (
        target.deployments.chat if target.deployments.keep_recorded else None
    )
    if name is None:
        pytest.skip(NO_BATCH_DEPLOYMENT.format(variable=DEPLOYMENT_ENV["batch"]))
    return name


def batch_input(deployment: str) -> bytes:
    """Two chat lines, as the .NET test of recordings 28 and 29 sends (its file is not recorded)."""
    rows = [
        {
            "custom_id": f"request-{n}",
            "method": "POST",
            "url": "/chat/completions",
            "body": {"model": deployment, "messages": [{"role": "user", "content": "Hello, world!"}]},
        }
        for n in (1, 2)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def poll(
    target: Target, http: Any, session: str, path: str, recorded: list[dict[str, Any]]
) -> dict[str, Any]:
    """Poll until the batch ends; every answer is checked against the recorded polls of its status."""
    order = list(dict.fromkeys(e["ResponseBody"]["status"] for e in recorded))
    by_status = {s: [e for e in recorded if e["ResponseBody"]["status"] == s] for s in order}
    give_up = time.monotonic() + (MOCK_TIMEOUT if target.is_mock else AZURE_TIMEOUT)
    wait, seen = 0.2, []
    while True:
        answer, raw = target.send(http, "GET", path, session=session)
        status = answer.json().get("status") if answer.status == 200 else None
        assert status in by_status, (
            f"poll answered {answer.status} {answer.text[:200]}; recorded statuses {order}"
        )
        if not seen or seen[-1] != status:
            seen.append(status)
        tries = [problems_of(target, e, answer, raw, BATCH_RULES) for e in by_status[status]]
        assert not all(tries), f"a {status} poll differs from every recorded one:\n  " + "\n  ".join(
            min(tries, key=len)
        )
        if status in TERMINAL:
            break
        assert time.monotonic() < give_up, f"the batch is still {status}"
        time.sleep(wait)
        wait = min(wait * 1.5, 15.0)
    assert seen == [s for s in order if s in seen], f"statuses came as {seen}; recorded order {order}"
    return dict(answer.json())


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


def output_line_problems(recorded: bytes, raw: bytes) -> list[str]:
    """Each line as recorded: Python's json.dumps form, one per request, in the recorded line shape."""
    expected = [json.loads(line) for line in recorded.splitlines()]
    problems = [] if raw.endswith(b"\n") else ["output file: the last line has no newline"]
    rules = contract.AZURE.but(exact_keys={"status_code", "object"})
    lines = raw.decode("utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        item = json.loads(line)
        if line != json.dumps(item):
            problems.append(f"output line {number}: not in Python's json.dumps form")
        problems += [f"output line {number}: {p}" for p in shapes.compare(expected[0], item, rules=rules)]
    ids = sorted(json.loads(line)["custom_id"] for line in lines)
    if ids != sorted(e["custom_id"] for e in expected):
        problems.append(f"output custom_ids {ids}, recorded {sorted(e['custom_id'] for e in expected)}")
    return problems


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
