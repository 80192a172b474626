"""The request pipeline: every Azure data-plane request passes these stages, in this order.

    1. context     request ids, the ``Call`` and the common headers (apim-request-id, ...)
    2. route       path -> surface, operation, deployment name   (404 Resource not found)
    3. auth        api-key or Bearer                              (401, two envelopes)
    4. api_version classic: required and known; v1: none/v1/preview (404 / 400)
    5. body        JSON (or multipart) checked; bytes seen before  (400 on malformed JSON)
                   are parsed only when read (``Call.body``)
       replay      a recorded exchange answers (mockserver.replay) (404 ReplayMiss + near miss);
                   a hit still meets the faults stage
    6. deployment  path segment or v1 body ``model``              (404 DeploymentNotFound,
                   and the model must serve the operation          400 OperationNotSupported)
    7. faults      scripted rules: a status, a delay, or a transport fault kept for ``send``
    8. validate    per-operation request checks                   (400 naming the param)
       moderate    prompt-side content-filter triggers             (400 content_filter, recording 04)
    9. ratelimit   TPM/RPM windows and the x-ratelimit-* headers  (429)
   10. handler     the endpoint renders JSON or SSE
   11. journal     every request, accepted or not, with its status and any fault (an ``Exchange``:
                   the entry is built when the journal is read)

A small complete answer leaves in one write with a head the mock rendered (``mockserver.wire``);
streams and fault-paced answers are written as they are sent.

Replay comes after body (matching compares bodies) and before deployment, so recorded exchanges
replay for deployments the catalogue does not know (recording 05's 404 included); auth still runs
first, so a missing key is a 401 as on the recorded service, and a replayed answer still meets
the faults stage. While a cassette is loaded, route and api-version errors wait for the replay
stage (``defer``): a cassette may hold exchanges the generator does not know (the Responses API,
files, an api-version newer than ``versions.py``).

Faults come after deployment resolution so a rule can target one deployment, and before
validation and rate limiting so scheduled faults win deterministically (a gateway throttles
before the model validates).

Route matching runs before auth as an API gateway matches operations before it applies
policies (inferred); Azure's exact precedence between auth, api-version and deployment is not
known (azure-wire §15), so the order lives in ``STAGES`` and a reorder is a one-line change.

Files and batches are resource-scoped (no deployment stage). The lines of a batch come back through
this same pipeline as synthetic requests (``mockserver.batch.lines``), marked in their scope as
``aoai.batch``: they skip auth (the batch was authorised when it was created) and replay (a cassette
records the client's exchanges, never the lines), and meet everything else, faults included (a rule
can match ``batch``, ``batch_id`` or ``custom_id``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response

from . import routing
from .auth import authenticate
from .call import UNPARSED, Call, decode_headers, decode_query, normalise_path, parse_json, read_all
from .catalogue import CHAT, COMPLETIONS, EMBEDDINGS, TRANSCRIPTIONS, TRANSLATIONS
from .content_filter import hits_from_spec, prompt_filtered
from .endpoints import HANDLERS
from .endpoints.render import BytesResponse, error_response
from .errors import (
    AzureError,
    content_too_large,
    deployment_not_found,
    invalid_request,
    operation_not_supported,
    resource_not_found,
    server_error,
)
from .fault_bodies import default_error, scripted_error, too_many_requests
from .ids import digest
from .journal import Exchange
from .memo import request_key
from .moderation import blocks, prompt_hits
from .ratelimit import Throttle
from .replay.player import ReplayHit, replay_call
from .state import MockState
from .synth.tokens import content_text
from .transport import (
    TIMING_KINDS,
    ClientGone,
    ScriptedDisconnect,
    delay_seconds,
    wait_or_disconnect,
    wrap_send,
)
from .validation import VALIDATORS
from .validation.files import MAX_FILE_BYTES
from .versions import check_classic, check_v1

Stage = Callable[[Call, MockState], Awaitable[None] | None]  # async only where a stage waits
UPLOAD_OPERATIONS = (TRANSCRIPTIONS, TRANSLATIONS)
MEMO_OPERATIONS = (CHAT, COMPLETIONS, EMBEDDINGS)  # their validators only count tokens
# bodies read through a counting receive: past the limit, a 413 before more is read or spooled
BODY_LIMITS = {routing.FILES_CREATE: MAX_FILE_BYTES + 1024 * 1024, routing.BATCHES_CREATE: 1024 * 1024,
               routing.BATCHES_CANCEL: 1024 * 1024}
EMPTY_BODY_OK = (routing.BATCHES_CANCEL,)  # recording 29 cancels with Content-Length: 0
ONE_WRITE = 256 * 1024  # larger bodies go out as uvicorn writes them: joining would copy them

MALFORMED_JSON = (
    "We could not parse the JSON body of your request. The API expects a JSON payload, but what was "
    "sent was not valid JSON."
)  # OpenAI's wording without its help-centre hint (inferred for Azure)


def defer(call: Call, state: MockState, error: AzureError) -> None:
    """Raise ``error`` now, or, while replaying, keep it until the replay stage has looked."""
    if state.replay is None:
        raise error
    if call.deferred is None:
        call.deferred = error


def route(call: Call, state: MockState) -> None:
    found = routing.match(call.method, call.path)
    if found is None:
        call.surface = "v1" if call.path.startswith("/openai/v1/") else None
        defer(call, state, resource_not_found())
        return
    call.surface, call.operation = found.surface, found.operation
    call.deployment_name, call.resource_id = found.deployment, found.resource_id


def auth(call: Call, state: MockState) -> None:
    if call.batch_id is None:  # a batch line was authorised with its batch
        authenticate(call, state.settings)


def api_version(call: Call, state: MockState) -> None:
    call.api_version = call.query.get("api-version")
    error = check_v1(call.api_version) if call.surface == "v1" else check_classic(call.api_version)
    if error is not None:
        defer(call, state, error)


async def body(call: Call, state: MockState) -> None:
    if call.method != "POST":
        return
    limit = BODY_LIMITS.get(call.operation or "")
    if limit is not None:
        call.receive = limited(call.receive, limit, call.headers.get("content-length"))
    if call.content_type.startswith("multipart/"):
        try:
            call.form = await Request({"type": "http", **call.scope}, call.receive).form()
        except (MultiPartException, ValueError) as exc:
            raise invalid_request(f"Invalid multipart/form-data body: {exc}") from None  # wording inferred
        return
    call.raw_body = await read_all(call.receive)
    if call.operation in UPLOAD_OPERATIONS or call.operation == routing.FILES_CREATE:
        return  # not multipart: the upload validator says what it expected
    if not call.raw_body and call.operation in EMPTY_BODY_OK:
        return
    known = ("json", call.raw_body)
    if state.memo.get(state.settings, known):  # these bytes parsed before: parse when read
        call.parsed_body = UNPARSED
        return
    try:
        call.body = parse_json(call.raw_body)
    except (ValueError, UnicodeDecodeError):
        if call.deferred is None:  # an unknown route's body is only for the replay matcher
            raise invalid_request(MALFORMED_JSON) from None
        return
    state.memo.put(state.settings, known, True)


def limited(receive: Any, limit: int, declared: str | None) -> Any:
    """``receive`` that raises the 413 once more than ``limit`` bytes arrived (at once when the
    Content-Length says so), so an oversized upload is refused before it is read or spooled."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise content_too_large(limit, int(declared))
    seen = 0

    async def counting() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise content_too_large(limit, seen)
        return message  # type: ignore[no-any-return]

    return counting


