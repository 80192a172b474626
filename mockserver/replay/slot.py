"""``CassetteSlot``: a cassette attached to a mock, the one place the pipeline looks for one.

``MockApp.cassette`` (kept in ``MockState.cassette``) holds it or None. The pipeline's ``replay``
stage asks ``player`` for a recorded answer; when ``record`` is set, the pipeline also captures
every exchange the mock answered itself (not the replayed ones) and hands each to ``record``,
scrubbed of secrets and of ``body_fields``. Attaching a cassette is setting the slot; detaching
is setting it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cassette import Interaction
from .player import Player


@dataclass(frozen=True)
class CassetteSlot:
    """What replays (``player``, None: nothing) and where recorded exchanges go (``record``)."""

    player: Player | None = None
    record: Callable[[Interaction], None] | None = None
    body_fields: tuple[str, ...] = ()
