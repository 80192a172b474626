"""Stored files: their metadata object and content blob in ``state.objects``, and how Azure renders them.

A file is the object ``files``/``<id>`` plus the blob ``files``/``<id>`` (written and read in
chunks, ``mockserver.objects``). Uploads and the output and error files of batches are both files.

Rendering follows the recordings, by api-version:

* 2024-10-01-preview and later, and /openai/v1 (recordings 27-29, and the batch docs' REST sample
  for ``expires_at``): ``status, bytes, purpose, filename, [expires_at,] id, created_at, object``;
  uploads answer 201 with ``Location``; every files answer is chunked, ``application/json;
  charset=utf-8``.
* before that (recording 31, 2024-07-01-preview, Go; and the 2024-02-15-preview JS recording of
  azure-wire §11): ``object, id, purpose, filename, bytes, created_at, status, status_details``;
  uploads answer 200 without ``Location``, with a Content-Length and ``application/json``. Which
  version between 2024-07-01-preview and 2024-10-01-preview changed it is not recorded; the
  older form is kept until 2024-10-01-preview (inferred).

Upload ids are ``file-`` and 32 hex digits (recording 27); the service's own files (batch output and
error files) are ``file-`` and a dashed UUID (recording 28). Both come from the seeded id source.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Protocol

from .call import Call
from .ids import Clock, RequestIds
from .objects import ObjectStore
from .versions import date_of

FILES = "files"  # the object store's kind for files and their blobs
MODERN_SINCE = "2024-10-01"
PROCESSED = "processed"


class FileStores(Protocol):
    """What files need of the mock's state (a ``MockState``): its object store, clock and ids."""

    @property
    def objects(self) -> ObjectStore: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def request_ids(self) -> RequestIds: ...


def modern(call: Call) -> bool:
    """Whether ``call``'s api-version gets the 2025 file shape (see the module docstring)."""
    return call.surface == "v1" or date_of(call.api_version or "") >= MODERN_SINCE


def upload_id(state: FileStores) -> str:
    return "file-" + state.request_ids.next().replace("-", "")


def service_file_id(state: FileStores) -> str:
    return "file-" + state.request_ids.next()


def new_file(
    file_id: str, filename: str, purpose: str, size: int, created_at: int, expires_at: int | None = None
) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": created_at,
        "filename": filename,
        "purpose": purpose,
        "status": PROCESSED,
        "status_details": None,
        "expires_at": expires_at,
    }


def render(record: dict[str, Any], call: Call) -> dict[str, Any]:
    """The file object as Azure sends it to ``call``'s api-version."""
    if not modern(call):
        return {
            "object": "file",
            "id": record["id"],
            "purpose": record["purpose"],
            "filename": record["filename"],
            "bytes": record["bytes"],
            "created_at": record["created_at"],
            "status": record["status"],
            "status_details": record["status_details"],
        }
    body: dict[str, Any] = {
        "status": record["status"],
        "bytes": record["bytes"],
        "purpose": record["purpose"],
        "filename": record["filename"],
    }
    if record.get("expires_at") is not None:
        body["expires_at"] = record["expires_at"]
    body.update(id=record["id"], created_at=record["created_at"], object="file")
    return body


def plain(record: dict[str, Any]) -> dict[str, Any]:
    """The stored file as the control API and the plugin show it: every field, the 2025 key order."""
    return {
        "status": record["status"],
        "bytes": record["bytes"],
        "purpose": record["purpose"],
        "filename": record["filename"],
        "expires_at": record.get("expires_at"),
        "id": record["id"],
        "created_at": record["created_at"],
        "object": "file",
    }


async def store(
    state: FileStores, record: dict[str, Any], chunks: AsyncIterable[bytes], limit: int
) -> dict[str, Any]:
    """Write the blob from ``chunks`` (``objects.BlobTooLarge`` past ``limit``), then the object,
    which expires with the file when it has an ``expires_at``."""
    size = await state.objects.put_blob(FILES, record["id"], chunks, limit)
    record = {**record, "bytes": size}
    ttl = None if record.get("expires_at") is None else max(0.0, record["expires_at"] - state.clock.now())
    await state.objects.put(FILES, record["id"], record, ttl=ttl)
    return record


async def get(state: FileStores, file_id: str) -> dict[str, Any] | None:
    return await state.objects.get(FILES, file_id)


async def delete(state: FileStores, file_id: str) -> bool:
    existed = await state.objects.delete(FILES, file_id)
    await state.objects.delete_blob(FILES, file_id)
    return existed


async def listing(state: FileStores, purpose: str | None = None) -> list[dict[str, Any]]:
    """Every live file, oldest first (``purpose`` filters)."""
    return [record for _, record in await state.objects.items(FILES) if purpose in (None, record["purpose"])]


def content(state: FileStores, file_id: str) -> AsyncIterator[bytes] | None:
    return state.objects.read_blob(FILES, file_id)


async def file_chunks(upload: Any, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A starlette ``UploadFile`` (spooled by the form parser) from its start, in chunks."""
    await upload.seek(0)
    while chunk := await upload.read(size):
        yield chunk
