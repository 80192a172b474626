"""Seeded Responses traffic and the digest of every answer's bytes (status, headers in order, body).

Speed work on the Responses create (issue 15's bench target) must not change a byte of any answer.
``fixtures/bytes/responses-300.json`` holds the digests the code gave before that work started;
``tests/test_responses_bytes.py`` compares today's answers with them, with the fast path on and off.
The traffic: creates of many shapes (string and list input, own item ids, instructions, tools,
structured output, reasoning models, web search, ``store: false``, small ``max_output_tokens``,
streams, background), each followed by its retrieve and input items, some deleted; a third of the
bodies are sent four times in a row (the same second on a frozen clock: the fast path's memoised
create), on the classic or the v1 surface. Regenerate only for a change
that is meant to change answers, and say so in its commit:

    .venv/bin/python -m tests.responses_corpus --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from mockserver import create_app, load_settings

from .bytes_corpus import JSON, KEY, digest, prompt

DIGESTS = Path(__file__).resolve().parent.parent / "fixtures" / "bytes" / "responses-300.json"
COUNT = 300  # creates
SEED = 15
MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-nano", "o3-mini", "gpt-5-mini")
SURFACES = ("/openai/responses?api-version=2025-04-01-preview", "/openai/v1/responses")
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
SCHEMA = {
    "type": "json_schema",
    "name": "answer",
    "schema": {
        "type": "object",
        "properties": {"title": {"type": "string"}, "score": {"type": "integer"}},
        "required": ["title", "score"],
        "additionalProperties": False,
    },
}
Step = tuple[str, str, dict[str, Any] | None]  # method, path (or "create" + surface), body


def body_for(rng: random.Random, i: int) -> dict[str, Any]:
    body: dict[str, Any] = {"model": rng.choice(MODELS), "input": prompt(rng, i) + " Caf\u00e9 50% \u2713"}
    if rng.random() < 0.3:
        items: list[dict[str, Any]] = [{"role": "user", "content": prompt(rng, i)}]
        if rng.random() < 0.5:
            items.insert(0, {"type": "message", "role": "user", "id": f"msg_own{i}", "content": "Hi"})
        items.append({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "ok"}]})
        body["input"] = items
    for field, chance, values in (
        ("instructions", 0.2, ("Be brief.", "Answer in French.")),
        ("max_output_tokens", 0.5, (16, 50, 200, 1000)),
        ("temperature", 0.2, (0, 0.5, 1.5)),
        ("store", 0.1, (False,)),
        ("metadata", 0.1, ({"case": str(i)},)),
        ("tools", 0.15, ([WEATHER], [{"type": "web_search_preview"}])),
        ("text", 0.1, ({"format": SCHEMA},)),
        ("reasoning", 0.1, ({"effort": "low", "summary": "detailed"},)),
        ("stream", 0.15, (True,)),
        ("background", 0.05, (True,)),
    ):
        if rng.random() < chance:
            body[field] = rng.choice(values)
    return body


def steps() -> Iterator[tuple[str, dict[str, Any]]]:
    """(surface path, body) per create: two in five bodies are sent four times in a row (the memo
    keeps a create seen twice, the third checks it, the fourth is its memoised answer)."""
    rng = random.Random(SEED)
    sent = 0
    while sent < COUNT:
        surface, body = rng.choice(SURFACES), body_for(rng, sent)
        for _ in range(min(4 if rng.random() < 0.4 else 1, COUNT - sent)):
            sent += 1
            yield surface, body


def object_path(surface: str, response_id: str, tail: str = "") -> str:
    if surface.startswith("/openai/v1/"):
        return f"/openai/v1/responses/{response_id}{tail}"
    return f"/openai/responses/{response_id}{tail}?api-version=2025-04-01-preview"


def answers(fast_path: bool = True) -> list[str]:
    """The digest of each answer from a fresh mock (seed 7, a frozen clock): create, retrieve, input
    items, and for every fifth stored create its delete and the retrieve's 404 after it."""
    settings = load_settings(seed=7, freeze_time=1_754_441_765.0, tokenizer="approx", fast_path=fast_path)
    client = TestClient(create_app(settings), headers={"api-key": KEY})
    out = []

    def keep(response: Any) -> None:
        out.append(digest(response.status_code, list(response.headers.multi_items()), response.content))

    for i, (surface, body) in enumerate(steps()):
        created = client.post(surface, content=json.dumps(body).encode(), headers=JSON)
        keep(created)
        if body.get("stream") or created.status_code != 200:  # an error is kept too (background, no store)
            continue
        response_id = created.json()["id"]
        for tail in ("", "/input_items"):
            keep(client.get(object_path(surface, response_id, tail)))
        if i % 5 == 0 and body.get("store", True):
            keep(client.delete(object_path(surface, response_id)))
            keep(client.get(object_path(surface, response_id)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help=f"write {DIGESTS.name}")
    args = parser.parse_args()
    got = answers()
    if args.write:
        DIGESTS.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS.write_text(json.dumps(got, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {DIGESTS} ({len(got)} digests)")
    else:
        print(hashlib.sha256("".join(got).encode()).hexdigest(), len(got))


if __name__ == "__main__":
    main()
