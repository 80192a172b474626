"""The pytest plugin (entry point ``pytest11``): a fake Azure OpenAI resource per test.

Fixtures: ``aoai_mock`` (in-process by default, reset for every test), ``aoai_server`` (a live
uvicorn server on 127.0.0.1, started once per session, a fresh app per test), ``aoai_settings``
(session, overridable), ``aoai_live_server`` (session), ``aoai_client`` / ``aoai_async_client``.
Marker: ``@pytest.mark.aoai(**kwargs)``. Options: ``--aoai-*`` with ini twins (see ``--help``).

Hooks: the report header shows the mode; a failing test gets an "aoai-mockserver journal"
section; exceptions inside the mock fail the test that caused them; with blocking on, a real
Azure OpenAI call fails its test; a request that a replay-only cassette (``cassette=...``, record
mode none) could not answer fails its test with the near miss. Heavy imports happen inside hooks and fixtures.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .testing.options import PluginOptions, add_options, read_options

if TYPE_CHECKING:
    from collections.abc import Callable  # noqa: F401 (named in a StashKey's type argument)

    from .config import Settings
    from .testing.handle import MockAzure
    from .testing.live import LiveServer
    from .testing.run import PluginRun

OPTIONS_KEY = pytest.StashKey[PluginOptions]()
RUN_KEY = pytest.StashKey["PluginRun"]()
HANDLES_KEY = pytest.StashKey["list[MockAzure]"]()
UNDISGUISE_KEY = pytest.StashKey["Callable[[], None]"]()
MARKER = (
    "aoai(**kwargs): configure this test's aoai_mock / aoai_server: seed, deployments, canned, scenario, "
    "faults, config, freeze_time, keys, rate_limits, replace_catalogue, tokenizer, api_version, env, "
    "cassette (replay/record cassettes/<name>.json), record_mode, replay_speed, tls (a live mock on https)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    config.stash[OPTIONS_KEY] = options = read_options(config)
    if options.block_network:
        plugin_run(config)  # blocking starts now, before any test or module-level client


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [config.stash[OPTIONS_KEY].describe()]


def plugin_run(config: pytest.Config) -> PluginRun:
    """The run's ``PluginRun``, made on first use (a run that never asks for a mock imports no server)."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        from .testing.run import PluginRun

        run = config.stash[RUN_KEY] = PluginRun(config.stash[OPTIONS_KEY])
    return run


@pytest.fixture(scope="session")
def aoai_settings(pytestconfig: pytest.Config) -> Settings:
    """The settings every mock of the run starts from (--aoai-config, --aoai-seed); override to customise."""
    return plugin_run(pytestconfig).base_settings()


@pytest.fixture(scope="session")
def aoai_live_server(pytestconfig: pytest.Config, aoai_settings: Settings) -> Iterator[LiveServer]:
    """The session's uvicorn server on 127.0.0.1 and a free port (one per xdist worker; https with
    --aoai-tls)."""
    server = plugin_run(pytestconfig).start_server(aoai_settings)
    yield server
    server.stop()


def open_handle(request: pytest.FixtureRequest, settings: Settings, live: bool) -> Iterator[MockAzure]:
    run = plugin_run(request.config)
    external = run.options.mode == "external"
    wants_server = not external and (live or run.options.mode == "server")
    server = request.getfixturevalue("aoai_live_server") if wants_server else None
    if server is not None:
        server = run.server_for(request.node, server, settings)  # @pytest.mark.aoai(tls=...)
    handle = run.open(request.node, settings, server)
    request.node.stash.setdefault(HANDLES_KEY, []).append(handle)
    yield handle
    try:
        handle.close()  # saves what a cassette recorded
    finally:
        handle.check()  # exceptions inside the mock and cassette misses fail the test that caused them


@pytest.fixture
def aoai_mock(request: pytest.FixtureRequest, aoai_settings: Settings) -> Iterator[MockAzure]:
    """A fake Azure OpenAI resource for this test: in-process unless --aoai-mode says otherwise."""
    yield from open_handle(request, aoai_settings, live=False)


@pytest.fixture
def aoai_server(request: pytest.FixtureRequest, aoai_settings: Settings) -> Iterator[MockAzure]:
    """A fake Azure OpenAI resource on a real socket (subprocesses, other languages, timing faults)."""
    yield from open_handle(request, aoai_settings, live=True)


@pytest.fixture
def aoai_client(aoai_mock: MockAzure) -> Any:
    """``aoai_mock.client()``: an ``openai.AzureOpenAI`` pointed at the mock."""
    return aoai_mock.client()


@pytest.fixture
def aoai_async_client(aoai_mock: MockAzure) -> Any:
    """``aoai_mock.async_client()``: an ``openai.AsyncAzureOpenAI`` pointed at the mock."""
    return aoai_mock.async_client()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    __tracebackhide__ = True
    run = item.config.stash.get(RUN_KEY, None)
    if run is None:  # no mock used yet, and no blocking
        return (yield)
    handles = item.stash.get(HANDLES_KEY, [])
    undo = None
    if handles and "hypothesis" in sys.modules:
        from .testing.hypothesis import disguise_scopes, prepare

        undo = prepare(item, handles)
        if undo is not None:
            item.stash[UNDISGUISE_KEY] = disguise_scopes(item)
    mark = len(run.interceptor.blocked)
    failure: BaseException | None = None
    try:
        return (yield)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        undisguise(item)
        if undo is not None:
            undo()
        blocked = run.blocked_since(mark)
        if blocked is not None:  # fail even when the code under test swallowed the error
            raise blocked from (None if isinstance(failure, type(blocked)) else failure)
        if failure is None or isinstance(failure, Exception):  # not over a skip, xfail or interrupt
            check_cassettes(handles, failure)


def check_cassettes(handles: list[MockAzure], failure: BaseException | None) -> None:
    """A cassette miss fails the test when its body ends, even if the code under test swallowed the
    404 (the client's own error, if any, is kept as the cause)."""
    __tracebackhide__ = True
    for handle in handles:
        try:
            handle.check_cassette()
        except AssertionError as missed:
            missed.__traceback__ = None  # the message is the point, not the plugin's frames
            raise missed from (None if failure is None or type(failure) is type(missed) else failure)


@pytest.hookimpl(wrapper=True, trylast=True, specname="pytest_runtest_call")
def undisguise_before_the_body(item: pytest.Item) -> Generator[None, object, object]:
    """Innermost: Hypothesis's fixture check (a wrapper between this one and the outer one) is done."""
    undisguise(item)
    return (yield)


def undisguise(item: pytest.Item) -> None:
    restore = item.stash.get(UNDISGUISE_KEY, None)
    if restore is not None:
        del item.stash[UNDISGUISE_KEY]
        restore()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if report.failed:
        from .testing.report import SECTION, journal_section

        for handle in item.stash.get(HANDLES_KEY, []):
            text = handle_journal(handle, journal_section)
            if text is not None:
                name = SECTION if call.when == "call" else f"{SECTION} ({call.when})"
                report.sections.append((name, text))
    return report


def handle_journal(handle: MockAzure, render: Any) -> str | None:
    cassette = f"\n{handle.cassette.describe()}" if handle.cassette is not None else ""
    if not handle.backend.is_mock:
        return cassette.strip() or None
    try:
        return str(render(list(handle.requests), handle.endpoint, handle.mode)) + cassette
    except Exception as exc:  # the report must not fail because the journal could not be read
        return f"(the journal could not be read: {exc!r}){cassette}"
