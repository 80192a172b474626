"""Recorded answers used as templates for fresh requests (Part 1 per-endpoint tests).

A fresh request to the target's own deployment is compared with a recorded answer of the same
operation: same keys and order, same types, same vocabulary. Where the fresh request asks for a
different number of items (choices, inputs), the recorded item is repeated with its index set.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from . import contract
from .recordings import BY_ID, load_entry, missing_reason, recorded_deployment
from .shapes import Rules


def recorded(exchange_id: str) -> dict[str, Any]:
    """The recorded entry of ``exchange_id``; skips the test when the recordings are absent."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    return copy.deepcopy(load_entry(BY_ID[exchange_id]))


def rules(entry: dict[str, Any], deployment: str) -> Rules:
    return contract.rules_for(entry, deployment, recorded_deployment(entry))


def with_items(entry: dict[str, Any], key: str, count: int) -> dict[str, Any]:
    """``entry`` whose body list ``key`` (choices, data) holds ``count`` copies of its first item."""
    body = entry["ResponseBody"]
    first = body[key][0]
    body[key] = [{**first, "index": i} for i in range(count)]
    return entry
