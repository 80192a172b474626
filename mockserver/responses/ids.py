"""Ids in the recorded form: ``resp_`` + 48 hex digits, and the items' ``msg_``/``fc_``/``rs_`` ids.

In every recording (15-23, 30) the 48 digits are 8 of the creation time (``6892a825`` is
``created_at`` 1754441765 in 15), 24 of the item's own, and 16 that the response and all its items
share (``…0e6cd7081d237a21``). The mock derives them from the seed and the request's own id, so a
seeded run is repeatable and two creates never collide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..ids import digest, tool_call_id

# one digest per response gives its tail and the own digits of its first items (one hash, not one per id)
SLOTS = {("resp", 0): 1, ("msg", 0): 2, ("rs", 0): 3, ("fc", 0): 4}


def own_digits(prefix: str, position: int) -> tuple[int, int] | None:
    """Where in ``ResponseIds.digits`` an id's own 24 digits are; None: from a digest of its own."""
    slot = SLOTS.get((prefix, position))
    return None if slot is None else (slot * 24 - 8, slot * 24 + 16)


@dataclass(frozen=True)
class ResponseIds:
    created_at: int
    digits: str  # 128 hex digits: the shared tail, then 24 per slot
    seed: int
    request_id: str

    @classmethod
    def new(cls, created_at: int, seed: int, request_id: str) -> ResponseIds:
        source = f"resp\x00{seed}\x00{request_id}".encode()
        return cls(created_at, hashlib.blake2b(source, digest_size=64).hexdigest(), seed, request_id)

    @property
    def tail(self) -> str:
        """The 16 digits shared by the response and its items."""
        return self.digits[:16]

    def make(self, prefix: str, position: int = 0) -> str:
        """``head(prefix)`` + 24 digits of the id's own + ``tail``."""
        own = own_digits(prefix, position)
        if own is None:  # a later function call of the same response
            mine = digest("resp-item", self.seed, self.request_id, prefix, position).hex()[:24]
        else:
            mine = self.digits[own[0] : own[1]]
        return f"{self.head(prefix)}{mine}{self.digits[:16]}"

    def head(self, prefix: str) -> str:
        """What every id of this response starts with: the prefix and the creation time's 8 digits."""
        return f"{prefix}_{self.created_at & 0xFFFFFFFF:08x}"

    @property
    def response(self) -> str:
        return self.make("resp")

    def call_id(self, name: str, position: int) -> str:
        """``call_`` + 24 base62 (recording 17: ``call_p4hlHslOVzbn1tBTmp9e6Mv3``)."""
        return tool_call_id(self.seed, self.request_id, name, position)


INPUT_ITEM = hashlib.blake2b(repr("input-item").encode() + b"\x00", digest_size=32)


def input_item_id(response_id: str, position: int) -> str:
    """An input item's id for ``input_items`` (``msg_…``; the spec's example lists them so):
    ``digest("input-item", response_id, position)``, its first part hashed once."""
    hashed = INPUT_ITEM.copy()
    hashed.update(f"{response_id!r}\x00{position!r}\x00".encode())
    return "msg_" + hashed.hexdigest()[:48]
