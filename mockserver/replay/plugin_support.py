"""The cassette API under its first name (README before 0.2): now ``mockserver.replay.attach``,
and ``use_cassette`` / ``cassette_path`` / ``CassetteMiss`` are also in ``mockserver`` itself."""

from __future__ import annotations

from .attach import *  # noqa: F403
from .attach import __all__ as __all__
