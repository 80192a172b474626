"""Server-sent events exactly as Azure frames them (azure-wire §6.1).

Every event is ``data: <compact json>\\n\\n``; the stream ends with ``data: [DONE]\\n\\n``;
no ``event:``, ``id:`` or comment lines; LF line endings (recordings 02, 03, 11, 12, 14).
"""

from __future__ import annotations

from typing import Any

from ..jsontext import compact

DONE = b"data: [DONE]\n\n"


def dumps(payload: Any) -> str:
    """Compact JSON with literal UTF-8, matching Azure's byte counts (recordings 04, 08)."""
    return compact(payload).decode()


def event(payload: Any) -> bytes:
    return b"data: " + compact(payload) + b"\n\n"
