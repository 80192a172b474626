"""aoai-mockserver: a deterministic fake Azure OpenAI service (server and pytest plugin).

What a user writes against, in one place: the app and its settings, the test handle
(``MockAzure``), cassettes (``use_cassette``, ``cassette_path``, ``RecordMode``, ``CassetteMiss``)
and the error families. Names load on first use: pytest imports ``mockserver.pytest_plugin`` in
every run of a project that has the package installed, and that should not import the server
(style.md §1, Hypothesis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .lazy import load_export

if TYPE_CHECKING:
    from .app import MockApp, create_app
    from .config import Deployment, Settings, load_settings, make_deployment
    from .errors import AzureError, ConfigError, MockServerError
    from .journal import Journal, JournalEntry
    from .replay.attach import CassetteMiss, cassette_path, use_cassette
    from .replay.modes import RecordMode
    from .state import MockState
    from .testing.handle import MockAzure

__all__ = [
    "AzureError",
    "CassetteMiss",
    "ConfigError",
    "Deployment",
    "Journal",
    "JournalEntry",
    "MockApp",
    "MockAzure",
    "MockServerError",
    "MockState",
    "RecordMode",
    "Settings",
    "__version__",
    "cassette_path",
    "create_app",
    "load_settings",
    "make_deployment",
    "use_cassette",
]

# name -> the module it loads from (tests/test_layout.py checks this, __all__ and the block above agree)
EXPORTS = {
    "AzureError": "errors",
    "CassetteMiss": "replay.attach",
    "ConfigError": "errors",
    "Deployment": "config",
    "Journal": "journal",
    "JournalEntry": "journal",
    "MockApp": "app",
    "MockAzure": "testing.handle",
    "MockServerError": "errors",
    "MockState": "state",
    "RecordMode": "replay.modes",
    "Settings": "config",
    "cassette_path": "replay.attach",
    "create_app": "app",
    "load_settings": "config",
    "make_deployment": "config",
    "use_cassette": "replay.attach",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, EXPORTS, name, globals())
