"""The ``replay`` stage: look the request up in the attached cassette early, answer late.

A hit is kept on the call (``call.replayed``) after its recorded header delay; the stages after
it that decide what the generator would answer (deployment, validate, moderate, ratelimit) let a
replayed call pass, the ``faults`` stage still runs in its place (a rule can throttle, delay or cut
a recorded answer; a ``content_filter`` fault cannot rewrite recorded content and is ignored), and
the pipeline answers with the recording instead of a handler. A miss is an Azure-shaped 404
``ReplayMiss`` naming its near miss, or, with fall-through, goes on to the generator and meets the
route or api-version error it deferred.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from starlette.responses import Response as HttpResponse

from ..call import Call
from ..faults.effects import wait_or_disconnect
from ..replay.bodies import add_field
from ..replay.cassette import Request
from ..replay.player import Miss, Replayed, replay_miss
from ..state import MockState

FELL_THROUGH = "replay miss, answered by the generator: {message}"


async def replay(call: Call, state: MockState) -> None:
    player = state.replay
    if player is None or call.batch_id is not None:  # batch lines are the mock's own, never replayed
        return
    outcome = await player.lookup_shared(await request_from_call(call))
    if isinstance(outcome, Miss):
        if not player.fallthrough:
            call.notes.append(outcome.message)
            await close_form(call)
            raise replay_miss(outcome.message)
        call.notes.append(FELL_THROUGH.format(message=outcome.message))
        if call.deferred is not None:
            raise call.deferred
        return
    await close_form(call)
    call.notes.append(outcome.note)
    call.replayed = Replayed(player, outcome.entry.interaction)
    if call.deployment_name is None:
        call.deployment_name = outcome.entry.view.deployment
    await pause(player.delay(outcome.entry.interaction.response.t, call.started), call)


def replay_answer(call: Call) -> HttpResponse:
    """The recorded response of a replayed call (its SSE events paced from when the call came)."""
    assert call.replayed is not None
    return call.replayed.response(call.started)


async def close_form(call: Call) -> None:
    """Uploads are spooled to temporary files; no handler will read (and drop) them now."""
    if call.form is not None:
        await call.form.close()


async def pause(seconds: float, call: Call) -> None:
    if seconds <= 0:
        return
    if call.method == "POST":  # the body has been read: receive() now only reports a disconnect
        await wait_or_disconnect(seconds, call.receive)
    else:
        await asyncio.sleep(seconds)


async def request_from_call(call: Call) -> Request:
    """The incoming request as a cassette ``Request`` (uploads hashed, then rewound for the handler)."""
    kind: str | None = None
    body: Any = None
    if call.form is not None:
        kind, body = "form", await form_summary(call.form)
    elif call.raw_body:
        kind, body = "json", call.body
    return Request(call.method, call.path, dict(call.query), dict(call.headers), kind, body)


async def form_summary(form: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in form.multi_items():
        if hasattr(value, "filename"):
            add_field(result, name, await upload_summary(value))
        else:
            add_field(result, name, value)
    return result


async def upload_summary(upload: Any) -> dict[str, Any]:
    """``bodies.file_summary`` of a spooled upload, hashed in chunks (an upload is never read whole)."""
    sha, size = hashlib.sha256(), 0
    await upload.seek(0)
    while chunk := await upload.read(1 << 20):
        sha.update(chunk)
        size += len(chunk)
    await upload.seek(0)
    return {
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": size,
        "sha256": sha.hexdigest(),
    }
