"""Shared fixtures: an in-process client, a live ``aoai-mock serve`` process, the reference data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conformance.serve import ServeProcess
from mockserver import create_app, load_settings

from .redis_support import NO_REDIS, RedisServer, binary

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference"
RECORDINGS = SHARED / "azure-recordings"
KEY = "test-key"
GA = "2024-10-21"
PREVIEW = "2025-01-01-preview"


SLOW = "slow: a tight timing figure or a real idle wait; run with pytest -m slow (.ci/run does)"
FUZZ = "slow: the long fuzz run; set AOAI_FUZZ_SCALE (e.g. 10) and run with -m slow"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``slow`` tests run only when asked: tight timing figures and real idle waits when the run
    selects them (``-m slow``, a step of its own in .ci/run), the long fuzz runs (tests/test_fuzz.py)
    when ``AOAI_FUZZ_SCALE`` is set (``AOAI_FUZZ_SCALE=10 pytest -m slow tests/test_fuzz.py``)."""
    selected = "slow" in (config.getoption("markexpr") or "")
    scaled = "AOAI_FUZZ_SCALE" in os.environ
    for item in items:
        if item.get_closest_marker("slow") is None:
            continue
        if item.path.name == "test_fuzz.py":
            if not scaled:
                item.add_marker(pytest.mark.skip(reason=FUZZ))
        elif not selected:
            item.add_marker(pytest.mark.skip(reason=SLOW))


@pytest.fixture
def client() -> TestClient:
    """The app in-process with a fixed seed and clock."""
    app = create_app(load_settings(seed=7, freeze_time=1_750_000_000.0, tokenizer="bpe"))
    return TestClient(app, headers={"api-key": KEY})


def chat_url(deployment: str = "gpt-4o", version: str = GA) -> str:
    return f"/openai/deployments/{deployment}/chat/completions?api-version={version}"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    if not RECORDINGS.is_dir():
        pytest.skip("../shared/reference is not present")
    return SHARED


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server per test process (each xdist worker its own); tests take a namespace each."""
    if binary() is None:
        pytest.skip(NO_REDIS)
    server = RedisServer().start()
    yield server
    server.stop()


LiveServer = ServeProcess  # a real ``aoai-mock serve`` subprocess on 127.0.0.1 and a free port


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer("--seed", "3", "--tokenizer", "bpe")
    yield server
    server.stop()
