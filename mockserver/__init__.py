"""aoai-mockserver: a deterministic fake Azure OpenAI service (server and pytest plugin)."""

from __future__ import annotations

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
