"""Helpers for the plugin's black-box tests: a user's project run through ``pytester``.

The plugin is left out of our own run (``-p no:aoai_mockserver`` in pyproject) and loaded in the
pytester projects the way a user gets it: through its ``pytest11`` entry point, no configuration.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Inline pytester runs drop the modules they imported when they end, so a library first imported
# inside one run would come back as a second copy in the next (whose exception classes the first
# copy's code does not recognise). Importing the stacks here keeps one copy for the whole session.
import httpcore  # noqa: F401
import httpx  # noqa: F401
import openai  # noqa: F401
import pytest

import mockserver.pytest_plugin
import mockserver.testing.hypothesis
import mockserver.testing.run
import mockserver.tls  # noqa: F401

# cryptography's Rust bindings cannot be loaded twice in one process: the TLS tests' CA needs them once
CRYPTOGRAPHY = (
    "cryptography.x509",
    "cryptography.x509.oid",
    "cryptography.hazmat.primitives.hashes",
    "cryptography.hazmat.primitives.serialization",
    "cryptography.hazmat.primitives.asymmetric.ec",
)
for name in ("httpx2", "httpcore2", "respx", "hypothesis", "anyio.pytest_plugin", *CRYPTOGRAPHY):
    with contextlib.suppress(ImportError):  # e.g. a run without httpx2
        __import__(name)

CHAT = 'messages=[{"role": "user", "content": "Hello there"}]'


def outcomes(result: pytest.RunResult) -> dict[str, int]:
    return result.parseoutcomes()


def assert_outcomes(result: pytest.RunResult, **expected: int) -> None:
    """Like ``result.assert_outcomes`` but prints the run's output when it does not match."""
    got = {k: v for k, v in result.parseoutcomes().items() if k in expected or v}
    got = {("warnings" if k == "warning" else "errors" if k == "error" else k): v for k, v in got.items()}
    want = {k: v for k, v in expected.items() if v}
    assert {k: v for k, v in got.items() if k != "warnings"} == want, "\n".join(result.outlines[-60:])


def header_line(result: pytest.RunResult) -> str:
    for line in result.outlines:
        if line.startswith("aoai-mockserver:"):
            return line
    raise AssertionError("no aoai-mockserver header line:\n" + "\n".join(result.outlines[:20]))


def section(result: pytest.RunResult, name: str = "aoai-mockserver journal") -> str:
    """The text of a report section (up to the next separator line)."""
    text = "\n".join(result.outlines)
    match = re.search(rf"-+ {re.escape(name)} -+\n(.*?)(?=\n[-=_]{{5,}})", text, re.S)
    assert match, f"no {name!r} section in:\n{text[-3000:]}"
    return match.group(1)


class NotAMock(BaseHTTPRequestHandler):
    """Answers every request with 404 JSON, like a real resource that has no /_mock API."""

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        body = b'{"error":{"code":"404","message": "Resource not found"}}'
        self.send_response(404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def not_a_mock() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that is not an aoai-mockserver; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotAMock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
