"""``PluginRun``: what the pytest plugin keeps for one pytest run (options, interceptor, targets).

It turns a test item (its ``aoai`` markers) into a ``MockAzure`` handle for the run's mode:

* inprocess: a fresh app per test, reached through the run's ``Interceptor``;
* server: a fresh app per test on the session's live server (``aoai_server`` is always this);
* external: the ``--aoai-base-url`` target, with a unique ``x-mock-session`` per test.

A test whose marker names a ``cassette`` replays and/or records it in the record mode of its marker,
else of ``--aoai-record-mode`` (``mockserver.testing.cassettes``): a local handle wraps its app, an
external one talks to the target through a recording proxy.
"""

from __future__ import annotations

import itertools
import os
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

from ..config import Settings, load_settings
from ..errors import ConfigError
from .backends import is_mock
from .errors import REAL_AZURE_BLOCKED, RealAzureCallBlocked
from .handle import MockAzure, open_external, open_inprocess, open_live
from .intercept import Interceptor
from .options import PluginOptions
from .spec import DEFAULT_API_KEY, POSITIONAL, MockSpec, parse_spec

if TYPE_CHECKING:
    from .live import LiveServer

EXTERNAL_SETTINGS = (
    "@pytest.mark.aoai({keys}=...) configures the mock's settings; the external target {url} keeps its own. "
    "Run this test with --aoai-mode inprocess or server"
)
CASSETTE_IN_USE = (
    "cassette {path} is already in use by another aoai handle of this test (aoai_mock and aoai_server "
    "share the marker): a test with a cassette uses one of the two fixtures"
)


def marker_spec(item: pytest.Item) -> MockSpec:
    """The test's ``aoai`` markers merged (closest wins) and validated."""
    kwargs: dict[str, Any] = {}
    for mark in reversed(list(item.iter_markers("aoai"))):
        if mark.args:
            raise ConfigError(POSITIONAL.format(args=mark.args))
        kwargs.update(mark.kwargs)
    if kwargs.get("cassette") is True:
        kwargs["cassette"] = default_cassette(item)
    base_dir = Path(str(item.path)).parent if getattr(item, "path", None) else None
    return parse_spec(kwargs, base_dir)


def default_cassette(item: pytest.Item) -> str:
    """``cassette=True``: ``<module>/<test name>`` under the test's ``cassettes`` folder, as
    pytest-recording names them; characters unsafe in file names become ``_``."""
    module = Path(str(item.path)).stem if getattr(item, "path", None) else "tests"
    return f"{module}/{re.sub(r'[^A-Za-z0-9_-]', '_', item.name)}"


def skip(reason: str) -> NoReturn:
    pytest.skip(reason)


