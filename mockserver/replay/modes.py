"""Record modes, as vcrpy and pytest-recording name them (``--record-mode``).

=============  ============================================  ==========================================
mode           cassette exists                               cassette missing
=============  ============================================  ==========================================
none           replay only; an unmatched request is a miss   error: nothing to replay
once           replay only (like ``none``)                   record every request
new_episodes   replay what matches; record the rest          record every request
all            record every request, replacing the file      record every request
=============  ============================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import ConfigError


class RecordMode(StrEnum):
    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"

    @classmethod
    def parse(cls, value: str | RecordMode) -> RecordMode:
        """``value`` as a mode; a ``ConfigError`` lists the valid ones."""
        try:
            return cls(value)
        except ValueError:
            raise ConfigError(f"record mode must be one of {[m.value for m in cls]}, got {value!r}") from None


RECORD_MODES = tuple(m.value for m in RecordMode)


@dataclass(frozen=True)
class ModePlan:
    """What a mode does with a cassette: replay it, forward (to upstream or generator), record."""

    mode: RecordMode
    replay: bool  # serve matches from the existing cassette
    forward: bool  # requests without a recorded answer go on (upstream / generator)
    record: bool  # forwarded exchanges are appended and saved
    keep_existing: bool  # the saved file keeps the interactions it had


def plan(mode: str | RecordMode, path: str | Path) -> ModePlan:
    mode = RecordMode.parse(mode)
    exists = Path(path).is_file()
    if mode is RecordMode.NONE or (mode is RecordMode.ONCE and exists):
        return ModePlan(mode, replay=True, forward=False, record=False, keep_existing=True)
    if mode is RecordMode.NEW_EPISODES:
        return ModePlan(mode, replay=exists, forward=True, record=True, keep_existing=True)
    return ModePlan(mode, replay=False, forward=True, record=True, keep_existing=False)
