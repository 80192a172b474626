"""``Pipeline``: the ASGI app that runs the stages, the handler, and the journal's send wrapper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from ..call import UNPARSED, Call
from ..endpoints import HANDLERS
from ..endpoints.render import UNMETERED_PROFILES, BytesResponse, SynthStream, error_profile, error_response
from ..errors import AzureError, resource_not_found, server_error, state_unavailable
from ..faults.effects import ClientGone, ScriptedDisconnect, wrap_send
from ..http import decode_headers, decode_query, normalise_path
from ..journal import JournalRecord
from ..replay.capture import Capture
from ..replay.cassette import Interaction
from ..state import MockState
from ..stores.base import StateUnavailable
from ..types import Message, Receive, Scope, Send
from .faults import settle
from .replay import replay_answer
from .stages import STAGES

ONE_WRITE = 256 * 1024  # larger bodies go out as uvicorn writes them: joining would copy them
STREAM_WRITE = 64 * 1024  # an unpaced stream leaves in writes of about this size (fastpath.wire)
KEEP_PARSED = (
    64 * 1024
)  # the journal keeps larger request bodies as bytes (parsed JSON takes 5-10 times more)


class Pipeline:
    """The ASGI app for everything under /openai: stages, handler, journal."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        slot = self.state.cassette
        capture = None
        # the mock records what it answers itself; never a batch line (the mock's own request: a
        # cassette keeps the client's exchanges, and the lines come back from the batch's own record)
        if slot is not None and slot.record is not None and "aoai.batch" not in scope:
            keep = recorder(lambda: call, slot.record)
            capture = Capture(scope, slot.body_fields, keep, self.state.settings.max_body_bytes)
            raw_receive, receive = receive, capture.tee(receive)
            send = capture.wrap(send, raw_receive)
            scope["aoai.head"] = False  # the capture reads the response's headers: plain messages
        call = self.new_call(scope, receive)
        try:
            await self.answer(call, scope, receive, send)
        finally:
            if call.form is not None:
                await call.form.close()  # spooled upload files are removed now, on every path
            if capture is not None:
                capture.done()  # an answer cut short is recorded as it went out

    async def answer(self, call: Call, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.respond(call)
        except ClientGone as gone:
            call.notes.append(str(gone))
            await self.finish(journal_record(call, 0))  # status 0: no response was sent
            return
        entry = journal_record(call, response.status_code)
        chain = self.journal_send(entry, response, send)
        transport = scope.get("aoai.transport")  # a server.HoldingTransport; None in-process
        if call.transport_fault is not None:
            chain = wrap_send(call.transport_fault, chain, scope)
        elif transport is not None and self.state.settings.fast_path:
            if one_write(response):
                transport.hold()  # a small complete body: head and body leave in one write
            elif isinstance(response, SynthStream):
                transport.hold(STREAM_WRITE)  # unpaced events leave in a few writes, not one each
                response.unpaced = True
        try:
            await response(scope, receive, chain)
        except ScriptedDisconnect:
            if transport is None:
                raise  # in-process: the client sees the dropped connection as an exception
        finally:
            if transport is not None:
                transport.release()
            await self.finish(entry)

    def new_call(self, scope: Scope, receive: Receive) -> Call:
        state = self.state
        request_id, x_request_id = state.request_ids.pair()
        call = Call(
            method=scope["method"],
            path=normalise_path(scope["path"]),
            query=decode_query(scope),
            headers=decode_headers(scope),
            request_id=request_id,
            x_request_id=x_request_id,
            received_at=state.clock.now(),
        )
        call.scope, call.receive = scope, receive
        line = scope.get("aoai.batch")
        if line is not None:  # a batch line (mockserver.batch.lines): the runner reads the call back
            call.batch_id, call.custom_id = line["batch_id"], line["custom_id"]
            line["call"] = call
        return call

    async def respond(self, call: Call) -> Response:
        try:
            for stage in STAGES:
                waiting = stage(call, self.state)
                if waiting is not None:  # an async stage (body, replay, faults)
                    await waiting
            if call.replayed is not None:  # the replay stage found a recorded answer
                return replay_answer(call)
            handler = HANDLERS.get(call.operation or "")
            if handler is None:
                raise resource_not_found()
            return await handler(call, self.state)
        except AzureError as error:
            return await self.error(call, error)
        except StateUnavailable as gone:  # the shared state did not answer: 503, service resumes with it
            call.notes.append(f"state unavailable: {gone.cause}")
            return error_response(call, self.state, state_unavailable(gone.cause))
        except ClientGone:
            raise
        except Exception as exc:  # an unscripted failure: Azure-shaped 500, kept for tests to re-raise
            self.state.errors.append(exc)
            call.notes.append(f"internal error: {exc!r}")
            return error_response(call, self.state, server_error(call.request_id))

    async def error(self, call: Call, error: AzureError) -> Response:
        """``error`` rendered; a refusal before metering reports the usage without charging it.
        A fault decision left open (``call.rules_seen``) is taken first: a rule's status wins."""
        if call.rules_seen is not None:
            try:
                await settle(call, self.state)
            except AzureError as fault:
                error = fault
        unmetered = error_profile(error, call) in UNMETERED_PROFILES
        if call.rate is None and call.deployment is not None and unmetered:
            try:
                call.rate = await self.state.limiter.look(call.deployment)
            except StateUnavailable as gone:
                call.notes.append(f"state unavailable: {gone.cause}")
        return error_response(call, self.state, error)

    def journal_send(self, entry: JournalRecord, response: Response, send: Send) -> Send:
        """Wrap ``send`` so the journal gets what went on the wire; the entry is recorded before the
        last byte leaves, so a client that has its answer always finds it in the journal."""
        entry.content_type = content_type(response)

        async def record_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                entry.keep(message.get("body", b""))
                if not message.get("more_body", False):
                    await self.finish(entry)
            elif message["type"] == "http.response.start":
                entry.head = message  # its headers are decoded when the journal is read
            await send(message)

        return record_send

    async def finish(self, entry: JournalRecord) -> None:
        """Record ``entry`` once (also when the connection was dropped mid-response)."""
        if entry.added:
            return
        entry.added = True
        call = entry.call
        call.scope = call.receive = None  # the journal keeps the call, not the connection
        entry.weight = len(call.raw_body) + entry.size
        if call.parsed_body is not UNPARSED:
            if call.parsed_body is not None and len(call.raw_body) > KEEP_PARSED:
                call.parsed_body = UNPARSED  # a large body is kept as its bytes, parsed again when read
            else:
                call.raw_body = b""  # parsed already: keeping the bytes too would double a large body
        try:
            await self.state.journal.append(entry)
        except StateUnavailable as gone:  # the answer went out; only its journal line is lost
            self.state.journal_lost += 1
            call.notes.append(f"state unavailable: {gone.cause}")


def one_write(response: Response) -> bool:
    return isinstance(response, BytesResponse) and len(response.body) <= ONE_WRITE


def content_type(response: Response) -> str:
    """The response's content type, read from its raw headers (cheaper than ``response.headers``)."""
    if isinstance(response, BytesResponse):
        return BytesResponse.media_type  # its headers are computed when it is sent
    for name, value in response.raw_headers:
        if name == b"content-type":
            return value.decode("latin-1")
    return ""


def journal_record(call: Call, status: int) -> JournalRecord:
    """The journal's record of ``call`` (its entry is built when read; uploads are summarised now)."""
    return JournalRecord(call, status, summarise_form(call.form) if call.form is not None else None)


def summarise_form(form: Any) -> dict[str, Any]:
    """Uploads are summarised (name, type, size), never stored. Not ``replay.bodies.file_summary``:
    a cassette's summary hashes the upload's bytes (to match it later); the journal never reads them."""
    result: dict[str, Any] = {}
    for key, value in form.multi_items():
        if hasattr(value, "filename"):
            result[key] = {"filename": value.filename, "content_type": value.content_type, "size": value.size}
        else:
            result[key] = value
    return result


def recorder(
    call: Callable[[], Call], record: Callable[[Interaction], None]
) -> Callable[[Interaction], None]:
    """``record`` for what the mock answered itself: a replayed answer is in the cassette already."""

    def keep(interaction: Interaction) -> None:
        if call().replayed is None:
            record(interaction)

    return keep
