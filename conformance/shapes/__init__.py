"""Structural comparison of a recorded Azure exchange with another answer (the mock's, or Azure's).

    compare.py  JSON bodies by structure, under ``Rules`` (``STRICT``: the parity test's)
    sse.py      SSE streams, event kind by event kind
    headers.py  headers by name, case-insensitively

Every function returns a list of differences, each a short line naming where the two disagree
(``choices[0].delta.role: missing``, ``usage: key order differs (...)``), so a failing test says
what differs instead of dumping two bodies.

What counts as structure:

* keys at every level, and their order (the recordings keep the wire order: alphabetical in the
  2024-2025 chat bodies, non-alphabetical in embeddings 07 and completions 13, azure-wire §5.4);
* value types (``int`` and ``float`` are different types, ``null`` is a type of its own);
* list lengths (``n``, inputs, ``top_logprobs`` and ``dimensions`` decide them), except for
  lists whose length depends on the generated text (``bytes`` of a logprobs token);
* whether a string is empty (the blank identity fields of the annotation event, the role
  chunk's ``content:""``, the first tool-call delta's ``arguments:""``);
* exact values for the keys that are wire vocabulary rather than content (``object``, ``role``,
  ``finish_reason``, filter verdicts, error codes and gateway messages, ...).

Volatile values (ids, ``created``, generated text, token counts, vectors) are compared by type.
SSE streams are compared per event kind (the mock streams a different number of content
chunks than the recording): the sequence of kinds, then each event against the first
recorded event of the same kind. Headers are compared by name, case-insensitively.

``Rules`` says how strict to be. The default (``STRICT``) is the parity test's: every key and
header as recorded. The conformance suite loosens it only where the recordings themselves show
Azure varying over time (``conformance.contract``), never for the mock's convenience.
"""

from __future__ import annotations

from .compare import ANY, EXACT_KEYS, STRICT, UUID, Rules, compare
from .headers import compare_headers
from .sse import (
    DONE,
    compact,
    compare_streams,
    event_data,
    event_kind,
    framing_problems,
    joined_events,
    kind_sequence,
    safe_event_data,
    split_events,
)

__all__ = [
    "ANY",
    "DONE",
    "EXACT_KEYS",
    "STRICT",
    "UUID",
    "Rules",
    "compact",
    "compare",
    "compare_headers",
    "compare_streams",
    "event_data",
    "event_kind",
    "framing_problems",
    "joined_events",
    "kind_sequence",
    "safe_event_data",
    "split_events",
]
