"""Azure response headers, per kind of response (azure-wire §4.2, the recordings' header table).

Names keep the case the service uses in the recordings (``X-Request-ID``, ``apim-request-id``).
``Date`` and ``Content-Length`` come from the server itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from .call import Call
from .ids import digest
from .versions import DATED_VERSIONS, date_of

Getter = Callable[[Call, str], str | None]
RawHeaders = list[tuple[bytes, bytes]]

HSTS = "max-age=31536000; includeSubDomains; preload"


def limit_requests(call: Call, region: str) -> str | None:
    return None if call.rate is None else str(call.rate.limit_requests)


def limit_tokens(call: Call, region: str) -> str | None:
    return None if call.rate is None else str(call.rate.limit_tokens)


def remaining_requests(call: Call, region: str) -> str | None:
    return None if call.rate is None else str(call.rate.remaining_requests)


def remaining_tokens(call: Call, region: str) -> str | None:
    return None if call.rate is None else str(call.rate.remaining_tokens)


def model_session(call: Call, region: str) -> str | None:
    """``azureml-model-session`` like ``d058-20241218020907`` (recording 01), stable per deployment."""
    name = call.deployment.name if call.deployment else ""
    return f"d{int.from_bytes(digest('session', name)[:2], 'big') % 1000:03d}-20250913025147"


def upstream_time(call: Call, region: str) -> str:
    return "15"


def derived_uuid(call: Call, what: str) -> str:
    """A UUID of its own per request for ids the service adds beside apim-request-id."""
    return str(uuid.UUID(bytes=digest(what, call.request_id)[:16], version=4))


def middleware_id(call: Call, region: str) -> str:
    """The apim-request-id again on a Responses POST (recordings 15-23), an id of its own elsewhere."""
    return call.request_id if call.operation == "responses.create" else derived_uuid(call, "middleware")


def supported_versions(call: Call, region: str) -> str:
    """``api-supported-versions`` on files responses: every dated version from 2022-12-01 on, oldest
    first, as recordings 27-29 list them (theirs end at the versions of their day)."""
    return ",".join(v for v in sorted(DATED_VERSIONS, key=date_of) if date_of(v) >= "2022-12-01")


def aml_cluster(call: Call, region: str) -> str:
    """``x-aml-cluster: vienna-swedencentral-01`` on batch responses (recordings 28, 29)."""
    return "vienna-" + region.lower().replace(" ", "") + "-01"


GETTERS: dict[str, Getter] = {
    "Access-Control-Allow-Origin": lambda call, region: "*",
    "api-supported-versions": supported_versions,
    "apim-request-id": lambda call, region: call.request_id,
    "azureml-model-session": model_session,
    "Cache-Control": lambda call, region: "must-revalidate, no-cache",
    "mise-correlation-id": lambda call, region: derived_uuid(call, "mise"),
    "Request-Context": lambda call, region: "appId=",
    "Vary": lambda call, region: "Accept-Encoding",
    "x-aml-cluster": aml_cluster,
    "ms-azureml-model-time": upstream_time,
    "Strict-Transport-Security": lambda call, region: HSTS,
    "X-Content-Type-Options": lambda call, region: "nosniff",
    "x-envoy-upstream-service-time": upstream_time,
    "x-ms-client-request-id": lambda call, region: call.client_request_id,
    "x-ms-deployment-name": lambda call, region: call.deployment.name if call.deployment else None,
    "x-ms-middleware-request-id": middleware_id,
    "x-ms-rai-invoked": lambda call, region: "true",
    "x-ms-region": lambda call, region: region,
    "x-ms-request-id": lambda call, region: call.request_id,
    "x-ms-response-type": lambda call, region: "standard",
    "x-request-time": lambda call, region: "0.034",
    # the stored-responses service's headers on GET/DELETE (recording 15; 30's POSTs too, May 2025)
    "openai-organization": lambda call, region: digest("org", region).hex()[:32],
    "openai-processing-ms": lambda call, region: "57",
    "openai-version": lambda call, region: "2020-10-01",
    "x-ratelimit-limit-requests": limit_requests,
    "x-ratelimit-limit-tokens": limit_tokens,
    "x-ratelimit-remaining-requests": remaining_requests,
    "x-ratelimit-remaining-tokens": remaining_tokens,
    "X-Request-ID": lambda call, region: call.x_request_id,
}

SECURITY = ("Strict-Transport-Security", "X-Content-Type-Options")
RATE_FULL = (
    "x-ratelimit-limit-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-remaining-tokens",
)

OPENAI_SERVICE = ("openai-organization", "openai-processing-ms", "openai-version")
TAIL = ("x-ms-region", "X-Request-ID")
POST_HEAD = ("apim-request-id", *SECURITY, "x-ms-client-request-id", "x-ms-deployment-name")
RESPONSES_POST = (*POST_HEAD, "x-ms-middleware-request-id", "x-ms-region", *RATE_FULL, "X-Request-ID")

PROFILES: dict[str, tuple[str, ...]] = {
    # chat 200, JSON or SSE: recordings 01, 02, 03 (limit-* and deployment-name: 03, 12)
    "inference": (
        "Access-Control-Allow-Origin",
        "apim-request-id",
        "azureml-model-session",
        "Cache-Control",
        *SECURITY,
        "x-envoy-upstream-service-time",
        "x-ms-client-request-id",
        "x-ms-deployment-name",
        "x-ms-rai-invoked",
        "x-ms-region",
        *RATE_FULL,
        "X-Request-ID",
    ),
    # legacy completions 200, JSON or SSE: recording 13, the only one for this operation. Unlike chat
    # 01 (recorded the same day on the same resource) it has no x-envoy-upstream-service-time, and,
    # like every recording before Apr 2025, no limit-* / deployment-name (chat has them from 12, 03;
    # whether completions gained them too is not recorded).
    "completions": (
        "Access-Control-Allow-Origin",
        "apim-request-id",
        "azureml-model-session",
        "Cache-Control",
        *SECURITY,
        "x-ms-client-request-id",
        "x-ms-rai-invoked",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "X-Request-ID",
    ),
    # embeddings 200: recording 07 (no rai-invoked, no Cache-Control)
    "embeddings": (
        "Access-Control-Allow-Origin",
        "apim-request-id",
        "azureml-model-session",
        "ms-azureml-model-time",
        *SECURITY,
        "x-envoy-upstream-service-time",
        "x-ms-client-request-id",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "X-Request-ID",
    ),
    # Whisper 200: recording 09 (no token header)
    "audio": (
        "apim-request-id",
        "azureml-model-session",
        *SECURITY,
        "x-ms-client-request-id",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
        "X-Request-ID",
    ),
    # images 200: recording 10 entry 1
    "images": (
        "apim-request-id",
        *SECURITY,
        "x-envoy-upstream-service-time",
        "x-ms-client-request-id",
        "x-ms-region",
        "x-ms-request-id",
        "x-ratelimit-remaining-requests",
    ),
    # model-produced 400: recording 04
    "model_error": (
        "apim-request-id",
        *SECURITY,
        "x-ms-client-request-id",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "X-Request-ID",
    ),
    # gateway 400 (OperationNotSupported): recording 10 entry 2
    "gateway": (
        "apim-request-id",
        *SECURITY,
        "x-ms-client-request-id",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
    ),
    # 404: recording 05
    "not_found": ("apim-request-id", *SECURITY, "x-ms-region"),
    # 429 (report, azure-wire §3.5: apim-request-id, HSTS, nosniff, policy-id, x-ms-region,
    # x-ratelimit-remaining-requests; the fault adds policy-id, retry-after and reset headers)
    "throttle": (
        "apim-request-id",
        *SECURITY,
        "x-ms-client-request-id",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
    ),
    # 401: recording 06 (only apim-request-id beside Content-Length, Content-Type, Date)
    "auth": ("apim-request-id",),
    # resource-scoped GETs such as /openai/models (not recorded; gateway-like set, inferred)
    "resource": ("apim-request-id", *SECURITY, "x-ms-client-request-id", "x-ms-region", "X-Request-ID"),
    # files: upload (recordings 27-29 entry 1), then get, delete and content (27, 28)
    "files_upload": (
        "api-supported-versions",
        "apim-request-id",
        *SECURITY,
        "x-ms-middleware-request-id",
        "x-ms-region",
    ),
    "files": (
        "api-supported-versions",
        "apim-request-id",
        *SECURITY,
        "x-envoy-upstream-service-time",
        "x-ms-region",
    ),
    # files before 2024-10-01-preview: the Go upload of recording 31 (Sep 2024, 2024-07-01-preview)
    "files_2024": (
        "Access-Control-Allow-Origin",
        "apim-request-id",
        *SECURITY,
        "x-ms-middleware-request-id",
        "x-ms-region",
        "X-Request-ID",
    ),
    # Responses: POST JSON (recordings 15, 17, 19-23), POST stream (16, 18: no token pair), GET and
    # DELETE and their 404 (15, 19), and the untyped 400 of a POST without model (26)
    "responses": RESPONSES_POST,
    "responses_stream": tuple(h for h in RESPONSES_POST if not h.endswith("-tokens")),
    "responses_object": (
        "apim-request-id",
        *OPENAI_SERVICE,
        *SECURITY,
        "x-ms-middleware-request-id",
        *TAIL,
    ),
    "responses_untyped": ("apim-request-id", *SECURITY, "x-ms-client-request-id", "x-ms-region"),
    # batches: create, get, cancel (recordings 28, 29; create adds the enqueued-token pair)
    "batches": (
        "apim-request-id",
        "mise-correlation-id",
        "Request-Context",
        *SECURITY,
        "Vary",
        "x-aml-cluster",
        "x-ms-region",
        "x-ms-response-type",
        "x-request-time",
    ),
}


def header_values(call: Call, profile: str, region: str) -> list[tuple[str, str]]:
    """``profile``'s headers for ``call``, by name as the service spells them, in order; a header
    without a value for this call is left out (``fastpath.header_plan`` makes the same, faster)."""
    values = []
    for name in PROFILES[profile]:
        value = GETTERS[name](call, region)
        if value is not None:
            values.append((name, value))
    return values


def azure_headers(call: Call, profile: str, region: str) -> dict[str, str]:
    return dict(header_values(call, profile, region))


def raw_headers(call: Call, profile: str, region: str) -> RawHeaders:
    """As ASGI's header list: names lower-cased, as Starlette sends them."""
    return [
        (n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in header_values(call, profile, region)
    ]


def merged(raw: RawHeaders, extra: dict[str, str]) -> RawHeaders:
    """``raw`` with ``extra`` applied: a header of the same name is replaced in place, others appended."""
    for name, text in extra.items():
        wire_name, value = name.lower().encode("latin-1"), text.encode("latin-1")
        for index, (existing, _) in enumerate(raw):
            if existing == wire_name:
                raw[index] = (wire_name, value)
                break
        else:
            raw.append((wire_name, value))
    return raw
