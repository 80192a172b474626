"""Protocol edges on a real server (issue 11): every odd framing is answered or closed, never left to
time out; huge and slow heads are cut off; WebSocket upgrades are refused in Azure's shape; a client
that leaves mid-upload is journalled as abandoned. Each socket read is bounded (5 s)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver import create_app, load_settings
from mockserver import server as server_module
from mockserver.server import ServerThread
from tests.conftest import GA

pytestmark = pytest.mark.live
CHAT = f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={GA}"
BODY = b'{"messages":[{"role":"user","content":"hi"}]}'


@pytest.fixture
def server() -> Iterator[ServerThread]:
    thread = ServerThread(create_app(load_settings(seed=5, tokenizer="approx"))).start()
    yield thread
    thread.stop()


def request(path: str = CHAT, body: bytes = BODY, extra: str | None = None) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "api-key: k",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *([extra] if extra else []),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def exchange(port: int, data: bytes, until: bytes | None = None) -> bytes:
    """Send ``data``; read until the server closes, ``until`` appears, or 5 s pass (then fail)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        return read(sock, until)


def read(sock: socket.socket, until: bytes | None = None) -> bytes:
    got = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return got
        except TimeoutError:
            break
        if not chunk:
            return got
        got += chunk
        if until is not None and got.count(until) >= 1 and got.endswith(b"}"):
            return got
    pytest.fail(f"no answer and no close within 5 s (got {got[:200]!r})")


def still_answers(server: ServerThread) -> None:
    answer = exchange(server.port, request(extra="Connection: close"))
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert not server.app.state.errors


def test_a_32_mb_header_gets_a_431_and_the_connection_is_closed(server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"POST {CHAT} HTTP/1.1\r\nHost: x\r\nX-Big: ".encode())
        sent = 0
        try:
            while sent < 32 * 1024 * 1024:
                sock.sendall(b"a" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read(sock)
    assert sent < 32 * 1024 * 1024  # cut off long before the whole header was sent
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1]) == {
        "error": {"code": "431", "message": "Request header fields too large"}
    }
    still_answers(server)


def test_a_client_sending_its_head_a_byte_at_a_time_is_timed_out(
    server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "HEADER_TIMEOUT_SECONDS", 0.5)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        started = time.monotonic()
        answer = b""
        for byte in request():
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.05)
            if time.monotonic() - started > 4:
                break
        answer = read(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    still_answers(server)


def test_a_websocket_upgrade_on_a_data_plane_route_gets_resource_not_found(server: ServerThread) -> None:
    upgrade = (
        f"GET {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    answer = exchange(server.port, upgrade, until=b"Resource not found")
    status = answer.split(b"\r\n", 1)[0]
    assert status.startswith((b"HTTP/1.1 404", b"HTTP/1.1 403")), answer[:300]
    assert b" 500 " not in status
    still_answers(server)


def test_pipelined_requests_are_all_answered(server: ServerThread) -> None:
    answer = exchange(server.port, request() + request() + request(extra="Connection: close"))
    assert answer.count(b"HTTP/1.1 200 ") == 3


@pytest.mark.parametrize(
    "data",
    [
        request(extra="Transfer-Encoding: chunked"),  # Content-Length and Transfer-Encoding together
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes(30),  # an HTTP/2 preface on an HTTP/1.1 port
        f"POST /openai/deployments/gpt-4o/chat\x00/completions?api-version={GA} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(60),  # a TLS hello on a plain port
        b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"GET / HTTP/9.9\r\n\r\n",
    ],
)
def test_an_odd_framing_is_answered_or_closed_not_left_to_time_out(server: ServerThread, data: bytes) -> None:
    answer = exchange(server.port, data)  # fails if neither an answer nor a close comes within 5 s
    if answer:
        assert answer.startswith(b"HTTP/1.1 "), answer[:100]
        assert b" 500 " not in answer.split(b"\r\n", 1)[0]
    still_answers(server)


def test_a_head_that_never_starts_is_timed_out(server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "HEADER_TIMEOUT_SECONDS", 0.5)
    assert exchange(server.port, b"\r\n\r\n\r\n").startswith(
        b"HTTP/1.1 408 "
    )  # blank lines may precede a request
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:  # nothing at all
        assert read(sock).startswith(b"HTTP/1.1 408 ")
    still_answers(server)


def test_a_client_leaving_mid_upload_is_journalled_as_abandoned(server: ServerThread) -> None:
    boundary = "b0undary"
    head = (
        f"POST /openai/deployments/whisper/audio/transcriptions?api-version={GA} HTTP/1.1\r\n"
        f"Host: x\r\napi-key: k\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        "Content-Length: 100000\r\n\r\n"
    ).encode()
    part = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + b"RIFF"
        + bytes(5000)
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head + part)
        time.sleep(0.3)
    journal = server.app.state.journal
    deadline = time.monotonic() + 5
    while not len(journal) and time.monotonic() < deadline:
        time.sleep(0.02)
    entry = journal.last
    assert entry is not None and entry.status == 0
    assert any("disconnected" in note for note in entry.notes)
    assert not server.app.state.errors
    still_answers(server)


def test_the_watchdog_says_when_a_request_holds_the_event_loop(
    server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    real_admin = server.app.admin

    async def hogging_admin(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/_mock/hog":
            time.sleep(0.8)  # a bound missing somewhere: the loop is held
        await real_admin(scope, receive, send)

    caplog.set_level("WARNING", logger="aoai_mock")
    server.app.admin = hogging_admin  # type: ignore[assignment]
    try:
        answer = exchange(server.port, b"GET /_mock/hog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not any("held" in r.getMessage() for r in caplog.records):
            time.sleep(0.05)
    finally:
        server.app.admin = real_admin  # type: ignore[method-assign]
    assert answer.startswith(b"HTTP/1.1 404 ")  # the request itself is answered
    messages = [r.getMessage() for r in caplog.records if r.name == "aoai_mock"]
    assert any("event loop was held for 0." in m and "GET /_mock/hog" in m for m in messages), messages
    still_answers(server)


@pytest.fixture
def h11_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerThread]:
    """The server users get without the ``speed`` extra (and Java's h2c requests get: ``mockserver.h2c``)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    monkeypatch.setattr(server_module, "base_protocol", lambda: H11Protocol)
    monkeypatch.setattr(server_module, "HEADER_TIMEOUT_SECONDS", 0.5)
    thread = ServerThread(create_app(load_settings(seed=5, tokenizer="approx"))).start()
    yield thread
    thread.stop()


def test_under_h11_an_idle_keep_alive_connection_outlives_the_head_timeout(h11_server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", h11_server.port), timeout=5) as sock:
        for _ in range(2):
            sock.sendall(request())
            assert read(sock, until=b'"usage"').startswith(b"HTTP/1.1 200 ")
            time.sleep(1.0)  # twice the head timeout, idle between requests


def test_under_h11_an_answer_longer_than_the_head_timeout_is_not_cut(h11_server: ServerThread) -> None:
    rule = {"match": {}, "fault": {"kind": "latency", "seconds": 1.2}, "times": 1}
    h11_server.app.state.faults.add(rule)
    assert exchange(h11_server.port, request(), until=b'"usage"').startswith(b"HTTP/1.1 200 ")


def test_under_h11_a_head_sent_a_byte_at_a_time_is_still_timed_out(h11_server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", h11_server.port), timeout=5) as sock:
        for byte in request()[:40]:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.05)
        assert read(sock).startswith(b"HTTP/1.1 408 ")
