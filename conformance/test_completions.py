"""Part 1: legacy completions against recording 13 (non-alphabetical key order, azure-wire §10)."""

from __future__ import annotations

from typing import Any

import pytest

from . import contract
from .targets import Target
from .templates import recorded, rules

pytestmark = pytest.mark.contract


def test_completions_have_the_recorded_shape(target: Target, http: Any, session_id: str) -> None:
    entry = recorded("13")
    deployment = target.deployments["completions"]
    path = target.chat_path(deployment=deployment, version="2025-01-01-preview", op="completions")
    body = {"prompt": ["What is a conformance suite?"], "max_tokens": 200, "temperature": 0}
    answer, raw = target.send(http, "POST", path, body, session=session_id)
    problems = contract.differences(entry, answer, rules(entry, deployment))
    if target.socket:
        problems += contract.framing(entry, answer.headers, raw)
    assert not problems, "completions differ from recording 13:\n  " + "\n  ".join(problems)
