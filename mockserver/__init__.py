"""aoai-mockserver: a deterministic fake Azure OpenAI service (server and pytest plugin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lazy import load_export

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
    return load_export(__name__, EXPORTS, name, globals())
