"""``MockAzure``: the handle the ``aoai_mock`` and ``aoai_server`` fixtures give a test.

The same surface in every mode: ``endpoint``, ``api_key``, ``api_version``, ``client()`` /
``async_client()``, ``env()``, the fault API (``faults``, ``fail``, ``fail_sequence``,
``load_scenario``), ``deployments``, ``reply``, the journal (``requests``), the mock's ``clock``,
its stored ``files``, ``batches`` and ``responses`` (``mockserver.testing.objects``), ``reset()``,
the per-example ``fresh()`` block for Hypothesis. Outside pytest, ``MockAzure.inprocess()`` and
``MockAzure.live()`` build one as a context manager. With ``cassette=...`` in its spec a handle replays
and/or records that cassette (``mockserver.testing.cassettes``); its misses are raised by ``check()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..app import create_app
from ..config import Deployment, Settings, default_settings, parse_canned
from ..journal import RequestLog
from ..versions import DEFAULT_GA
from .backends import LocalBackend, RemoteBackend
from .cassettes import CassetteMethods
from .clients import ClientMethods
from .faults import FaultControl, FaultShortcuts, check_inprocess
from .intercept import Interceptor
from .objects import BatchesView, ClockView, FilesView, ResponsesView
from .spec import DEFAULT_API_KEY, MockSpec, build_settings, key_for, parse_spec

if TYPE_CHECKING:
    from pathlib import Path

    from ..app import MockApp
    from ..replay.use import CassetteUse
    from .live import LiveServer

INPROCESS_HOST = "aoai-mock.openai.azure.com"
INPROCESS_ENDPOINT = f"https://{INPROCESS_HOST}"
SESSION_HEADER = "x-mock-session"
SERVER_ERROR_NOTE = "raised inside the aoai mock while it served this test (re-raised by aoai-mockserver)"

Backend = LocalBackend | RemoteBackend


class MockAzure(ClientMethods, FaultShortcuts, CassetteMethods):
    """A fake Azure OpenAI resource for one test.

    endpoint: what to pass as ``azure_endpoint`` (in-process: a fake ``*.openai.azure.com`` host
        that only this process's httpx/httpx2 clients reach; live: ``http://127.0.0.1:<port>``, or
        ``https://`` with ``tls``).
    api_key / api_version: what ``client()`` uses; any non-empty key works unless the config sets keys.
    mode: "inprocess", "server" or "external".
    requests: the journal of this test (``call_count``, ``last``, ``filter(operation=...)``, ...).
    faults: the fault API (``add`` rules, ``remove``, ``clear``, ``snapshot``).
    clock: the mock's clock (``now()``, ``advance(seconds)``).
    files / batches / responses: the stored objects (``list``, ``get``; files ``content``; batches
        ``complete()`` runs each to its end, ``results(id)`` parses its output and error files).
    cassette: the cassette in use (``CassetteUse``: ``path``, ``mode``), or None.
    ca_path: the CA certificate of a live mock on https (``tls``), which ``client()``, ``async_client()``
        and ``env()`` trust by themselves; None otherwise.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        mode: str,
        api_key: str = DEFAULT_API_KEY,
        api_version: str | None = None,
        spec: MockSpec | None = None,
        ca_path: Path | None = None,
    ) -> None:
        self.backend = backend
        self.mode = mode
        self.ca_path = ca_path
        self.api_key = api_key
        self.spec = spec or MockSpec()
        self.api_version = self.spec.api_version or api_version or DEFAULT_GA
        self.faults = FaultControl(backend, inprocess=mode == "inprocess")
        self.requests = RequestLog(backend.entries)
        self.clock = ClockView(backend)
        self.files = FilesView(backend)
        self.batches = BatchesView(backend, self.files)
        self.responses = ResponsesView(backend)
        self.pending_errors: list[BaseException] = []
        self.cleanups: list[Callable[[], None]] = []
        self.cassette: CassetteUse | None = None
        if mode == "inprocess" and isinstance(backend, LocalBackend):
            check_inprocess(backend.rules())
        self.apply_baseline()
        if self.spec.env:
            env = self.env().__enter__()
            self.cleanups.append(lambda: env.__exit__(None, None, None))

    def __repr__(self) -> str:
        return f"<MockAzure {self.mode} {self.endpoint}>"

    # --- where it is -----------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return self.backend.endpoint

    @property
    def base_url(self) -> str:
        """The v1 surface, for a plain ``OpenAI(base_url=...)`` client."""
        return f"{self.endpoint}/openai/v1/"

    @property
    def session(self) -> str | None:
        """The ``x-mock-session`` id this handle's clients send (None in-process)."""
        return self.backend.session

    @property
    def headers(self) -> dict[str, str]:
        """Headers a hand-built client should send (the session id, when there is one)."""
        return {SESSION_HEADER: self.session} if self.session else {}

    @property
    def state(self) -> Any:
        """The ``MockState`` behind this handle (None for an external target)."""
        return self.backend.state if isinstance(self.backend, LocalBackend) else None

    @property
    def app(self) -> MockApp | None:
        """The ``MockApp`` behind this handle, for ``use_cassette`` (None for an external target)."""
        return self.backend.app if isinstance(self.backend, LocalBackend) else None

    @property
    def deployments(self) -> tuple[Deployment, ...]:
        return self.backend.deployments()

    def deployment(self, name: str) -> Deployment | None:
        return next((d for d in self.deployments if d.name == name), None)

    # --- faults and replies ----------------------------------------------------------------

    def reply(
        self,
        match: str,
        content: str | None = None,
        *,
        tool_calls: list[dict[str, Any]] | None = None,
        deployment: str | None = None,
    ) -> None:
        """Answer chat requests whose last user message matches the regex ``match`` with fixed content
        or tool calls (tried before the canned replies of the config). ``reset`` removes it."""
        canned = parse_canned(
            {"match": match, "content": content, "tool_calls": tool_calls or (), "deployment": deployment}
        )
        if isinstance(self.backend, RemoteBackend):
            self.backend.refuse("reply()")
        settings = self.backend.state.settings
        self.backend.set_settings(dataclasses.replace(settings, canned=(canned, *settings.canned)))

    # --- state -----------------------------------------------------------------------------

    def apply_baseline(self) -> None:
        rules = self.spec.rules()
        if rules:
            self.faults.add(rules)

    def reset(self) -> None:
        """Back to the test's start: empty journal, the marker's faults only, fresh rate windows (and a
        rewound cassette: every recorded answer can be replayed again)."""
        self.pending_errors.extend(self.backend.take_errors())
        if self.cassette is not None:
            self.cassette.before_reset()  # its misses are still reported by check()
        self.backend.reset()
        if self.cassette is not None:
            self.cassette.after_reset()
        self.apply_baseline()

    @contextmanager
    def fresh(self) -> Iterator[MockAzure]:
        """A block with fresh mock state, for each Hypothesis example (the plugin does this for
        ``@given`` tests by itself); server-side exceptions of the block are raised at its end."""
        self.reset()
        try:
            yield self
        finally:
            self.check()

    def check(self) -> None:
        """Raise the exceptions the mock hit while serving this handle, and a ``CassetteMiss`` for the
        requests a replay-only cassette could not answer (each reported once)."""
        errors = [*self.pending_errors, *self.backend.take_errors()]
        self.pending_errors.clear()
        for error in errors:
            if SERVER_ERROR_NOTE not in getattr(error, "__notes__", ()):
                error.add_note(SERVER_ERROR_NOTE)
        missed = self.cassette.take_error() if self.cassette is not None else None
        if missed is not None:
            errors.append(missed)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ExceptionGroup(f"{len(errors)} exceptions inside the aoai mock", errors)  # type: ignore[type-var]

    def close(self) -> None:
        """Undo what the handle set up (env, routes, rules), then end its cassette (what was recorded is
        saved); does not raise server errors or cassette misses (``check``)."""
        try:
            while self.cleanups:
                self.cleanups.pop()()
            self.backend.close()
        finally:
            if self.cassette is not None:
                self.cassette.close()  # after the backend: an external one talks through the proxy

    def __enter__(self) -> MockAzure:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.close()
        finally:
            if exc[0] is None:
                self.check()

    # --- standalone constructors -----------------------------------------------------------

    @classmethod
    def inprocess(cls, settings: Settings | None = None, **spec: Any) -> MockAzure:
        """An in-process mock with its own interception, for use outside the pytest plugin::

        with MockAzure.inprocess(seed=1) as mock:
            mock.client().chat.completions.create(...)
        """
        interceptor = Interceptor()
        handle = open_inprocess(settings or default_settings(), parse_spec(spec), interceptor)
        handle.cleanups.insert(0, interceptor.uninstall)
        return handle.with_spec_cassette()

    @classmethod
    def live(cls, settings: Settings | None = None, **spec: Any) -> MockAzure:
        """A mock on its own uvicorn thread (127.0.0.1, a free port); stopped when the block ends."""
        from .live import LiveServer

        parsed = parse_spec(spec)
        server = LiveServer(settings or default_settings(), tls=bool(parsed.tls))
        handle = open_live(settings or default_settings(), parsed, server)
        handle.cleanups.insert(0, server.stop)
        return handle.with_spec_cassette()


