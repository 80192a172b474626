"""The Hypothesis strategies under their first name (README before 0.2): now
``mockserver.testing.strategies``."""

from __future__ import annotations

from .testing.strategies import *  # noqa: F403
from .testing.strategies import __all__ as __all__
