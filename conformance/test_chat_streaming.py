"""Part 1: chat streams against recordings 02 (classic, no usage) and 11 (GA, include_usage, logprobs).

The event sequence (annotation, role, content+, finish, usage, [DONE]), each event's keys and
order, the filter results on content chunks, ``usage:null`` on every chunk only when usage was
asked for, compact ``data: <json>\\n\\n`` framing, and chunked transfer without Content-Length
(azure-wire §6).
"""

from __future__ import annotations

from typing import Any

import pytest

from . import contract
from .targets import ANY_KEY, Target
from .templates import recorded, rules

pytestmark = pytest.mark.contract
PROMPT = [
    {"role": "user", "content": "Count to 10, with a comma between each number and a period at the end."}
]


def stream(
    target: Target, http: Any, version: str, session: str, **extra: Any
) -> tuple[contract.Answer, bytes]:
    body = {"messages": PROMPT, "max_tokens": 256, "temperature": 0, "stream": True, **extra}
    return target.send(http, "POST", target.chat_path(version=version), body, session=session)


def check(entry: dict[str, Any], target: Target, answer: contract.Answer, raw: bytes) -> list[str]:
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    return problems + (contract.framing(entry, answer.headers, raw) if target.socket else [])


def test_stream_has_the_recorded_events(target: Target, http: Any, session_id: str) -> None:
    entry = recorded("02")
    answer, raw = stream(target, http, "2025-01-01-preview", session_id)
    problems = check(entry, target, answer, raw)
    assert not problems, "stream differs from recording 02:\n  " + "\n  ".join(problems)


def test_stream_with_usage_and_logprobs_on_ga(target: Target, http: Any, session_id: str) -> None:
    entry = recorded("11")
    answer, raw = stream(
        target,
        http,
        "2024-10-21",
        session_id,
        logprobs=True,
        top_logprobs=1,
        stream_options={"include_usage": True},
    )
    problems = check(entry, target, answer, raw)
    assert not problems, "stream with include_usage differs from recording 11:\n  " + "\n  ".join(problems)


def test_stream_request_with_a_bad_key_gets_a_json_401(target: Target, http: Any, session_id: str) -> None:
    """Recording 06: errors before the first byte are plain JSON even for ``stream: true``."""
    if target.accepts_any_key():
        pytest.skip(ANY_KEY)
    entry = recorded("06")
    answer, _ = target.send(
        http,
        "POST",
        target.chat_path(),
        {"messages": PROMPT, "stream": True},
        auth=False,
        headers={"api-key": "00000000000000000000000000000000"},
        session=session_id,
    )
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    assert not problems, "401 on a stream request differs from recording 06:\n  " + "\n  ".join(problems)
