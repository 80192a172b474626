"""``MockEnv``: the environment variables the Azure OpenAI SDKs read, pointing at a mock."""

from __future__ import annotations

import os
from typing import Any

ENDPOINT_VAR = "AZURE_OPENAI_ENDPOINT"
KEY_VAR = "AZURE_OPENAI_API_KEY"
VERSION_VAR = "OPENAI_API_VERSION"


class MockEnv(dict[str, str]):
    """A dict of the variables, and a context manager that sets them in ``os.environ``.

    ``with mock.env(): ...`` sets them for the block and restores the old values after;
    ``subprocess.run(cmd, env={**os.environ, **mock.env()})`` hands them to a child process.
    """

    def __init__(self, endpoint: str, api_key: str, api_version: str) -> None:
        super().__init__({ENDPOINT_VAR: endpoint, KEY_VAR: api_key, VERSION_VAR: api_version})
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
