"""Shared fixtures: an in-process client, a live ``aoai-mock serve`` process, the reference data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference"
RECORDINGS = SHARED / "azure-recordings"
KEY = "test-key"
GA = "2024-10-21"
PREVIEW = "2025-01-01-preview"


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


class LiveServer:
    """A real ``aoai-mock serve`` subprocess on 127.0.0.1 and a free port."""

    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args]
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ}
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", first)
        if match is None:
            self.process.kill()
            errors = self.process.stderr.read() if self.process.stderr else ""
            self.stop()
            raise RuntimeError(f"no endpoint in banner: {first!r} {errors!r}")
        self.endpoint = f"http://127.0.0.1:{match.group(1)}"
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.endpoint}/_mock/health", timeout=1).status_code == 200:
                    self.ready_after = time.monotonic() - self.started
                    return
            except httpx.HTTPError:
                time.sleep(0.02)
        raise RuntimeError("server did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer("--seed", "3", "--tokenizer", "bpe")
    yield server
    server.stop()
