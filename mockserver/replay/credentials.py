"""Credentials for a real Azure OpenAI resource: ``AZURE_OPENAI_API_KEY`` (the variable the openai
SDK reads, OPENAI-PY ``lib/azure.py``), else an Entra token from ``azure-identity`` when it is
installed (``DefaultAzureCredential``, scope ``https://cognitiveservices.azure.com/.default`` as in
OPENAI-PY ``examples/azure_ad.py``). The recording proxy and the conformance suite's azure target
both get them here.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import time

ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"  # OPENAI-PY examples/azure_ad.py
KEY_ENV = "AZURE_OPENAI_API_KEY"  # OPENAI-PY lib/azure.py
CREDENTIAL_MODES = ("client", "env")
AUTH_HEADERS = frozenset({"api-key", "authorization"})


def has_azure_identity() -> bool:
    return (
        importlib.util.find_spec("azure.identity") is not None if importlib.util.find_spec("azure") else False
    )


def entra_access_token() -> tuple[str, float]:
    """A token for the Cognitive Services scope and when it expires (epoch seconds). ``ImportError``
    when azure-identity is not installed; its own error when it finds no credential."""
    from azure.identity import DefaultAzureCredential  # type: ignore[import-not-found]

    access = DefaultAzureCredential().get_token(ENTRA_SCOPE)
    return str(access.token), float(access.expires_on)


class Credentials:
    """What authenticates upstream requests.

    mode: "client" (the client's own credentials; the environment's only when it sent none) or
        "env" (always the environment's: ``AZURE_OPENAI_API_KEY``, else an azure-identity token).
    """

    def __init__(self, mode: str = "client", environ: dict[str, str] | None = None) -> None:
        if mode not in CREDENTIAL_MODES:
            raise ValueError(f"credentials must be one of {list(CREDENTIAL_MODES)}, got {mode!r}")
        self.mode = mode
        self.environ = environ if environ is not None else dict(os.environ)
        self.token: tuple[str, float] | None = None  # (token, expires_on epoch)

    async def apply(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        sent = any(k.lower() in AUTH_HEADERS for k, _ in headers)
        if self.mode == "client" and sent:
            return headers
        kept = [(k, v) for k, v in headers if k.lower() not in AUTH_HEADERS]
        return kept + list((await self.from_environment()).items())

    async def from_environment(self) -> dict[str, str]:
        key = self.environ.get(KEY_ENV)
        if key:
            return {"api-key": key}
        token = await self.entra_token()
        return {"authorization": f"Bearer {token}"} if token else {}

    async def entra_token(self) -> str | None:
        if self.token is not None and self.token[1] - 60 > time.time():
            return self.token[0]
        if not has_azure_identity():
            return None
        self.token = await asyncio.to_thread(entra_access_token)
        return self.token[0]
