"""What every replay can be asked, checked the same way wherever it is given (config file, command
line, ``@pytest.mark.aoai``, ``Player``): the facets to match on and the speed.

A leaf module: ``config`` checks these at load time without importing the replay machinery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError

# every facet ``matching.MATCHERS`` compares (it asserts the two agree)
FACETS = ("method", "path", "deployment", "api_version", "query", "body")
DEFAULT_MATCH_ON = ("method", "path", "deployment", "api_version", "body")


def check_match_on(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` validated (a ``ConfigError``, which is a ``ValueError``, lists the valid ones)."""
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise ConfigError(f"unknown replay matcher(s) {unknown}; valid: {list(FACETS)}")
    return tuple(names)


def valid_speed(speed: Any) -> bool:
    """A replay speed is a number of 0 or more (0: at once, 1: as recorded; not a bool, not NaN)."""
    return not isinstance(speed, bool) and isinstance(speed, int | float) and speed >= 0
