"""Azure-faithful default bodies and headers for scripted status faults.

Sources per status (azure-wire §3): 401 recording 06; 404 recording 05; 429 §3.5 (reports: the
token-rate body with the space after ``"message":`` and the request-rate body, their
``policy-id`` and reset headers); 500 §3.2 (2025 wording). azure-wire §15 lists 408, 503 and 504
bodies as not found in primary sources: those below are marked (inferred) and are overridable.
"""

from __future__ import annotations

import json
import math
import time
from email.utils import formatdate
from typing import Any

from .catalogue import CHAT, COMPLETIONS, EMBEDDINGS, IMAGES, SPEECH, TRANSCRIPTIONS, TRANSLATIONS
from .errors import (
    AzureError,
    deployment_not_found,
    invalid_key,
    invalid_request,
    server_error,
)

# operationIds as they appear in 429 messages (azure-wire §1.1, §3.5)
OPERATION_IDS = {
    CHAT: "ChatCompletions_Create",
    COMPLETIONS: "Completions_Create",
    EMBEDDINGS: "embeddings_create",
    IMAGES: "ImageGenerations_Create",
    TRANSCRIPTIONS: "Transcriptions_Create",
    TRANSLATIONS: "Translations_Create",
    SPEECH: "AudioSpeech_Create",
}

TOKEN_429 = (
    "Requests to the {operation} Operation under Azure OpenAI API version {version} have exceeded token "
    "rate limit of your current OpenAI S0 pricing tier. Please retry after {seconds} {unit}. Please go "
    "here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."
)
REQUEST_429 = "Rate limit is exceeded. Try again in {seconds} {unit}."


def gateway_bytes(code: str, message: str) -> bytes:
    """APIM-style body with the space after ``"message":`` (azure-wire §1.4, §3.5)."""
    return b'{"error":{"code":' + json.dumps(code).encode() + b',"message": ' + json.dumps(message).encode() + b"}}"


def unit(seconds: int) -> str:
    return "second" if seconds == 1 else "seconds"


def too_many_requests(
    variant: str, operation: str | None, version: str | None, retry_after: float, http_date: bool = False
) -> AzureError:
    """429 token-rate (``policy-id: DeploymentRatelimit-Token``) or request-rate (``-Call``).

    ``http_date``: ``retry-after`` as an HTTP-date ``retry_after`` seconds from now (RFC 9110
    §10.2.3 allows either form; Azure sends seconds, azure-wire §3.5; a proxy in front may send
    a date). It is taken from the wall clock when the answer is made, as a client compares it
    with its own clock."""
    seconds = max(1, math.ceil(retry_after))
    if variant == "requests":
        message = REQUEST_429.format(seconds=seconds, unit=unit(seconds))
        headers = {"policy-id": "DeploymentRatelimit-Call", "x-ratelimit-reset-requests": str(seconds)}
    else:
        message = TOKEN_429.format(
            operation=OPERATION_IDS.get(operation or "", "ChatCompletions_Create"),
            version=version or "v1", seconds=seconds, unit=unit(seconds),
        )
        # sic: hyphenated "rate-limit" (report, openai-python#937)
        headers = {"policy-id": "DeploymentRatelimit-Token", "x-rate-limit-reset-tokens": str(seconds)}
    headers["retry-after"] = formatdate(time.time() + seconds, usegmt=True) if http_date else str(seconds)
    return AzureError(429, gateway_bytes("429", message), headers=headers, family="throttle")


def simple(status: int, code: str, message: str) -> AzureError:
    return AzureError(status, gateway_bytes(code, message), family="gateway")


def default_error(status: int, operation: str | None, version: str | None, request_id: str) -> AzureError:
    """The body Azure sends for ``status``, or a plausible one marked inferred."""
    if status == 400:
        return invalid_request("Invalid request.")  # model envelope (azure-wire §3.1); wording inferred
    if status == 401:
        return invalid_key()
    if status == 403:
        # (report) the firewall / network-rules denial seen from Cognitive Services resources
        return simple(403, "403", "Access denied due to Virtual Network/Firewall rules.")
    if status == 404:
        return deployment_not_found()
    if status == 429:
        return too_many_requests("tokens", operation, version, 1)
    if status == 500:
        return server_error(request_id)
    if status == 503:
        # message (report, low confidence, azure-wire §3.2); envelope inferred (gateway family)
        return simple(503, "503", "The service is temporarily unable to process your request. Please try again later.")
    return generic(status)


GENERIC_MESSAGES = {
    408: ("Timeout", "The operation was timeout."),  # (inferred) no primary source, azure-wire §15
    409: ("409", "Conflict."),  # (inferred)
    422: ("422", "Unprocessable entity."),  # (inferred)
    502: ("502", "Bad gateway."),  # (inferred) APIM style
    504: ("504", "Gateway timeout."),  # (inferred) APIM style, azure-wire §15
}


def generic(status: int) -> AzureError:
    code, message = GENERIC_MESSAGES.get(status, (str(status), "The request failed."))
    return simple(status, code, message)


def scripted_error(status: int, body: Any, headers: dict[str, str | None], base: AzureError) -> AzureError:
    """``base`` with the rule's body and header overrides (a header set to None is removed)."""
    merged = {**base.headers}
    for name, value in headers.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = str(value)
    if body is None:
        rendered: dict[str, Any] | bytes = base.body
    elif isinstance(body, str | bytes):
        rendered = body.encode() if isinstance(body, str) else body
    else:
        rendered = body
    return AzureError(status, rendered, headers=merged, family=base.family)
