"""A running batch's part blobs: each window's output and error lines, kept in the object store
(kind ``PARTS``) until the batch's files are written from them in order (``mockserver.batch.runner``).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

from ..ids import digest
from ..objects import ObjectStore

PARTS = "batch-parts"  # the object store's kind for the runner's part blobs
NO_LIMIT = 1 << 40


async def write(
    objects: ObjectStore, batch_id: str, name: str, kind: str, chunks: AsyncIterator[bytes]
) -> None:
    await objects.put_blob(PARTS, f"{batch_id}/{name}/{kind}", chunks, NO_LIMIT)


async def joined(objects: ObjectStore, batch_id: str, names: list[str], kind: str) -> AsyncIterator[bytes]:
    """The ``kind`` ("out" or "err") lines of the parts ``names``, in that order."""
    for name in names:
        blob = objects.read_blob(PARTS, f"{batch_id}/{name}/{kind}")
        if blob is not None:
            async for chunk in blob:
                yield chunk


async def drop(objects: ObjectStore, batch_id: str, names: list[str]) -> None:
    for name in names:
        for kind in ("out", "err"):
            await objects.delete_blob(PARTS, f"{batch_id}/{name}/{kind}")


def permutation(seed: int, batch_id: str, part: int, size: int) -> list[int]:
    """A seeded order of ``size`` lines that is never the input order (when it can differ)."""
    order = list(range(size))
    random.Random(digest("batch-order", seed, batch_id, part)).shuffle(order)
    if size > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    if data:
        yield data
