"""The ``faults`` stage: the first matching fault rule's action, applied once per request.

With a shared state, "no rule applies" may be left for the rate-limit charge to confirm in the same
round trip (``call.rules_seen``); when the rules changed meanwhile, or the request is refused before
the charge, ``settle`` decides then, so the outcome is the one the faults stage would have had.

A status fault raises its Azure error; a ``content_filter`` fault is kept for the chat handler;
a waiting kind (latency, stall) waits here, unless the client disconnects; any other transport
fault is kept for the pipeline to wrap ``send`` with (``faults.effects``).
"""

from __future__ import annotations

import random
from typing import Any

from ..call import Call
from ..catalogue import RESPONSES_CREATE
from ..faults.effects import delay_seconds, wait_or_disconnect
from ..faults.rules import WAITING_KINDS, FaultRule
from ..faults.statuses import status_fault
from ..ids import digest
from ..state import MockState


async def faults(call: Call, state: MockState) -> None:
    await apply(call, state, await state.faults.choose(call))


async def settle(call: Call, state: MockState) -> None:
    """The decision a shared state left open (``call.rules_seen``), taken now and applied."""
    call.rules_seen = None
    await apply(call, state, await state.faults.choose(call, settle=True))


async def apply(call: Call, state: MockState, decision: tuple[FaultRule, Any] | None) -> None:
    if decision is None:
        return
    rule, action = decision
    call.fault = f"{rule.id}: {action}"
    if "status" in action:
        raise status_fault(call, action)
    if action["kind"] == "content_filter":
        call.filter_action = action  # completion-side verdict, applied by the chat handler
    elif action["kind"] in WAITING_KINDS:
        rng = random.Random(digest("delay", state.settings.seed, call.request_id))
        await wait_or_disconnect(delay_seconds(action, rng), call.receive)
    elif call.operation == RESPONSES_CREATE:  # a broken stream in Responses framing (event: lines)
        call.transport_fault = {**action, "framing": "responses"}
    else:
        call.transport_fault = action
