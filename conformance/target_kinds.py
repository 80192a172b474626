"""The four targets the suite runs against (``--target``) and how each is built: ``inprocess`` (the
app in this process), ``server`` (a mock on a live socket), ``url`` (any running server) and
``azure`` (a real resource, from the environment).

The server target serves the same mock on http and on https (``tls_endpoint``, a certificate from
the local CA in the conformance cache, ``ca_path``), so that the drivers whose clients insist on
https (``Driver.tls``) talk to the same journal and fault rules as the others."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import httpx

from mockserver.replay.credentials import entra_access_token
from mockserver.testing.control import Control, HttpControl, LocalControl

from .targets import GA, NO_FAULTS, Deployments, Target, verify

TARGETS = ("inprocess", "server", "url", "azure")
MOCK_CONFIG = Path(__file__).resolve().parent / "mock.toml"
MOCK_KEY = "conformance-key"  # the key in mock.toml

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
CA_ENV = "AOAI_CONFORMANCE_CA_FILE"  # the CA an https --target url chains to, when not a public one
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


def env_deployments(defaults: dict[str, str], keep: bool) -> Deployments:
    names = dict(defaults)
    for kind, variable in DEPLOYMENT_ENV.items():
        if os.environ.get(variable):
            names[kind] = os.environ[variable]
    return Deployments(names, keep_recorded=keep or os.environ.get(KEEP_RECORDED_ENV, "") not in ("", "0"))


def mock_app(config: Path = MOCK_CONFIG) -> Any:
    """The suite's mock, its tokenizers loaded: the BPE vocabularies take about a second on first use,
    which would otherwise land inside whichever timed vector generates first (the per-attempt timeout
    vector allows 0.5 s per attempt) and make it retry once more than the client would against Azure."""
    from mockserver import create_app, load_settings

    app = create_app(load_settings(config))
    for deployment in app.state.settings.deployments:
        app.state.tokenizer(deployment)
    return app


def inprocess_target() -> Target:
    app = mock_app()
    names = {**MOCK_DEPLOYMENTS, "async_filter": "gpt-4o-mini-async-block-banana"}
    return Target(
        "inprocess",
        "http://testserver",
        MOCK_KEY,
        Deployments(names, keep_recorded=True),
        controls=LocalControl(app),
        app=app,
    )


def server_target() -> Target:
    from mockserver.server import ServerThread
    from mockserver.tls import local_tls

    from .drivers.process import cache_root

    app = mock_app()
    server = ServerThread(app).start()
    tls = local_tls(cache_root() / "tls")
    secure = ServerThread(app, tls=tls).start()  # the same app: one journal, one set of fault rules
    names = {**MOCK_DEPLOYMENTS, "async_filter": "gpt-4o-mini-async-block-banana"}
    target = Target(
        "server",
        server.endpoint,
        MOCK_KEY,
        Deployments(names, keep_recorded=True),
        controls=LocalControl(app),
        tls_endpoint=secure.endpoint,
        ca_path=tls.ca_path,
    )
    target.closers += [server.stop, secure.stop]
    return target


def url_target(base_url: str, api_key: str | None) -> Target:
    """Any server; a mock (``GET /_mock/health`` answers 200) gets fault injection over HTTP."""
    controls: Control | None = None
    why = "it has no /_mock control API"
    ca_path = Path(os.environ[CA_ENV]) if os.environ.get(CA_ENV) else None
    try:
        context = verify(ca_path)
        if httpx.get(base_url.rstrip("/") + "/_mock/health", timeout=5, verify=context).status_code == 200:
            controls = HttpControl(base_url, context=context if isinstance(context, ssl.SSLContext) else None)
    except httpx.HTTPError as exc:
        why = f"GET /_mock/health failed: {exc!r}"
    key = api_key or os.environ.get(KEY_ENV) or MOCK_KEY
    deployments = env_deployments(MOCK_DEPLOYMENTS, keep=False)
    if controls is not None:
        served = httpx.get(base_url.rstrip("/") + "/_mock/deployments", timeout=5, verify=verify(ca_path))
        served = served.json()["deployments"]
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
        ca_path=ca_path,
    )
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
        return entra_access_token()[0], ""
    except ImportError:
        return None, "azure-identity is not installed (pip install azure-identity)"
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
