"""Part 1: content-filter fields and errors (azure-wire §3.3, §5.3, §6).

A real resource filters on its own judgement; a mock is told to, through fault rules, so these
tests need fault injection except where a recording's own prompt does the job (recording 04, in
``test_recordings``). The annotations on ordinary answers are checked by every shape test.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import contract, shapes
from .targets import Target
from .templates import recorded, rules

pytestmark = [pytest.mark.contract, pytest.mark.needs_faults]
PROMPT = [{"role": "user", "content": "Tell me a story about a lighthouse keeper."}]
PROMPT_FILTER = {"fault": {"status": 400, "content_filter": {"category": "violence", "severity": "medium"}}}
COMPLETION_FILTER = {"fault": {"kind": "content_filter", "category": "violence", "severity": "high"}}


def send(
    target: Target, http: Any, session: str, rule: dict[str, Any], **extra: Any
) -> tuple[contract.Answer, bytes]:
    with target.faults(rule, session=session):
        return target.send(
            http, "POST", target.chat_path(), {"messages": PROMPT, "max_tokens": 64, **extra}, session=session
        )


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_prompt_filter_400_is_recording_04(stream: bool, target: Target, http: Any, session_id: str) -> None:
    """Recording 04 word for word; a stream request gets the same JSON (§3.3, inferred from 06)."""
    entry = recorded("04")
    answer, _ = send(target, http, session_id, PROMPT_FILTER, **({"stream": True} if stream else {}))
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    assert not problems, "prompt filter differs from recording 04:\n  " + "\n  ".join(problems)


def filtered_template() -> dict[str, Any]:
    """Recording 01 as a completion cut by the filter: finish_reason content_filter, violence high
    and filtered (GA-SPEC finish_reason enum, §3.3 "Completion filtered")."""
    entry = recorded("01")
    choice = entry["ResponseBody"]["choices"][0]
    choice["finish_reason"] = "content_filter"
    choice["content_filter_results"]["violence"] = {"filtered": True, "severity": "high"}
    return entry


def test_completion_filter_cuts_the_answer(target: Target, http: Any, session_id: str) -> None:
    entry = filtered_template()
    answer, _ = send(target, http, session_id, COMPLETION_FILTER)
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    assert not problems, "filtered completion differs:\n  " + "\n  ".join(problems)


def test_completion_filter_ends_the_stream_with_content_filter(
    target: Target, http: Any, session_id: str
) -> None:
    answer, _ = send(target, http, session_id, COMPLETION_FILTER, stream=True)
    assert answer.status == 200, answer.text[:200]
    payloads = [shapes.event_data(e) for e in shapes.split_events(answer.text)]
    kinds = shapes.kind_sequence(payloads)
    assert kinds[0] == "annotation", kinds
    assert kinds[-2:] == ["finish", "done"], kinds
    finish = next(p for p in payloads if shapes.event_kind(p) == "finish")
    assert finish["choices"][0]["finish_reason"] == "content_filter"
