"""Parity for the Responses recordings (15-26, 30): each recording's requests sent in order to the
mock, the ids the mock gave put in place of the recorded ones (a GET of the created id, a chained
``previous_response_id``), and every answer compared with its entry under ``shapes.STRICT``: status,
headers, keys and their order, value types, the event sequence of a stream, and the rendering
(2-space indented JSON where the recorded Content-Length says so).

Where recordings of the same operation disagree (Azure changed the shape between May 2025 and Mar
2026) the mock serves the Aug 2025 shape of 15-19 and 21-23, the shape of both streams, and the
older and newer recordings' differences are listed below with the reason; an allowance that matches
nothing fails too.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from conformance import shapes
from conformance.contract import rendering_problems
from conformance.recordings import load_entries
from mockserver import create_app, load_settings, make_deployment

from .test_parity import Answer, credential, differences

RECORDINGS = ("15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "30")
RESP_ID = re.compile(r"resp_[0-9a-f]{48,50}")
JULY_2025 = (
    "20 and 24 (Jul 2025) predate content_filters, max_tool_calls, prompt_cache_key and safety_identifier, "
    "which the Aug 2025 recordings 15-23 and both streams carry"
)
MAY_2025 = (
    "30 (May 2025, East US, openai-go) predates background and the Jul-Aug 2025 additions, and its POSTs "
    "carry the openai-* headers that the Aug 2025 POSTs (15-23) no longer send"
)
CROSS_MODEL = (
    "23 turn 2 ran on computer-use-preview, a model whose reasoning.effort is 'medium'; the mock has no "
    "such model, the parity deployment of that name is a chat model (effort null)"
)
JULY_KEYS = (
    "content_filters: missing",
    "max_tool_calls: missing",
    "prompt_cache_key: missing",
    "safety_identifier: missing",
)
MAY_KEYS = ("background: missing", *JULY_KEYS)
MAY_HEADERS = (
    "header openai-organization: missing",
    "header openai-processing-ms: missing",
    "header openai-version: missing",
    "header x-ms-client-request-id: unexpected",
    "header x-ms-deployment-name: unexpected",
    "header x-ratelimit-limit-tokens: unexpected",
    "header x-ratelimit-remaining-tokens: unexpected",
)


def unexpected(lines: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(line.replace(": missing", ": unexpected") for line in lines)


MARCH_2026 = (
    "25 (Mar 2026, .NET 2.8.0-alpha) is the one recording of the 2026 shape (completed_at, penalties, "
    "prompt_cache_retention, top_logprobs, text.verbosity, output_text logprobs, content_filters filled "
    "on every answer; azureai-*-tier, skip-error-remapping and x-ratelimit-reset-* headers; no "
    "x-ms-deployment-name); both streams and eight JSON answers show the Aug 2025 shape, which the mock serves"
)
MARCH_LINES = (
    "header azureai-processed-tier: missing",
    "header azureai-requested-tier: missing",
    "header skip-error-remapping: missing",
    "header x-ratelimit-reset-requests: missing",
    "header x-ratelimit-reset-tokens: missing",
    "header x-ms-deployment-name: unexpected",
    "header x-ms-middleware-request-id: unexpected",
    "completed_at: missing",
    "frequency_penalty: missing",
    "presence_penalty: missing",
    "prompt_cache_retention: missing",
    "top_logprobs: missing",
    "text.verbosity: missing",
    "output[1].content[0].logprobs: missing",
    "content_filters: type differs (recorded list, mock null)",
)

KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "25/0": dict.fromkeys(MARCH_LINES, MARCH_2026),
    "20/0": dict.fromkeys(unexpected(JULY_KEYS), JULY_2025),
    "24/0": dict.fromkeys(unexpected(JULY_KEYS), JULY_2025),
    "23/1": {"reasoning.effort: type differs (recorded str, mock null)": CROSS_MODEL},
    "30/0": dict.fromkeys(unexpected(MAY_KEYS) + MAY_HEADERS, MAY_2025),
    "30/1": dict.fromkeys(unexpected(MAY_KEYS) + MAY_HEADERS, MAY_2025),
}

# deployments named as recorded: gpt-4o-mini and o3-mini are built in
PARITY_DEPLOYMENTS = {"gpt-4o-0806": "gpt-4o", "computer-use-preview": "gpt-4o"}


def parity_client() -> TestClient:
    base = load_settings(seed=5, freeze_time=1_754_441_765.0, tokenizer="bpe")
    extra = tuple(make_deployment(name, model) for name, model in PARITY_DEPLOYMENTS.items())
    return TestClient(
        create_app(base.with_changes(deployments=base.deployments + extra, keys=frozenset({"parity-key"})))
    )


def swap_ids(text: str, ids: dict[str, str]) -> str:
    return RESP_ID.sub(lambda found: ids.get(found.group(0), found.group(0)), text)


def send(client: TestClient, entry: dict[str, Any], ids: dict[str, str]) -> Answer:
    uri = urlsplit(entry["RequestUri"])
    target = swap_ids(uri.path + (f"?{uri.query}" if uri.query else ""), ids)
    headers = {
        k: v
        for k, v in entry["RequestHeaders"].items()
        if k.lower() not in ("api-key", "authorization", "content-length")
    }
    headers.update({"api-key": "parity-key"})
    body = entry["RequestBody"]
    content = swap_ids(json.dumps(body), ids).encode() if body is not None else b""
    response = client.request(entry["RequestMethod"], target, headers=headers, content=content)
    return Answer(response.status_code, dict(response.headers), response.text)


def replay_recording(client: TestClient, recording: str) -> dict[str, list[str]]:
    ids: dict[str, str] = {}
    results = {}
    for index, entry in enumerate(load_entries(recording)):
        answer = send(client, entry, ids)
        recorded = entry["ResponseBody"]
        if isinstance(recorded, dict) and isinstance(recorded.get("id"), str) and answer.status == 200:
            ids.setdefault(recorded["id"], json.loads(answer.text)["id"])
        if isinstance(recorded, list) and answer.status == 200:
            created = shapes.event_data(shapes.split_events(answer.text)[0])["response"]["id"]
            first = shapes.event_data(shapes.joined_events(recorded)[0])["response"]["id"]
            ids.setdefault(first, created)
        if isinstance(recorded, dict):  # an error names the id: the mock's, in place of the recorded one
            entry = {**entry, "ResponseBody": json.loads(swap_ids(json.dumps(recorded), ids))}
        if isinstance(recorded, list):
            entry = {**entry, "ResponseBody": shapes.joined_events(recorded)}
        if isinstance(recorded, str):  # 26: no Content-Type, so the recorder kept the bytes as base64
            results[f"{recording}/{index}"] = untyped_differences(entry, answer)
            continue
        results[f"{recording}/{index}"] = differences(entry, answer)
    return results


def untyped_differences(entry: dict[str, Any], answer: Answer) -> list[str]:
    problems = [] if answer.status == entry["StatusCode"] else [f"status: {answer.status}"]
    problems += shapes.compare_headers(entry["ResponseHeaders"], answer.headers)
    if answer.text.encode() != base64.b64decode(entry["ResponseBody"]):
        problems.append(f"body: not the recorded bytes: {answer.text[:80]!r}")
    return problems


def judge(key: str, problems: list[str]) -> list[str]:
    allowed = KNOWN_DIFFERENCES.get(key, {})
    left = [p for p in problems if p not in allowed]
    return left + [f"allowance no longer needed: {line}" for line in allowed if line not in problems]


@pytest.fixture(scope="module")
def results(shared_reference: Path) -> dict[str, list[str]]:
    client = parity_client()
    found: dict[str, list[str]] = {}
    for recording in RECORDINGS:
        found.update(replay_recording(client, recording))
    return found


pytestmark = pytest.mark.shared


@pytest.mark.parametrize("recording", RECORDINGS)
def test_responses_recording_matches(recording: str, results: dict[str, list[str]]) -> None:
    problems = {key: judge(key, lines) for key, lines in results.items() if key.startswith(f"{recording}/")}
    assert problems, f"recording {recording} was not replayed"
    left = {key: lines for key, lines in problems.items() if lines}
    assert not left, "\n".join(f"{key}:\n  " + "\n  ".join(lines) for key, lines in left.items())


def test_allowances_name_replayed_entries(results: dict[str, list[str]]) -> None:
    assert set(KNOWN_DIFFERENCES) <= set(results)
