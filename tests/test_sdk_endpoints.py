"""The official ``openai`` SDK drives every endpoint of a live ``aoai-mock serve``.

Each scenario is written once, as an ``async`` function of a ``Driver``, and runs with four
clients: ``AzureOpenAI`` and ``AsyncAzureOpenAI`` on the classic surface (``azure_endpoint``,
``api_key``, ``api_version``), and plain ``OpenAI`` / ``AsyncOpenAI`` with
``base_url=<endpoint>/openai/v1/``. The assertions are about what an SDK user sees: values,
types, lengths, the SDK's own accumulation and decoding, error classes, and the same answer to
the same request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct
from collections.abc import Awaitable, Callable, Iterator
from operator import attrgetter
from typing import Any, Literal, TypeVar

import openai
import pytest
from pydantic import BaseModel, Field

from mockserver.synth.tokens import get_tokenizer

from .conftest import GA, KEY, LiveServer

T = TypeVar("T")
CHAT = "gpt-4o"
REASONING = "o3-mini"
INSTRUCT = "gpt-35-turbo-instruct"
EMBEDDING = "text-embedding-3-small"
SERVER_KEY = "sdk-secret"
DRIVERS = (("azure", "sync"), ("azure", "async"), ("v1", "sync"), ("v1", "async"))

pytestmark = pytest.mark.live


def make_client(surface: str, mode: str, endpoint: str, key: str) -> Any:
    if surface == "azure":
        azure = openai.AsyncAzureOpenAI if mode == "async" else openai.AzureOpenAI
        return azure(azure_endpoint=endpoint, api_key=key, api_version=GA, max_retries=0)
    plain = openai.AsyncOpenAI if mode == "async" else openai.OpenAI
    return plain(base_url=f"{endpoint}/openai/v1/", api_key=key, max_retries=0)


class Driver:
    """One SDK client, sync or async, behind awaitable calls."""

    def __init__(self, client: Any, surface: str, is_async: bool) -> None:
        self.client = client
        self.surface = surface
        self.is_async = is_async

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``await driver.call("chat.completions.create", ...)`` for either kind of client."""
        result = attrgetter(method)(self.client)(*args, **kwargs)
        return await result if self.is_async else result

    async def collect(self, method: str, **kwargs: Any) -> list[Any]:
        """Every item of a streamed call."""
        stream = await self.call(method, stream=True, **kwargs)
        if self.is_async:
            return [item async for item in stream]
        return list(stream)

    async def chat_stream(self, **kwargs: Any) -> tuple[list[Any], Any]:
        """The SDK's ``chat.completions.stream`` helper: its events and its accumulated completion."""
        manager = self.client.chat.completions.stream(**kwargs)
        if self.is_async:
            async with manager as stream:
                events = [event async for event in stream]
                return events, await stream.get_final_completion()
        with manager as stream:
            events = list(stream)
            return events, stream.get_final_completion()

    async def close(self) -> None:
        result = self.client.close()
        if self.is_async:
            await result


class SDK:
    """Runs a scenario with a fresh client of one kind (async clients need their own loop)."""

    def __init__(self, surface: str, mode: str, endpoint: str) -> None:
        self.surface, self.mode, self.endpoint = surface, mode, endpoint

    def run(
        self, scenario: Callable[[Driver], Awaitable[T]], *, endpoint: str | None = None, key: str = KEY
    ) -> T:
        async def main() -> T:
            client = make_client(self.surface, self.mode, endpoint or self.endpoint, key)
            driver = Driver(client, self.surface, self.mode == "async")
            try:
                return await scenario(driver)
            finally:
                await driver.close()

        return asyncio.run(main())


