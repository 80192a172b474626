"""Part 1, from the recordings: the Responses flows of recordings 15, 17, 19, 23 and 30, sent again.

Each flow's later requests name ids its earlier answers gave (a GET and DELETE of the created id, a
``previous_response_id``), so the requests go in the recorded order with the target's ids in place of
the recorded ones, and every answer is compared with its entry (``contract.differences`` under
``contract.RESPONSES``: status, headers, keys and their order, value types, the rendering, and on a
socket the framing). The single-request Responses recordings (16, 18, 20-22, 24, 26) are exchanges of
``conformance/test_recordings.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from . import contract
from .flows import check
from .recordings import load_entries, recorded_deployment
from .targets import Target

pytestmark = [pytest.mark.contract, pytest.mark.recorded]
RESP_ID = re.compile(r"resp_[0-9a-f]{48,50}")
FLOWS = {
    "15": "POST, GET, DELETE response.deleted, GET 404 (Aug 2025)",
    "17": "a function call, then previous_response_id + function_call_output",
    "19": "store: false, then GET 404",
    "23": "two turns via previous_response_id, the second on another deployment",
    "30": "string input and chaining from openai-go (May 2025, 2025-03-01-preview)",
}


def swap(text: str, ids: dict[str, str]) -> str:
    return RESP_ID.sub(lambda found: ids.get(found.group(0), found.group(0)), text)


def request_of(target: Target, entry: dict[str, Any], ids: dict[str, str]) -> tuple[str, str, bytes | None]:
    uri = urlsplit(entry["RequestUri"])
    path = swap(uri.path + (f"?{uri.query}" if uri.query else ""), ids)
    body = entry["RequestBody"]
    if body is None:
        return entry["RequestMethod"], path, None
    recorded = recorded_deployment(entry)
    if recorded is not None:
        body = {**body, "model": target.deployments.for_recorded("chat", recorded)}
    return entry["RequestMethod"], path, swap(json.dumps(body), ids).encode()


@pytest.mark.parametrize("recording", list(FLOWS))
def test_responses_flow(recording: str, target: Target, http: Any, session_id: str) -> None:
    ids: dict[str, str] = {}
    for index, entry in enumerate(load_entries(recording)):
        method, path, content = request_of(target, entry, ids)
        sent = target.send(http, method, path, session=session_id, content=content)
        recorded = entry["ResponseBody"]
        if isinstance(recorded, dict):  # an error names the id: the target's, in place of the recorded one
            entry = {**entry, "ResponseBody": json.loads(swap(json.dumps(recorded), ids))}
        deployment = json.loads(content).get("model") if content else None
        rules = contract.rules_for(entry, deployment, recorded_deployment(entry))
        answer = check(target, entry, sent, f"{recording} entry {index} ({FLOWS[recording]})", rules)
        if isinstance(recorded, dict) and isinstance(recorded.get("id"), str):
            ids.setdefault(recorded["id"], answer.json()["id"])
