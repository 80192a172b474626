"""Part 1, from the recordings: each recorded request sent to the target, the answer compared with
the recorded answer (``conformance.contract``: status, headers, keys and their order, value types,
SSE event kinds, compact vs pretty JSON, chunked framing).

These are the tests the Azure stand-in runs (``python -m conformance.standin``): a replay of the
recordings behind ``--target azure`` answers exactly these requests.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import contract
from .recordings import (
    BY_ID,
    EXCHANGES,
    Exchange,
    load_entry,
    missing_reason,
    recorded_deployment,
    replay_request,
)
from .target_kinds import DEPLOYMENT_ENV
from .targets import ANY_KEY, Target

pytestmark = [pytest.mark.contract, pytest.mark.recorded]
NOT_REPLAYABLE = {
    "08": "recording 08 (Dec 2023) shows the service's 2023 key order (id, object, created, ...; no "
    "system_fingerprint or logprobs), which the 2024-2025 recordings of the same operation (01, 11) "
    "supersede (azure-wire §5.4); the service today answers in the newer order, so 08 is not a contract",
    "09": "recording 09 elides its audio (the multipart body was decoded and the file left out), so its "
    "request cannot be sent again",
}
# Flow recordings: their ids come from their own earlier answers, so conformance/test_files_batches.py
# and conformance/test_responses.py send each one again in order, as a flow
FLOWS = ("27", "28", "29", "31", "15", "17", "19", "23", "30")
# Recordings whose operation or shape the mock's generator does not produce yet, each with the issue
# that will; the replay import test (tests/test_replay_import.py) and the stand-in replay them already.
NOT_YET: dict[str, str] = {}
NO_DEPLOYMENT = "needs a deployment of kind {kind} on this target: set {variable}"


def send(target: Target, http: Any, exchange: Exchange, session: str) -> tuple[contract.Answer, bytes]:
    replay = replay_request(exchange, target)
    headers = dict(replay.headers)
    if target.is_mock:
        headers["x-mock-session"] = session
    with http.stream(
        replay.method, target.url(replay.target), headers=headers, content=replay.body
    ) as response:
        raw = b"".join(response.iter_raw())
        return contract.Answer(response.status_code, dict(response.headers), raw.decode("utf-8")), raw


def check_exchange(target: Target, http: Any, exchange: Exchange, session: str) -> list[str]:
    entry = load_entry(exchange)
    replay = replay_request(exchange, target)
    rules = contract.rules_for(entry, replay.deployment, recorded_deployment(entry))
    if exchange.provoke and target.is_mock:
        with target.faults(exchange.provoke, session=session):
            answer, raw = send(target, http, exchange, session)
    else:
        answer, raw = send(target, http, exchange, session)
    problems = contract.differences(entry, answer, rules)
    if target.socket:
        problems += contract.framing(entry, answer.headers, raw)
    return problems


def skip_unless_replayable(exchange: Exchange, target: Target) -> None:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    if target.deployments.keep_recorded or exchange.kind in ("chat", "none"):
        return
    entry = load_entry(exchange)
    recorded = recorded_deployment(entry)
    if target.deployments.get(exchange.kind) is None and recorded not in target.deployments.available:
        pytest.skip(NO_DEPLOYMENT.format(kind=exchange.kind, variable=DEPLOYMENT_ENV[exchange.kind]))


@pytest.mark.parametrize("exchange_id", [e.id for e in EXCHANGES])
def test_recorded_exchange(exchange_id: str, target: Target, http: Any, session_id: str) -> None:
    exchange = BY_ID[exchange_id]
    skip_unless_replayable(exchange, target)
    if exchange.bad_key and target.accepts_any_key():
        pytest.skip(ANY_KEY)
    problems = check_exchange(target, http, exchange, session_id)
    assert not problems, f"{exchange.id} ({exchange.what}) differs from the recording:\n  " + "\n  ".join(
        problems
    )


def test_recordings_cover_every_replayable_file() -> None:
    """Every reference recording is either replayed or named with the reason it cannot be (or the issue
    that will make it replayable)."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    from .recordings import recording_files

    numbers = {path.name[:2] for path in recording_files()}
    covered = {e.recording for e in EXCHANGES} | set(NOT_REPLAYABLE) | set(NOT_YET) | set(FLOWS)
    assert numbers <= covered, f"recordings neither replayed nor explained: {sorted(numbers - covered)}"
