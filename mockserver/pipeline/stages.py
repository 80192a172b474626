"""The stages of the request pipeline, in ``STAGES`` order (``mockserver.pipeline`` says why)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.formparsers import MultiPartException
from starlette.requests import Request

from .. import routing
from ..auth import authenticate
from ..call import UNPARSED, Call, CompletionsRequest, ImageRequest, OperationRequest
from ..catalogue import (
    BATCHES_CANCEL,
    BATCHES_CREATE,
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    FILES_CREATE,
    IMAGES,
    RESPONSES_CANCEL,
    RESPONSES_CREATE,
    TRANSCRIPTIONS,
    TRANSLATIONS,
)
from ..errors import (
    AzureError,
    content_too_large,
    deployment_not_found,
    invalid_request,
    operation_not_supported,
    resource_not_found,
)
from ..fastpath.memo import request_key
from ..faults.effects import ClientGone
from ..filters.triggers import blocks, prompt_hits, prompt_triggers
from ..filters.verdicts import image_prompt_blocked, prompt_filtered
from ..http import BodyAbandoned, BodyTooLarge, declared_length, limited_receive, parse_json, read_body
from ..limits import MAX_UPLOAD_BYTES
from ..ratelimit import Throttle, too_many_requests
from ..responses.errors import missed_model
from ..responses.inputs import input_texts
from ..state import MockState
from ..synth.tokens import content_text
from ..validation import VALIDATORS
from ..validation.files import MAX_FILE_BYTES
from ..versions import check_classic, check_v1
from .faults import faults, settle
from .replay import replay

Stage = Callable[[Call, MockState], Awaitable[None] | None]  # async only where a stage waits
UPLOAD_OPERATIONS = (TRANSCRIPTIONS, TRANSLATIONS)
# their typed requests are never changed once made (a Responses create: unless it is chained, the
# validator returns it at once; a chained one reads the store and is never remembered)
MEMO_OPERATIONS = (CHAT, COMPLETIONS, EMBEDDINGS, RESPONSES_CREATE)
# operations whose bodies have their own limit (else mockserver.limits: MAX_UPLOAD_BYTES for
# multipart, [server] max_body_bytes for JSON); past it a 413 before more is read or spooled
BODY_LIMITS = {
    FILES_CREATE: MAX_FILE_BYTES + 1024 * 1024,
    BATCHES_CREATE: 1024 * 1024,
    BATCHES_CANCEL: 1024 * 1024,
}
EMPTY_BODY_OK = (BATCHES_CANCEL, RESPONSES_CANCEL)  # recording 29 cancels with Content-Length: 0

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
    multipart = call.content_type.startswith("multipart/")
    limit = BODY_LIMITS.get(call.operation or "") or (
        MAX_UPLOAD_BYTES if multipart else state.settings.max_body_bytes
    )
    try:
        if (declared_length(call.headers) or 0) > limit:  # refused before a byte is read
            raise BodyTooLarge(limit, declared_length(call.headers) or 0)
        if multipart:
            await read_form(call, limit)
            return
        call.raw_body = await read_body(call.receive, limit)
    except BodyTooLarge as big:
        raise content_too_large(big.limit, big.read) from None
    except BodyAbandoned as gone:
        raise ClientGone(str(gone)) from None
    if call.operation in UPLOAD_OPERATIONS or call.operation == FILES_CREATE:
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


async def read_form(call: Call, limit: int) -> None:
    request = Request({"type": "http", **call.scope}, limited_receive(call.receive, limit))
    try:
        call.form = await request.form()
    except (MultiPartException, ValueError) as exc:
        raise invalid_request(f"Invalid multipart/form-data body: {exc}") from None  # wording inferred


def deployment(call: Call, state: MockState) -> None:
    if call.operation in routing.RESOURCE_SCOPED or call.replayed is not None:
        return
    if call.operation == RESPONSES_CREATE:
        name: str | None = responses_model(call, state)
    else:
        name = call.deployment_name if call.surface != "v1" else v1_model(call)
    call.deployment_name = name
    found = state.settings.deployment(name) if name is not None else None
    if found is None:
        raise deployment_not_found()
    call.deployment = found
    serves = CHAT if call.operation == RESPONSES_CREATE else call.operation  # chat models serve Responses
    if call.operation is not None and serves is not None and not found.serves(serves):
        raise operation_not_supported(call.operation, found.response_model)


def v1_model(call: Call) -> str:
    """On /openai/v1 the deployment is the body's ``model`` (recording 03)."""
    source = call.form if call.form is not None else call.body
    model = source.get("model") if hasattr(source, "get") else None
    if not isinstance(model, str) or not model:
        raise invalid_request("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    return model


def responses_model(call: Call, state: MockState) -> str:
    """A response's deployment is the body's ``model`` on both surfaces; without one, recording 26.
    Bytes seen before are not parsed again for it (the fast path's memo)."""
    key = ("model", call.raw_body)
    known = state.memo.get(state.settings, key) if call.parsed_body is UNPARSED else None
    if known is not None:
        return str(known)
    model = call.body.get("model") if isinstance(call.body, dict) else None
    if not isinstance(model, str) or not model:
        raise missed_model()
    state.memo.put(state.settings, key, model)
    return model


def validate(call: Call, state: MockState) -> Awaitable[None] | None:
    validator = VALIDATORS.get(call.operation or "")
    if validator is None or call.replayed is not None:
        return None
    if call.operation not in MEMO_OPERATIONS:
        made = validator(call, state)
        if inspect.isawaitable(made):  # a validator that reads stored objects (a chained response)
            return typed_request(call, made)
        call.request = made
        return None
    key = ("valid", *request_key(call))
    known = state.memo.get(state.settings, key)
    if known is None:
        known = validator(call, state)  # raises for bad input: only valid requests are remembered
        if inspect.isawaitable(known):
            return typed_request(call, known)
        state.memo.put(state.settings, key, known)
    call.request = known
    return None


async def typed_request(call: Call, made: Awaitable[OperationRequest]) -> None:
    call.request = await made


def moderate(call: Call, state: MockState) -> None:
    """Prompt-side content filtering, for chat, completions and images alike (one trigger format)."""
    found = call.deployment
    patterns = found.image_filter_triggers if found is not None else ()
    triggers = prompt_triggers(state.settings.content_filters, call.deployment_name, patterns)
    if not triggers or call.replayed is not None:
        return
    hits = prompt_hits(triggers, prompt_texts(call), call.deployment_name)
    if blocks(hits):
        raise image_prompt_blocked(hits) if call.operation == IMAGES else prompt_filtered(hits)
    call.prompt_hits = hits


def prompt_texts(call: Call) -> list[str]:
    if isinstance(call.request, CompletionsRequest | ImageRequest):
        return (
            list(call.request.prompts)
            if isinstance(call.request, CompletionsRequest)
            else [call.request.prompt]
        )
    if call.operation == CHAT:
        body = call.body if isinstance(call.body, dict) else {}
        return [content_text(m.get("content")) for m in body.get("messages", ()) if isinstance(m, dict)]
    if call.operation == RESPONSES_CREATE:
        return input_texts(call.body)
    return []


async def ratelimit(call: Call, state: MockState) -> None:
    if call.deployment is None:  # also a replayed call: the deployment stage let it pass
        return
    pool = "batch" if call.batch_id is not None else ""  # batch lines have a quota of their own
    charged, tokens = None, call.estimated_tokens
    if call.rules_seen is not None:  # the faults stage's "none" is confirmed with the charge
        charged = await state.limiter.charge_seen(call.rules_seen, call.deployment, tokens, pool)
        if charged is None:  # the rules changed since: decide now, as the faults stage would have
            await settle(call, state)
        call.rules_seen = None
    if charged is None:
        charged = await state.limiter.charge(call.deployment, tokens, pool)
    call.rate, throttle = charged
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


STAGES: tuple[Stage, ...] = (
    route,
    auth,
    api_version,
    body,
    replay,
    deployment,
    faults,
    validate,
    moderate,
    ratelimit,
)
