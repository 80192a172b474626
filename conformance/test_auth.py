"""Part 1: authentication (azure-wire §2): the two schemes, header-name case, the v1 surface."""

from __future__ import annotations

from typing import Any

import pytest

from . import contract
from .targets import ANY_KEY, BAD_KEY, Target
from .templates import recorded, rules

pytestmark = pytest.mark.contract
BODY = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}


def needs_key(target: Target) -> str:
    if not target.api_key or target.bearer:
        pytest.skip("this run authenticates with an Entra token, not a key")
    return target.api_key


@pytest.mark.parametrize("name", ["api-key", "Api-Key", "API-KEY"])
def test_key_header_name_is_case_insensitive(name: str, target: Target, http: Any, session_id: str) -> None:
    """Recording 01: the Go client sends ``Api-Key`` and gets a 200."""
    answer, _ = target.send(
        http,
        "POST",
        target.chat_path(),
        BODY,
        auth=False,
        headers={name: needs_key(target)},
        session=session_id,
    )
    assert answer.status == 200, answer.text[:200]


def skip_if_any_key(target: Target) -> None:
    if target.accepts_any_key():
        pytest.skip(ANY_KEY)


def test_invalid_key_gets_the_recorded_401(target: Target, http: Any, session_id: str) -> None:
    """Recording 06: body word for word, gateway headers only."""
    skip_if_any_key(target)
    entry = recorded("06")
    answer, _ = target.send(
        http, "POST", target.chat_path(), BODY, auth=False, headers={"api-key": BAD_KEY}, session=session_id
    )
    problems = contract.differences(entry, answer, rules(entry, target.deployments.chat))
    assert not problems, "invalid key differs from recording 06:\n  " + "\n  ".join(problems)


def test_key_as_bearer_on_the_classic_surface_is_refused(target: Target, http: Any, session_id: str) -> None:
    """§2, §2.1 (report): the resource key is not an Entra token; the token-style 401 answers."""
    skip_if_any_key(target)
    answer, _ = target.send(
        http,
        "POST",
        target.chat_path(),
        BODY,
        auth=False,
        headers={"Authorization": f"Bearer {needs_key(target)}"},
        session=session_id,
    )
    assert answer.status == 401, answer.text[:200]
    problems = contract.error_envelope_problems(answer.json(), contract.TOKEN_401)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["bearer", "api-key"])
def test_v1_accepts_the_key(scheme: str, target: Target, http: Any, session_id: str) -> None:
    """§1.2, §2 (LIFECYCLE): the plain OpenAI client sends the key as Bearer; the REST tab uses api-key."""
    key = needs_key(target)
    header = {"Authorization": f"Bearer {key}"} if scheme == "bearer" else {"api-key": key}
    answer, _ = target.send(
        http,
        "POST",
        "/openai/v1/chat/completions",
        {**BODY, "model": target.deployments.chat},
        auth=False,
        headers=header,
        session=session_id,
    )
    assert answer.status == 200, answer.text[:200]
    assert answer.json()["object"] == "chat.completion"


@pytest.mark.parametrize("version", ["v1", "preview"])
def test_v1_accepts_its_own_api_versions(version: str, target: Target, http: Any, session_id: str) -> None:
    """§1.2: on /openai/v1 the api-version may be absent, ``v1`` or ``preview``."""
    answer, _ = target.send(
        http,
        "POST",
        f"/openai/v1/chat/completions?api-version={version}",
        {**BODY, "model": target.deployments.chat},
        session=session_id,
    )
    assert answer.status == 200, answer.text[:200]
