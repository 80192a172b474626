"""How responses are written on the connection (mockserver.fastpath.wire): one write per complete answer,
a head rendered by the mock, and the same bytes a client would get from uvicorn's own path."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.fastpath.wire import HoldingTransport, header_line, rendered_head_cycle, valid_header
from mockserver.ids import RequestIds
from mockserver.server import ServerThread

from .conftest import GA

CHAT = f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}"
BODY = b'{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = ""

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return bool(self.closed)

    def close(self) -> None:
        self.closed = "close"

    def abort(self) -> None:
        self.closed = "abort"

    def get_extra_info(self, name: str) -> Any:
        return f"info:{name}"


def test_held_writes_leave_as_one_and_unheld_writes_at_once() -> None:
    fake = FakeTransport()
    holding = HoldingTransport(fake)  # type: ignore[arg-type]
    holding.write(b"a")
    assert fake.writes == [b"a"]
    holding.hold()
    holding.write(b"head")
    holding.write(b"body")
    assert fake.writes == [b"a"]
    holding.release()
    assert fake.writes == [b"a", b"headbody"]
    holding.write(b"next")
    assert fake.writes[-1] == b"next"
    assert holding.get_extra_info("peername") == "info:peername"


@pytest.mark.parametrize("end", ["close", "abort"])
def test_closing_sends_held_bytes_first(end: str) -> None:
    fake = FakeTransport()
    holding = HoldingTransport(fake)  # type: ignore[arg-type]
    holding.hold()
    holding.write(b"head")
    getattr(holding, end)()
    assert fake.writes == [b"head"]
    assert fake.closed == end


def test_only_headers_uvicorn_would_send_as_they_are_are_rendered_by_the_mock() -> None:
    assert header_line(b"apim-request-id", b"1") == b"apim-request-id: 1\r\n"
    assert valid_header(b"apim-request-id", b"1")
    assert not valid_header(b"X-Upper", b"1")  # uvicorn lower-cases: its path does it
    assert not valid_header(b"bad name", b"1")  # uvicorn raises on these: its path does
    assert not valid_header(b"x", b"split\r\nx-injected: 1")
    assert not valid_header(b"connection", b"close")  # keep-alive is uvicorn's business


def test_only_uvicorns_httptools_cycle_as_known_takes_a_rendered_head() -> None:
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    cycle = rendered_head_cycle(HttpToolsProtocol)
    assert cycle is not None and cycle.__base__ is RequestResponseCycle
    assert rendered_head_cycle(H11Protocol) is None  # h11 keeps its own path: headers in the message


def test_request_ids_are_version_4_uuids_and_repeat_per_seed() -> None:
    first, second = RequestIds(5).pair(), RequestIds(5).pair()
    assert first == second and first[0] != first[1]
    for text in (*first, RequestIds(5).next()):
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(create_app(load_settings(seed=4, freeze_time=1_750_000_000.0))).start()
    yield thread
    thread.stop()


def request(path: str, body: bytes, *extra: str, method: str = "POST") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "api-key: k",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_response(sock: socket.socket) -> tuple[list[tuple[str, str]], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK", lines[0]
    headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
    length = int(dict(headers)["content-length"])
    while len(rest) < length:
        rest += sock.recv(65536)
    return headers, rest  # type: ignore[return-value]


def test_live_answers_carry_the_in_process_headers_and_keep_the_connection(server: ServerThread) -> None:
    in_process = TestClient(server.app).post(CHAT, content=BODY, headers={"api-key": "k"})
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for _ in range(2):  # two answers on one keep-alive connection
            sock.sendall(request(CHAT, BODY))
            headers, body = read_response(sock)
            names = [name for name, _ in headers]
            assert names == ["date", *in_process.headers.keys()]
            assert body.startswith(b'{"choices":')
            assert dict(headers)["content-length"] == str(len(body))


def test_connection_close_is_honoured(server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request(CHAT, BODY, "Connection: close"))
        headers, _ = read_response(sock)
        assert ("connection", "close") in headers
        sock.settimeout(5)
        assert sock.recv(100) == b""  # the server closed the connection


def test_a_scripted_connection_header_takes_uvicorns_own_path(server: ServerThread) -> None:
    server.app.state.faults.add(
        {"match": {"session": "wire"}, "fault": {"status": 503, "headers": {"Connection": "close"}}}
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request(CHAT, BODY, "x-mock-session: wire"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 503 ")
    assert b"\r\nconnection: close\r\n" in data.lower()


def test_a_stream_head_leaves_before_its_delayed_first_event(server: ServerThread) -> None:
    server.app.state.faults.add(
        {"match": {"session": "slow"}, "fault": {"kind": "stream_timing", "first_token": 3.0}}
    )
    body = BODY.replace(b"}]", b'}],"stream":true')
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(request(CHAT, body, "x-mock-session: slow"))
        first = sock.recv(65536)
        waited = time.monotonic() - started
        rest = b""
        while b"data: [DONE]" not in rest:
            rest += sock.recv(65536)
        finished = time.monotonic() - started
    assert first.startswith(b"HTTP/1.1 200 OK") and b"text/event-stream" in first
    assert b"data: [DONE]" not in first
    assert waited < 2.0 <= 3.0 <= finished  # the head long before the first event, with a margin


def test_headers_without_a_value_and_percent_signs_render_like_in_process() -> None:
    settings = load_settings(seed=4, rate_limits="off", region="West 100% US")
    thread = ServerThread(create_app(settings)).start()
    try:
        expected = TestClient(thread.app).post(CHAT, content=BODY, headers={"api-key": "k"}).headers
        with socket.create_connection(("127.0.0.1", thread.port), timeout=5) as sock:
            sock.sendall(request(CHAT, BODY))
            headers, _ = read_response(sock)
    finally:
        thread.stop()
    assert [name for name, _ in headers] == ["date", *expected.keys()]
    assert "x-ratelimit-remaining-tokens" not in dict(headers)
    assert dict(headers)["x-ms-region"] == "West 100% US"


class EditingMiddleware:
    """A user's ASGI middleware around the mock: it adds a header and rewrites the body."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def edited(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"content-length"]
                message = {**message, "headers": [*headers, (b"x-edited", b"yes")]}
            elif message["type"] == "http.response.body":
                message = {**message, "body": message.get("body", b"").upper()}
            await send(message)

        await self.app(scope, receive, edited)


