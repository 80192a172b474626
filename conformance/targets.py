"""What the suite talks to: the mock in-process, a mock it starts, any URL, or a real Azure resource.

    inprocess  the app called directly (no socket: transport faults and other languages skip)
    server     a mock on 127.0.0.1 and a free port, started for the run (the default)
    url        any running server (--base-url); fault injection through its /_mock control API,
               when it has one
    azure      AZURE_OPENAI_ENDPOINT with AZURE_OPENAI_API_KEY, or an Entra token from
               azure-identity; no fault injection

A ``Target`` hands out raw HTTP clients, auth headers, deployment names and, for mocks, a
``Controls`` object that adds fault rules and reads the journal.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from .contract import Answer

TARGETS = ("inprocess", "server", "url", "azure")
MOCK_CONFIG = Path(__file__).resolve().parent / "mock.toml"
MOCK_KEY = "conformance-key"  # the key in mock.toml
GA = "2024-10-21"
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"

# Environment variables (README "Conformance suite").
ENDPOINT_ENV = "AZURE_OPENAI_ENDPOINT"
KEY_ENV = "AZURE_OPENAI_API_KEY"
DEPLOYMENT_ENV = {
    "chat": "AOAI_CONFORMANCE_CHAT_DEPLOYMENT",
    "embeddings": "AOAI_CONFORMANCE_EMBEDDINGS_DEPLOYMENT",
    "completions": "AOAI_CONFORMANCE_COMPLETIONS_DEPLOYMENT",
    "images": "AOAI_CONFORMANCE_IMAGES_DEPLOYMENT",
    "async_filter": "AOAI_CONFORMANCE_ASYNC_FILTER_DEPLOYMENT",
    "batch": "AOAI_CONFORMANCE_BATCH_DEPLOYMENT",
}
API_VERSION_ENV = "AOAI_CONFORMANCE_API_VERSION"
KEEP_RECORDED_ENV = "AOAI_CONFORMANCE_KEEP_RECORDED_DEPLOYMENTS"
ENTRA_ENV = "AOAI_CONFORMANCE_USE_ENTRA"
# The mock's built-in deployments of each kind (README "Built-in deployments").
MOCK_DEPLOYMENTS = {
    "chat": "gpt-4o",
    "embeddings": "text-embedding-3-small",
    "completions": "gpt-35-turbo-instruct",
    "images": "dall-e-3",
    "batch": "gpt-4o-mini",  # any chat deployment runs batches on the mock
}

# On a real resource only these kinds have defaults; images and the Asynchronous Filter need their variables.
AZURE_DEFAULTS = {kind: MOCK_DEPLOYMENTS[kind] for kind in ("chat", "embeddings", "completions")}

NO_CREDENTIALS = (
    "--target azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY (or --api-key), or an Entra "
    "credential through azure-identity (set AOAI_CONFORMANCE_USE_ENTRA=1); none found: {detail}"
)
NO_FAULTS = "needs fault injection, which target {target} cannot do ({why})"
ANY_KEY = (
    "the target mock accepts any api-key, so Azure's 401s cannot happen; start it with keys "
    "(aoai-mock serve --config conformance/mock.toml) to check them"
)
NO_SOCKET = "needs a real socket; the inprocess target has none (run with --target server)"


class Controls(Protocol):
    """Fault injection and the journal of a mock."""

    def add_fault(self, rule: dict[str, Any]) -> list[str]: ...

    def remove_faults(self, ids: list[str]) -> None: ...

    def requests(self, session: str) -> list[dict[str, Any]]: ...


class AppControls:
    """A mock app in this process: its fault store and journal directly."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def add_fault(self, rule: dict[str, Any]) -> list[str]:
        return list(self.app.state.faults.add(rule))

    def remove_faults(self, ids: list[str]) -> None:
        for rule_id in ids:
            self.app.state.faults.remove(rule_id)

    def requests(self, session: str) -> list[dict[str, Any]]:
        return [entry.to_dict() for entry in self.app.state.journal.filter(session=session)]


class HttpControls:
    """A mock over HTTP: ``POST /_mock/faults``, ``DELETE /_mock/faults/{id}``, ``GET /_mock/requests``."""

    def __init__(self, endpoint: str) -> None:
        self.http = httpx.Client(base_url=endpoint.rstrip("/") + "/_mock", timeout=10)

    def add_fault(self, rule: dict[str, Any]) -> list[str]:
        response = self.http.post("/faults", json=rule)
        response.raise_for_status()
        return list(response.json()["ids"])

    def remove_faults(self, ids: list[str]) -> None:
        for rule_id in ids:
            self.http.delete(f"/faults/{rule_id}")

    def requests(self, session: str) -> list[dict[str, Any]]:
        response = self.http.get("/requests", params={"session": session})
        response.raise_for_status()
        return list(response.json()["requests"])


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
    controls: Controls | None = None
    app: Any = None
    skip_all: str | None = None
    no_faults_reason: str = ""
    closers: list[Any] = field(default_factory=list)
    _any_key: bool | None = None

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
        return httpx.Client(base_url=self.endpoint, timeout=timeout)

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
            ids += self.controls.add_fault(scoped)
        try:
            yield ids
        finally:
            self.controls.remove_faults(ids)

    def journal(self, session: str, expect: int = 0, settle: float = 1.0) -> list[dict[str, Any]]:
        """The mock's journal entries for ``session`` in arrival order, waiting up to ``settle``
        seconds for at least ``expect`` of them (an abandoned attempt is journaled when the mock
        notices the disconnect)."""
        assert self.controls is not None
        deadline = time.monotonic() + settle
        while True:
            entries = sorted(self.controls.requests(session), key=lambda e: e["monotonic"])
            if len(entries) >= expect or time.monotonic() > deadline:
                return entries
            time.sleep(0.02)

    def accepts_any_key(self) -> bool:
        """Whether this target is a mock without configured keys (it answers a wrong key with 200).

        Such a mock cannot show the 401s, which is its configuration rather than a contract failure."""
        if not self.is_mock:
            return False
        if self._any_key is None:
            from .recordings import BAD_KEY

            with self.http() as http:
                answer, _ = self.send(
                    http, "GET", f"/openai/models?api-version={GA}", auth=False, headers={"api-key": BAD_KEY}
                )
            self._any_key = answer.status == 200
        return self._any_key

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


