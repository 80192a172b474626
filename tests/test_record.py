"""The recording proxy: secrets never reach a cassette, credentials, record modes, retry sequences."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import openai
import pytest

from mockserver import MockApp, create_app, load_settings
from mockserver.replay import load
from mockserver.replay.proxy import Credentials, RecorderApp
from mockserver.replay.scrub import Scrubber
from mockserver.server import ServerThread

from .replay_helpers import call

pytestmark = pytest.mark.live

GA = "2024-10-21"
CANARIES = {
    "key": "CANARY-api-key-7f3a",
    "bearer": "CANARY-bearer-token-91bc",
    "cookie": "CANARY-cookie-55de",
    "set_cookie": "CANARY-set-cookie-0a1b",
    "query": "CANARY-query-token-c3d4",
    "sig": "CANARY-sas-sig-e5f6",
    "user": "CANARY-user-field-1234",
    "email": "canary-5678@example.com",
    "subscription": "CANARY-apim-sub-abcd",
}


class CanaryUpstream:
    """An upstream that remembers what it was sent and answers with secrets of its own."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.seen.append(
            {"path": scope["path"], "query": scope["query_string"].decode(), "headers": headers, "body": body}
        )
        host = headers["host"]
        if scope["path"].endswith("/chat/completions"):
            await self.stream(send, host)
        else:
            await self.image(send, host)

    async def image(self, send: Any, host: str) -> None:
        payload = {
            "created": 1,
            "data": [
                {
                    "url": f"https://{host}/images/1.png?se=2030-01-01&sp=r&sig={CANARIES['sig']}",
                    "revised_prompt": f"see https://{host}/docs",
                }
            ],
        }
        data = json.dumps(payload, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"set-cookie", f"sid={CANARIES['set_cookie']}".encode()),
                    (b"operation-location", f"https://{host}/openai/operations/1?api-version={GA}".encode()),
                    (b"apim-request-id", b"keep-me"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def stream(self, send: Any, host: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for payload in ({"delta": f"served by {host}", "user": CANARIES["user"]}, {"delta": "done"}):
            event = b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})


def serve(app: Any) -> ServerThread:
    return ServerThread(cast(MockApp, app)).start()


@pytest.fixture
def canary() -> Iterator[tuple[CanaryUpstream, ServerThread]]:
    upstream = CanaryUpstream()
    thread = serve(upstream)
    yield upstream, thread
    thread.stop()