@pytest.fixture(params=DRIVERS, ids=["-".join(p) for p in DRIVERS])
def sdk(request: pytest.FixtureRequest, live_server: LiveServer) -> SDK:
    surface, mode = request.param
    return SDK(surface, mode, live_server.endpoint)


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that accepts one key only, for the 401s."""
    config = tmp_path_factory.mktemp("sdk") / "keys.toml"
    config.write_text(f'[server]\nkeys = ["{SERVER_KEY}"]\n', encoding="utf-8")
    server = LiveServer("--config", str(config))
    yield server
    server.stop()


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def tokens(text: str, encoding: str = "o200k_base") -> int:
    return get_tokenizer("bpe", encoding).count(text)


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(v * v for v in vector))


# --- chat -----------------------------------------------------------------------------------

QUESTION = "Explain how Azure deployments route requests"


def test_chat_completion_is_deterministic_and_azure_shaped(sdk: SDK) -> None:
    async def scenario(d: Driver) -> tuple[Any, Any]:
        first = await d.call("chat.completions.create", model=CHAT, messages=user(QUESTION))
        second = await d.call("chat.completions.create", model=CHAT, messages=user(QUESTION))
        return first, second

    first, second = sdk.run(scenario)
    choice = first.choices[0]
    assert first.object == "chat.completion"
    assert first.model == "gpt-4o-2024-08-06"  # the underlying model, not the deployment (azure-wire §5.2)
    assert first.id.startswith("chatcmpl-")
    assert first.system_fingerprint.startswith("fp_")
    assert (choice.index, choice.finish_reason, choice.message.role) == (0, "stop", "assistant")
    assert "Azure deployments route" in choice.message.content  # built from the prompt's own words
    # OpenAI's chat framing: 3 per message + role + content, 3 to prime the reply (recording 01)
    assert first.usage.prompt_tokens == 3 + 3 + tokens("user") + tokens(QUESTION)
    assert first.usage.completion_tokens == tokens(choice.message.content)
    assert first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    # the same request gets the same answer; each response has its own x-request-id
    assert (second.id, second.choices[0].message.content, second.usage) == (
        first.id,
        choice.message.content,
        first.usage,
    )
    assert first._request_id
    assert second._request_id
    assert first._request_id != second._request_id
    # Azure's filter annotations reach the user as extra fields
    prompt_results = first.model_extra["prompt_filter_results"]
    assert prompt_results[0]["prompt_index"] == 0
    assert prompt_results[0]["content_filter_results"]["violence"] == {"filtered": False, "severity": "safe"}
    assert choice.model_extra["content_filter_results"]["hate"]["severity"] == "safe"
    # usage details: on v1 and 2024-09+ previews (recording 12), not on GA 2024-10-21 (recordings 11, 14)
    if sdk.surface == "v1":
        assert first.usage.completion_tokens_details.reasoning_tokens == 0
        assert first.usage.prompt_tokens_details.cached_tokens == 0
    else:
        assert first.usage.completion_tokens_details is None


def test_chat_stream_with_usage_matches_the_plain_answer(sdk: SDK) -> None:
    options = {"model": CHAT, "messages": user("Describe a good project plan for moving to Kubernetes")}

    async def scenario(d: Driver) -> tuple[Any, list[Any]]:
        plain = await d.call("chat.completions.create", **options)
        chunks = await d.collect("chat.completions.create", stream_options={"include_usage": True}, **options)
        return plain, chunks

    plain, chunks = sdk.run(scenario)
    annotation, role, *rest = chunks
    # event 1: prompt annotations with blank identity (recordings 02, 11)
    assert (annotation.choices, annotation.id, annotation.created) == ([], "", 0)
    assert annotation.model_extra["prompt_filter_results"][0]["prompt_index"] == 0
    assert role.choices[0].delta.role == "assistant"
    assert role.choices[0].delta.content == ""
    usage_chunk = rest[-1]
    content_chunks = [c for c in rest[:-2] if c.choices[0].delta.content]
    assert "".join(c.choices[0].delta.content for c in content_chunks) == plain.choices[0].message.content
    assert [c.choices[0].finish_reason for c in rest[:-1]] == [None] * (len(rest) - 2) + ["stop"]
    # one token per content chunk, as in recordings 02 and 11
    assert len(content_chunks) == plain.usage.completion_tokens
    # include_usage: usage null on every chunk, then a choices-less usage chunk (recording 11)
    assert all(c.usage is None for c in chunks[1:-1])
    assert usage_chunk.choices == []
    assert (usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens) == (
        plain.usage.prompt_tokens,
        plain.usage.completion_tokens,
    )
    assert {c.id for c in chunks[1:]} == {chunks[1].id}
    assert chunks[1].id.startswith("chatcmpl-")
    assert {c.object for c in chunks[1:]} == {"chat.completion.chunk"}


def test_chat_stream_without_usage_has_no_usage_key(sdk: SDK) -> None:
    async def scenario(d: Driver) -> list[Any]:
        return await d.collect(
            "chat.completions.create", model=CHAT, messages=user("Say hello"), max_tokens=5
        )

    chunks = sdk.run(scenario)
    # no stream_options: no usage key at all (recordings 02, 03) and no usage chunk
    assert all("usage" not in chunk.model_fields_set for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "length"
    assert sum(1 for c in chunks[1:] if c.choices[0].delta.content) == 5


class Forecast(BaseModel):
    city: str
    unit: Literal["celsius", "fahrenheit"]


WEATHER_TOOL = openai.pydantic_function_tool(
    Forecast, name="get_weather", description="weather forecast for a city"
)
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_local_time",
        "description": "local time in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "hours": {"type": "integer", "minimum": 0, "maximum": 23},
            },
            "required": ["city", "hours"],
        },
    },
}


def test_streamed_tool_calls_are_accumulated_by_the_sdk(sdk: SDK) -> None:
    options = {
        "model": CHAT,
        "messages": user("What is the weather forecast and the local time in Paris city?"),
        "tools": [WEATHER_TOOL, TIME_TOOL],
    }

    async def scenario(d: Driver) -> tuple[list[Any], Any, Any]:
        events, final = await d.chat_stream(**options)
        plain = await d.call("chat.completions.create", **options)
        return events, final, plain

    events, final, plain = sdk.run(scenario)
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "get_local_time"]  # parallel calls
    assert len({c.id for c in calls}) == 2
    assert all(c.id.startswith("call_") for c in calls)
    # the strict pydantic tool comes back parsed; the plain one is valid JSON for its schema
    assert isinstance(calls[0].function.parsed_arguments, Forecast)
    hours = json.loads(calls[1].function.arguments)["hours"]
    assert isinstance(hours, int)
    assert 0 <= hours <= 23
    # the arguments arrived in fragments (recording 14), which the SDK stitched together
    fragments = [e for e in events if e.type == "tool_calls.function.arguments.delta"]
    assert len(fragments) > len(calls)
    assert {e.index for e in events if e.type == "tool_calls.function.arguments.done"} == {0, 1}
    # streamed and non-streamed requests call the same tools with the same arguments
    assert [(c.id, c.function.arguments) for c in plain.choices[0].message.tool_calls] == [
        (c.id, c.function.arguments) for c in calls
    ]


class Step(BaseModel):
    title: str
    minutes: int = Field(ge=1, le=90)


class Recipe(BaseModel):
    name: str
    difficulty: Literal["easy", "medium", "hard"]
    steps: list[Step]
    vegetarian: bool


def test_structured_outputs(sdk: SDK) -> None:
    async def scenario(d: Driver) -> tuple[Any, Any]:
        parsed = await d.call(
            "chat.completions.parse", model=CHAT, messages=user("A soup recipe"), response_format=Recipe
        )
        loose = await d.call(
            "chat.completions.create",
            model=CHAT,
            messages=user("Reply in JSON: hello"),
            response_format={"type": "json_object"},
        )
        return parsed, loose

    parsed, loose = sdk.run(scenario)
    message = parsed.choices[0].message
    assert isinstance(message.parsed, Recipe)
    assert message.parsed.steps
    assert all(1 <= step.minutes <= 90 for step in message.parsed.steps)
    assert Recipe.model_validate_json(message.content) == message.parsed
    assert isinstance(json.loads(loose.choices[0].message.content), dict)


def test_n_choices(sdk: SDK) -> None:
    async def scenario(d: Driver) -> Any:
        return await d.call(
            "chat.completions.create", model=CHAT, messages=user("Ideas for a team offsite"), n=3
        )

    result = sdk.run(scenario)
    contents = [c.message.content for c in result.choices]
    assert [c.index for c in result.choices] == [0, 1, 2]
    assert len(set(contents)) == 3
    assert result.usage.completion_tokens == sum(tokens(text) for text in contents)


def test_logprobs(sdk: SDK) -> None:
    options = {
        "model": CHAT,
        "messages": user("Summarise the history of Rome"),
        "logprobs": True,
        "top_logprobs": 2,
        "max_tokens": 12,
    }

    async def scenario(d: Driver) -> tuple[Any, list[Any]]:
        plain = await d.call("chat.completions.create", **options)
        return plain, await d.collect("chat.completions.create", **options)

    result, chunks = sdk.run(scenario)
    choice = result.choices[0]
    entries = choice.logprobs.content
    assert choice.finish_reason == "length"
    assert result.usage.completion_tokens == 12 == len(entries)
    assert "".join(e.token for e in entries) == choice.message.content
    for entry in entries:
        assert entry.logprob <= 0
        assert entry.bytes == list(entry.token.encode())
        assert len(entry.top_logprobs) == 2
        assert (entry.top_logprobs[0].token, entry.top_logprobs[0].logprob) == (entry.token, entry.logprob)
        assert entry.top_logprobs[1].logprob < entry.top_logprobs[0].logprob
    # streamed: the role chunk has an empty list, then one entry per content chunk (recording 11)
    assert chunks[1].choices[0].logprobs.content == []
    streamed = [
        e for c in chunks[2:] if c.choices and c.choices[0].logprobs for e in c.choices[0].logprobs.content
    ]
    assert [e.token for e in streamed] == [e.token for e in entries]
    assert all(e.top_logprobs[0].logprob == e.logprob <= 0 for e in streamed)


def test_reasoning_model(sdk: SDK) -> None:
    async def scenario(d: Driver) -> tuple[Exception, Any]:
        with pytest.raises(openai.BadRequestError) as rejected:
            await d.call(
                "chat.completions.create", model=REASONING, messages=user("Plan a trip"), max_tokens=50
            )
        accepted = await d.call(
            "chat.completions.create",
            model=REASONING,
            messages=user("Plan a trip"),
            max_completion_tokens=2000,
        )
        return rejected.value, accepted

    error, accepted = sdk.run(scenario)
    assert (error.status_code, error.code, error.param) == (400, "unsupported_parameter", "max_tokens")
    assert "max_completion_tokens" in error.message
    assert accepted.model == "o3-mini-2025-01-31"
    assert accepted.choices[0].message.content
    if sdk.surface == "v1":  # reasoning tokens are reported where usage details are (recording 12)
        reasoning = accepted.usage.completion_tokens_details.reasoning_tokens
        assert reasoning > 0
        assert reasoning % 64 == 0
        assert accepted.usage.completion_tokens == reasoning + tokens(accepted.choices[0].message.content)


# --- legacy completions ---------------------------------------------------------------------


def test_legacy_completions(sdk: SDK) -> None:
    options = {"model": INSTRUCT, "prompt": "What is Azure OpenAI?", "max_tokens": 10}

    async def scenario(d: Driver) -> tuple[Any, Any, list[Any], Any]:
        first = await d.call("completions.create", **options)
        second = await d.call("completions.create", **options)
        chunks = await d.collect("completions.create", **options)
        many = await d.call(
            "completions.create", model=INSTRUCT, prompt=["Hello there", "Good night"], max_tokens=40
        )
        return first, second, chunks, many

    first, second, chunks, many = sdk.run(scenario)
    choice = first.choices[0]
    assert (first.object, first.model) == ("text_completion", "gpt-3.5-turbo-instruct")  # recording 13
    assert first.id.startswith("cmpl-")
    assert choice.text.startswith("\n\n")  # as recording 13's text does
    assert (choice.finish_reason, first.usage.completion_tokens) == ("length", 10)
    assert first.usage.prompt_tokens == tokens("What is Azure OpenAI?", "cl100k_base") == 6  # recording 13: 6
    assert (second.id, second.choices[0].text) == (first.id, choice.text)
    # streamed: an annotation event, then the same text in pieces, finish_reason on the last piece
    assert chunks[0].choices == []
    assert "".join(c.choices[0].text for c in chunks[1:]) == choice.text
    assert [c.choices[0].finish_reason for c in chunks[1:]][-1] == "length"
    assert [c.index for c in many.choices] == [0, 1]
    assert many.model_extra["prompt_filter_results"][1]["prompt_index"] == 1


# --- embeddings -----------------------------------------------------------------------------


def test_embeddings_float_base64_and_dimensions(sdk: SDK) -> None:
    async def scenario(d: Driver) -> list[Any]:
        pair = {"model": EMBEDDING, "input": ["hello", "world"]}
        return [
            await d.call("embeddings.create", encoding_format="float", **pair),
            await d.call("embeddings.create", **pair),  # the SDK asks for base64 and decodes it
            await d.call("embeddings.create", model=EMBEDDING, input="hello", encoding_format="base64"),
            await d.call("embeddings.create", model=EMBEDDING, input="hello", dimensions=256),
        ]

    floats, decoded, raw, short = sdk.run(scenario)
    hello, world = (item.embedding for item in floats.data)
    assert [item.index for item in floats.data] == [0, 1]
    assert (floats.model, floats.usage.prompt_tokens, floats.usage.total_tokens) == (
        "text-embedding-3-small",
        2,
        2,
    )
    assert len(hello) == 1536
    assert all(isinstance(v, float) for v in hello)
    assert math.isclose(norm(hello), 1.0, abs_tol=1e-5)
    assert hello != world
    # the SDK's default base64 round trip gives the very same float32 values
    assert [item.embedding for item in decoded.data] == [hello, world]
    # explicit base64: little-endian float32 (recording 07: "AACAPw==" is 1.0)
    packed = base64.b64decode(raw.data[0].embedding)
    assert list(struct.unpack(f"<{len(packed) // 4}f", packed)) == hello
    # dimensions: a shorter unit vector pointing the same way as the start of the full one
    vector = short.data[0].embedding
    assert len(vector) == 256
    assert math.isclose(norm(vector), 1.0, abs_tol=1e-5)
    cosine = sum(a * b for a, b in zip(vector, hello[:256], strict=True)) / norm(hello[:256])
    assert cosine > 0.9999


# --- models ---------------------------------------------------------------------------------


def test_models_list_and_retrieve(sdk: SDK) -> None:
    async def scenario(d: Driver) -> tuple[list[Any], Any]:
        page = await d.call("models.list")
        models = [m async for m in page] if d.is_async else list(page)
        return models, await d.call("models.retrieve", "gpt-4o-2024-08-06")

    models, one = sdk.run(scenario)
    by_id = {m.id: m for m in models}
    assert {"gpt-4o-2024-08-06", "gpt-3.5-turbo-instruct", "text-embedding-3-small"} <= by_id.keys()
    assert {m.object for m in models} == {"model"}
    assert by_id["gpt-4o-2024-08-06"].model_extra["capabilities"]["chat_completion"] is True
    assert by_id["text-embedding-3-small"].model_extra["capabilities"]["embeddings"] is True
    assert one.id == "gpt-4o-2024-08-06"
    assert one.model_extra["status"] == "succeeded"


# --- errors ---------------------------------------------------------------------------------


def test_unknown_deployment_is_not_found(sdk: SDK) -> None:
    async def scenario(d: Driver) -> list[openai.NotFoundError]:
        errors = []
        # a stream request gets the same JSON error, not SSE (recording 06, azure-wire §6.1)
        for stream in (False, True):
            with pytest.raises(openai.NotFoundError) as caught:
                await d.call(
                    "chat.completions.create", model="no-such-deployment", messages=user("hi"), stream=stream
                )
            errors.append(caught.value)
        return errors

    for error in sdk.run(scenario):
        assert (error.status_code, error.code) == (404, "DeploymentNotFound")  # recording 05
        assert error.message.startswith("Error code: 404")
        assert "deployment for this resource does not exist" in error.message
        assert error.request_id is None  # recording 05: a gateway 404 has no X-Request-ID


def test_wrong_key_is_authentication_error(sdk: SDK, keyed_server: LiveServer) -> None:
    async def chat(d: Driver) -> Any:
        return await d.call("chat.completions.create", model=CHAT, messages=user("hi"), max_tokens=3)

    with pytest.raises(openai.AuthenticationError) as caught:
        sdk.run(chat, endpoint=keyed_server.endpoint, key="wrong-key")
    error = caught.value
    assert error.status_code == 401
    if sdk.surface == "azure":  # api-key header: recording 06's body
        assert error.code == "401"
        assert "invalid subscription key" in error.message
    else:  # the plain client sends the key as a Bearer token: the token-style body (azure-wire §2.1)
        assert error.body == {"statusCode": 401, "message": error.body["message"]}
        assert error.code is None
    assert sdk.run(chat, endpoint=keyed_server.endpoint, key=SERVER_KEY).choices[0].message.content


def test_report_sdk_version(record_property: Callable[[str, object], None]) -> None:
    """sdk-behaviour.md §1: every result should say which SDK release it ran with."""
    record_property("openai", openai.__version__)
    print(f"openai {openai.__version__}")
    assert int(openai.__version__.split(".")[0]) >= 1
