"""The request pipeline: every Azure data-plane request passes these stages, in this order.

    1. context     request ids, the ``Call`` and the common headers (apim-request-id, ...)
    2. route       path -> surface, operation, deployment name   (404 Resource not found)
    3. auth        api-key or Bearer                              (401, two envelopes)
    4. api_version classic: required and known; v1: none/v1/preview (404 / 400)
    5. body        JSON (or multipart) parsed                     (400 on malformed JSON)
    6. deployment  path segment or v1 body ``model``              (404 DeploymentNotFound,
                   and the model must serve the operation          400 OperationNotSupported)
    7. validate    per-operation request checks                   (400 naming the param)
    8. meter       usage for the x-ratelimit-* headers
    9. handler     the endpoint renders JSON or SSE
   10. journal     every request, accepted or not, with its status

Route matching runs before auth as an API gateway matches operations before it applies
policies (inferred); Azure's exact precedence between auth, api-version and deployment is not
known (azure-wire §15), so the order lives in ``STAGES`` and a reorder is a one-line change.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import routing
from .auth import authenticate
from .call import Call, decode_headers, decode_query, normalise_path
from .catalogue import CHAT, COMPLETIONS, EMBEDDINGS
from .endpoints import HANDLERS
from .endpoints.render import error_response
from .errors import AzureError, deployment_not_found, invalid_request, operation_not_supported, \
    resource_not_found, server_error
from .journal import JournalEntry, mask_headers
from .state import MockState
from .validation import VALIDATORS
from .versions import check_classic, check_v1

Stage = Callable[[Call, MockState], Awaitable[None]]
MAX_RECORDED_EVENTS = 500

MALFORMED_JSON = (
    "We could not parse the JSON body of your request. The API expects a JSON payload, but what was "
    "sent was not valid JSON."
)  # OpenAI's wording without its help-centre hint (inferred for Azure)


async def route(call: Call, state: MockState) -> None:
    found = routing.match(call.method, call.path)
    if found is None:
        raise resource_not_found()
    call.surface, call.operation = found.surface, found.operation
    call.deployment_name, call.resource_id = found.deployment, found.resource_id


async def auth(call: Call, state: MockState) -> None:
    authenticate(call, state.settings)


async def api_version(call: Call, state: MockState) -> None:
    call.api_version = call.query.get("api-version")
    error = check_v1(call.api_version) if call.surface == "v1" else check_classic(call.api_version)
    if error is not None:
        raise error


async def body(call: Call, state: MockState) -> None:
    if call.method != "POST":
        return
    if call.content_type.startswith("multipart/"):
        call.form = await Request({"type": "http", **call.scope}, call.receive).form()
        return
    call.raw_body = await read_all(call.receive)
    try:
        call.body = json.loads(call.raw_body)
    except (ValueError, UnicodeDecodeError):
        raise invalid_request(MALFORMED_JSON) from None


async def deployment(call: Call, state: MockState) -> None:
    if call.operation == routing.MODELS:
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


async def validate(call: Call, state: MockState) -> None:
    validator = VALIDATORS.get(call.operation or "")
    if validator is not None:
        validator(call, state)


async def meter(call: Call, state: MockState) -> None:
    if call.deployment is not None and call.operation in (CHAT, COMPLETIONS, EMBEDDINGS):
        call.rate = state.meter.charge(call.deployment, call.estimated_tokens)
    elif call.deployment is not None:
        call.rate = state.meter.charge(call.deployment, 0)


STAGES: tuple[Stage, ...] = (route, auth, api_version, body, deployment, validate, meter)


async def read_all(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class Pipeline:
    """The ASGI app for everything under /openai: stages, handler, journal."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        call = self.new_call(scope, receive)
        response = await self.respond(call)
        await response(scope, receive, self.recorder(call, response, send))

    def new_call(self, scope: dict[str, Any], receive: Any) -> Call:
        state = self.state
        call = Call(
            method=scope["method"],
            path=normalise_path(scope["path"]),
            query=decode_query(scope),
            headers=decode_headers(scope),
            request_id=state.request_ids.next(),
            x_request_id=state.request_ids.next(),
            received_at=state.clock.now(),
        )
        call.scope, call.receive = scope, receive
        return call

    async def respond(self, call: Call) -> Response:
        try:
            for stage in STAGES:
                await stage(call, self.state)
            handler = HANDLERS.get(call.operation or "")
            if handler is None:
                raise resource_not_found()
            return await handler(call, self.state)
        except AzureError as error:
            return error_response(call, self.state, error)
        except Exception as exc:  # an unscripted failure: Azure-shaped 500, kept for tests to re-raise
            self.state.errors.append(exc)
            call.notes.append(f"internal error: {exc!r}")
            return error_response(call, self.state, server_error(call.request_id))

    def recorder(self, call: Call, response: Response, send: Any) -> Any:
        """Wrap ``send`` so the journal gets the status and the response body or events."""
        entry = journal_entry(call, response.status_code)
        events: list[bytes] = []

        async def record_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                if len(events) < MAX_RECORDED_EVENTS and message.get("body"):
                    events.append(message["body"])
                if not message.get("more_body", False):
                    entry.response = summarise(events, response.headers.get("content-type", ""))
                    self.state.journal.record(entry)
            await send(message)

        return record_send


def journal_entry(call: Call, status: int) -> JournalEntry:
    body: Any = call.body
    if call.form is not None:
        body = summarise_form(call.form)
    return JournalEntry(
        time=call.received_at, monotonic=call.started, method=call.method, path=call.path, query=call.query,
        operation=call.operation, deployment=call.deployment_name, session=call.session,
        headers=mask_headers(call.headers), body=body, status=status, fault=call.fault,
        request_id=call.request_id, notes=call.notes,
    )


def summarise_form(form: Any) -> dict[str, Any]:
    """Uploads are summarised (name, type, size), never stored."""
    result: dict[str, Any] = {}
    for key, value in form.multi_items():
        if hasattr(value, "filename"):
            result[key] = {"filename": value.filename, "content_type": value.content_type, "size": value.size}
        else:
            result[key] = value
    return result


def summarise(chunks: list[bytes], content_type: str) -> Any:
    """The response as the journal keeps it: JSON, the SSE events, text, or a size for media."""
    data = b"".join(chunks)
    if not content_type.startswith(("application/json", "text/")):
        return {"content_type": content_type, "size": len(data)}
    text = data.decode("utf-8", errors="replace")
    if text.startswith("data: "):
        return [event for event in text.split("\n\n") if event]
    try:
        return json.loads(text)
    except ValueError:
        return text[:2000]
