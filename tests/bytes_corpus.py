"""1,000 seeded, varied requests and the digest of every answer's bytes (status, headers in order, body).

Speed work must not change a byte of any answer (issue 18). ``fixtures/bytes/varied-1000.json`` holds
the digests the code gave before that work started; ``tests/test_bytes_stable.py`` compares today's
answers with them, with the fast path on and off. Regenerate only for a change that is meant to
change answers, and say so in its commit:

    .venv/bin/python -m tests.bytes_corpus --write
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

DIGESTS = Path(__file__).resolve().parent.parent / "fixtures" / "bytes" / "varied-1000.json"
COUNT = 1000
SEED = 18
KEY = "bytes-key"
JSON = {"content-type": "application/json"}
WORDS = tuple(
    [
        "weather",
        "Paris",
        "river",
        "invoice",
        "refund",
        "order",
        "shipping",
        "delay",
        "summary",
        "table",
        "poem",
        "haiku",
        "bug",
        "stack",
        "trace",
        "python",
        "function",
        "database",
        "index",
        "query",
        "cache",
        "latency",
        "budget",
        "forecast",
        "travel",
        "train",
        "hotel",
    ]
)
CHAT = ("gpt-4o", "gpt-4o-mini", "o3-mini")
EMBEDDINGS = ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")
VERSIONS = ("2024-10-21", "2025-01-01-preview", "2024-06-01")
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"title": {"type": "string"}, "score": {"type": "integer"}},
            "required": ["title", "score"],
            "additionalProperties": False,
        },
    },
}

Request = tuple[str, dict[str, Any]]


def prompt(rng: random.Random, i: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40))) + f" (request {i})"


def chat(rng: random.Random, i: int, v1: bool) -> Request:
    deployment = rng.choice(CHAT)
    body: dict[str, Any] = {"messages": [{"role": "user", "content": prompt(rng, i)}]}
    if rng.random() < 0.3:
        body["messages"].insert(0, {"role": "system", "content": prompt(rng, i)})
    body["max_tokens" if deployment != "o3-mini" else "max_completion_tokens"] = rng.choice((5, 16, 50, 200))
    if rng.random() < 0.4:
        body["stream"] = True
        if rng.random() < 0.5:
            body["stream_options"] = {"include_usage": True}
    if deployment != "o3-mini":
        if rng.random() < 0.2:
            body["n"] = 2
        if rng.random() < 0.3:
            body["temperature"] = rng.choice((0, 0.7, 1.3))
        if rng.random() < 0.15:
            body["logprobs"], body["top_logprobs"] = True, 2
    if rng.random() < 0.2:
        body["seed"] = rng.randint(0, 1000)
    if rng.random() < 0.15:
        body["tools"] = [TOOL]
    elif rng.random() < 0.1:
        body["response_format"] = SCHEMA
    elif rng.random() < 0.05:
        body["response_format"] = {"type": "json_object"}
        body["messages"][-1]["content"] += " Answer in JSON."
    if v1:
        body["model"] = deployment
        return "/openai/v1/chat/completions", body
    return f"/openai/deployments/{deployment}/chat/completions?api-version={rng.choice(VERSIONS)}", body


def completions(rng: random.Random, i: int) -> Request:
    body: dict[str, Any] = {"prompt": prompt(rng, i), "max_tokens": rng.choice((5, 16, 50))}
    if rng.random() < 0.3:
        body["stream"] = True
    return "/openai/deployments/gpt-35-turbo-instruct/completions?api-version=2024-10-21", body


def embeddings(rng: random.Random, i: int) -> Request:
    deployment = rng.choice(EMBEDDINGS)
    text = prompt(rng, i)
    body: dict[str, Any] = {"input": text if rng.random() < 0.6 else [text, prompt(rng, i + COUNT)]}
    if deployment != "text-embedding-ada-002" and rng.random() < 0.3:
        body["dimensions"] = rng.choice((64, 256))
    return f"/openai/deployments/{deployment}/embeddings?api-version=2024-10-21", body


def corpus() -> Iterator[Request]:
    rng = random.Random(SEED)
    for i in range(COUNT):
        roll = rng.random()
        if roll < 0.55:
            yield chat(rng, i, v1=False)
        elif roll < 0.75:
            yield chat(rng, i, v1=True)
        elif roll < 0.85:
            yield completions(rng, i)
        else:
            yield embeddings(rng, i)


def digest(status: int, headers: list[tuple[str, str]], body: bytes) -> str:
    head = f"{status}\n" + "".join(f"{name}: {value}\n" for name, value in headers)
    return hashlib.sha256(head.encode() + b"\n" + body).hexdigest()


def answers(tokenizer: str, fast_path: bool = True) -> list[str]:
    """The digest of each corpus request's answer from a fresh mock (seed 7, a frozen clock)."""
    settings = load_settings(seed=7, freeze_time=1_750_000_000.0, tokenizer=tokenizer, fast_path=fast_path)
    client = TestClient(create_app(settings), headers={"api-key": KEY})
    out = []
    for path, body in corpus():
        response = client.post(path, content=json.dumps(body).encode(), headers=JSON)
        out.append(digest(response.status_code, list(response.headers.multi_items()), response.content))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help=f"write {DIGESTS.name}")
    args = parser.parse_args()
    table = {tokenizer: answers(tokenizer) for tokenizer in ("approx", "bpe")}
    if args.write:
        DIGESTS.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS.write_text(json.dumps(table, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {DIGESTS} ({COUNT} digests per tokenizer)")
    else:
        print(json.dumps({k: hashlib.sha256("".join(v).encode()).hexdigest() for k, v in table.items()}))


if __name__ == "__main__":
    main()