def open_inprocess(
    base: Settings,
    spec: MockSpec,
    interceptor: Interceptor,
    option_seed: int | None = None,
    host: str = INPROCESS_HOST,
    api_version: str | None = None,
) -> MockAzure:
    """A handle on a fresh app that ``interceptor`` routes ``host`` to."""
    settings = build_settings(base, spec, option_seed)
    app = create_app(settings)
    interceptor.route(host, app)
    backend = LocalBackend(app, f"https://{host}", on_close=lambda: interceptor.unroute(host))
    return MockAzure(backend, mode="inprocess", api_key=key_for(settings), api_version=api_version, spec=spec)


def open_live(
    base: Settings,
    spec: MockSpec,
    server: LiveServer,
    option_seed: int | None = None,
    name: str = "",
    api_version: str | None = None,
) -> MockAzure:
    """A handle on a fresh app that ``server`` serves as its current session."""
    settings = build_settings(base, spec, option_seed)
    app = create_app(settings)
    session = server.router.open(app, name)
    backend = LocalBackend(
        app, server.endpoint, session=session, on_close=lambda: server.router.close(session)
    )
    return MockAzure(
        backend,
        mode="server",
        api_key=key_for(settings),
        api_version=api_version,
        spec=spec,
        ca_path=server.ca_path,
    )


def open_external(
    endpoint: str,
    spec: MockSpec,
    api_key: str,
    session: str,
    is_mock: bool,
    unavailable: Callable[[str], Any] | None = None,
    api_version: str | None = None,
) -> MockAzure:
    """A handle on an external URL (a shared mock, or a real resource)."""
    backend = RemoteBackend(endpoint, session, is_mock, unavailable)
    return MockAzure(backend, mode="external", api_key=api_key, api_version=api_version, spec=spec)
