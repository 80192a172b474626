"""Shared fixtures: an in-process client, a live ``aoai-mock serve`` process, the reference data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conformance.serve import ServeProcess
from mockserver import create_app, load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference"
RECORDINGS = SHARED / "azure-recordings"
KEY = "test-key"
GA = "2024-10-21"
PREVIEW = "2025-01-01-preview"


SLOW = "slow: a tight timing figure or a real idle wait; run with pytest -m slow (.ci/run does)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``slow`` tests are skipped unless the run selects them by marker (``-m slow``)."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    for item in items:
        if item.get_closest_marker("slow"):
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


LiveServer = ServeProcess  # a real ``aoai-mock serve`` subprocess on 127.0.0.1 and a free port


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer("--seed", "3", "--tokenizer", "bpe")
    yield server
    server.stop()
