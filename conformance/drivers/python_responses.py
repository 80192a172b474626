"""The Responses operations of the Python driver (``responses``, ``responses_stream``,
``responses_retrieve``), sync and async, as a user's code calls them."""

from __future__ import annotations

from typing import Any

from .protocol import DriverCall

PROMPT = "Say hello in five words."


def request(call: DriverCall) -> dict[str, Any]:
    return {"model": call.deployment, "input": PROMPT, **call.params}


def take_event(event: Any, result: dict[str, Any]) -> None:
    result["events"] += 1
    result["last"] = event.type
    if event.type == "response.completed":
        result["completed"] = True


def responses(client: Any, call: DriverCall, result: dict[str, Any]) -> None:
    if call.operation == "responses_stream":
        result.update(events=0, last=None, completed=False)
        for event in client.responses.create(stream=True, **request(call)):
            take_event(event, result)
        return
    created = client.responses.create(**request(call))
    result["status"] = created.status
    if call.operation == "responses_retrieve":
        result["retrieved"] = client.responses.retrieve(created.id).id == created.id


async def responses_async(client: Any, call: DriverCall, result: dict[str, Any]) -> None:
    if call.operation == "responses_stream":
        result.update(events=0, last=None, completed=False)
        async for event in await client.responses.create(stream=True, **request(call)):
            take_event(event, result)
        return
    created = await client.responses.create(**request(call))
    result["status"] = created.status
    if call.operation == "responses_retrieve":
        result["retrieved"] = (await client.responses.retrieve(created.id)).id == created.id
