"""The ``openai`` Python package: ``AzureOpenAI`` / ``AsyncAzureOpenAI`` (and plain ``OpenAI`` on v1).

Clients are built the way the Azure docs show (``azure_endpoint``, ``api_key``, ``api_version``), or
from the environment alone (``AZURE_OPENAI_API_KEY``, ``AZURE_OPENAI_ENDPOINT``,
``OPENAI_API_VERSION``; sdk-behaviour §3.1). On the in-process target the sync client runs on
Starlette's ``TestClient`` and the async one on ``httpx2.ASGITransport`` (openai 3.x is built on
httpx2, style.md §3.1); their transports have no timeouts, so timing vectors are ``server_only``.
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .protocol import BATCH_TERMINAL, MESSAGES, Driver, DriverCall, Outcome
from .python_responses import responses, responses_async

BATCH_POLL, BATCH_TIMEOUT = 0.2, 120.0

ENV_NAMES = (
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_API_VERSION",
    "AZURE_OPENAI_AD_TOKEN",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
)


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Exactly ``values`` for the client's environment variables, restored afterwards."""
    saved = {name: os.environ.get(name) for name in ENV_NAMES}
    for name in ENV_NAMES:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def client_options(call: DriverCall) -> dict[str, Any]:
    options: dict[str, Any] = {"default_headers": dict(call.headers)}
    if call.settings.get("max_retries") is not None:
        options["max_retries"] = call.settings["max_retries"]
    if call.settings.get("timeout") is not None:
        options["timeout"] = call.settings["timeout"]
    return options


def credential(call: DriverCall) -> dict[str, Any]:
    if call.auth == "token":
        return {"azure_ad_token": call.api_key}
    return {"api_key": call.api_key}


class PythonOpenAI(Driver):
    sdk = "openai-python"
    asynchronous = False

    @property
    def version(self) -> str:
        import openai

        return str(openai.__version__)

    @property
    def runtime(self) -> str:
        """The interpreter and the HTTP package the SDK is built on (httpx2 for openai 3.x, httpx before)."""
        import importlib

        import openai

        package = openai.DefaultHttpxClient.__mro__[1].__module__.split(".")[0]
        version = getattr(importlib.import_module(package), "__version__", "?")
        return f"CPython {platform.python_version()}, {package} {version}"

    def http_client(self, attempts: list[str]) -> Any:
        """The SDK's own HTTP client (in-process: one bound to the app) counting each request it sends."""
        import httpx2
        import openai

        if self.asynchronous:

            async def count_async(request: Any) -> None:
                attempts.append(str(request.url))

            if self.target.app is None:
                return openai.DefaultAsyncHttpxClient(event_hooks={"request": [count_async]})
            transport = httpx2.ASGITransport(app=self.target.app)
            return httpx2.AsyncClient(transport=transport, event_hooks={"request": [count_async]})

        def count(request: Any) -> None:
            attempts.append(str(request.url))

        if self.target.app is None:
            return openai.DefaultHttpxClient(event_hooks={"request": [count]})
        from starlette.testclient import TestClient

        client = TestClient(self.target.app)
        client.event_hooks = {"request": [count], "response": []}
        return client

    def client(self, call: DriverCall, attempts: list[str]) -> Any:
        import openai

        options = client_options(call)
        options["http_client"] = self.http_client(attempts)
        if call.surface == "v1":
            plain: Any = openai.AsyncOpenAI if self.asynchronous else openai.OpenAI
            return plain(base_url=f"{call.endpoint.rstrip('/')}/openai/v1/", api_key=call.api_key, **options)
        azure: Any = openai.AsyncAzureOpenAI if self.asynchronous else openai.AzureOpenAI
        if call.auth == "env":
            with environment(call.env):
                return azure(**options)
        return azure(
            azure_endpoint=call.endpoint, api_version=call.api_version, **credential(call), **options
        )

    def run(self, call: DriverCall) -> Outcome:
        started = time.monotonic()
        result: dict[str, Any] = {}
        attempts: list[str] = []
        try:
            client = self.client(call, attempts)
            if self.asynchronous:
                asyncio.run(self.perform_async(client, call, result))
            else:
                with client:  # closes the HTTP client we handed it
                    self.perform(client, call, result)
            outcome = self.outcome(ok=True, result=result)
        except Exception as exc:  # the exception *is* the outcome
            outcome = self.failure(exc, result)
        outcome.attempts = len(attempts)
        outcome.elapsed = time.monotonic() - started
        return outcome

    def failure(self, exc: Exception, result: dict[str, Any]) -> Outcome:
        import openai

        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        request_id = exc.request_id if isinstance(exc, openai.APIStatusError) else None
        code = getattr(exc, "code", None)
        return self.outcome(
            ok=False,
            error_class=type(exc).__name__,
            status=status,
            code=None if code is None else str(code),
            message=str(exc)[:200],
            request_id=request_id,
            result=result,
        )

    def perform(self, client: Any, call: DriverCall, result: dict[str, Any]) -> None:
        if call.operation.startswith("responses"):
            responses(client, call, result)
            return
        if call.operation == "batch":
            batch_flow(client, call, result)
            return
        if call.operation == "embeddings":
            response = client.embeddings.create(model=call.deployment, **{"input": ["hello"], **call.params})
            result["vectors"] = len(response.data)
            return
        params = {"messages": MESSAGES, **call.params}
        if call.operation == "chat":
            response = client.chat.completions.create(model=call.deployment, **params)
            result.update(
                content=response.choices[0].message.content, finish_reason=response.choices[0].finish_reason
            )
            return
        result.update(chunks=0, content="")
        for chunk in client.chat.completions.create(model=call.deployment, stream=True, **params):
            take_chunk(chunk, result)

    async def perform_async(self, client: Any, call: DriverCall, result: dict[str, Any]) -> None:
        async with client:
            if call.operation.startswith("responses"):
                await responses_async(client, call, result)
                return
            if call.operation == "batch":
                await batch_flow_async(client, call, result)
                return
            if call.operation == "embeddings":
                response = await client.embeddings.create(
                    model=call.deployment, **{"input": ["hello"], **call.params}
                )
                result["vectors"] = len(response.data)
                return
            params = {"messages": MESSAGES, **call.params}
            if call.operation == "chat":
                response = await client.chat.completions.create(model=call.deployment, **params)
                result.update(
                    content=response.choices[0].message.content,
                    finish_reason=response.choices[0].finish_reason,
                )
                return
            result.update(chunks=0, content="")
            stream = await client.chat.completions.create(model=call.deployment, stream=True, **params)
            async for chunk in stream:
                take_chunk(chunk, result)