def test_an_app_wrapped_in_middleware_gets_ordinary_messages_it_can_edit() -> None:
    app = create_app(load_settings(seed=4))
    thread = ServerThread(EditingMiddleware(app)).start()  # type: ignore[arg-type]
    try:
        with socket.create_connection(("127.0.0.1", thread.port), timeout=5) as sock:
            sock.sendall(request(CHAT, BODY, "Connection: close"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    finally:
        thread.stop()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"\r\nx-edited: yes\r\n" in head and b"\r\napim-request-id: " in head
    assert b'"CHOICES"' in body  # the middleware's body, chunked since it dropped content-length


def test_pipelined_requests_are_answered_in_order(server: ServerThread) -> None:
    models = "/openai/models?api-version=" + GA
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            request(CHAT, BODY)
            + request(CHAT, BODY.replace(b"hi", b"yo"))
            + request(models, b"", "Connection: close", method="GET")
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    bodies = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        bodies.append(rest[:length])
        data = rest[length:]
    assert len(bodies) == 3
    assert (
        bodies[0].startswith(b'{"choices"') and bodies[1].startswith(b'{"choices"') and bodies[0] != bodies[1]
    )
    assert json.loads(bodies[2])["object"] == "list"


def test_a_body_too_large_to_hold_arrives_whole(server: ServerThread) -> None:
    from mockserver.pipeline import ONE_WRITE

    embeddings = f"/openai/deployments/text-embedding-3-small/embeddings?api-version={GA}"
    body = json.dumps({"input": [f"text number {i}" for i in range(60)]}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request(embeddings, body))
        headers, answer = read_response(sock)
    assert len(answer) > ONE_WRITE
    assert len(json.loads(answer)["data"]) == 60


def test_the_server_keeps_idle_connections_longer_than_an_8_second_retry_wait() -> None:
    """uvicorn's default would close them after 5 s; Azure's front ends keep them about 4 minutes
    (the real 8 s idle is the slow test below)."""
    from mockserver.server import KEEP_ALIVE_SECONDS, make_server

    assert make_server(create_app(load_settings())).config.timeout_keep_alive == KEEP_ALIVE_SECONDS
    assert KEEP_ALIVE_SECONDS >= 8.2


@pytest.mark.slow
def test_an_idle_keep_alive_connection_outlives_an_8_second_retry_wait(server: ServerThread) -> None:
    """uvicorn's default would close it after 5 s; Azure's front ends keep it about 4 minutes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request(CHAT, BODY))
        read_response(sock)
        time.sleep(8.2)  # openai-java waits 8 s before a clamped Retry-After retry
        sock.sendall(request(CHAT, BODY))
        headers, body = read_response(sock)
    assert body.startswith(b'{"choices"')


def test_without_httptools_h11_serves_the_same_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed without the ``speed`` extra, uvicorn runs h11: no rendered heads, the same answer."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    import mockserver.server

    monkeypatch.setattr(mockserver.server, "base_protocol", lambda: H11Protocol)
    thread = ServerThread(create_app(load_settings(seed=4))).start()
    try:
        expected = TestClient(thread.app).post(CHAT, content=BODY, headers={"api-key": "k"}).headers
        with socket.create_connection(("127.0.0.1", thread.port), timeout=5) as sock:
            for _ in range(2):
                sock.sendall(request(CHAT, BODY))
                headers, body = read_response(sock)
                assert [name for name, _ in headers] == ["date", *expected.keys()]
                assert json.loads(body)["object"] == "chat.completion"
    finally:
        thread.stop()


class CountingTransport(HoldingTransport):
    """A ``HoldingTransport`` that counts the writes reaching the socket's transport."""

    real_writes: list[bytes] = []

    def __init__(self, transport: Any) -> None:
        inner = transport

        class Counted:
            def write(self, data: bytes) -> None:
                CountingTransport.real_writes.append(data)
                inner.write(data)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        super().__init__(Counted())  # type: ignore[arg-type]


def streamed(port: int, *extra: str) -> bytes:
    body = b'{"messages":[{"role":"user","content":"hi"}],"max_tokens":50,"stream":true}'
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request(CHAT, body, "Connection: close", *extra))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_an_unpaced_stream_leaves_in_a_few_writes_a_paced_one_event_by_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("mockserver.server.HoldingTransport", CountingTransport)
    thread = ServerThread(create_app(load_settings(seed=4, freeze_time=1_750_000_000.0))).start()
    try:
        thread.app.state.faults.add({"match": {"session": "paced"},
                                     "fault": {"kind": "stream_timing", "between_chunks": 0.001}})
        CountingTransport.real_writes = []
        unpaced = streamed(thread.port)
        unpaced_writes = len(CountingTransport.real_writes)
        CountingTransport.real_writes = []
        paced = streamed(thread.port, "x-mock-session: paced")
        paced_writes = len(CountingTransport.real_writes)
    finally:
        thread.stop()
    events = unpaced.count(b"data: ")
    assert events >= 40  # annotation, role, the reply's tokens, finish, [DONE]
    assert b"data: [DONE]\n\n" in unpaced
    assert unpaced_writes <= 3  # head and events held (chunked framing's last write may follow)
    assert paced_writes >= events  # each event its own write, at the pace the fault sets
    # the same events either way (the paced answer's ids differ only by its request ids)
    assert paced.split(b"\r\n\r\n", 1)[1].count(b"data: ") == unpaced.split(b"\r\n\r\n", 1)[1].count(b"data: ")
