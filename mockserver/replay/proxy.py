"""The recording proxy: forward every request to a real Azure OpenAI resource, record each exchange.

    aoai-mock record --upstream https://<resource>.openai.azure.com --cassette PATH [--port N]

``RecorderApp`` is a pure ASGI app. Each request is forwarded with httpx to ``upstream`` + the path
exactly as received (raw: double slashes and percent-encoding kept) + the query string. The answer
is streamed back to the client as it arrives, so an SSE stream keeps its pace, and recorded through
``replay.capture`` (status, headers, the JSON body or the SSE events each with the time it
arrived). Scrubbing (``replay.scrub``) happens before anything is stored; the cassette is
rewritten after every exchange, so stopping the proxy at any moment leaves a valid file.

Credentials: by default the client's own ``api-key`` / ``Authorization`` go upstream; a request
without either gets them from the environment: ``AZURE_OPENAI_API_KEY`` (the variable the openai
SDK reads, OPENAI-PY ``lib/azure.py``), else an Entra token from ``azure-identity`` when installed
(``DefaultAzureCredential``, scope ``https://cognitiveservices.azure.com/.default`` as in OPENAI-PY
``examples/azure_ad.py``). ``credentials="env"`` always replaces the client's with those, so tests
can keep a fake key while recording against a real resource.

Record modes (``replay.modes``): ``all`` records everything (the default), ``new_episodes`` replays
what the cassette already has and records the rest, ``once`` records only when the cassette does
not exist yet, ``none`` only replays.

``GET /_recorder/health`` answers the proxy's own status; ``/_mock/*`` is passed to the upstream and
never recorded.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from ..http import lifespan, read_all
from ..types import Receive, Scope, Send
from .bodies import HOP_BY_HOP
from .capture import InteractionBuilder, request_from_wire
from .credentials import Credentials
from .options import DEFAULT_MATCH_ON
from .player import Hit, replay_miss
from .scrub import Scrubber
from .use import open_cassette

HEALTH = "/_recorder/health"  # the proxy's own readiness check
# /_mock/* goes to the upstream unrecorded: a proxied aoai-mockserver keeps its control API (journal,
# faults), and a proxied Azure resource answers 404, so clients see that it is not a mock
CONTROL_PREFIX = "/_mock/"
# not forwarded: per-connection headers, and accept-encoding (replaced by identity, see forward)
NOT_FORWARDED = (HOP_BY_HOP - {"content-encoding", "date"}) | {"accept-encoding"}
UPSTREAM_ERROR = "aoai-mock record: the upstream {upstream} could not be reached: {error}"


class RecorderApp:
    """ASGI app: forward to ``upstream``, stream the answer back, append it to the cassette.

    upstream: the resource endpoint (``https://<resource>.openai.azure.com``; any base URL works).
    cassette: the file to write (our JSON format), rewritten after every exchange.
    mode: a record mode (``replay.modes``); speed / match_on apply to what it replays.
    scrubber: defaults to one that replaces ``upstream``'s host; ``body_fields`` adds JSON paths.
    """

    def __init__(
        self,
        upstream: str,
        cassette: str | Path,
        *,
        mode: str = "all",
        scrubber: Scrubber | None = None,
        credentials: Credentials | None = None,
        speed: float = 0.0,
        match_on: Sequence[str] = DEFAULT_MATCH_ON,
        timeout: float = 600.0,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.scrubber = scrubber or Scrubber.for_upstream(upstream)
        self.credentials = credentials or Credentials()
        self.timeout = timeout
        self.use = open_cassette(cassette, mode, scrubber=self.scrubber, speed=speed, match_on=match_on)
        self.plan, self.player, self.cassette, self.path = (
            self.use.plan,
            self.use.player,
            self.use.cassette,
            self.use.path,
        )
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, on_shutdown=self.close)
        elif scope["type"] == "http":
            await self.handle(scope, receive, send)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == HEALTH:
            status = {"status": "ok", "mode": self.plan.mode.value, "recorded": len(self.use.recorded)}
            await send_json(send, 200, status)
            return
        body = await read_all(receive)
        start = time.monotonic()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        if scope["path"].startswith(CONTROL_PREFIX):  # a mock upstream's control API: passed, not kept
            await self.forward(scope, send, headers, raw_path, query, body, record=False)
            return
        request = request_from_wire(scope["method"], raw_path, query, dict(headers), body, Scrubber())
        if self.player is not None:
            outcome = self.player.lookup(request)
            if isinstance(outcome, Hit):
                await asyncio.sleep(self.player.delay(outcome.entry.interaction.response.t, start))
                await self.player.response(outcome.entry.interaction, start)(scope, receive, send)
                return
            if not self.plan.forward:
                error = replay_miss(outcome.message)
                await send_bytes(send, error.status, error.render())
                return
        await self.forward(scope, send, headers, raw_path, query, body)

    async def forward(
        self,
        scope: Scope,
        send: Any,
        headers: list[tuple[str, str]],
        raw_path: str,
        query: str,
        body: bytes,
        record: bool = True,
    ) -> None:
        url = self.upstream + raw_path + (f"?{query}" if query else "")
        outgoing = await self.credentials.apply(
            [(k, v) for k, v in headers if k.lower() not in NOT_FORWARDED]
        )
        outgoing.append(("accept-encoding", "identity"))  # record bodies as sent, not compressed
        client = self.http()
        started = time.perf_counter()
        try:
            upstream = await client.send(
                client.build_request(scope["method"], url, headers=outgoing, content=body), stream=True
            )
        except httpx.HTTPError as exc:
            message = UPSTREAM_ERROR.format(upstream=self.upstream, error=exc)
            await send_json(send, 502, {"error": {"code": "UpstreamUnavailable", "message": message}})
            return
        builder = InteractionBuilder(
            request_from_wire(scope["method"], raw_path, query, dict(headers), body, self.scrubber),
            self.scrubber,
        )
        try:
            builder.start(upstream.status_code, raw_headers(upstream), time.perf_counter() - started)
            await relay(upstream, builder, send, started)
        finally:
            await upstream.aclose()
        if record:
            self.keep(builder)

    def keep(self, builder: InteractionBuilder) -> None:
        if not self.plan.record:
            return
        self.use.keep(builder.finish())
        self.cassette.save()

    def http(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=10.0), follow_redirects=False
            )
        return self.client


async def relay(upstream: httpx.Response, builder: InteractionBuilder, send: Any, started: float) -> None:
    """Send the upstream answer on, each chunk as it comes; the builder times every chunk."""
    headers = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in raw_headers(upstream)
        if k.lower() not in HOP_BY_HOP
    ]
    if not builder.streaming:
        data = await upstream.aread()
        builder.chunk(data, time.perf_counter() - started)
        headers.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": upstream.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": data})
        return
    await send({"type": "http.response.start", "status": upstream.status_code, "headers": headers})
    gone = False
    async for chunk in upstream.aiter_bytes():
        builder.chunk(chunk, time.perf_counter() - started)
        if not gone:
            try:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except OSError:
                gone = True  # the client left; the stream is still recorded to its end
    if not gone:
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def raw_headers(response: httpx.Response) -> list[tuple[str, str]]:
    """Response headers with the case the service used (``X-Request-ID``, azure-wire §14)."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]


async def send_json(send: Any, status: int, payload: Any) -> None:
    await send_bytes(send, status, json.dumps(payload, separators=(",", ":")).encode())


async def send_bytes(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
