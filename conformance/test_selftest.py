"""The suite has teeth: its contract part, pointed at deliberately wrong servers, reports the defects.

Each wrong server is the mock (``conformance/mock.toml``) behind a small ASGI wrapper that breaks one
Azure trait, the way a careless fake would:

* ``openai-errors``: error bodies in OpenAI's envelope (``message, type, param, code``) instead of
  Azure's gateway bodies (recordings 05, 06, 10);
* ``no-annotation``: streams without the prompt-annotation event (azure-wire §6.2);
* ``openai-headers``: api.openai.com's headers (``openai-processing-ms``, ``openai-version``) and no
  ``apim-request-id`` (azure-wire §4.1, §4.3).

``pytest conformance -m contract --target url`` runs against each (and once against the unbroken
mock, the control), in subprocesses side by side; the test reads their JUnit XML and checks that
the tests that should catch the defect failed, saying what is wrong, and that the control passed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .recordings import ROOT, missing_reason
from .shapes import event_kind, safe_event_data, split_events
from .target_kinds import mock_app

pytestmark = pytest.mark.selftest
Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]


class Breaker:
    """Wraps an ASGI app; JSON bodies go through ``body``, SSE chunks through ``chunk``, the
    response headers through ``headers``. The ``/_mock`` control API passes untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def body(self, status: int, data: bytes) -> bytes:
        return data

    def chunk(self, data: bytes) -> bytes:
        return data

    def headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        return headers

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_mock"):
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self.wrap(send))

    def wrap(self, send: Send) -> Send:
        held: dict[str, Any] = {"start": None, "parts": [], "stream": False}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = self.headers(list(message.get("headers", [])))
                held["stream"] = any(
                    k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers
                )
                held["start"] = {**message, "headers": headers}
                if held["stream"]:
                    await send(held["start"])
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            if held["stream"]:
                await send({**message, "body": self.chunk(message.get("body", b""))})
                return
            held["parts"].append(message.get("body", b""))
            if not message.get("more_body", False):
                await self.flush(send, held)

        return wrapped

    async def flush(self, send: Send, held: dict[str, Any]) -> None:
        start = held["start"]
        body = self.body(start["status"], b"".join(held["parts"]))
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


