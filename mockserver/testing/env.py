"""``MockEnv``: the environment variables the Azure OpenAI SDKs read, pointing at a mock."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENDPOINT_VAR = "AZURE_OPENAI_ENDPOINT"
KEY_VAR = "AZURE_OPENAI_API_KEY"
VERSION_VAR = "OPENAI_API_VERSION"
CERT_FILE_VAR = "SSL_CERT_FILE"  # OpenSSL's, read by Python's httpx/httpx2, Go on Linux, .NET on Linux
NODE_CA_VAR = "NODE_EXTRA_CA_CERTS"  # Node.js: added to its built-in CAs


class MockEnv(dict[str, str]):
    """A dict of the variables, and a context manager that sets them in ``os.environ``.

    ``with mock.env(): ...`` sets them for the block and restores the old values after;
    ``subprocess.run(cmd, env={**os.environ, **mock.env()})`` hands them to a child process. For a mock
    on https (``ca_path``) they include ``SSL_CERT_FILE`` (a bundle of the public CAs and the mock's, so
    other https hosts still verify) and ``NODE_EXTRA_CA_CERTS`` (the mock's CA).
    """

    def __init__(self, endpoint: str, api_key: str, api_version: str, ca_path: Path | None = None) -> None:
        super().__init__({ENDPOINT_VAR: endpoint, KEY_VAR: api_key, VERSION_VAR: api_version})
        if ca_path is not None:
            from ..tls import trust_bundle

            self[CERT_FILE_VAR] = str(trust_bundle(ca_path))
            self[NODE_CA_VAR] = str(ca_path)
        self.saved: list[dict[str, str | None]] = []

    def __enter__(self) -> MockEnv:
        self.saved.append({name: os.environ.get(name) for name in self})
        os.environ.update(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        for name, value in self.saved.pop().items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
