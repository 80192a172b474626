"""Ids in the recorded form: ``resp_`` + 48 hex digits, and the items' ``msg_``/``fc_``/``rs_`` ids.

In every recording (15-23, 30) the 48 digits are 8 of the creation time (``6892a825`` is
``created_at`` 1754441765 in 15), 24 of the item's own, and 16 that the response and all its items
share (``…0e6cd7081d237a21``). The mock derives them from the seed and the request's own id, so a
seeded run is repeatable and two creates never collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ids import digest, tool_call_id


@dataclass(frozen=True)
class ResponseIds:
    created_at: int
    tail: str  # the 16 digits shared by the response and its items
    seed: int
    request_id: str

    @classmethod
    def new(cls, created_at: int, seed: int, request_id: str) -> ResponseIds:
        return cls(created_at, digest("resp-tail", seed, request_id).hex()[:16], seed, request_id)

    def make(self, prefix: str, position: int = 0) -> str:
        own = digest("resp-item", self.seed, self.request_id, prefix, position).hex()[:24]
        return f"{prefix}_{self.created_at & 0xFFFFFFFF:08x}{own}{self.tail}"

    @property
    def response(self) -> str:
        return self.make("resp")

    def call_id(self, name: str, position: int) -> str:
        """``call_`` + 24 base62 (recording 17: ``call_p4hlHslOVzbn1tBTmp9e6Mv3``)."""
        return tool_call_id(self.seed, self.request_id, name, position)


def input_item_id(response_id: str, position: int) -> str:
    """An input item's id for ``input_items`` (``msg_…``; the spec's example lists them so)."""
    return "msg_" + digest("input-item", response_id, position).hex()[:48]