def env_deployments(defaults: dict[str, str], keep: bool) -> Deployments:
    names = dict(defaults)
    for kind, variable in DEPLOYMENT_ENV.items():
        if os.environ.get(variable):
            names[kind] = os.environ[variable]
    return Deployments(names, keep_recorded=keep or os.environ.get(KEEP_RECORDED_ENV, "") not in ("", "0"))


def mock_app(config: Path = MOCK_CONFIG) -> Any:
    from mockserver import create_app, load_settings

    return create_app(load_settings(config))


def inprocess_target() -> Target:
    app = mock_app()
    names = {**MOCK_DEPLOYMENTS, "async_filter": "gpt-4o-mini-async-block-banana"}
    return Target(
        "inprocess",
        "http://testserver",
        MOCK_KEY,
        Deployments(names, keep_recorded=True),
        controls=AppControls(app),
        app=app,
    )


def server_target() -> Target:
    from mockserver.server import ServerThread

    app = mock_app()
    server = ServerThread(app).start()
    names = {**MOCK_DEPLOYMENTS, "async_filter": "gpt-4o-mini-async-block-banana"}
    target = Target(
        "server", server.endpoint, MOCK_KEY, Deployments(names, keep_recorded=True), controls=AppControls(app)
    )
    target.closers.append(server.stop)
    return target


def url_target(base_url: str, api_key: str | None) -> Target:
    """Any server; a mock (``GET /_mock/health`` answers 200) gets fault injection over HTTP."""
    controls: Controls | None = None
    why = "it has no /_mock control API"
    try:
        if httpx.get(base_url.rstrip("/") + "/_mock/health", timeout=5).status_code == 200:
            controls = HttpControls(base_url)
    except httpx.HTTPError as exc:
        why = f"GET /_mock/health failed: {exc!r}"
    key = api_key or os.environ.get(KEY_ENV) or MOCK_KEY
    deployments = env_deployments(MOCK_DEPLOYMENTS, keep=False)
    if controls is not None:
        served = httpx.get(base_url.rstrip("/") + "/_mock/deployments", timeout=5).json()["deployments"]
        deployments = Deployments(
            deployments.names, deployments.keep_recorded, frozenset(d["name"] for d in served)
        )
    target = Target(
        "url",
        base_url.rstrip("/"),
        key,
        deployments,
        api_version=os.environ.get(API_VERSION_ENV, GA),
        controls=controls,
        no_faults_reason=NO_FAULTS.format(target="url", why=why),
    )
    if isinstance(controls, HttpControls):
        target.closers.append(controls.http.close)
    return target


def azure_target(api_key: str | None) -> Target:
    """AZURE_OPENAI_ENDPOINT with a key, or an Entra token; every test skips without credentials."""
    endpoint = os.environ.get(ENDPOINT_ENV, "")
    key = api_key or os.environ.get(KEY_ENV)
    bearer, skip = None, None
    if not endpoint:
        skip = NO_CREDENTIALS.format(detail=f"{ENDPOINT_ENV} is not set")
    elif not key:
        bearer, problem = entra_token()
        if bearer is None:
            skip = NO_CREDENTIALS.format(detail=problem)
    target = Target(
        "azure",
        endpoint.rstrip("/"),
        key,
        env_deployments(AZURE_DEFAULTS, keep=False),
        api_version=os.environ.get(API_VERSION_ENV, GA),
        bearer=bearer,
        skip_all=skip,
        no_faults_reason=NO_FAULTS.format(target="azure", why="a real resource takes no fault rules"),
    )
    return target


def entra_token() -> tuple[str | None, str]:
    """A token for the Cognitive Services scope from azure-identity, or why there is none."""
    if os.environ.get(ENTRA_ENV, "") in ("", "0"):
        return None, f"{KEY_ENV} is not set and {ENTRA_ENV} is not 1"
    try:
        from azure.identity import DefaultAzureCredential  # type: ignore[import-not-found]
    except ImportError:
        return None, "azure-identity is not installed (pip install azure-identity)"
    try:
        return DefaultAzureCredential().get_token(ENTRA_SCOPE).token, ""
    except Exception as exc:  # any credential failure means: no credentials
        return None, f"azure-identity found no credential: {exc}"


def make_target(name: str, base_url: str | None, api_key: str | None) -> Target:
    if name == "inprocess":
        return inprocess_target()
    if name == "server":
        return server_target()
    if name == "url":
        assert base_url, "--target url needs --base-url"
        return url_target(base_url, api_key)
    return azure_target(api_key)
