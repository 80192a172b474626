"""The helpers of the files and batch flows (``conformance/test_files_batches.py``): sending one
recorded request of a flow with the ids the target gave, comparing each answer with its entry,
polling a batch to its end, and the recorded upload and batch input bodies."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from . import contract, shapes
from .recordings import missing_reason
from .target_kinds import DEPLOYMENT_ENV
from .targets import Target

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
    wait, seen = 0.2, list[str | None]()
    while True:
        answer, raw = target.send(http, "GET", path, session=session)
        status = answer.json().get("status") if answer.status == 200 else None
        assert status in by_status, (
            f"poll answered {answer.status} {answer.text[:200]}; recorded statuses {order}"
        )
        if not seen or seen[-1] != status:
            seen.append(status)
        tries: list[list[str]] = [problems_of(target, e, answer, raw, BATCH_RULES) for e in by_status[status]]
        closest = min(tries, key=len)
        assert not all(tries), f"a {status} poll differs from every recorded one:\n  " + "\n  ".join(closest)
        if status in TERMINAL:
            break
        assert time.monotonic() < give_up, f"the batch is still {status}"
        time.sleep(wait)
        wait = min(wait * 1.5, 15.0)
    assert seen == [s for s in order if s in seen], f"statuses came as {seen}; recorded order {order}"
    return dict(answer.json())


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
