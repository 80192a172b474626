"""Client drivers: one JSON protocol, several clients (raw HTTP, openai Python sync/async, openai npm,
openai-go, openai-java, and the Azure-maintained legacy Go azopenai and Java azure-ai-openai).

A driver takes a ``DriverCall`` (operation, parameters, client settings) as a JSON object and answers with
an ``Outcome`` (success or the error class the client raised, its status and code, what came back,
and the client's name and version). The Node driver is a separate process speaking exactly this
JSON on stdin/stdout (``drivers/node/driver.mjs``); the Python drivers use the same dictionaries.

What the *server* saw (how many attempts, the gaps between them, the headers each carried) comes
from the mock's journal, not from the driver, so every driver is judged the same way.
"""

from __future__ import annotations

from .go_azopenai import GoAzOpenAI
from .go_openai import GoOpenAI, GoOpenAIHttp
from .java_azure import JavaAzure
from .java_openai import JavaOpenAI, JavaOpenAIHttp
from .node_openai import NodeOpenAI
from .protocol import MESSAGES, OPERATIONS, Driver, DriverCall, Outcome
from .python_openai import PythonOpenAIAsync, PythonOpenAISync
from .raw_http import RawHttp

__all__ = ["DEFAULT_DRIVERS", "MESSAGES", "OPERATIONS", "REGISTRY", "Driver", "DriverCall", "Outcome"]

DRIVERS: list[type[Driver]] = [
    RawHttp,
    PythonOpenAISync,
    PythonOpenAIAsync,
    NodeOpenAI,
    GoOpenAI,
    JavaOpenAI,
    GoAzOpenAI,
    JavaAzure,
    GoOpenAIHttp,
    JavaOpenAIHttp,
]
REGISTRY: dict[str, type[Driver]] = {d.name: d for d in DRIVERS}
# The http variants of the TLS drivers run on request (--driver go-http) and in test_http_variants.py;
# the matrix and a default run use the others.
HTTP_VARIANTS = ("go-http", "java-http")
DEFAULT_DRIVERS = tuple(name for name in REGISTRY if name not in HTTP_VARIANTS)
