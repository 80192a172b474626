"""aoai-mockserver: a deterministic fake Azure OpenAI service (server and pytest plugin)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import MockApp, create_app
    from .config import Deployment, Settings, load_settings, make_deployment
    from .errors import AzureError, ConfigError, MockServerError
    from .journal import Journal, JournalEntry
    from .state import MockState

__version__ = "0.1.0"

__all__ = [
    "AzureError",
    "ConfigError",
    "Deployment",
    "Journal",
    "JournalEntry",
    "MockApp",
    "MockServerError",
    "MockState",
    "Settings",
    "__version__",
    "create_app",
    "load_settings",
    "make_deployment",
]

# Re-exports load on first use: pytest imports ``mockserver.pytest_plugin`` in every run of a project
# that has the package installed, and that should not import the server (style.md §1, Hypothesis).
EXPORTS = {
    "AzureError": "errors", "ConfigError": "errors", "MockServerError": "errors",
    "Deployment": "config", "Settings": "config", "load_settings": "config", "make_deployment": "config",
    "Journal": "journal", "JournalEntry": "journal",
    "MockApp": "app", "create_app": "app",
    "MockState": "state",
}


def __getattr__(name: str) -> Any:
    module = EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