def batch_flow(client: Any, call: DriverCall, result: dict[str, Any]) -> None:
    """Upload, create, poll to the end, download and parse, list, cancel a second batch, delete the
    input: what a batch job's code does."""
    uploaded = client.files.create(file=("requests.jsonl", call.params["input"].encode()), purpose="batch")
    batch = poll(client, client.batches.create(**batch_request(uploaded.id)))
    output = client.files.content(batch.output_file_id).text if batch.output_file_id else ""
    errors = client.files.content(batch.error_file_id).text if batch.error_file_id else ""
    batch_result(result, batch.status, output, errors)
    result["listed"] = batch.id in [b.id for b in client.batches.list()]
    second = client.batches.create(**batch_request(uploaded.id))
    result["cancel"] = [client.batches.cancel(second.id).status, poll(client, second).status]
    result["deleted"] = client.files.delete(uploaded.id).deleted


def batch_request(file_id: str) -> dict[str, str]:
    return {"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}


def poll(client: Any, batch: Any) -> Any:
    give_up = time.monotonic() + BATCH_TIMEOUT
    while batch.status not in BATCH_TERMINAL and time.monotonic() < give_up:
        time.sleep(BATCH_POLL)
        batch = client.batches.retrieve(batch.id)
    return batch


async def batch_flow_async(client: Any, call: DriverCall, result: dict[str, Any]) -> None:
    upload = ("requests.jsonl", call.params["input"].encode())
    uploaded = await client.files.create(file=upload, purpose="batch")
    batch = await poll_async(client, await client.batches.create(**batch_request(uploaded.id)))
    output = (await client.files.content(batch.output_file_id)).text if batch.output_file_id else ""
    errors = (await client.files.content(batch.error_file_id)).text if batch.error_file_id else ""
    batch_result(result, batch.status, output, errors)
    result["listed"] = batch.id in [b.id async for b in client.batches.list()]
    second = await client.batches.create(**batch_request(uploaded.id))
    cancelling = await client.batches.cancel(second.id)
    result["cancel"] = [cancelling.status, (await poll_async(client, second)).status]
    result["deleted"] = (await client.files.delete(uploaded.id)).deleted


async def poll_async(client: Any, batch: Any) -> Any:
    give_up = time.monotonic() + BATCH_TIMEOUT
    while batch.status not in BATCH_TERMINAL and time.monotonic() < give_up:
        await asyncio.sleep(BATCH_POLL)
        batch = await client.batches.retrieve(batch.id)
    return batch


def batch_result(result: dict[str, Any], status: str, output: str, errors: str) -> None:
    import json

    done = [json.loads(line) for line in output.splitlines() if line.strip()]
    failed = [json.loads(line) for line in errors.splitlines() if line.strip()]
    result.update(
        status=status,
        output=sorted(row["custom_id"] for row in done),
        errors=sorted([row["custom_id"], (row.get("response") or {}).get("status_code")] for row in failed),
    )


def take_chunk(chunk: Any, result: dict[str, Any]) -> None:
    result["chunks"] += 1
    if chunk.choices:
        choice = chunk.choices[0]
        if choice.delta is not None and choice.delta.content:
            result["content"] += choice.delta.content
        if choice.finish_reason:
            result["finish_reason"] = choice.finish_reason


class PythonOpenAISync(PythonOpenAI):
    name = "python-sync"


class PythonOpenAIAsync(PythonOpenAI):
    name = "python-async"
    asynchronous = True
