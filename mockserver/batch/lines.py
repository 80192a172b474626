"""One batch line through the pipeline of its deployment, and the line it leaves in the output files.

A line becomes a synthetic request to the ``Pipeline`` ASGI app in this process: ``POST
/openai/deployments/{model}/chat/completions?api-version=<the batch's>`` (or ``/openai/v1/...`` for a
batch created there), with the line's body, the session of the request that created the batch, and
``aoai.batch`` in its scope (``pipeline``: auth and replay are skipped; validation, content filters,
canned replies, faults and rate limits apply; the journal shows it with its ``batch_id`` and
``custom_id``).

Output lines are recording 28's: ``{"custom_id", "response": {"body", "request_id", "status_code"},
"error": null}`` in Python's ``json.dumps`` form (``", "`` and ``": "`` separators, non-ASCII as
``\\uXXXX``), the body as the deployment answered it (its key order kept). A line answered with an
error status goes to the error file in the same form, its body the Azure error. A line the
transport fault of a rule cut gets ``response: null`` and an ``error`` (the SDK type's ``error`` for
"a non-HTTP error"; wording inferred). A 429 of the deployment's own rate limiter is not a failure:
Global Batch queues work instead of refusing it, so the line waits and is sent again (a scripted 429
fails the line). ``stream: true`` is refused per line (inferred; a batch answer cannot stream).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..faults.effects import ScriptedDisconnect

OPERATION_PATHS = {"chat.completions": "chat/completions", "responses.create": "responses"}
THROTTLE_WAIT = 0.5  # seconds between tries of a throttled line (the limiter's windows use real time)
MAX_THROTTLED = 600  # tries before a throttled line counts as failed (about five minutes)
NO_STREAM = {
    "error": {
        "message": "Streaming is not supported for batch requests.",
        "type": "invalid_request_error",
        "param": "stream",
        "code": None,
    }
}


@dataclass(frozen=True)
class Outcome:
    """A line's result: ``ok`` lines go to the output file, the others to the error file."""

    ok: bool
    text: bytes  # the JSONL line, newline included


@dataclass
class Answer:
    status: int = 0
    headers: dict[str, str] | None = None
    chunks: list[bytes] | None = None
    call: Any = None
    cut: str | None = None


def scope_for(record: dict[str, Any], line: dict[str, Any], body: bytes) -> dict[str, Any]:
    model = str(line["body"]["model"])
    operation = OPERATION_PATHS[record["operation"]]
    if record["surface"] == "v1":
        path, query = f"/openai/v1/{operation}", b""
    elif operation == "responses":  # never under /deployments/: the deployment is the body's model
        path, query = "/openai/responses", f"api-version={record['api_version']}".encode()
    else:
        path, query = (
            f"/openai/deployments/{quote(model, safe='')}/{operation}",
            f"api-version={record['api_version']}".encode(),
        )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"user-agent", b"aoai-mock-batch"),
    ]
    if record.get("session"):
        headers.append((b"x-mock-session", str(record["session"]).encode("latin-1")))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 0),
        "server": ("batch", 443),
        "aoai.batch": {"batch_id": record["id"], "custom_id": line["custom_id"], "call": None},
    }


async def send_once(app: Any, record: dict[str, Any], line: dict[str, Any]) -> Answer:
    body = json.dumps(line["body"]).encode()
    scope = scope_for(record, line, body)
    answer = Answer(headers={}, chunks=[])
    sent = False
    forever = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await forever.wait()  # a client that stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", ())
            }
        elif message["type"] == "http.response.body":
            assert answer.chunks is not None
            answer.chunks.append(message.get("body", b""))

    try:
        await app(scope, receive, send)
    except (ScriptedDisconnect, ConnectionError, OSError) as exc:
        answer.cut = str(exc) or type(exc).__name__
    answer.call = scope["aoai.batch"]["call"]
    return answer


def throttled(answer: Answer) -> bool:
    """A 429 from the deployment's rate limiter (not a scripted fault)."""
    return answer.status == 429 and answer.call is not None and answer.call.fault is None


async def run(app: Any, record: dict[str, Any], line: dict[str, Any]) -> Outcome:
    """Send the line (again while the rate limiter throttles it) and turn the answer into its JSONL line."""
    custom_id = line["custom_id"]
    if line["body"].get("stream") is True:
        return failed(custom_id, 400, "", NO_STREAM)
    for _ in range(MAX_THROTTLED):
        answer = await send_once(app, record, line)
        if not throttled(answer):
            break
        await asyncio.sleep(THROTTLE_WAIT)
    return outcome(custom_id, answer)


def outcome(custom_id: str, answer: Answer) -> Outcome:
    data = b"".join(answer.chunks or ())
    request_id = (answer.headers or {}).get("apim-request-id", "")
    if answer.cut is not None or answer.status == 0:
        error = {
            "code": "server_error",
            "message": f"The request could not be completed: {answer.cut or 'no answer'}",
        }
        return Outcome(False, render({"custom_id": custom_id, "response": None, "error": error}))
    try:
        body: Any = json.loads(data) if data else None
    except ValueError:
        body = data.decode("utf-8", errors="replace")
    if 200 <= answer.status < 300:
        return Outcome(True, response_line(custom_id, answer.status, request_id, body))
    return failed(custom_id, answer.status, request_id, body)


def failed(custom_id: str, status: int, request_id: str, body: Any) -> Outcome:
    return Outcome(False, response_line(custom_id, status, request_id, body))


def response_line(custom_id: str, status: int, request_id: str, body: Any) -> bytes:
    response = {"body": body, "request_id": request_id, "status_code": status}
    return render({"custom_id": custom_id, "response": response, "error": None})


def render(line: dict[str, Any]) -> bytes:
    return (json.dumps(line) + "\n").encode("ascii")
