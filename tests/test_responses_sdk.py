"""The official openai SDK (Python, sync and async) against the Responses API on both surfaces:
create, stream (with the SDK's stream helper that assembles the final response), tools with a second
turn that sends the function output, structured outputs, retrieve, delete, input items, background
and cancel, chaining, store: false, the stale_read fault, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from hypothesis import given, settings

from mockserver.strategies import responses_requests
from mockserver.testing.handle import MockAzure

WEATHER = {
    "type": "function",
    "name": "get_weather_at_location",
    "description": "Gets the weather at a specified location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}
ANIMALS = {
    "type": "json_schema",
    "name": "data_list",
    "schema": {
        "type": "object",
        "properties": {"animal_data_list": {"type": "array", "items": {"type": "string"}}},
        "required": ["animal_data_list"],
        "additionalProperties": False,
    },
}


@pytest.fixture
def aoai_mock() -> Iterator[MockAzure]:
    with MockAzure.inprocess() as mock:
        yield mock


def make_client(mock: MockAzure, surface: str, asynchronous: bool = False, retries: int = 0) -> Any:
    if surface == "classic":
        factory = mock.async_client if asynchronous else mock.client
        return factory(api_version="2025-04-01-preview", max_retries=retries)
    cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    http = openai.DefaultAsyncHttpxClient if asynchronous else openai.DefaultHttpxClient
    return cls(
        base_url=mock.base_url,
        api_key=mock.api_key,
        max_retries=retries,
        default_headers=mock.headers,
        http_client=mock.http_client(http),
    )


SURFACES = ("classic", "v1")


@pytest.mark.parametrize("surface", SURFACES)
def test_create_retrieve_input_items_delete(aoai_mock: MockAzure, surface: str) -> None:
    client = make_client(aoai_mock, surface)
    created = client.responses.create(
        model="gpt-4o-mini", input="Tell me about tropical fruit", metadata={"k": "v"}
    )
    assert created.id.startswith("resp_") and len(created.id) == 53
    assert created.status == "completed"
    assert created.model == "gpt-4o-mini"
    assert created.output_text
    assert created.output[0].id.startswith("msg_")
    assert created.usage.total_tokens == created.usage.input_tokens + created.usage.output_tokens
    assert created.metadata == {"k": "v"}
    again = client.responses.retrieve(created.id)
    assert again.model_dump() == created.model_dump()
    items = client.responses.input_items.list(created.id)
    assert [item.content[0].text for item in items.data] == ["Tell me about tropical fruit"]
    deleted = client.responses.delete(created.id)
    assert deleted is None  # the SDK returns nothing for the recorded {"object": "response.deleted"}
    with pytest.raises(openai.NotFoundError) as missing:
        client.responses.retrieve(created.id)
    assert f"Response with id '{created.id}' not found." in str(missing.value)
    journal = aoai_mock.requests.filter(operation="responses.create")
    assert len(journal) == 1


@pytest.mark.parametrize("surface", SURFACES)
def test_stream_helper_assembles_the_final_response(aoai_mock: MockAzure, surface: str) -> None:
    client = make_client(aoai_mock, surface)
    with client.responses.stream(model="gpt-4o-mini", input="Say hello") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert final.status == "completed"
    assert final.output_text
    assert client.responses.retrieve(final.id).output_text == final.output_text


@pytest.mark.parametrize("surface", SURFACES)
def test_tools_then_second_turn_with_function_output(aoai_mock: MockAzure, surface: str) -> None:
    client = make_client(aoai_mock, surface)
    first = client.responses.create(
        model="gpt-4o-mini", input="What is the weather in Paris?", tools=[WEATHER]
    )
    (call,) = first.output
    assert call.type == "function_call"
    assert call.id.startswith("fc_") and call.call_id.startswith("call_")
    assert call.name == "get_weather_at_location"
    assert "location" in json.loads(call.arguments)
    second = client.responses.create(
        model="gpt-4o-mini",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "22 celsius and windy"}],
        tools=[WEATHER],
    )
    assert second.output[0].type == "message"
    assert second.previous_response_id == first.id
    assert second.usage.input_tokens > first.usage.input_tokens  # the first turn counts as context


def test_streamed_function_call_arguments(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "v1")
    with client.responses.stream(model="gpt-4o-mini", input="Weather in Oslo?", tools=[WEATHER]) as stream:
        deltas = [e.delta for e in stream if e.type == "response.function_call_arguments.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output[0].arguments


@pytest.mark.parametrize("surface", SURFACES)
def test_structured_output_validates_against_the_schema(aoai_mock: MockAzure, surface: str) -> None:
    client = make_client(aoai_mock, surface)
    response = client.responses.create(
        model="gpt-4o-mini", input="Write a JSON document with five animals", text={"format": ANIMALS}
    )
    data = json.loads(response.output_text)
    assert list(data) == ["animal_data_list"]
    assert all(isinstance(animal, str) for animal in data["animal_data_list"])
    assert response.text.format.strict is True


def test_max_output_tokens_is_incomplete(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "classic")
    response = client.responses.create(model="gpt-4o-mini", input="Write three haikus", max_output_tokens=16)
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens == 16


def test_reasoning_model_emits_reasoning_items(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "classic")
    response = client.responses.create(
        model="o3-mini", input="Fold a burrito", reasoning={"effort": "medium", "summary": "detailed"}
    )
    kinds = [item.type for item in response.output]
    assert kinds == ["reasoning", "message"]
    assert response.output[0].id.startswith("rs_") and len(response.output[0].summary) == 2
    assert response.usage.output_tokens_details.reasoning_tokens > 0


def test_chaining_remembers_and_store_false_is_not_kept(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "v1")
    aoai_mock.reply(r"my name", "Your name is Travis.")
    first = client.responses.create(model="gpt-4o-mini", input="Hello! I am Travis.")
    second = client.responses.create(
        model="gpt-4o-mini", input="What is my name?", previous_response_id=first.id
    )
    assert second.output_text == "Your name is Travis."
    loose = client.responses.create(model="gpt-4o-mini", input="Hello", store=False)
    assert loose.store is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(loose.id)
    with pytest.raises(openai.BadRequestError) as unknown:
        client.responses.create(model="gpt-4o-mini", input="Hi", previous_response_id=loose.id)
    assert unknown.value.code == "previous_response_not_found"


def test_background_completes_on_the_clock_and_cancel(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "classic")
    queued = client.responses.create(model="gpt-4o-mini", input="Long task", background=True)
    assert queued.status == "queued"
    assert client.responses.retrieve(queued.id).status == "in_progress"
    aoai_mock.clock.advance(5)
    done = client.responses.retrieve(queued.id)
    assert done.status == "completed" and done.output_text
    running = client.responses.create(model="gpt-4o-mini", input="Another", background=True)
    cancelled = client.responses.cancel(running.id)
    assert cancelled.status == "cancelled"
    aoai_mock.clock.advance(5)
    assert client.responses.retrieve(running.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError):
        client.responses.cancel(
            done.id if False else client.responses.create(model="gpt-4o-mini", input="x").id
        )


def test_stale_read_misses_then_appears(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "v1")
    aoai_mock.faults.add(
        [
            {
                "match": {"operation": "responses.create"},
                "fault": {"kind": "stale_read", "reads": 2},
                "times": 1,
            }
        ]
    )
    created = client.responses.create(model="gpt-4o-mini", input="Hi")
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)
    with pytest.raises(openai.BadRequestError) as chained:
        client.responses.create(model="gpt-4o-mini", input="Again", previous_response_id=created.id)
    assert chained.value.code == "previous_response_not_found"
    assert client.responses.retrieve(created.id).id == created.id


def test_errors(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "classic")
    with pytest.raises(openai.BadRequestError) as unknown:
        client.responses.create(model="gpt-4o-mini", input="Hi", extra_body={"colour": "blue"})
    assert unknown.value.body["param"] == "colour"
    with pytest.raises(openai.BadRequestError) as typed:
        client.responses.create(model="gpt-4o-mini", input="Hi", temperature="hot")  # type: ignore[arg-type]
    assert typed.value.body["param"] == "temperature"
    old = aoai_mock.client(api_version="2024-10-21", max_retries=0)
    with pytest.raises(openai.BadRequestError) as gated:
        old.responses.create(model="gpt-4o-mini", input="Hi")
    assert "2025-03-01-preview and later" in str(gated.value)


def test_retries_a_429_on_create(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "v1", retries=2)
    aoai_mock.faults.add(
        [{"match": {"operation": "responses.create"}, "fault": {"status": 429, "retry_after": 0}, "times": 1}]
    )
    response = client.responses.with_raw_response.create(model="gpt-4o-mini", input="Hi")
    assert response.parse().status == "completed"
    assert response.retries_taken == 1


def test_error_event_ends_the_stream_with_response_failed(aoai_mock: MockAzure) -> None:
    client = make_client(aoai_mock, "v1")
    aoai_mock.faults.add(
        [{"match": {"operation": "responses.create"}, "fault": {"kind": "error_event", "after_chunks": 4}}]
    )
    events = list(client.responses.create(model="gpt-4o-mini", input="Hi", stream=True))
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[-1].type == "response.failed"
    assert events[-1].response.error.code == "server_error"


def test_async_client_create_stream_and_retrieve(aoai_mock: MockAzure) -> None:
    async def run() -> None:
        for surface in SURFACES:
            client = make_client(aoai_mock, surface, asynchronous=True)
            async with client:
                created = await client.responses.create(model="gpt-4o-mini", input="Hello")
                assert (await client.responses.retrieve(created.id)).output_text == created.output_text
                async with client.responses.stream(
                    model="gpt-4o-mini", input="Hi", tools=[WEATHER]
                ) as stream:
                    async for _ in stream:
                        pass
                    final = await stream.get_final_response()
                assert final.output[0].type == "function_call"
                items = await client.responses.input_items.list(created.id)
                assert items.data[0].type == "message"
                await client.responses.delete(created.id)

    asyncio.run(run())


@pytest.mark.parametrize("surface", SURFACES)
def test_a_batch_of_responses_lines(aoai_mock: MockAzure, surface: str) -> None:
    client = make_client(aoai_mock, surface)
    rows = [
        {
            "custom_id": f"q{n}",
            "method": "POST",
            "url": "/v1/responses",
            "body": {"model": "gpt-4o-mini", "input": q},
        }
        for n, q in enumerate(["What is Azure?", "What is a batch?"])
    ]
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    upload = client.files.create(file=("responses.jsonl", data), purpose="batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/responses", completion_window="24h")
    aoai_mock.batches.complete(batch.id)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts.completed == 2
    output = [json.loads(line) for line in client.files.content(done.output_file_id).text.splitlines()]
    bodies = {row["custom_id"]: row["response"]["body"] for row in output}
    assert sorted(bodies) == ["q0", "q1"]
    assert all(
        body["object"] == "response" and body["output"][0]["type"] == "message" for body in bodies.values()
    )
    assert aoai_mock.requests.filter(operation="responses.create")  # the lines went through the pipeline


@settings(max_examples=10, deadline=None)
@given(body=responses_requests())
def test_any_valid_request_answers_in_the_recorded_shape(body: dict[str, Any]) -> None:
    with MockAzure.inprocess() as mock:
        client = make_client(mock, "v1")
        raw = client.responses.with_raw_response.create(**body)
        data = json.loads(raw.text)
        assert list(data)[:4] == ["id", "object", "created_at", "status"]
        assert list(data)[-1] == "metadata"
        assert data["status"] in ("completed", "incomplete")
        assert data["model"] == body["model"]
        assert data["store"] is body.get("store", True)
        limit = body.get("max_output_tokens")
        assert limit is None or data["usage"]["output_tokens"] <= limit


@pytest.mark.parametrize("surface", SURFACES)
def test_the_sdk_resumes_a_background_stream(aoai_mock: MockAzure, surface: str) -> None:
    client = make_client(aoai_mock, surface)
    first = list(
        client.responses.create(model="gpt-4o-mini", input="A long report", background=True, stream=True)
    )
    resumed = list(client.responses.retrieve(first[0].response.id, stream=True, starting_after=5))
    assert [e.sequence_number for e in resumed] == [e.sequence_number for e in first[6:]]
    assert resumed[-1].type == "response.completed"


def test_canned_replies_see_the_whole_chained_conversation(aoai_mock: MockAzure) -> None:
    """Recording 23's exchange: the name is in the first turn, the question in the second."""
    client = make_client(aoai_mock, "classic")
    aoai_mock.reply(r"My name is (\w+)", "You told me your name is Travis.")
    first = client.responses.create(model="gpt-4o-mini", input="Hello, Assistant! My name is Travis.")
    second = client.responses.create(
        model="gpt-4o-mini", input="What's my name?", previous_response_id=first.id
    )
    assert second.output_text == "You told me your name is Travis."
    alone = client.responses.create(model="gpt-4o-mini", input="What's my name?")
    assert alone.output_text != "You told me your name is Travis."