class OpenAIErrors(Breaker):
    """Every error in OpenAI's envelope, as api.openai.com answers."""

    def body(self, status: int, data: bytes) -> bytes:
        if status < 400:
            return data
        try:
            found = json.loads(data)
        except ValueError:
            return data
        error = found.get("error", found) if isinstance(found, dict) else {}
        message = error.get("message") if isinstance(error, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        return json.dumps(
            {
                "error": {
                    "message": message or "error",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": code,
                }
            }
        ).encode()


class NoAnnotation(Breaker):
    """Streams without the prompt-annotation event."""

    def chunk(self, data: bytes) -> bytes:
        events = split_events(data.decode("utf-8"))
        kept = [e for e in events if event_kind(safe_event_data(e)) != "annotation"]
        return "".join(kept).encode("utf-8")


class OpenAIHeaders(Breaker):
    """api.openai.com's headers instead of Azure's request id."""

    def headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        kept = [(k, v) for k, v in headers if k.lower() != b"apim-request-id"]
        return [*kept, (b"openai-processing-ms", b"42"), (b"openai-version", b"2020-10-01")]


BREAKERS: dict[str, type[Breaker] | None] = {
    "control": None,
    "openai-errors": OpenAIErrors,
    "no-annotation": NoAnnotation,
    "openai-headers": OpenAIHeaders,
}
# Tests that must fail against each wrong server, and a phrase their failure must contain.
MUST_CATCH: dict[str, tuple[tuple[str, str], ...]] = {
    "openai-errors": (
        ("test_recordings.py::test_recorded_exchange[05]", "error.type: unexpected"),
        ("test_recordings.py::test_recorded_exchange[06]", "error.param: unexpected"),
        ("test_recordings.py::test_recorded_exchange[10-unsupported]", "key order differs"),
        ("test_errors.py::test_unknown_deployment_is_deployment_not_found", "error.type: unexpected"),
        ("test_errors.py::test_missing_api_version_is_resource_not_found", "unexpected"),
        ("test_errors.py::test_unsupported_api_version[2099-01-01]", "unexpected"),
        ("test_auth.py::test_invalid_key_gets_the_recorded_401", "error.type: unexpected"),
        ("test_content_filter.py::test_prompt_filter_400_is_recording_04[json]", "error.innererror: missing"),
    ),
    "no-annotation": (
        ("test_recordings.py::test_recorded_exchange[02]", "events: sequence differs"),
        ("test_recordings.py::test_recorded_exchange[03]", "events: sequence differs"),
        ("test_recordings.py::test_recorded_exchange[11]", "events: sequence differs"),
        ("test_recordings.py::test_recorded_exchange[14]", "events: sequence differs"),
        ("test_chat_streaming.py::test_stream_has_the_recorded_events", "events: sequence differs"),
        ("test_chat_streaming.py::test_stream_with_usage_and_logprobs_on_ga", "events: sequence differs"),
        ("test_content_filter.py::test_completion_filter_ends_the_stream_with_content_filter", "annotation"),
    ),
    "openai-headers": (
        ("test_recordings.py::test_recorded_exchange[01]", "header apim-request-id: missing"),
        ("test_recordings.py::test_recorded_exchange[02]", "header openai-processing-ms: unexpected"),
        ("test_chat.py::test_chat_json_has_the_recorded_shape[ga]", "header openai-version: unexpected"),
        ("test_chat.py::test_request_ids_are_distinct_uuids", "apim-request-id"),
        ("test_errors.py::test_missing_api_version_is_resource_not_found", "apim-request-id"),
    ),
}


def failures(report: Path) -> dict[str, str]:
    """Failed test ids (``file::name[param]``) from a JUnit XML report, with their messages."""
    failed: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            module = case.get("classname", "").rsplit(".", 1)[-1]
            failed[f"{module}.py::{case.get('name')}"] = (problem.get("message") or "") + (problem.text or "")
    return failed


def totals(report: Path) -> tuple[int, int]:
    suite = next(ET.parse(report).getroot().iter("testsuite"))
    return int(suite.get("tests", 0)), int(suite.get("skipped", 0))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Run the contract part against every server at once; JUnit XML per server."""
    from mockserver.server import ServerThread

    reason = missing_reason()
    if reason:  # nearly every contract expectation is a recording
        pytest.skip(reason)

    folder = tmp_path_factory.mktemp("selftest")
    servers, runs, paths = [], [], {}
    try:
        for name, breaker in BREAKERS.items():
            app = mock_app()
            server = ServerThread(app if breaker is None else breaker(app)).start()  # type: ignore[arg-type]
            servers.append(server)
            paths[name] = folder / f"{name}.xml"
            command = [
                sys.executable,
                "-m",
                "pytest",
                str(ROOT / "conformance"),
                "--target",
                "url",
                "--base-url",
                server.endpoint,
                "-m",
                "contract",
                "-p",
                "no:cacheprovider",
                "-q",
                f"--junitxml={paths[name]}",
            ]
            runs.append(
                subprocess.Popen(
                    command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
            )
        for run in runs:
            run.communicate(timeout=300)
        yield paths
    finally:
        for server in servers:
            server.stop()


def test_the_unbroken_mock_passes_the_contract(reports: dict[str, Path]) -> None:
    failed = failures(reports["control"])
    tests, skipped = totals(reports["control"])
    assert not failed, f"the control run failed: {sorted(failed)}"
    assert tests - skipped > 40, f"the control run ran only {tests - skipped} tests"


@pytest.mark.parametrize("defect", [name for name in BREAKERS if name != "control"])
def test_the_contract_reports_the_defect(defect: str, reports: dict[str, Path]) -> None:
    failed = failures(reports[defect])
    expected = MUST_CATCH[defect]
    missed = [test for test, _ in expected if test not in failed]
    assert not missed, f"{defect}: these tests should have failed but did not: {missed}"
    unexplained = [test for test, phrase in expected if phrase not in failed[test]]
    assert not unexplained, f"{defect}: failures that do not name the defect: " + "; ".join(
        f"{t}: {failed[t][:300]}" for t in unexplained
    )
