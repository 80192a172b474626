"""Test helpers: the ``MockAzure`` handle behind the pytest fixtures, and its errors.

``mockserver.pytest_plugin`` builds handles from these; ``MockAzure.inprocess()`` and
``MockAzure.live()`` build one outside pytest. Names load on first use (the plugin imports
``mockserver.testing.options`` at pytest start-up, which should not import the server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import load_export

if TYPE_CHECKING:
    from .errors import ControlUnavailable, RealAzureCallBlocked, ServerOnlyFault
    from .handle import INPROCESS_ENDPOINT, MockAzure
    from .log import RequestLog

__all__ = [
    "INPROCESS_ENDPOINT",
    "ControlUnavailable",
    "MockAzure",
    "RealAzureCallBlocked",
    "RequestLog",
    "ServerOnlyFault",
]

EXPORTS = {
    "ControlUnavailable": "errors", "RealAzureCallBlocked": "errors", "ServerOnlyFault": "errors",
    "INPROCESS_ENDPOINT": "handle", "MockAzure": "handle", "RequestLog": "log",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, EXPORTS, name, globals())
