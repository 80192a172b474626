"""The Azure errors of the Responses API, each with its source."""

from __future__ import annotations

from typing import Any

from ..errors import MODEL_ERROR_HEADERS, AzureError
from . import render

# Recording 26: a POST without ``model`` gets 400 with this body, 2-space indented, chunked, and no
# Content-Type at all (``endpoints.render`` sends it so).
MISSED_MODEL = b'{\n  "error": {\n    "message": "Missed model deployment"\n  }\n}'
RESPONSES_SINCE = "2025-03-01"
# "Azure OpenAI Responses API is enabled only for api-version 2025-03-01-preview and later"
# (report: https://github.com/Aider-AI/aider/issues/4029, as LiteLLM relays Azure's 400); the
# envelope is the gateway's BadRequest family of the same kind of refusal (azure-wire §1.4).
TOO_OLD = "Azure OpenAI Responses API is enabled only for api-version 2025-03-01-preview and later"


def indented(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> AzureError:
    """The Responses service renders its errors as its objects: 2-space indented, non-ASCII escaped
    (recordings 15, 19: Content-Length 195 is that rendering of the 404 body)."""
    return AzureError(status, render.indented(body), headers=dict(headers or {}))


def bad_request(message: str, param: str | None = None, code: str | None = None) -> AzureError:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return indented(400, body, MODEL_ERROR_HEADERS)


class UntypedError(AzureError):
    """An error Azure sends chunked and without a Content-Type (recording 26)."""


def missed_model() -> AzureError:
    return UntypedError(400, MISSED_MODEL, family="model")


def version_too_old() -> AzureError:
    return AzureError(400, {"error": {"code": "BadRequest", "message": TOO_OLD}}, family="gateway")


def response_not_found(response_id: str) -> AzureError:
    """Recordings 15 (after DELETE) and 19 (``store: false``): 404, the model envelope."""
    message = f"Response with id '{response_id}' not found."
    return indented(
        404, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    )


def previous_not_found(response_id: str) -> AzureError:
    """An unknown ``previous_response_id``: 400 ``previous_response_not_found`` (report, with the body:
    https://github.com/microsoft/agent-framework/issues/6419; also dotnet/extensions#7704)."""
    return bad_request(
        f"Previous response with id '{response_id}' not found.",
        "previous_response_id",
        "previous_response_not_found",
    )


def cannot_cancel() -> AzureError:
    """Cancel of a response that was not created with ``background: true`` (OpenAI's wording, inferred
    for Azure; no recording)."""
    return bad_request("Only responses created with background mode can be cancelled.")
