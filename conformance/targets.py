"""What the suite talks to: the mock in-process, a mock it starts, any URL, or a real Azure resource.

    inprocess  the app called directly (no socket: transport faults and other languages skip)
    server     a mock on 127.0.0.1 and a free port, started for the run (the default)
    url        any running server (--base-url); fault injection through its /_mock control API,
               when it has one
    azure      AZURE_OPENAI_ENDPOINT with AZURE_OPENAI_API_KEY, or an Entra token from
               azure-identity; no fault injection

A ``Target`` hands out raw HTTP clients, auth headers, deployment names and, for mocks, a
``Control`` (``mockserver.testing.control``) that adds fault rules and reads the journal; each kind is
built in ``target_kinds.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mockserver.testing.control import Control
from mockserver.versions import DEFAULT_GA

from .contract import Answer

BAD_KEY = "00000000000000000000000000000000"  # a well-formed key no resource accepts

GA = DEFAULT_GA  # the api-version the suite sends (the newest GA)
NO_FAULTS = "needs fault injection, which target {target} cannot do ({why})"
ANY_KEY = (
    "the target mock accepts any api-key, so Azure's 401s cannot happen; start it with keys "
    "(aoai-mock serve --config conformance/mock.toml) to check them"
)
NO_SOCKET = "needs a real socket; the inprocess target has none (run with --target server)"


@dataclass(frozen=True)
class Deployments:
    """Deployment names per kind.

    keep_recorded: send recorded exchanges to their recorded deployment names (the mock targets,
      and the replay stand-in through AOAI_CONFORMANCE_KEEP_RECORDED_DEPLOYMENTS=1).
    available: deployments the target is known to serve (a mock's ``/_mock/deployments``); a
      recorded name among them is kept too.
    """

    names: dict[str, str]
    keep_recorded: bool = False
    available: frozenset[str] = frozenset()

    def __getitem__(self, kind: str) -> str:
        return self.names[kind]

    def get(self, kind: str) -> str | None:
        return self.names.get(kind)

    @property
    def chat(self) -> str:
        return self.names["chat"]

    def for_recorded(self, kind: str, recorded: str | None) -> str:
        """The deployment to use where a recording used ``recorded`` (a deployment of ``kind``)."""
        if recorded is None:
            return self.names.get(kind, "")
        if self.keep_recorded or recorded in self.available or kind not in self.names:
            return recorded
        return self.names[kind]


@dataclass
class Target:
    """One target of the run.

    endpoint: base URL clients use (``http://testserver`` in-process).
    tls_endpoint: the same target over https (the server target's second listener), or None.
    ca_path: the CA a client must trust for the https endpoint (None: a public CA).
    controls: fault injection and journal, None where the target is not a mock we can drive.
    app: the ASGI app for in-process clients (None otherwise).
    skip_all: a reason every test must skip (no credentials), or None.
    """

    name: str
    endpoint: str
    api_key: str | None
    deployments: Deployments
    api_version: str = GA
    bearer: str | None = None
    controls: Control | None = None
    app: Any = None
    skip_all: str | None = None
    no_faults_reason: str = ""
    closers: list[Any] = field(default_factory=list)
    tls_endpoint: str | None = None
    ca_path: Path | None = None
    _any_key: bool | None = None

    def endpoint_for(self, tls: bool) -> str | None:
        """Where a client goes: the https endpoint for one that needs TLS (None when there is none)."""
        if not tls or self.endpoint.startswith("https://"):
            return self.endpoint
        return self.tls_endpoint

    @property
    def socket(self) -> bool:
        return self.app is None

    @property
    def is_mock(self) -> bool:
        return self.controls is not None

    def auth_headers(self, surface: str = "classic") -> dict[str, str]:
        """The credential as Azure clients send it: ``api-key``, or Bearer for tokens and on v1."""
        if self.bearer:
            return {"Authorization": f"Bearer {self.bearer}"}
        if surface == "v1":
            return {"Authorization": f"Bearer {self.api_key}"}
        return {"api-key": self.api_key or ""}

    def http(self, timeout: float = 30.0) -> Any:
        """A raw HTTP client (``httpx.Client``, or Starlette's ``TestClient`` in-process)."""
        if self.app is not None:
            from starlette.testclient import TestClient

            return TestClient(self.app, base_url=self.endpoint, raise_server_exceptions=True)
        return httpx.Client(base_url=self.endpoint, timeout=timeout, verify=verify(self.ca_path))

    def url(self, path: str) -> str:
        return self.endpoint.rstrip("/") + path

    def send(
        self,
        http: Any,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        session: str | None = None,
        content: bytes | None = None,
    ) -> tuple[Answer, bytes]:
        """One raw request: the target's credential (unless ``auth`` is False), ``headers`` on top,
        the mock session header when the target is a mock. The answer and its raw bytes."""
        sent = {"Content-Type": "application/json"} if method != "GET" else {}
        if auth:
            sent.update(self.auth_headers("v1" if path.startswith("/openai/v1/") else "classic"))
        sent.update(headers or {})
        if session and self.is_mock:
            sent["x-mock-session"] = session
        data = content if content is not None else (None if body is None else json.dumps(body).encode())
        with http.stream(method, self.url(path), headers=sent, content=data) as response:
            raw = b"".join(response.iter_raw())
        return Answer(
            response.status_code, dict(response.headers), raw.decode("utf-8", errors="replace")
        ), raw

    def chat_path(
        self, deployment: str | None = None, version: str | None = None, op: str = "chat/completions"
    ) -> str:
        deployment = deployment or self.deployments.chat
        return f"/openai/deployments/{deployment}/{op}?api-version={version or self.api_version}"

    @contextmanager
    def faults(self, *rules: dict[str, Any], session: str) -> Iterator[list[str]]:
        """Add ``rules`` scoped to ``session`` (the ``x-mock-session`` header) for a block."""
        assert self.controls is not None, self.no_faults_reason
        ids: list[str] = []
        for rule in rules:
            scoped = {**rule, "match": {**rule.get("match", {}), "session": session}}
            ids += self.controls.add_faults([scoped])
        try:
            yield ids
        finally:
            for rule_id in ids:
                self.controls.remove_fault(rule_id)

    def journal(self, session: str, expect: int = 0, settle: float = 1.0) -> list[dict[str, Any]]:
        """The mock's journal entries for ``session`` in arrival order, waiting up to ``settle``
        seconds for at least ``expect`` of them (an abandoned attempt is journaled when the mock
        notices the disconnect)."""
        assert self.controls is not None
        deadline = time.monotonic() + settle
        while True:
            entries = sorted(self.controls.requests(session=session), key=lambda e: e["monotonic"])
            if len(entries) >= expect or time.monotonic() > deadline:
                return entries
            time.sleep(0.02)

    def accepts_any_key(self) -> bool:
        """Whether this target is a mock without configured keys (it answers a wrong key with 200).

        Such a mock cannot show the 401s, which is its configuration rather than a contract failure."""
        if not self.is_mock:
            return False
        if self._any_key is None:
            with self.http() as http:
                answer, _ = self.send(
                    http, "GET", f"/openai/models?api-version={GA}", auth=False, headers={"api-key": BAD_KEY}
                )
            self._any_key = answer.status == 200
        return self._any_key

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


def verify(ca_path: Path | None) -> Any:
    """httpx's ``verify`` for a target whose CA is ``ca_path`` (the public CAs and it), else the default."""
    if ca_path is None:
        return True
    import ssl

    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    context.load_verify_locations(cafile=str(ca_path))
    return context
