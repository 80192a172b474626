"""The structural comparator now lives in ``conformance/shapes.py`` (shared with the conformance suite).

This module re-exports it so ``from . import shapes`` in the parity test keeps working.
"""

from __future__ import annotations

from conformance.shapes import (
    DONE,
    STRICT,
    Rules,
    compact,
    compare,
    compare_headers,
    compare_streams,
    event_data,
    event_kind,
    framing_problems,
    kind_sequence,
    split_events,
)

__all__ = [
    "DONE",
    "STRICT",
    "Rules",
    "compact",
    "compare",
    "compare_headers",
    "compare_streams",
    "event_data",
    "event_kind",
    "framing_problems",
    "kind_sequence",
    "split_events",
]