def test_canary_secrets_never_reach_the_cassette(
    canary: tuple[CanaryUpstream, ServerThread], tmp_path: Path
) -> None:
    upstream, thread = canary
    cassette = tmp_path / "secrets.json"
    scrubber = Scrubber.for_upstream(thread.endpoint, ["user", "metadata.email"])
    proxy = serve(RecorderApp(thread.endpoint, cassette, scrubber=scrubber))
    secret_headers = {
        "api-key": CANARIES["key"],
        "Authorization": f"Bearer {CANARIES['bearer']}",
        "Cookie": f"sid={CANARIES['cookie']}",
        "Ocp-Apim-Subscription-Key": CANARIES["subscription"],
    }
    try:
        body = {"prompt": "a cat", "user": CANARIES["user"], "metadata": {"email": CANARIES["email"]}}
        image = httpx.post(
            f"{proxy.endpoint}/openai/deployments/dall-e-3/images/generations",
            params={"api-version": GA, "token": CANARIES["query"]},
            json=body,
            headers=secret_headers,
            timeout=5,
        )
        chat = httpx.post(
            f"{proxy.endpoint}/openai/deployments/gpt-4o/chat/completions",
            params={"api-version": GA},
            headers=secret_headers,
            timeout=5,
            json={"messages": [{"role": "user", "content": "hi"}], "stream": True, "user": CANARIES["user"]},
        )
    finally:
        proxy.stop()
    # the client got the real answer, and the upstream the real credentials
    assert CANARIES["sig"] in image.json()["data"][0]["url"]
    assert image.headers["set-cookie"] == f"sid={CANARIES['set_cookie']}"
    assert thread.endpoint.split("//")[1] in chat.text
    assert upstream.seen[0]["headers"]["api-key"] == CANARIES["key"]
    assert CANARIES["query"] in upstream.seen[0]["query"]
    assert upstream.seen[0]["headers"]["accept-encoding"] == "identity"

    text = cassette.read_text()
    leaked = [name for name, value in CANARIES.items() if value.lower() in text.lower()]
    assert leaked == []
    assert thread.endpoint.split("//")[1] not in text  # 127.0.0.1:<port>, the resource host
    data = json.loads(text)
    image_entry, chat_entry = data["interactions"]
    assert image_entry["request"]["headers"]["api-key"] == "Sanitized"
    assert image_entry["request"]["headers"]["authorization"] == "Sanitized"
    assert image_entry["request"]["query"] == {"api-version": GA, "token": "Sanitized"}
    assert image_entry["request"]["json"] == {
        "prompt": "a cat",
        "user": "Sanitized",
        "metadata": {"email": "Sanitized"},
    }
    assert image_entry["response"]["headers"]["set-cookie"] == "Sanitized"
    assert image_entry["response"]["headers"]["apim-request-id"] == "keep-me"  # not a secret
    assert image_entry["response"]["json"]["data"][0]["url"] == (
        "https://Sanitized.openai.azure.com/images/1.png?se=Sanitized&sp=Sanitized&sig=Sanitized"
    )
    assert image_entry["response"]["headers"]["operation-location"].startswith(
        "https://Sanitized.openai.azure.com/"
    )
    assert json.loads(chat_entry["response"]["events"][0]["data"]) == {
        "delta": "served by Sanitized.openai.azure.com",
        "user": "Sanitized",
    }
    assert data["meta"]["scrub"]["body_fields"] == ["user", "metadata.email"]

    # the same requests, real secrets and all, still match the scrubbed cassette offline
    app = create_app(load_settings(replay=(str(cassette),)))
    again = call(
        app,
        "POST",
        "/openai/deployments/dall-e-3/images/generations",
        {"api-version": GA},
        {"api-key": CANARIES["key"], "content-type": "application/json"},
        json.dumps(body).encode(),
    )
    assert again.status == 200


def test_credentials_from_the_environment(
    canary: tuple[CanaryUpstream, ServerThread], tmp_path: Path
) -> None:
    upstream, thread = canary
    environ = {"AZURE_OPENAI_API_KEY": "env-key"}
    for mode, sent, expected in (
        ("client", {}, "env-key"),
        ("client", {"api-key": "own"}, "own"),
        ("env", {"api-key": "fake-test-key"}, "env-key"),
    ):
        proxy = serve(
            RecorderApp(
                thread.endpoint, tmp_path / f"{mode}.json", credentials=Credentials(mode, environ=environ)
            )
        )
        try:
            httpx.post(
                f"{proxy.endpoint}/openai/deployments/d/images/generations",
                params={"api-version": GA},
                json={"prompt": "x"},
                headers=sent,
                timeout=5,
            )
        finally:
            proxy.stop()
        assert upstream.seen[-1]["headers"].get("api-key") == expected, mode
    with pytest.raises(ValueError, match="credentials must be one of"):
        Credentials("vault")


@pytest.fixture
def mock_upstream() -> Iterator[ServerThread]:
    thread = ServerThread(
        create_app(load_settings(seed=9, freeze_time=1_750_000_000.0, tokenizer="approx"))
    ).start()
    yield thread
    thread.stop()


def sdk(endpoint: str, retries: int = 0) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=endpoint, api_key="k", api_version=GA, max_retries=retries, timeout=10
    )


def ask(endpoint: str, content: str, retries: int = 0) -> str:
    reply = sdk(endpoint, retries).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": content}]
    )
    return str(reply.choices[0].message.content)


