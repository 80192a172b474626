"""Part 1: error envelopes for bad input (azure-wire §1.4, §3).

Gateway-family bodies (``{"error":{"code","message"}}``) are compared key by key and word for word;
model-family bodies (``{"error":{"message","type","param","code"}}``) by their keys and order, since
their wording is only known from reports. Every error carries ``apim-request-id`` and is JSON.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import contract
from .targets import Target
from .templates import recorded, rules

pytestmark = pytest.mark.contract
MESSAGES = [{"role": "user", "content": "hi"}]
UNKNOWN_DEPLOYMENT = "no-such-deployment-aoai-conformance"


def post(
    target: Target, http: Any, path: str, session: str, body: Any = None, **options: Any
) -> contract.Answer:
    answer, _ = target.send(
        http, "POST", path, {"messages": MESSAGES} if body is None else body, session=session, **options
    )
    return answer


def assert_json_error(answer: contract.Answer, status: int) -> Any:
    assert answer.status == status, f"status {answer.status}, expected {status}: {answer.text[:200]}"
    assert (answer.header("content-type") or "").startswith("application/json"), answer.header("content-type")
    assert answer.header("apim-request-id"), "errors carry apim-request-id (azure-wire §4.1)"
    return answer.json()


def test_missing_api_version_is_resource_not_found(target: Target, http: Any, session_id: str) -> None:
    """§1.4 (report): no api-version on the classic surface -> 404 with the gateway body."""
    answer = post(target, http, f"/openai/deployments/{target.deployments.chat}/chat/completions", session_id)
    body = assert_json_error(answer, 404)
    assert not contract.error_envelope_problems(body, contract.RESOURCE_NOT_FOUND), answer.text
    assert '"message": "' in answer.text, 'the gateway body has a space after "message": (azure-wire §1.4)'


def test_unknown_route_is_resource_not_found(target: Target, http: Any, session_id: str) -> None:
    """§1.4 (report): a wrong path gets the same 404 as a missing api-version."""
    path = f"/openai/deployments/{target.deployments.chat}/no/such/operation?api-version={target.api_version}"
    body = assert_json_error(post(target, http, path, session_id), 404)
    assert not contract.error_envelope_problems(body, contract.RESOURCE_NOT_FOUND), body


@pytest.mark.parametrize("version", ["2099-01-01", "not-a-version"])
def test_unsupported_api_version(version: str, target: Target, http: Any, session_id: str) -> None:
    """§1.4 (report): an unknown api-version -> 400 API version not supported."""
    body = assert_json_error(post(target, http, target.chat_path(version=version), session_id), 400)
    problems = contract.error_envelope_problems(body, contract.VERSION_NOT_SUPPORTED)
    assert not problems, "\n".join(problems)


def test_dated_api_version_on_v1_is_not_supported(target: Target, http: Any, session_id: str) -> None:
    """§1.2 (report): the v1 surface rejects a dated api-version."""
    answer = post(
        target,
        http,
        "/openai/v1/chat/completions?api-version=2025-01-01-preview",
        session_id,
        body={"model": target.deployments.chat, "messages": MESSAGES},
    )
    problems = contract.error_envelope_problems(
        assert_json_error(answer, 400), contract.VERSION_NOT_SUPPORTED
    )
    assert not problems, "\n".join(problems)


def test_unknown_deployment_is_deployment_not_found(target: Target, http: Any, session_id: str) -> None:
    """Recording 05: 404 DeploymentNotFound, word for word, on the GA version too."""
    entry = recorded("05")
    answer = post(target, http, target.chat_path(deployment=UNKNOWN_DEPLOYMENT), session_id)
    problems = contract.differences(entry, answer, rules(entry, UNKNOWN_DEPLOYMENT))
    assert not problems, "unknown deployment differs from recording 05:\n  " + "\n  ".join(problems)


def test_operation_not_supported(target: Target, http: Any, session_id: str) -> None:
    """Recording 10 (entry 2): image generation on a chat deployment -> 400 OperationNotSupported."""
    entry = recorded("10-unsupported")
    path = target.chat_path(version="2023-12-01-preview", op="images/generations")
    answer = post(
        target, http, path, session_id, body={"prompt": "monkey eating banana", "n": 1, "size": "1024x1024"}
    )
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    assert not problems, "OperationNotSupported differs from recording 10:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("payload", [b'{"messages": [', b"not json at all"], ids=["truncated", "garbage"])
def test_malformed_json_gets_the_model_error_envelope(
    payload: bytes, target: Target, http: Any, session_id: str
) -> None:
    """§3.1: request validation answers in the model envelope (message, type, param, code)."""
    answer, _ = target.send(http, "POST", target.chat_path(), content=payload, session=session_id)
    problems = contract.model_error_problems(assert_json_error(answer, 400))
    assert not problems, "\n".join(problems) + f"\n{answer.text[:200]}"


def test_wrong_type_gets_the_model_error_envelope(target: Target, http: Any, session_id: str) -> None:
    answer = post(target, http, target.chat_path(), session_id, body={"messages": "not a list"})
    problems = contract.model_error_problems(assert_json_error(answer, 400))
    assert not problems, "\n".join(problems)


def test_parameter_newer_than_the_api_version(target: Target, http: Any, session_id: str) -> None:
    """§1.4 (report): max_completion_tokens on 2024-08-01-preview -> 400 Unrecognized request argument."""
    answer = post(
        target,
        http,
        target.chat_path(version="2024-08-01-preview"),
        session_id,
        body={"messages": MESSAGES, "max_completion_tokens": 10},
    )
    body = assert_json_error(answer, 400)
    assert not contract.model_error_problems(body), answer.text
    assert body["error"]["message"] == "Unrecognized request argument supplied: max_completion_tokens"
