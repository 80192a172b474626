"""Test helpers: the ``MockAzure`` handle behind the pytest fixtures, and its errors.

``mockserver.pytest_plugin`` builds handles from these; ``MockAzure.inprocess()`` and
``MockAzure.live()`` build one outside pytest. Names load on first use (the plugin imports
``mockserver.testing.options`` at pytest start-up, which should not import the server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import load_export

if TYPE_CHECKING:
    from ..journal import RequestLog
    from ..replay.attach import CassetteMiss, cassette_path, use_cassette
    from ..replay.modes import RecordMode
    from .errors import ControlUnavailable, RealAzureCallBlocked, ServerOnlyFault
    from .handle import INPROCESS_ENDPOINT, MockAzure

__all__ = [
    "INPROCESS_ENDPOINT",
    "CassetteMiss",
    "ControlUnavailable",
    "MockAzure",
    "RealAzureCallBlocked",
    "RecordMode",
    "RequestLog",
    "ServerOnlyFault",
    "cassette_path",
    "use_cassette",
]

EXPORTS = {
    "CassetteMiss": "..replay.attach",
    "ControlUnavailable": "errors",
    "INPROCESS_ENDPOINT": "handle",
    "MockAzure": "handle",
    "RealAzureCallBlocked": "errors",
    "RecordMode": "..replay.modes",
    "RequestLog": "..journal",
    "ServerOnlyFault": "errors",
    "cassette_path": "..replay.attach",
    "use_cassette": "..replay.attach",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, EXPORTS, name, globals())