async def replay(call: Call, state: MockState) -> None:
    """Serve a recorded exchange when ``state.replay`` has one: raises ``ReplayHit`` (see ``respond``).

    A hit still meets the scripted faults, so a rule can throttle, delay or cut a recorded answer
    (a ``content_filter`` fault cannot rewrite recorded content and is ignored). A miss that falls
    through to the generator meets the route or api-version error it deferred. Batch lines are the
    mock's own requests and never replayed."""
    if call.batch_id is not None:
        return
    try:
        await replay_call(call, state)
    except ReplayHit:
        await faults(call, state)
        raise
    if call.deferred is not None:
        raise call.deferred


def deployment(call: Call, state: MockState) -> None:
    if call.operation in routing.RESOURCE_SCOPED:
        return
    name = call.deployment_name if call.surface != "v1" else v1_model(call)
    call.deployment_name = name
    found = state.settings.deployment(name) if name is not None else None
    if found is None:
        raise deployment_not_found()
    call.deployment = found
    if call.operation is not None and not found.serves(call.operation):
        raise operation_not_supported(call.operation, found.response_model)


def v1_model(call: Call) -> str:
    """On /openai/v1 the deployment is the body's ``model`` (recording 03)."""
    source = call.form if call.form is not None else call.body
    model = source.get("model") if hasattr(source, "get") else None
    if not isinstance(model, str) or not model:
        raise invalid_request("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    return model


def validate(call: Call, state: MockState) -> None:
    validator = VALIDATORS.get(call.operation or "")
    if validator is None:
        return
    if call.operation not in MEMO_OPERATIONS:
        validator(call, state)
        return
    key = ("valid", *request_key(call))
    known = state.memo.get(state.settings, key)
    if known is None:
        validator(call, state)  # raises for bad input: only valid requests are remembered
        known = (call.prompt_tokens, call.estimated_tokens)
        state.memo.put(state.settings, key, known)
    call.prompt_tokens, call.estimated_tokens = known


async def faults(call: Call, state: MockState) -> None:
    decision = state.faults.decide(call)
    if decision is None:
        return
    rule, action = decision
    call.fault = f"{rule.id}: {action}"
    if "status" in action:
        raise status_fault(call, action)
    if action["kind"] == "content_filter":
        call.filter_action = action  # completion-side verdict, applied by the chat handler
    elif action["kind"] in TIMING_KINDS:
        rng = random.Random(digest("delay", state.settings.seed, call.request_id))
        await wait_or_disconnect(delay_seconds(action, rng), call.receive)
    else:
        call.transport_fault = action


def status_fault(call: Call, action: dict[str, Any]) -> AzureError:
    status = action["status"]
    if status == 429:
        base = too_many_requests(action.get("variant", "tokens"), call.operation, call.api_version,
                                 float(action.get("retry_after", 1)),
                                 http_date=action.get("retry_after_format") == "http-date")
    elif status == 400 and action.get("content_filter"):
        base = prompt_filtered(hits_from_spec(action["content_filter"]))
    else:
        base = default_error(status, call.operation, call.api_version, call.request_id)
    return scripted_error(status, action.get("body"), action.get("headers") or {}, base)


def moderate(call: Call, state: MockState) -> None:
    triggers = state.settings.content_filters
    if not triggers:
        return
    hits = prompt_hits(triggers, prompt_texts(call), call.deployment_name)
    if blocks(hits):
        raise prompt_filtered(hits)
    call.prompt_hits = hits


def prompt_texts(call: Call) -> list[str]:
    body = call.body if isinstance(call.body, dict) else {}
    if call.operation == CHAT:
        return [content_text(m.get("content")) for m in body.get("messages", ()) if isinstance(m, dict)]
    if call.operation == COMPLETIONS:
        prompt = body.get("prompt")
        return [prompt] if isinstance(prompt, str) else [p for p in prompt or () if isinstance(p, str)]
    return []


def ratelimit(call: Call, state: MockState) -> None:
    if call.deployment is None:
        return
    pool = "batch" if call.batch_id is not None else ""  # batch lines have a quota of their own
    call.rate, throttle = state.limiter.admit(call.deployment, call.estimated_tokens, pool)
    if throttle is not None:
        raise throttled(call, throttle)


def throttled(call: Call, throttle: Throttle) -> AzureError:
    error = too_many_requests(throttle.variant, call.operation, call.api_version, throttle.retry_after)
    assert call.deployment is not None
    if call.deployment.sku == "provisioned":
        # PTU: "the service returns a 429 code with the retry-after-ms header set to the time
        # until utilization is below 100%" (PTU-DOC, azure-wire §3.5)
        error.headers["retry-after-ms"] = str(max(1, round(throttle.retry_after * 1000)))
    return error


STAGES: tuple[Stage, ...] = (route, auth, api_version, body, replay, deployment, faults, validate, moderate,
                             ratelimit)


class Pipeline:
    """The ASGI app for everything under /openai: stages, handler, journal."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        call = self.new_call(scope, receive)
        try:
            await self.answer(call, scope, receive, send)
        finally:
            if call.form is not None:
                await call.form.close()  # spooled upload files are removed now, on every path

    async def answer(self, call: Call, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            response = await self.respond(call)
        except ClientGone as gone:
            call.notes.append(str(gone))
            self.finish(exchange(call, 0))  # status 0: no response was sent
            return
        entry = exchange(call, response.status_code)
        chain = self.recorder(entry, response, send)
        transport = scope.get("aoai.transport")  # a server.HoldingTransport; None in-process
        if call.transport_fault is not None:
            chain = wrap_send(call.transport_fault, chain, scope)
        elif transport is not None and one_write(response):
            transport.hold()  # a small complete body: head and body leave in one write
        try:
            await response(scope, receive, chain)
        except ScriptedDisconnect:
            if transport is None:
                raise  # in-process: the client sees the dropped connection as an exception
        finally:
            if transport is not None:
                transport.release()
            self.finish(entry)

    def new_call(self, scope: dict[str, Any], receive: Any) -> Call:
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
            handler = HANDLERS.get(call.operation or "")
            if handler is None:
                raise resource_not_found()
            return await handler(call, self.state)
        except ReplayHit as hit:  # the replay stage answered from a cassette
            return hit.response
        except AzureError as error:
            return error_response(call, self.state, error)
        except ClientGone:
            raise
        except Exception as exc:  # an unscripted failure: Azure-shaped 500, kept for tests to re-raise
            self.state.errors.append(exc)
            call.notes.append(f"internal error: {exc!r}")
            return error_response(call, self.state, server_error(call.request_id))

    def recorder(self, entry: Exchange, response: Response, send: Any) -> Any:
        """Wrap ``send`` so the journal gets what went on the wire; the entry is recorded before the
        last byte leaves, so a client that has its answer always finds it in the journal."""
        entry.content_type = content_type(response)

        async def record_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                entry.keep(message.get("body", b""))
                if not message.get("more_body", False):
                    self.finish(entry)
            elif message["type"] == "http.response.start":
                entry.head = message  # its headers are decoded when the journal is read
            await send(message)

        return record_send

    def finish(self, entry: Exchange) -> None:
        """Record ``entry`` once (also when the connection was dropped mid-response)."""
        if entry.recorded:
            return
        entry.recorded = True
        call = entry.call
        call.scope = call.receive = None  # the journal keeps the call, not the connection
        if call.parsed_body is not UNPARSED:
            call.raw_body = b""  # parsed already: keeping the bytes too would double a large body
        self.state.journal.record(entry)


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


def exchange(call: Call, status: int) -> Exchange:
    """The journal's record of ``call`` (its entry is built when read; uploads are summarised now)."""
    return Exchange(call, status, summarise_form(call.form) if call.form is not None else None)


def summarise_form(form: Any) -> dict[str, Any]:
    """Uploads are summarised (name, type, size), never stored."""
    result: dict[str, Any] = {}
    for key, value in form.multi_items():
        if hasattr(value, "filename"):
            result[key] = {"filename": value.filename, "content_type": value.content_type, "size": value.size}
        else:
            result[key] = value
    return result
