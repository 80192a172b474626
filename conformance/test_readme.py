"""The README's "Pointing SDKs at the mock" snippets, run as written against a mock of their own.

Each snippet follows a ``<!-- snippet: LANGUAGE -->`` line in README.md. Its endpoint
(http://127.0.0.1:8000) is replaced by a live mock's; nothing else is changed. The journal then
shows what each client sent: the classic URL with the api-version and ``api-key``, and the v1 URL
with a Bearer key and no api-version.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from .drivers.node_openai import installed_openai
from .recordings import ROOT

pytestmark = pytest.mark.readme
README = ROOT / "README.md"
README_ENDPOINT = "http://127.0.0.1:8000"
SNIPPET = re.compile(r"<!-- snippet: (\w+) -->\n```\w*\n(.*?)```", re.DOTALL)


def snippets() -> dict[str, str]:
    return dict(SNIPPET.findall(README.read_text(encoding="utf-8")))


@pytest.fixture
def mock() -> Iterator[Any]:
    """The standalone server's defaults (built-in deployments, any key) on a free port."""
    from mockserver import create_app, load_settings
    from mockserver.server import ServerThread

    server = ServerThread(create_app(load_settings())).start()
    yield server
    server.stop()


def journal(server: Any) -> list[Any]:
    return sorted(server.app.state.journal.calls, key=lambda entry: entry.monotonic)


def check_requests(server: Any) -> None:
    classic, v1 = journal(server)
    assert (classic.path, classic.query.get("api-version"), classic.status) == (
        "/openai/deployments/gpt-4o/chat/completions",
        "2024-10-21",
        200,
    )
    assert "api-key" in classic.headers
    assert (v1.path, v1.query.get("api-version"), v1.status) == ("/openai/v1/chat/completions", None, 200)
    assert "authorization" in v1.headers
    assert "api-key" not in v1.headers


def test_readme_has_the_snippets() -> None:
    assert {"python", "javascript"} <= set(snippets())


def test_python_snippet(mock: Any) -> None:
    code = snippets()["python"].replace(README_ENDPOINT, mock.endpoint)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 2, done.stdout
    check_requests(mock)


def test_javascript_snippet(mock: Any) -> None:
    folder, problem = installed_openai()
    if folder is None:
        pytest.skip(f"the JavaScript snippet needs the npm openai package: {problem}")
    script = folder / "readme-snippet.mjs"
    script.write_text(snippets()["javascript"].replace(README_ENDPOINT, mock.endpoint), encoding="utf-8")
    done = subprocess.run(
        ["node", str(script)], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 2, done.stdout
    check_requests(mock)
