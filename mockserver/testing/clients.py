"""The clients a ``MockAzure`` handle hands out: ``client()``, ``async_client()`` and ``env()``."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .env import MockEnv


class ClientMethods:
    """``MockAzure``'s client methods; the handle provides the attributes annotated here."""

    api_key: str
    api_version: str
    mode: str
    cleanups: list[Callable[[], None]]
    ca_path: Path | None  # the CA of a live mock on https, which the clients trust by themselves

    @property
    def endpoint(self) -> str:
        raise NotImplementedError

    @property
    def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def client_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {"api_key": self.api_key, "api_version": self.api_version}
        if "base_url" not in kwargs:
            options["azure_endpoint"] = self.endpoint
        headers = {**self.headers, **(kwargs.pop("default_headers", None) or {})}
        if headers:
            options["default_headers"] = headers
        return {**options, **kwargs}

    def client(self, **kwargs: Any) -> Any:
        """An ``openai.AzureOpenAI`` for this mock; ``kwargs`` override or add constructor arguments.

        Unless ``http_client`` is given, the client is closed when the handle closes (test teardown).
        """
        import openai

        owned = "http_client" not in kwargs
        if owned:
            kwargs["http_client"] = self.http_client(openai.DefaultHttpxClient)
        client = openai.AzureOpenAI(**self.client_kwargs(kwargs))
        if owned:
            self.cleanups.append(client.close)
        return client

    def async_client(self, **kwargs: Any) -> Any:
        """An ``openai.AsyncAzureOpenAI`` for this mock; ``kwargs`` as for ``client``."""
        import openai

        if "http_client" not in kwargs:
            kwargs["http_client"] = self.http_client(openai.DefaultAsyncHttpxClient)
        return openai.AsyncAzureOpenAI(**self.client_kwargs(kwargs))

    def http_client(self, factory: Any) -> Any:
        """The SDK's default HTTP client with a shared SSL context; on the live server without idle
        connections, so a client the test never closes leaves no socket for a later GC to report."""
        import openai

        options: dict[str, Any] = {"verify": ssl_context(self.ca_path)}
        if self.mode == "server":
            limits = type(openai.DEFAULT_CONNECTION_LIMITS)
            options["limits"] = limits(max_connections=100, max_keepalive_connections=0)
        return factory(**options)

    def env(self) -> MockEnv:
        """AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION (and, on https, SSL_CERT_FILE
        and NODE_EXTRA_CA_CERTS so that child processes trust the mock): a dict and a context manager."""
        return MockEnv(self.endpoint, self.api_key, self.api_version, ca_path=self.ca_path)


@functools.cache
def ssl_context(ca_path: Path | None = None) -> ssl.SSLContext:
    """One verifying SSL context for every client the handles build (per mock CA, ``ca_path``, which it
    trusts besides the public ones): building one per client loads the CA bundle each time (about
    15 ms), which would dominate a test's setup."""
    try:
        import certifi
    except ImportError:
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context(cafile=certifi.where())
    if ca_path is not None:
        context.load_verify_locations(cafile=str(ca_path))
    return context
