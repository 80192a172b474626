"""The ground-truth driver: one HTTP request built by hand, no retries, nothing hidden.

It shows what the wire carried for each vector (status, the retry headers, the stream's events), so
the matrix can tell a client's behaviour from the server's. It spells the key header ``Api-Key`` as
the Go SDK does (recording 01), which a conformant server must accept (header names are
case-insensitive, azure-wire §2).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from ..shapes import event_kind, safe_event_data, split_events
from .protocol import MESSAGES, Driver, DriverCall, Outcome

PATHS = {"chat": "chat/completions", "chat_stream": "chat/completions", "embeddings": "embeddings"}
WIRE_HEADERS = ("retry-after", "retry-after-ms", "x-ms-retry-after-ms", "x-should-retry")


class RawHttp(Driver):
    name = "raw-http"
    sdk = "http"

    @property
    def version(self) -> str:
        if self.target.app is not None:
            import httpx2

            return f"httpx2 {httpx2.__version__} (in-process)"
        return f"httpx {httpx.__version__}"

    @property
    def runtime(self) -> str:
        import platform

        return f"CPython {platform.python_version()}"

    def run(self, call: DriverCall) -> Outcome:
        method, url, headers, body = request_parts(call)
        timeout = call.settings.get("timeout") or 30.0
        started = time.monotonic()
        client = self.target.http(timeout=timeout)
        try:
            with client, client.stream(method, url, headers=headers, content=body) as response:
                raw = b"".join(response.iter_bytes())
                outcome = self.judge(call, response.status_code, dict(response.headers), raw)
        except Exception as exc:  # a transport error is the outcome here, not a failure
            outcome = self.outcome(ok=False, error_class=type(exc).__name__, message=str(exc)[:200])
        outcome.attempts = 1
        outcome.elapsed = time.monotonic() - started
        return outcome

    def judge(self, call: DriverCall, status: int, headers: dict[str, str], raw: bytes) -> Outcome:
        wire = {name: headers[name] for name in WIRE_HEADERS if name in headers}
        text = raw.decode("utf-8", errors="replace")
        if status >= 400:
            code = error_code(text)
            return self.outcome(
                ok=False,
                error_class=f"HTTP {status}",
                status=status,
                code=code,
                message=text[:200],
                request_id=headers.get("x-request-id"),
                result={"headers": wire},
            )
        if call.operation == "chat_stream":
            return self.stream_outcome(status, headers, text, wire)
        return self.outcome(
            ok=True,
            status=status,
            request_id=headers.get("x-request-id"),
            result={"headers": wire, "content": content_of(text)},
        )

    def stream_outcome(
        self, status: int, headers: dict[str, str], text: str, wire: dict[str, str]
    ) -> Outcome:
        payloads = [safe_event_data(e) for e in split_events(text)]
        kinds = [event_kind(p) for p in payloads]
        result = {
            "headers": wire,
            "chunks": sum(k not in ("annotation", "done") for k in kinds),
            "done": "done" in kinds,
            "error_event": "error" in kinds,
        }
        if "error" in kinds:
            return self.outcome(ok=False, error_class="stream error event", status=status, result=result)
        return self.outcome(ok=True, status=status, request_id=headers.get("x-request-id"), result=result)


def request_parts(call: DriverCall) -> tuple[str, str, dict[str, str], bytes]:
    """Method, URL, headers and body for ``call``, as an Azure client would send them."""
    body: dict[str, Any] = dict(call.params)
    if call.operation == "embeddings":
        body.setdefault("input", ["hello"])
    else:
        body.setdefault("messages", MESSAGES)
    if call.operation == "chat_stream":
        body["stream"] = True
    headers = {"Content-Type": "application/json", **call.headers}
    base = call.endpoint.rstrip("/")
    if call.surface == "v1":
        body["model"] = call.deployment
        headers["Authorization"] = f"Bearer {call.api_key}"
        url = f"{base}/openai/v1/{PATHS[call.operation]}"
    else:
        headers.update(
            {"Authorization": f"Bearer {call.api_key}"} if call.auth == "token" else {"Api-Key": call.api_key}
        )
        path = f"/openai/deployments/{call.deployment}/{PATHS[call.operation]}"
        url = f"{base}{path}?api-version={call.api_version}"
    return "POST", url, headers, json.dumps(body).encode()


def error_code(text: str) -> str | None:
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        return None
    return str(error.get("code")) if isinstance(error, dict) and error.get("code") is not None else None


def content_of(text: str) -> str | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    choices = body.get("choices") if isinstance(body, dict) else None
    content = choices[0].get("message", {}).get("content") if choices else None
    return content if isinstance(content, str) else None
