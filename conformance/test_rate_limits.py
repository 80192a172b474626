"""Part 1: 429 bodies and headers as Azure sends them (azure-wire §3.5, reports; no recording holds one).

The token-rate 429 (gateway style, code "429", a space after ``"message":``, the operationId and the
api-version in the text, ``policy-id: DeploymentRatelimit-Token``) and the request-rate 429 (85 bytes).
A mock is told to throttle through a fault rule; a real resource cannot be, so these need faults.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .targets import Target

pytestmark = [pytest.mark.contract, pytest.mark.needs_faults]
BODY = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}
TOKEN_MESSAGE = (
    r"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version {version} have "
    r"exceeded token rate limit of your current (OpenAI|AIServices) S0 pricing tier\. "
    r"Please retry after \d+ seconds?\. .+"
)


def throttled(target: Target, http: Any, session: str, fault: dict[str, Any]) -> Any:
    with target.faults({"fault": fault, "times": 1}, session=session):
        answer, raw = target.send(http, "POST", target.chat_path(), BODY, session=session)
    assert answer.status == 429, answer.text[:200]
    return answer, raw


def test_token_rate_429(target: Target, http: Any, session_id: str) -> None:
    answer, raw = throttled(target, http, session_id, {"status": 429, "variant": "tokens", "retry_after": 7})
    error = answer.json()["error"]
    assert list(error) == ["code", "message"], error
    assert error["code"] == "429"
    assert re.fullmatch(TOKEN_MESSAGE.format(version=re.escape(target.api_version)), error["message"]), error
    assert raw.startswith(b'{"error":{"code":"429","message": "')
    assert answer.header("policy-id") == "DeploymentRatelimit-Token"
    assert answer.header("retry-after") == "7"


def test_request_rate_429(target: Target, http: Any, session_id: str) -> None:
    answer, raw = throttled(
        target, http, session_id, {"status": 429, "variant": "requests", "retry_after": 4}
    )
    assert raw == b'{"error":{"code":"429","message": "Rate limit is exceeded. Try again in 4 seconds."}}'
    assert answer.header("policy-id") == "DeploymentRatelimit-Call"
    assert answer.header("x-ratelimit-reset-requests") == "4"
    assert answer.header("apim-request-id")
