"""The memoised create (``responses.template``, fast path only) sends and stores what the slow path
would: the same bytes for the create and for every read after it, only the ids its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.responses.events import pretty
from mockserver.responses.ids import ResponseIds
from mockserver.responses.store import items_record
from mockserver.responses.template import Template

CLASSIC = "/openai/responses?api-version=2025-04-01-preview"
WEATHER = {"type": "function", "name": "weather", "parameters": {"type": "object", "properties": {}}}
BODIES: list[dict[str, Any]] = [
    {"model": "gpt-4o-mini", "input": "Hello there, 50% off? Caf\u00e9"},
    {
        "model": "gpt-4o",
        "input": [
            {"type": "message", "role": "user", "id": "msg_mine", "content": "Hi"},
            {"role": "user", "content": [{"type": "input_text", "text": "Weather in Oslo?"}]},
        ],
        "instructions": "Be brief.",
        "max_output_tokens": 16,
    },
    {"model": "gpt-4o-mini", "input": "Weather in Oslo?", "tools": [WEATHER], "tool_choice": "required"},
    {"model": "o3-mini", "input": "Why is the sky blue?", "reasoning": {"summary": "detailed"}},
    {"model": "gpt-4o-mini", "input": "News about rivers", "tools": [{"type": "web_search_preview"}]},
    {"model": "gpt-4o-mini", "input": "Not kept", "store": False, "metadata": {"a": "b"}},
]


def exchanges(fast: bool, body: dict[str, Any]) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """Four identical creates, each with its retrieve and input items, on a fresh mock."""
    app = create_app(load_settings(seed=3, freeze_time=1_754_441_765.0, fast_path=fast))
    client = TestClient(app, headers={"api-key": "k"})
    seen = []
    for _ in range(4):
        created = client.post(CLASSIC, json=body)
        response_id = created.json()["id"]
        reads = [
            client.get(f"/openai/responses/{response_id}{tail}?api-version=2025-04-01-preview")
            for tail in ("", "/input_items")
        ]
        seen += [(r.status_code, list(r.headers.multi_items()), r.content) for r in (created, *reads)]
    filled = [v for v, _ in app.state.memo.cache.data.values() if isinstance(v, Template)]
    assert (len(filled) == 1 and filled[0].forms is not None) is fast  # the memoised create was used
    return seen


@pytest.mark.parametrize("body", BODIES, ids=lambda body: str(body["input"])[:16])
def test_memoised_creates_send_and_store_what_the_slow_path_does(body: dict[str, Any]) -> None:
    fast, plain = exchanges(True, body), exchanges(False, body)
    kept = body.get("store", True)
    assert [status for status, _, _ in fast] == [200, 200, 200] * 4 if kept else [200, 404, 404] * 4
    assert fast == plain
    ids = {json.loads(content)["id"] for status, _, content in fast[::3]}
    assert len(ids) == 4  # every create its own response


def sample(ids: ResponseIds, text: str) -> dict[str, Any]:
    output = [{"id": ids.make("msg"), "type": "message", "content": [{"type": "output_text", "text": text}]}]
    return {
        "id": ids.response,
        "object": "response",
        "created_at": ids.created_at,
        "output": output,
        "store": True,
    }


ITEMS = [{"type": "message", "role": "user", "content": "Hi"}, {"id": "msg_mine", "type": "message"}]


def test_filled_is_the_slow_rendering_with_the_new_ids() -> None:
    first, second = (ResponseIds.new(1_754_441_765, 3, name) for name in ("req-a", "req-b"))
    template = Template(sample(first, "50% sure"), pretty(sample(first, "50% sure")), first, ITEMS)
    want = sample(second, "50% sure")
    assert template.filled(second) == (
        pretty(want),
        json.dumps(want),
        json.dumps(items_record(second.response, ITEMS, [])),
    )


def test_an_answer_quoting_its_own_id_or_from_another_second_is_rendered_the_slow_way() -> None:
    first = ResponseIds.new(1_754_441_765, 3, "req-a")
    quoting = sample(first, f"I am {first.response}")
    assert (
        Template(quoting, pretty(quoting), first, ITEMS).filled(ResponseIds.new(1_754_441_765, 3, "b"))
        is None
    )
    plain = sample(first, "hello")
    later = ResponseIds.new(1_754_441_766, 3, "req-b")
    assert Template(plain, pretty(plain), first, ITEMS).filled(later) is None
