"""Generate a JSON value that validates against a JSON Schema (the subset used by tools and
structured outputs: type, properties, required, items, enum, const, anyOf/oneOf/allOf, $ref to
$defs/definitions, min/max bounds, string formats). Deterministic for a given seed source.

The schema has been checked already (``validation.schema``). What it may ask for is bounded here: a
``Budget`` of characters (from the request's token limit and ``limits.MAX_GENERATED_CHARS``) is
spent as values are made, and once it is spent strings stop growing and arrays and objects stop
taking members, so a schema asking for a billion-character string, a billion items or an
exponential tree of ``$ref``s costs no more than the budget (``Budget.spent`` then tells the caller
to finish with "length", as Azure stops a reply at its token limit).
"""

from __future__ import annotations

import math
import random
from typing import Any

from ..limits import MAX_GENERATED_CHARS

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


class Budget:
    """Characters a generated value may still take; ``spent`` once it ran out."""

    def __init__(self, chars: int) -> None:
        self.left = chars
        self.spent = False

    def take(self, wanted: int) -> int:
        """Up to ``wanted`` characters (fewer, or 0, when the budget runs out)."""
        granted = max(0, min(wanted, self.left))
        self.left -= granted
        if granted < wanted:
            self.spent = True
        return granted


def instance(
    schema: Any, rng: random.Random, root: Any = None, depth: int = 0, budget: Budget | None = None
) -> Any:
    """A value valid for ``schema``; ``root`` resolves local ``$ref``s; ``budget`` bounds its size."""
    root = schema if root is None else root
    budget = Budget(MAX_GENERATED_CHARS) if budget is None else budget
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None if depth > MAX_DEPTH else "value"
    if "$ref" in schema:
        return instance(resolve(schema["$ref"], root), rng, root, depth + 1, budget)
    if "const" in schema:
        budget.take(8)
        return schema["const"]
    if schema.get("enum"):
        budget.take(8)
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return instance(schema[key][0], rng, root, depth + 1, budget)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                merged = merge(merged, part)
        return instance(merged, rng, root, depth + 1, budget)
    return by_type(schema, rng, root, depth, budget)


def by_type(schema: dict[str, Any], rng: random.Random, root: Any, depth: int, budget: Budget) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return GENERATORS.get(kind, lambda *_: None)(schema, rng, root, depth, budget)


def gen_object(
    schema: dict[str, Any], rng: random.Random, root: Any, depth: int, budget: Budget
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, sub in schema.get("properties", {}).items():
        if budget.take(len(name) + 4) < len(name) + 4:
            break
        result[name] = instance(sub, rng, root, depth + 1, budget)
    return result


def gen_array(schema: dict[str, Any], rng: random.Random, root: Any, depth: int, budget: Budget) -> list[Any]:
    low = schema.get("minItems", 1)
    high = max(low, min(schema.get("maxItems", low + 2), low + 2))
    items = schema.get("items", {"type": "string"})
    result = []
    for _ in range(rng.randint(low, high)):
        if not budget.take(1):
            break
        result.append(instance(items, rng, root, depth + 1, budget))
    return result


def gen_string(schema: dict[str, Any], rng: random.Random, root: Any, depth: int, budget: Budget) -> str:
    if schema.get("format") in FORMATS:
        budget.take(len(FORMATS[schema["format"]]))
        return FORMATS[schema["format"]]
    text = rng.choice(SAMPLE_WORDS)
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(text) < low:
        text += "x" * budget.take(low - len(text))
    text = text[:high] if high is not None else text
    budget.take(len(text) + 2)
    return text


def gen_integer(schema: dict[str, Any], rng: random.Random, root: Any, depth: int, budget: Budget) -> int:
    low = int(schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1))
    high = int(schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1))
    return rng.randint(low, max(low, high))


def gen_number(schema: dict[str, Any], rng: random.Random, root: Any, depth: int, budget: Budget) -> float:
    low = float(schema.get("minimum", schema.get("exclusiveMinimum", 0.0)))
    high = float(schema.get("maximum", schema.get("exclusiveMaximum", low + 100.0)))
    value = rng.uniform(low, high)
    value = round(value, 2) if math.isfinite(value) else low  # a range wider than a double holds
    return min(max(value, low), high) if low < high else low


GENERATORS: dict[str, Any] = {
    "object": gen_object,
    "array": gen_array,
    "string": gen_string,
    "integer": gen_integer,
    "number": gen_number,
    "boolean": lambda s, rng, r, d, b: rng.random() < 0.5,
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