class PluginRun:
    """Options, the interceptor and the external target's kind, for one pytest run."""

    def __init__(self, options: PluginOptions) -> None:
        self.options = options
        allowed = (urlsplit(options.base_url).hostname or "",) if options.base_url else ()
        self.interceptor = Interceptor(block_real_azure=options.block_network, allowed_hosts=allowed)
        self.worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.run_id = uuid.uuid4().hex[:8]
        self.counter = itertools.count(1)
        self.external_is_mock: bool | None = None
        self.cassettes: set[Path] = set()  # in use by an open handle: two would overwrite each other
        self.other_servers: dict[bool, LiveServer] = {}  # the scheme --aoai-tls does not pick, on demand
        if options.block_network:
            self.interceptor.install()

    def close(self) -> None:
        self.interceptor.uninstall()
        while self.other_servers:
            self.other_servers.popitem()[1].stop()

    def base_settings(self) -> Settings:
        try:
            settings = load_settings(self.options.config, seed=self.options.seed)
        except ConfigError as exc:
            raise pytest.UsageError(f"aoai-mockserver config: {exc}") from None
        state = settings.state if self.options.state == "memory" else self.options.state
        if state == "memory":
            return settings
        if self.options.mode != "server":
            raise pytest.UsageError(
                "aoai-mockserver: a shared state ([server] state) needs --aoai-mode server"
            )
        # a namespace per pytest process: xdist workers each reset their own mock, not each other's
        namespace = f"{settings.namespace}-pytest-{self.run_id}-{self.worker}"
        return settings.with_changes(state=state, namespace=namespace)

    def start_server(self, settings: Settings) -> LiveServer:
        from .live import LiveServer

        return LiveServer(settings, tls=self.options.tls)

    def server_for(self, item: pytest.Item, server: LiveServer, settings: Settings) -> LiveServer:
        """``server`` (the session's), or the other scheme's when the test's marker asks for it."""
        try:
            wanted = marker_spec(item).tls
        except ConfigError:
            return server  # the marker's mistake is reported when the handle opens
        if wanted is None or wanted == server.tls:
            return server
        if wanted not in self.other_servers:
            from .live import LiveServer

            self.other_servers[wanted] = LiveServer(settings, tls=wanted)
        return self.other_servers[wanted]

    def open(self, item: pytest.Item, settings: Settings, server: Any | None) -> MockAzure:
        """The handle for ``item``; a configuration mistake (a missing cassette included) fails the test
        with the message alone (it lists the valid values, or names the file), not a traceback through
        the plugin."""
        try:
            return self.open_handle(item, settings, server)
        except ConfigError as exc:
            message = str(exc)
        pytest.fail(f"aoai-mockserver: {message}", pytrace=False)  # outside the except: no chained repeat

    def open_handle(self, item: pytest.Item, settings: Settings, server: Any | None) -> MockAzure:
        """Live when ``server`` is given, else per the run's mode."""
        spec = marker_spec(item)
        version = spec.api_version or self.options.api_version
        path = spec.cassette_file()
        if path is not None and path.resolve() in self.cassettes:
            raise ConfigError(CASSETTE_IN_USE.format(path=path))
        seed = self.options.seed
        if self.options.mode == "external":
            handle = self.open_external(spec, version)
        else:
            if server is not None:
                handle = open_live(settings, spec, server, seed, api_version=version)
            else:
                handle = open_inprocess(settings, spec, self.interceptor, seed, api_version=version)
            handle = handle.with_spec_cassette(self.options.record_mode)
        if handle.cassette is not None:
            key = handle.cassette.path.resolve()
            self.cassettes.add(key)
            handle.cassette.on_close.append(lambda: self.cassettes.discard(key))
        return handle

    def open_external(self, spec: MockSpec, version: str | None) -> MockAzure:
        url = self.options.base_url
        assert url is not None
        if spec.changes_settings:
            skip(EXTERNAL_SETTINGS.format(keys=", ".join(spec.changes_settings), url=url))
        if self.external_is_mock is None:
            self.external_is_mock = is_mock(url)
        session = f"pytest-{self.worker}-{self.run_id}-{next(self.counter)}"
        path = spec.cassette_file()
        cassette = None
        tls = None
        if path is not None:  # the proxy passes /_mock/* on: a mock target keeps its journal and faults
            from .cassettes import external_cassette

            if spec.tls if spec.tls is not None else self.options.tls:
                from ..tls import local_tls

                tls = local_tls()  # the recording proxy listens on https
            mode = spec.record_mode or self.options.record_mode
            cassette = external_cassette(url, path, mode, spec.replay_speed or 0.0, tls=tls)
        try:
            endpoint = cassette.endpoint if cassette is not None and cassette.endpoint else url
            key = self.options.api_key or DEFAULT_API_KEY
            handle = open_external(
                endpoint, spec, key, session, self.external_is_mock, unavailable=skip, api_version=version
            )
        except BaseException:
            if cassette is not None:
                cassette.close()
            raise
        if cassette is not None:
            handle.cassette = cassette
            handle.ca_path = tls.ca_path if tls is not None else None
            backend = handle.backend
            # once the proxy is gone, the journal (a failed teardown's report) is read from the target
            cassette.on_close.append(lambda: setattr(backend, "endpoint", url))
        return handle

    def blocked_since(self, mark: int) -> RealAzureCallBlocked | None:
        """An error naming the real Azure calls blocked after ``mark`` (an index into the list)."""
        urls = self.interceptor.blocked[mark:]
        if not urls:
            return None
        return RealAzureCallBlocked(REAL_AZURE_BLOCKED.format(url=", ".join(dict.fromkeys(urls))))
