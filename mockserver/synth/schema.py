"""Generate a JSON value that validates against a JSON Schema (the subset used by tools and
structured outputs: type, properties, required, items, enum, const, anyOf/oneOf/allOf, $ref to
$defs/definitions, min/max bounds, string formats). Deterministic for a given seed source.
"""

from __future__ import annotations

import random
from typing import Any

SAMPLE_WORDS = ("alpha", "bravo", "Seattle", "blue", "example", "value", "Paris", "green", "sample")
FORMATS = {
    "date-time": "2025-01-01T12:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
}
MAX_DEPTH = 8


def instance(schema: Any, rng: random.Random, root: Any = None, depth: int = 0) -> Any:
    """A value valid for ``schema``; ``root`` resolves local ``$ref``s."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None if depth > MAX_DEPTH else "value"
    if "$ref" in schema:
        return instance(resolve(schema["$ref"], root), rng, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return instance(schema[key][0], rng, root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged = merge(merged, part)
        return instance(merged, rng, root, depth + 1)
    return by_type(schema, rng, root, depth)


def by_type(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return GENERATORS.get(kind, lambda *_: None)(schema, rng, root, depth)


def gen_object(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> dict[str, Any]:
    props = schema.get("properties", {})
    return {name: instance(sub, rng, root, depth + 1) for name, sub in props.items()}


def gen_array(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> list[Any]:
    low = schema.get("minItems", 1)
    high = max(low, min(schema.get("maxItems", low + 2), low + 2))
    items = schema.get("items", {"type": "string"})
    return [instance(items, rng, root, depth + 1) for _ in range(rng.randint(low, high))]


def gen_string(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> str:
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    text = rng.choice(SAMPLE_WORDS)
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    while len(text) < low:
        text += "x"
    return text[:high] if high is not None else text


def gen_integer(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> int:
    low = int(schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1))
    high = int(schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1))
    return rng.randint(low, max(low, high))


def gen_number(schema: dict[str, Any], rng: random.Random, root: Any, depth: int) -> float:
    low = float(schema.get("minimum", schema.get("exclusiveMinimum", 0.0)))
    high = float(schema.get("maximum", schema.get("exclusiveMaximum", low + 100.0)))
    value = round(rng.uniform(low, high), 2)
    return min(max(value, low), high) if low < high else low


GENERATORS: dict[str, Any] = {
    "object": gen_object,
    "array": gen_array,
    "string": gen_string,
    "integer": gen_integer,
    "number": gen_number,
    "boolean": lambda s, rng, r, d: rng.random() < 0.5,
    "null": lambda *_: None,
}


def resolve(ref: str, root: Any) -> Any:
    if not ref.startswith("#"):
        return {}
    node = root
    for part in ref.lstrip("#/").split("/"):
        if not part:
            continue
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    result = {**a, **b}
    if "properties" in a or "properties" in b:
        result["properties"] = {**a.get("properties", {}), **b.get("properties", {})}
    return result
