"""The ``faults`` stage: the first matching fault rule's action, applied once per request.

A status fault raises its Azure error; a ``content_filter`` fault is kept for the chat handler;
a waiting kind (latency, stall) waits here, unless the client disconnects; any other transport
fault is kept for the pipeline to wrap ``send`` with (``faults.effects``).
"""

from __future__ import annotations

import random

from ..call import Call
from ..faults.effects import delay_seconds, wait_or_disconnect
from ..faults.rules import WAITING_KINDS
from ..faults.statuses import status_fault
from ..ids import digest
from ..state import MockState


async def faults(call: Call, state: MockState) -> None:
    decision = await state.faults.choose(call)
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
    else:
        call.transport_fault = action
