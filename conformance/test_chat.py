"""Part 1: chat completions (JSON) against recording 01's shape, plus the request-id headers.

Sources: recording 01 (body, key order, headers; 2025-01-01-preview), GA-SPEC for ``n``, azure-wire
§4.1 for the request ids.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from . import contract, shapes
from .targets import Target
from .templates import recorded, rules, with_items

pytestmark = pytest.mark.contract
PROMPT = [
    {"role": "user", "content": "Count to 5, with a comma between each number and a period at the end."}
]


def chat(
    target: Target, http: Any, version: str, session: str, **extra: Any
) -> tuple[contract.Answer, bytes]:
    body = {"messages": PROMPT, "max_tokens": 256, "temperature": 0, **extra}
    return target.send(http, "POST", target.chat_path(version=version), body, session=session)


@pytest.mark.parametrize("version", ["2025-01-01-preview", "ga"])
def test_chat_json_has_the_recorded_shape(version: str, target: Target, http: Any, session_id: str) -> None:
    entry = recorded("01")
    answer, raw = chat(target, http, target.api_version if version == "ga" else version, session_id)
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    if target.socket:
        problems += contract.framing(entry, answer.headers, raw)
    assert not problems, "chat JSON differs from recording 01:\n  " + "\n  ".join(problems)


def test_n_gives_that_many_choices_each_with_filter_results(
    target: Target, http: Any, session_id: str
) -> None:
    entry = with_items(recorded("01"), "choices", 2)
    answer, _ = chat(target, http, target.api_version, session_id, n=2)
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    assert not problems, "chat with n=2 differs from recording 01's shape:\n  " + "\n  ".join(problems)


def test_client_request_id_is_echoed(target: Target, http: Any, session_id: str) -> None:
    """azure-wire §4.1: ``x-ms-client-request-id`` carries the client's value back."""
    sent = str(uuid.uuid4())
    answer, _ = target.send(
        http,
        "POST",
        target.chat_path(),
        {"messages": PROMPT, "max_tokens": 8},
        headers={"x-ms-client-request-id": sent},
        session=session_id,
    )
    assert answer.status == 200, answer.text[:200]
    assert answer.header("x-ms-client-request-id") == sent


def test_client_request_id_defaults_to_the_apim_request_id(
    target: Target, http: Any, session_id: str
) -> None:
    """azure-wire §4.1 (recordings 04 and 08): without a client value it equals ``apim-request-id``."""
    answer, _ = target.send(
        http, "POST", target.chat_path(), {"messages": PROMPT, "max_tokens": 8}, session=session_id
    )
    assert answer.status == 200, answer.text[:200]
    assert answer.header("x-ms-client-request-id") == answer.header("apim-request-id")


def test_request_ids_are_distinct_uuids(target: Target, http: Any, session_id: str) -> None:
    """azure-wire §4.1: ``apim-request-id`` on every response, ``x-request-id`` a different UUID."""
    answer, _ = chat(target, http, target.api_version, session_id)
    apim, request = answer.header("apim-request-id"), answer.header("x-request-id")
    assert apim, "no apim-request-id"
    assert shapes.UUID.match(apim), f"apim-request-id {apim!r}"
    assert request, "no x-request-id"
    assert shapes.UUID.match(request), f"x-request-id {request!r}"
    assert apim != request
