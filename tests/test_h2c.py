"""Java's h2c upgrade offer keeps the request body (mockserver.h2c), on httptools and on h11.

The requests are written on a raw socket exactly as JDK 17's ``java.net.http.HttpClient`` writes them
to an http URL (sdk-behaviour §8): ``Connection: Upgrade, HTTP2-Settings``, ``Upgrade: h2c`` and an
``HTTP2-Settings`` value. Under httptools the mock used to lose the body (uvicorn#2722,
httptools#124) and answer 400 "could not parse the JSON body".
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest

import mockserver.server
from mockserver import create_app, load_settings
from mockserver.server import ServerThread

from .conftest import GA

CHAT = f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}"
JAVA_UPGRADE = (
    "Connection: Upgrade, HTTP2-Settings",
    "Upgrade: h2c",
    "HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA",
)
PROTOCOLS = {
    "httptools": "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol",
    "h11": "uvicorn.protocols.http.h11_impl:H11Protocol",
}


def body(content: str) -> bytes:
    return json.dumps({"messages": [{"role": "user", "content": content}], "max_tokens": 7}).encode()


def head(payload: bytes, *extra: str) -> bytes:
    lines = [
        f"POST {CHAT} HTTP/1.1",
        "Host: 127.0.0.1",
        "api-key: k",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "User-Agent: Java-http-client/17.0.15",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(sock: socket.socket) -> tuple[str, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    raw_head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = raw_head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines)}
    while len(rest) < int(headers["content-length"]):
        rest += sock.recv(65536)
    return status, headers, rest


@pytest.fixture(params=sorted(PROTOCOLS))
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerThread]:
    module, _, name = PROTOCOLS[request.param].partition(":")
    protocol = getattr(pytest.importorskip(module), name)
    monkeypatch.setattr(mockserver.server, "base_protocol", lambda: protocol)
    thread = ServerThread(create_app(load_settings(seed=2))).start()
    yield thread
    thread.stop()


def sent_contents(server: ServerThread) -> list[str]:
    calls = sorted(server.app.state.journal.calls, key=lambda entry: entry.monotonic)
    return [entry.body["messages"][0]["content"] for entry in calls]


def test_an_h2c_offer_is_answered_in_http_1_1_with_the_body_intact(server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head(body("first"), *JAVA_UPGRADE) + body("first"))
        status, headers, answer = read_answer(sock)
        assert status == "HTTP/1.1 200 OK", answer  # not 101 Switching Protocols, not 400
        assert json.loads(answer)["object"] == "chat.completion"
        assert "upgrade" not in headers
        sock.sendall(head(body("second"), *JAVA_UPGRADE) + body("second"))  # the same connection goes on
        assert read_answer(sock)[0] == "HTTP/1.1 200 OK"
        sock.sendall(head(body("third")) + body("third"))  # and a request without the offer
        assert read_answer(sock)[0] == "HTTP/1.1 200 OK"
    assert sent_contents(server) == ["first", "second", "third"]


def test_the_body_may_come_in_a_later_write_and_the_head_in_pieces(server: ServerThread) -> None:
    payload = body("split")
    raw = head(payload, *JAVA_UPGRADE)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in (raw[:40], raw[40:120], raw[120:], payload[:10], payload[10:]):
            sock.sendall(piece)
            time.sleep(0.05)  # separate reads on the server
        status, _, answer = read_answer(sock)
    assert status == "HTTP/1.1 200 OK", answer
    assert sent_contents(server) == ["split"]


def test_the_offer_is_ignored_quietly(server: ServerThread, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="uvicorn.error")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head(body("quiet"), *JAVA_UPGRADE) + body("quiet"))
        read_answer(sock)
    assert not [r for r in caplog.records if "upgrade" in r.getMessage().lower()]
