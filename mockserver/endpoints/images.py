"""``POST .../images/generations`` and the image links it hands out (``/_mock/images/...``).

Response (recording 10): ``{"created", "data": [{"revised_prompt", "url"}]}``. From GA 2024-02-01
on, each item also carries the spec example's ``prompt_filter_results`` (before the image) and
``content_filter_results`` (after it), in the example's key order (GA-EX ``image_generation.json``).
Recording 10, made on 2023-12-01-preview, has neither, so older api-versions get none: a real
recording beats the spec example. GPT-image-1 items are ``{"b64_json"}`` only (DALLE-DOC).

``url`` points at the mock itself, shaped like Azure's blob link
``.../images/<apim-request-id>/generated_00.png?<SAS>`` (recording 10) with the SAS fields ``st``,
``se`` (GA-EX: ``?se=2023-10-27T17%3A45%3A09Z&...``) and ``sig``. The link needs no server-side
state: it carries the picture key and size and is signed (HMAC-SHA256) with a secret made when the
process starts, so nobody can forge a link for a picture size of their choosing (the seed is
public); links therefore work only on the server process that made them. The link's host is the
request's ``Host`` header when that is a well-formed host (and port), else the address the server
listens on; the picture size is ASCII digits only (``²`` is a digit to Python). It stops working at
``se`` (``image_url_expiry``, 24 hours by default: "The URL stays active for 24 hours", DALLE-DOC).
Expired or tampered links get Azure Storage's 403 ``AuthenticationFailed`` XML (reports:
AzureStorageExplorer#3219 for the expired-SAS detail, floci-az#89 for ``x-ms-error-code`` and
``application/xml``); unknown blobs get 404 ``BlobNotFound`` (Azure Storage error codes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import uuid
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..call import Call, ImageRequest
from ..ids import digest
from ..state import MockState
from ..synth.media.picture import render_jpeg, render_png
from ..versions import knows
from .render import json_response

FILTERS_SINCE = "2024-02-01"  # GA 2024-02-01 and later previews annotate (ANNOT-DOC); recording 10 does not
BLOB_NAME = "generated_00.png"
REVISIONS = (
    "A {style} digital illustration of {subject}, with {detail} and a balanced composition under soft light.",
    "A {style} scene showing {subject}, captured with {detail}, the main subject centred and clearly lit.",
    "An image of {subject} in a {style} style, with {detail} and a calm, uncluttered background.",
)


async def images_generations(call: Call, state: MockState) -> Response:
    assert call.deployment is not None
    request = call.request_as(ImageRequest)
    hits = call.prompt_hits  # below blocking (the moderate stage): annotations only
    items = [image_item(call, state, request, index, hits) for index in range(request.n)]
    return json_response(call, state, {"created": int(state.clock.now()), "data": items}, "images")


def picture_key(state: MockState, request: ImageRequest, index: int) -> str:
    """The picture depends on the prompt and the seed (and style, quality and index)."""
    parts = (state.settings.seed, request.prompt, request.style, request.quality, index)
    return digest("image", *parts).hex()[:32]


def image_item(
    call: Call, state: MockState, request: ImageRequest, index: int, hits: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    key = picture_key(state, request, index)
    if request.gpt_image:
        return {"b64_json": encoded(key, request)}
    item: dict[str, Any] = {"revised_prompt": revised_prompt(request, key)}
    annotated = knows(call.api_version, FILTERS_SINCE)
    if annotated:
        item["prompt_filter_results"] = filter_results(profanity=True, hits=hits)
    if request.response_format == "b64_json":
        item["b64_json"] = encoded(key, request)
    else:
        item["url"] = image_url(call, state, key, request)
    if annotated:
        item["content_filter_results"] = filter_results(profanity=False, hits={})
    return item


def encoded(key: str, request: ImageRequest) -> str:
    """The picture as base64: PNG, or JPEG when GPT-image-1 is asked for ``output_format: jpeg``."""
    render = render_jpeg if request.output_format == "jpeg" else render_png
    return base64.b64encode(render(bytes.fromhex(key), request.width, request.height)).decode()


def revised_prompt(request: ImageRequest, key: str) -> str:
    """DALL-E 3 rewrites the prompt into a longer description (recording 10's ``revised_prompt``)."""
    subject = request.prompt.strip().rstrip(".!?") or "the subject"
    subject = subject[0].lower() + subject[1:]
    template = REVISIONS[int(key[:8], 16) % len(REVISIONS)]
    style = "vivid, dramatic" if request.style == "vivid" else "natural, realistic"
    detail = "fine, high-definition detail" if request.quality == "hd" else "clear detail"
    return template.format(style=style, subject=subject, detail=detail)


def filter_results(profanity: bool, hits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Results in GA-EX ``image_generation.json`` order: sexual, violence, hate, self_harm, with
    ``severity`` before ``filtered``; the prompt side adds ``profanity``. Non-blocking trigger hits
    show their severity."""
    results: dict[str, Any] = {}
    for name in ("sexual", "violence", "hate", "self_harm"):
        verdict = hits.get(name, {})
        results[name] = {
            "severity": verdict.get("severity", "safe"),
            "filtered": bool(verdict.get("filtered")),
        }
    if profanity:
        results["profanity"] = {"detected": False, "filtered": False}
    return results


# --- the link ----------------------------------------------------------------------------------


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


PICTURE_KEY = re.compile(r"[0-9a-f]{32}")
# a host name, IPv4 address or bracketed IPv6 address, and an optional port (RFC 3986 authority)
HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?"
)


def signature(state: MockState, path: str, fields: dict[str, str]) -> str:
    """The link's HMAC with the state's signing key (``MockState.signing_key``: per process, or
    shared through the state store, so a link from one instance opens on every other)."""
    message = "\n".join([str(state.settings.seed), path, *(f"{k}={fields[k]}" for k in sorted(fields))])
    return base64.b64encode(hmac.new(state.signing_key, message.encode(), hashlib.sha256).digest()).decode()


def link_host(call: Call, state: MockState) -> str:
    """The request's ``Host`` when it is well-formed, else the address the server listens on."""
    host = call.headers.get("host", "")
    if HOST.fullmatch(host):
        return host
    server = (call.scope or {}).get("server")
    if server:
        name, port = server[0], server[1]
        return f"[{name}]:{port}" if ":" in str(name) else f"{name}:{port}"
    return f"{state.settings.host}:{state.settings.port}"


def image_url(call: Call, state: MockState, key: str, request: ImageRequest) -> str:
    now = state.clock.now()
    fields = {
        "st": iso(now),
        "se": iso(math.ceil(now + state.settings.image_url_expiry)),
        "sz": f"{request.width}x{request.height}",
        "k": key,
    }
    path = f"/_mock/images/{call.request_id}/{BLOB_NAME}"
    host = link_host(call, state)
    scheme = (call.scope or {}).get("scheme", "http")
    query = urlencode({**fields, "sig": signature(state, path, fields)})
    return f"{scheme}://{host}{path}?{query}"


def image_blob(state: MockState) -> Any:
    """GET and HEAD for the links ``image_url`` makes (the Go sample in Azure's docs HEADs it)."""

    async def endpoint(request: Request) -> Response:
        query = request.query_params
        fields = {k: query.get(k, "") for k in ("st", "se", "sz", "k")}
        size = parse_size(fields["sz"])
        if request.path_params["name"] != BLOB_NAME or size is None or not PICTURE_KEY.fullmatch(fields["k"]):
            return storage_error(state, 404, "BlobNotFound", "The specified blob does not exist.", None)
        expected = signature(state, request.url.path, fields)
        if not hmac.compare_digest(query.get("sig", "").encode(), expected.encode()):
            return storage_error(state, 403, "AuthenticationFailed", AUTH_FAILED, "Signature did not match.")
        now = state.clock.now()
        if now >= parse_iso(fields["se"]):
            return storage_error(state, 403, "AuthenticationFailed", AUTH_FAILED, expired_detail(fields, now))
        png = render_png(bytes.fromhex(fields["k"]), *size)
        return Response(png, headers=blob_headers(state, fields, png))

    return endpoint


AUTH_FAILED = (
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed "
    "correctly including the signature."
)


def parse_size(value: str) -> tuple[int, int] | None:
    parts = value.split("x")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and 0 < int(p) <= 4096 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def parse_iso(value: str) -> float:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


def http_date(value: str) -> str:
    return formatdate(parse_iso(value), usegmt=True)


def expired_detail(fields: dict[str, str], now: float) -> str:
    """Azure Storage's wording for an expired SAS (report AzureStorageExplorer#3219)."""
    current = formatdate(now, usegmt=True)
    return (
        f"Signature not valid in the specified time frame: Start [{http_date(fields['st'])}] - "
        f"Expiry [{http_date(fields['se'])}] - Current [{current}]"
    )


def blob_headers(state: MockState, fields: dict[str, str], png: bytes) -> dict[str, str]:
    """Get Blob's usual headers (Azure Storage REST reference, inferred for these links)."""
    return {
        "Content-Type": "image/png",
        "ETag": f'"0x{hashlib.sha256(png).hexdigest()[:15].upper()}"',
        "Last-Modified": http_date(fields["st"]),
        "Accept-Ranges": "bytes",
        "x-ms-blob-type": "BlockBlob",
        "x-ms-request-id": storage_request_id(fields["k"], fields["st"]),
    }


def storage_request_id(*parts: object) -> str:
    """Storage's own request id; derived, so downloads leave the mock's id sequence alone."""
    return str(uuid.UUID(bytes=digest("blob", *parts)[:16], version=4))


def storage_error(state: MockState, status: int, code: str, message: str, detail: str | None) -> Response:
    """Azure Storage's XML error body, with ``x-ms-error-code`` (report floci-az#89)."""
    request_id = storage_request_id(code, detail, state.clock.now())
    time = datetime.fromtimestamp(state.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    extra = f"<AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail>" if detail else ""
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}\n'
        f"RequestId:{request_id}\nTime:{time}</Message>{extra}</Error>"
    )
    headers = {"Content-Type": "application/xml", "x-ms-error-code": code, "x-ms-request-id": request_id}
    return Response(body.encode(), status_code=status, headers=headers)