def test_a_retry_sequence_is_recorded_and_replayed_in_order(
    mock_upstream: ServerThread, tmp_path: Path
) -> None:
    quick = {"retry-after-ms": "10"}
    mock_upstream.app.state.faults.add(
        [
            {
                "match": {"operation": "chat.completions"},
                "sequence": [{"status": 429, "headers": quick}, {"status": 503, "headers": quick}, "pass"],
            }
        ]
    )
    cassette = tmp_path / "retries.json"
    proxy = serve(RecorderApp(mock_upstream.endpoint, cassette))
    try:
        recorded = ask(proxy.endpoint, "Hello there", retries=2)
    finally:
        proxy.stop()
    assert [i.response.status for i in load(cassette).interactions] == [429, 503, 200]
    mock_upstream.stop()
    replay = ServerThread(create_app(load_settings(replay=(str(cassette),)))).start()
    try:
        assert ask(replay.endpoint, "Hello there", retries=2) == recorded
        assert [e.status for e in replay.app.state.journal.calls] == [429, 503, 200]
    finally:
        replay.stop()


def test_record_modes_of_the_proxy(mock_upstream: ServerThread, tmp_path: Path) -> None:
    cassette = tmp_path / "modes.json"

    def session(mode: str, *questions: str) -> list[str]:
        proxy = serve(RecorderApp(mock_upstream.endpoint, cassette, mode=mode))
        try:
            return [ask(proxy.endpoint, q) for q in questions]
        finally:
            proxy.stop()

    first = session("once", "one")  # no cassette yet: records
    assert len(load(cassette).interactions) == 1
    assert session("once", "one") == first  # exists: replays
    with pytest.raises(openai.NotFoundError, match="recorded 'one', got 'two'"):
        session("once", "two")  # once with a cassette never records
    session("new_episodes", "one", "two")  # "one" replayed, "two" recorded
    assert [i.request.body["messages"][0]["content"] for i in load(cassette).interactions] == ["one", "two"]
    with pytest.raises(openai.NotFoundError, match="no recorded exchange matches"):
        session("none", "three")
    session("all", "three")  # records afresh, replacing the file
    assert [i.request.body["messages"][0]["content"] for i in load(cassette).interactions] == ["three"]


def test_an_unreachable_upstream_is_a_502_and_nothing_is_recorded(tmp_path: Path) -> None:
    dead = ServerThread(create_app(load_settings())).start()
    dead.stop()
    cassette = tmp_path / "never.json"
    proxy = serve(RecorderApp(dead.endpoint, cassette))
    try:
        answer = httpx.post(f"{proxy.endpoint}/openai/v1/chat/completions", json={}, timeout=5)
        health = httpx.get(f"{proxy.endpoint}/_recorder/health", timeout=5).json()
        control = httpx.get(f"{proxy.endpoint}/_mock/health", timeout=5)  # passed on: the upstream is down
    finally:
        proxy.stop()
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "UpstreamUnavailable"
    assert health == {"status": "ok", "mode": "all", "recorded": 0}
    assert control.status_code == 502
    assert not cassette.exists()


def test_a_mock_upstream_keeps_its_control_api_and_it_is_not_recorded(
    mock_upstream: ServerThread, tmp_path: Path
) -> None:
    cassette = tmp_path / "c.json"
    proxy = serve(RecorderApp(mock_upstream.endpoint, cassette))
    try:
        ask(proxy.endpoint, "hello")
        journal = httpx.get(f"{proxy.endpoint}/_mock/requests", timeout=5).json()["requests"]
        health = httpx.get(f"{proxy.endpoint}/_recorder/health", timeout=5).json()
    finally:
        proxy.stop()
    assert [entry["operation"] for entry in journal] == ["chat.completions"]
    assert health["recorded"] == 1
    assert [i.request.path for i in load(cassette).interactions] == [
        "/openai/deployments/gpt-4o/chat/completions"
    ]


def test_record_command_line(mock_upstream: ServerThread, tmp_path: Path) -> None:
    cassette = tmp_path / "cli.json"
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "record",
        "--upstream",
        mock_upstream.endpoint,
        "--cassette",
        str(cassette),
        "--port",
        "0",
        "--scrub-field",
        "user",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(r"proxy at (http://127\.0\.0\.1:\d+) -> ", banner)
        assert match is not None, banner
        endpoint = match.group(1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{endpoint}/_recorder/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.02)
        reply = sdk(endpoint).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}], user="someone@example.com"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    (interaction,) = load(cassette).interactions
    assert interaction.request.body["user"] == "Sanitized"
    assert interaction.response.body["choices"][0]["message"]["content"] == reply.choices[0].message.content
