"""Options, markers and fixtures of the conformance suite (README "Conformance suite").

    pytest conformance [--target inprocess|server|url|azure] [--base-url URL] [--api-key KEY]
                       [--driver NAME ...] [--run-slow] [--conformance-report]

Markers: ``contract`` (part 1, the server contract), ``recorded`` (a reference recording replayed;
the replay stand-in runs only these), ``client`` (part 2, client behaviour), ``needs_faults``
(skips where rules cannot be added: azure, or a url without /_mock), ``server_only`` (needs a real
socket), ``slow`` (skipped unless --run-slow), ``selftest`` (the suite checking itself), ``readme``
(the README's SDK snippets) and ``samples`` (the Azure SDKs' seed samples); the last three start
their own mocks whatever the target.

Option names stay clear of the pytest plugin's ``--aoai-*``; the plugin itself is not used here (the
suite drives the mock through ``create_app``, ``ServerThread`` and the ``/_mock`` control API).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest

from . import report
from .drivers import DEFAULT_DRIVERS, REGISTRY, Driver
from .harness import skip_reason
from .target_kinds import TARGETS, make_target
from .targets import Target

TARGET_KEY = pytest.StashKey[Target]()
MARKERS = (
    "contract: part 1, the server contract (same assertions on the mock and on Azure)",
    "recorded: replays a reference recording (the replay stand-in for Azure runs only these)",
    "client: part 2, client behaviour through the drivers",
    "needs_faults: needs fault injection (skipped on azure and on servers without /_mock)",
    "server_only: needs a real socket (skipped on --target inprocess)",
    "slow: waits a long time on purpose, for some SDK (those skip unless --run-slow)",
    "selftest: the suite checking itself (against deliberately wrong servers; its comparator)",
    "readme: runs the README's SDK snippets against a mock of its own",
    "samples: runs the Azure SDKs' seed samples against a mock of its own, over https",
)
sessions = (f"conformance-{os.getpid()}-{i}" for i in itertools.count())


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "aoai-mockserver conformance suite")
    group.addoption(
        "--target",
        choices=TARGETS,
        default="server",
        help="what to test: the mock in-process, a mock started for the run (default), "
        "any --base-url, or Azure (AZURE_OPENAI_ENDPOINT)",
    )
    group.addoption(
        "--base-url", default=None, help="the server for --target url, e.g. http://127.0.0.1:8000"
    )
    group.addoption(
        "--api-key", default=None, help="key for --target url/azure (default: AZURE_OPENAI_API_KEY)"
    )
    group.addoption(
        "--driver",
        action="append",
        default=[],
        choices=sorted(REGISTRY),
        help="client driver for part 2 (repeatable; default: every driver available here but the http "
        "variants go-http and java-http)",
    )
    group.addoption("--run-slow", action="store_true", help="also run vectors that wait a long time")
    group.addoption(
        "--conformance-report",
        action="store_true",
        help=f"write the behaviour matrix to {report.COMMITTED.relative_to(report.ROOT)} "
        "(the committed copy) instead of the run's own report directory",
    )


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if config.getoption("target", None) == "url" and not config.getoption("base_url"):
        raise pytest.UsageError("--target url needs --base-url (e.g. --base-url http://127.0.0.1:8000)")
    config.stash[report.MATRIX_KEY] = report.Matrix()


def in_conformance(item: pytest.Item) -> bool:
    return report.HERE in item.path.parents


def target_of(config: pytest.Config) -> Target:
    if TARGET_KEY not in config.stash:
        config.stash[TARGET_KEY] = make_target(
            config.getoption("target"), config.getoption("base_url"), config.getoption("api_key")
        )
    return config.stash[TARGET_KEY]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [item for item in items if in_conformance(item)]
    if not mine:
        return
    target = target_of(config)
    for item in mine:
        if item.get_closest_marker("client"):
            continue  # client tests skip themselves, after recording the skip in the matrix
        reason = skip_reason(item, target, config)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not config.getoption("target", None):
        return []
    name = config.getoption("target")
    where = (
        config.getoption("base_url") or os.environ.get("AZURE_OPENAI_ENDPOINT", "")
        if name in ("url", "azure")
        else ""
    )
    return [f"conformance: target {name}{' ' + where if where else ''}"]


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if TARGET_KEY in config.stash:
        config.stash[TARGET_KEY].close()
    matrix = config.stash.get(report.MATRIX_KEY, None)
    if matrix is not None and matrix.results:
        matrix.slow = bool(config.getoption("run_slow"))
        folder = report.COMMITTED if config.getoption("conformance_report") else report.run_dir(config)
        matrix.write(folder)
        config.stash[report.WRITTEN_KEY] = folder


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    matrix = config.stash.get(report.MATRIX_KEY, None)
    if matrix is None or not matrix.results:
        return
    for line in matrix.summary_lines():
        terminalreporter.write_line(line)
    folder = config.stash.get(report.WRITTEN_KEY, None)
    if folder is not None:
        terminalreporter.write_line(f"conformance matrix written to {folder}/matrix.md and matrix.json")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The target of the run (``--target``)."""
    return target_of(pytestconfig)


@pytest.fixture
def session_id() -> str:
    """A unique ``x-mock-session`` value: this test's fault rules and journal entries."""
    return next(sessions)


@pytest.fixture
def http(target: Target) -> Iterator[Any]:
    """A raw HTTP client for the target (no retries, nothing added)."""
    client = target.http()
    with client:
        yield client


def selected_drivers(config: pytest.Config) -> list[str]:
    return config.getoption("driver") or sorted(DEFAULT_DRIVERS)


@pytest.fixture(scope="session")
def driver_pool(pytestconfig: pytest.Config, target: Target) -> dict[str, Driver]:
    """Drivers by name, created once (the node driver installs its package on first use)."""
    return {name: REGISTRY[name](target) for name in selected_drivers(pytestconfig)}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "driver_name" in metafunc.fixturenames:
        metafunc.parametrize("driver_name", selected_drivers(metafunc.config))


@pytest.fixture
def matrix(pytestconfig: pytest.Config) -> report.Matrix:
    """The behaviour matrix of this run (``conformance.report``)."""
    return pytestconfig.stash[report.MATRIX_KEY]
