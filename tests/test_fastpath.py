"""The fast path (``mockserver.fastpath``: memo, compiled header plans, one write with a rendered
head) is speed only: with ``Settings.fast_path`` off the mock answers every request the plain way,
and the bytes on the wire are the same. ``tests/test_pipeline.py`` runs with it on and off."""

from __future__ import annotations

import dataclasses
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.fastpath import wire
from mockserver.server import ServerThread

from .conftest import RECORDINGS
from .test_parity import credential, parity_settings

CHAT_URL = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
BODY = {"messages": [{"role": "user", "content": "Hello"}]}
DATE = re.compile(rb"\r\ndate: [^\r]*", re.IGNORECASE)
HOST = "aoai-mock.test"  # the same Host for both servers: image URLs carry it
DROPPED = frozenset({"content-length", "host", "connection", "api-key", "authorization", "transfer-encoding"})


def reference_requests() -> list[tuple[str, bytes]]:
    """Every request of every reference recording, as raw HTTP/1.1 bytes (auth the mock accepts)."""
    requests = []
    for path in sorted(RECORDINGS.glob("[0-9][0-9]-*.txt")):
        entries = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[1])["Entries"]
        for index, entry in enumerate(entries):
            requests.append((f"{path.name[:2]}#{index}", raw_request(entry)))
    return requests


def raw_request(entry: dict[str, Any]) -> bytes:
    uri = urlsplit(entry["RequestUri"])
    recorded = entry.get("RequestHeaders") or {}
    headers = {k: v for k, v in recorded.items() if k.lower() not in DROPPED}
    if any(k.lower() in ("api-key", "authorization") for k in recorded):
        headers.update(credential(recorded, uri.path, entry["StatusCode"]))
    body = entry.get("RequestBody")
    data = b"" if body is None else body.encode() if isinstance(body, str) else json.dumps(body).encode()
    target = uri.path + (f"?{uri.query}" if uri.query else "")
    lines = [
        f"{entry['RequestMethod']} {target} HTTP/1.1",
        f"Host: {HOST}",
        "Connection: close",
        f"Content-Length: {len(data)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def exchange(port: int, request: bytes) -> bytes:
    """What the server sent, to the last byte (it closes the connection), without its Date line."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return DATE.sub(b"", data, count=1)


@pytest.fixture
def servers() -> Iterator[dict[bool, ServerThread]]:
    started = {}
    try:
        for fast in (True, False):
            settings = dataclasses.replace(parity_settings(), fast_path=fast)
            started[fast] = ServerThread(create_app(settings)).start()
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.mark.live
@pytest.mark.shared
def test_fast_path_on_and_off_send_the_same_bytes_for_every_reference_exchange(
    shared_reference: Path, servers: dict[bool, ServerThread]
) -> None:
    requests = reference_requests()
    assert len(requests) > 30
    for name, request in requests:
        fast, plain = (exchange(servers[mode].port, request) for mode in (True, False))
        assert fast.startswith(b"HTTP/1.1 "), name
        assert fast == plain, name


def test_with_the_fast_path_off_nothing_is_memoised() -> None:
    app = create_app(load_settings(tokenizer="approx", fast_path=False))
    client = TestClient(app, headers={"api-key": "k"})
    body = {"messages": [{"role": "user", "content": "Hello"}]}
    url = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
    answers = [client.post(url, json=body).json()["choices"] for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert len(app.state.memo.cache) == 0


def test_a_config_file_and_the_command_line_turn_it_off(tmp_path: Path) -> None:
    from mockserver.cli import build_parser

    config = tmp_path / "plain.toml"
    config.write_text("[server]\nfast_path = false\n")
    assert load_settings(config).fast_path is False
    assert build_parser().parse_args(["serve", "--no-fast-path"]).fast_path is False
    assert build_parser().parse_args(["serve"]).fast_path is None  # the config's, else on


@pytest.mark.parametrize(
    ("version", "takes_heads"),
    [("0.55.0", True), ("0.30.6", True), ("0.56.0", False), ("0.29.1", False), ("1.0.0", False)],
)
def test_rendered_heads_only_on_the_uvicorn_releases_they_were_checked_against(
    version: str, takes_heads: bool
) -> None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert (wire.rendered_head_cycle(HttpToolsProtocol, version) is not None) is takes_heads


@pytest.mark.live
def test_an_unchecked_uvicorn_gets_ordinary_messages_and_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = (
        f"POST /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21 HTTP/1.1\r\n"
        f"Host: {HOST}\r\nConnection: close\r\napi-key: k\r\nContent-Type: application/json\r\n"
        "Content-Length: 48\r\n\r\n"
    ).encode() + b'{"messages":[{"role":"user","content":"Hello"}]}'
    answers = []
    for version in ("0.55.0", "9.9.9"):
        monkeypatch.setattr(wire, "uvicorn_version", lambda version=version: version)
        server = ServerThread(create_app(load_settings(seed=3, freeze_time=1_750_000_000.0))).start()
        try:
            answers.append(exchange(server.port, request))
        finally:
            server.stop()
    assert answers[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert answers[0] == answers[1]


# moved from tests/test_pipeline.py: the memo is the fast path's
def test_the_memo_keeps_small_requests_and_never_holds_large_bodies() -> None:
    app = create_app(load_settings(tokenizer="approx"))
    client = TestClient(app, headers={"api-key": "k"})
    small = client.post(CHAT_URL, json=BODY)
    assert client.post(CHAT_URL, json=BODY).json()["choices"] == small.json()["choices"]
    kept = len(app.state.memo.cache)
    assert kept >= 2  # its JSON validity, validation and rendered body
    large = {"messages": [{"role": "user", "content": "word " * 5000}], "max_tokens": 5}
    answers = [client.post(CHAT_URL, json=large) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["choices"] == answers[1].json()["choices"]
    assert len(app.state.memo.cache) == kept


def test_a_cache_keeps_what_it_sees_twice_and_drops_the_oldest_first() -> None:
    from mockserver.bounded import BoundedCache

    cache = BoundedCache(entries=3, max_bytes=10_000)
    cache.put("once", 1, 10)
    assert cache.get("once") is None  # a key seen once is only noted: varied traffic is not kept
    cache.put("once", 1, 10)
    assert cache.get("once") == 1
    for key in ("a", "b", "c"):
        cache.put(key, key, 10)
        cache.put(key, key, 10)
    assert [cache.get(k) for k in ("once", "a", "b", "c")] == [None, "a", "b", "c"]  # the oldest went
    cache.put("big", 0, 20_000)
    cache.put("big", 0, 20_000)
    assert cache.get("big") is None and cache.bytes == 30  # over the byte bound: never kept
    cache.clear()
    cache.put("a", "a", 10)
    assert cache.get("a") is None  # clearing forgets what was seen too
