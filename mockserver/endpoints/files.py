"""``/openai/files`` (classic, with api-version) and ``/openai/v1/files``: upload, list, get, delete, content.

Bodies and key orders are ``mockserver.files.render``'s (recordings 27-29, 31). Wire details:

* upload: 201 with ``Location`` (``.../openai/files/{id}?api-version=...``, recording 27) from
  2024-10-01-preview on, 200 without it before (recording 31); on /openai/v1 the ``Location`` names
  the v1 path (inferred);
* get, delete, list: chunked JSON, ``application/json; charset=utf-8`` (recording 27); deleting an
  unknown id is 200 ``{"object":"file","deleted":false,"id":...}`` (recording 27, twice);
* content: ``application/octet-stream`` with a Content-Length and ``Content-Disposition: attachment;
  filename=<name>; filename*=UTF-8''<name>`` (recording 28);
* list: ``{"object":"list","data":[...]}`` (azure-wire §11), newest first, filtered by ``purpose``;
  ``after`` and ``limit`` page it the way the SDKs' auto-pagination asks (an id, then the next page).

Uploads are stored as they were spooled by the form parser, in chunks (``files.store``); the journal
keeps only the upload's name, type and size (``pipeline.summarise_form``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.responses import Response, StreamingResponse

from .. import files
from ..call import Call, FileListing, FileUpload
from ..errors import not_found
from ..headers import azure_headers
from ..jsontext import compact
from ..objects import BlobTooLarge
from ..state import MockState
from ..validation.files import (
    BATCH_PURPOSES,
    MAX_BATCH_FILE_BYTES,
    MAX_BATCH_FILES,
    MAX_EXPIRING_BATCH_FILES,
    MAX_FILE_BYTES,
    quota_exceeded,
    too_large,
)
from .render import json_bytes_response

JSON_UTF8 = "application/json; charset=utf-8"
OCTET_STREAM = "application/octet-stream"
MAX_LIST = 10_000


def chunked_json(
    call: Call,
    state: MockState,
    body: Any,
    profile: str = "files",
    status: int = 200,
    extra: dict[str, str] | None = None,
) -> Response:
    """A files answer: compact JSON sent chunked (recordings 27-29 carry Transfer-Encoding: chunked)."""
    if not files.modern(call):
        return json_bytes_response(call, state, compact(body), "files_2024", status)
    headers = azure_headers(call, profile, state.settings.region)
    headers["Content-Type"] = JSON_UTF8
    headers.update(extra or {})
    return StreamingResponse(one(compact(body)), status_code=status, headers=headers)


async def one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def files_create(call: Call, state: MockState) -> Response:
    request = call.request_as(FileUpload)
    await check_quota(state, request)
    created = int(state.clock.now())
    expires_at = created + request.expires_after if request.expires_after is not None else None
    record = files.new_file(files.upload_id(state), request.filename, request.purpose, 0, created, expires_at)
    limit = MAX_BATCH_FILE_BYTES if request.purpose == "batch" else MAX_FILE_BYTES
    try:
        record = await files.store(state, record, files.file_chunks(request.upload), limit)
    except BlobTooLarge as exc:
        raise too_large(exc.limit, request.upload.size) from None
    body = files.render(record, call)
    if not files.modern(call):
        return chunked_json(call, state, body)
    return chunked_json(call, state, body, "files_upload", 201, {"Location": location(call, record["id"])})


async def check_quota(state: MockState, request: FileUpload) -> None:
    """At most 500 batch files without expiry, 10,000 with one (batch docs)."""
    if request.purpose not in BATCH_PURPOSES:
        return
    records = [r for r in await files.listing(state) if r["purpose"] in BATCH_PURPOSES]
    expiring = request.expires_after is not None
    count = sum(1 for r in records if (r.get("expires_at") is not None) == expiring)
    limit = MAX_EXPIRING_BATCH_FILES if expiring else MAX_BATCH_FILES
    if count >= limit:
        raise quota_exceeded(expiring, limit)


def location(call: Call, file_id: str) -> str:
    scheme = call.scope.get("scheme", "https") if call.scope else "https"
    host = call.headers.get("host", "localhost")
    if call.surface == "v1":
        return f"{scheme}://{host}/openai/v1/files/{file_id}"
    return f"{scheme}://{host}/openai/files/{file_id}?api-version={call.api_version}"


async def files_list(call: Call, state: MockState) -> Response:
    records = list(reversed(await files.listing(state, call.request_as(FileListing).purpose)))
    if call.query.get("order") == "asc":
        records.reverse()
    after = call.query.get("after")
    if after is not None:
        ids = [r["id"] for r in records]
        records = records[ids.index(after) + 1 :] if after in ids else []
    limit = call.query.get("limit")
    if limit is not None and limit.isdigit():
        records = records[: min(int(limit), MAX_LIST)]
    return chunked_json(call, state, {"object": "list", "data": [files.render(r, call) for r in records]})


async def files_retrieve(call: Call, state: MockState) -> Response:
    return chunked_json(call, state, files.render(await found(call, state), call))


async def found(call: Call, state: MockState) -> dict[str, Any]:
    record = await files.get(state, call.resource_id or "")
    if record is None:
        raise not_found("File", call.resource_id or "")
    return record


async def files_delete(call: Call, state: MockState) -> Response:
    file_id = call.resource_id or ""
    deleted = await files.delete(state, file_id)
    return chunked_json(call, state, {"object": "file", "deleted": deleted, "id": file_id})


async def files_content(call: Call, state: MockState) -> Response:
    record = await found(call, state)
    chunks = files.content(state, record["id"])
    if chunks is None:
        raise not_found("File", record["id"])
    headers = azure_headers(call, "files", state.settings.region)
    headers.update(
        {
            "Content-Type": OCTET_STREAM,
            "Content-Length": str(record["bytes"]),
            "Content-Disposition": disposition(record["filename"] or record["id"]),
        }
    )
    return StreamingResponse(chunks, headers=headers)


def disposition(filename: str) -> str:
    """``attachment; filename=<name>; filename*=UTF-8''<name>`` (recording 28): the plain parameter
    keeps printable ASCII (others become ``_``), the starred one carries the name percent-encoded."""
    plain = "".join(c if 32 < ord(c) < 127 and c not in '";\\' else "_" for c in filename)
    return f"attachment; filename={plain}; filename*=UTF-8''{quote(filename, safe='')}"
