"""The memoised create (``responses.template``, fast path only) sends and stores what the slow path
would, JSON and streams alike: the same bytes for the create and for every read after it, only the ids
its own; and a template that would not give the slow path's bytes is never used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.responses.events import pretty
from mockserver.responses.ids import ResponseIds
from mockserver.responses.template import Template, rendering

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
    {"model": "gpt-4o-mini", "input": "Stream me, caf\u00e9 \u2713", "stream": True, "max_output_tokens": 50},
    {
        "model": "gpt-4o-mini",
        "input": "Weather?",
        "tools": [WEATHER],
        "tool_choice": "required",
        "stream": True,
    },
    {"model": "o3-mini", "input": "Think, then stream", "reasoning": {"summary": "detailed"}, "stream": True},
]
RESPONSE_ID = re.compile(rb'"id": ?"(resp_[0-9a-f]{48})"')


def exchanges(fast: bool, body: dict[str, Any]) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """Five identical creates, each with its retrieve and input items, on a fresh mock."""
    app = create_app(load_settings(seed=3, freeze_time=1_754_441_765.0, fast_path=fast))
    client = TestClient(app, headers={"api-key": "k"})
    seen = []
    for _ in range(5):
        created = client.post(CLASSIC, json=body)
        found = RESPONSE_ID.search(created.content)
        assert found is not None
        reads = [
            client.get(f"/openai/responses/{found.group(1).decode()}{tail}?api-version=2025-04-01-preview")
            for tail in ("", "/input_items")
        ]
        seen += [(r.status_code, list(r.headers.multi_items()), r.content) for r in (created, *reads)]
    templates = [v for v, _ in app.state.memo.cache.data.values() if isinstance(v, Template)]
    assert (len(templates) == 1 and templates[0].forms is not None) is fast  # checked, then used
    return seen


@pytest.mark.parametrize("body", BODIES, ids=lambda body: str(body["input"])[:16])
def test_memoised_creates_send_and_store_what_the_slow_path_does(body: dict[str, Any]) -> None:
    fast, plain = exchanges(True, body), exchanges(False, body)
    kept = body.get("store", True)
    assert [status for status, _, _ in fast] == ([200, 200, 200] if kept else [200, 404, 404]) * 5
    assert fast == plain
    created = [RESPONSE_ID.search(content) for _, _, content in fast[::3]]
    assert len({found.group(1) for found in created if found is not None}) == 5  # each its own response


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
A, B, C = (ResponseIds.new(1_754_441_765, 3, name) for name in ("req-a", "req-b", "req-c"))


def slow(ids: ResponseIds, text: str) -> Any:
    return rendering(sample(ids, text), ITEMS, pretty(sample(ids, text)))


def test_a_checked_template_fills_in_the_slow_rendering_of_other_ids() -> None:
    template = Template(sample(A, "50% sure"), A, ITEMS, pretty(sample(A, "50% sure")))
    assert template.filled(C) is None  # not checked yet
    template.check(B, slow(B, "50% sure"))
    assert template.filled(C) == slow(C, "50% sure")
    assert template.filled(ResponseIds.new(1_754_441_766, 3, "req-d")) is None  # another second


def test_a_template_whose_text_quotes_its_own_id_is_never_used() -> None:
    quoting = f"I am {A.response}"
    template = Template(sample(A, quoting), A, ITEMS, pretty(sample(A, quoting)))
    template.check(B, slow(B, quoting))
    assert template.forms is None
    assert template.filled(C) is None
