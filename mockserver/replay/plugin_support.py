"""The cassette API under its first name (README before 0.2): now ``mockserver.replay.attach``,
and ``use_cassette`` / ``cassette_path`` / ``CassetteMiss`` are also in ``mockserver`` itself."""

from __future__ import annotations

from .attach import (
    RECORD_MODES,
    CassetteMiss,
    CassetteUse,
    RecordMode,
    cassette_path,
    recording_proxy,
    use_cassette,
)

__all__ = [
    "RECORD_MODES",
    "CassetteMiss",
    "CassetteUse",
    "RecordMode",
    "cassette_path",
    "recording_proxy",
    "use_cassette",
]
