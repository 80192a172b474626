"""Azure-faithful default bodies and headers for scripted status faults, and the fault's overrides.

Sources per status (azure-wire §3): 401 recording 06; 404 recording 05; 429 §3.5 (the rate
limiter's body, ``ratelimit.too_many_requests``); 500 §3.2 (2025 wording). azure-wire §15 lists
408, 503 and 504 bodies as not found in primary sources: those below are marked (inferred) and
are overridable.
"""

from __future__ import annotations

from typing import Any

from ..call import Call
from ..errors import (
    AzureError,
    deployment_not_found,
    gateway_bytes,
    invalid_key,
    invalid_request,
    server_error,
)
from ..filters.verdicts import hits_from_spec, prompt_filtered
from ..ratelimit import too_many_requests


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
        return simple(
            503, "503", "The service is temporarily unable to process your request. Please try again later."
        )
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


def status_fault(call: Call, action: dict[str, Any]) -> AzureError:
    status = action["status"]
    if status == 429:
        base = too_many_requests(
            action.get("variant", "tokens"),
            call.operation,
            call.api_version,
            float(action.get("retry_after", 1)),
            http_date=action.get("retry_after_format") == "http-date",
        )
    elif status == 400 and action.get("content_filter"):
        base = prompt_filtered(hits_from_spec(action["content_filter"]))
    else:
        base = default_error(status, call.operation, call.api_version, call.request_id)
    return scripted_error(status, action.get("body"), action.get("headers") or {}, base)
