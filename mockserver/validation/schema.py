"""JSON Schemas in a request (``response_format.json_schema.schema``, ``tools[].function.parameters``):
checked before anything is generated from them.

A keyword with a value of the wrong type (``"minLength": "5"``, ``"enum": {}``, ``"$ref": 5``), an
unknown ``type``, or a schema with more than ``limits.MAX_SCHEMA_NODES`` subschemas gets a 400 in
OpenAI's wording, ``Invalid schema for response_format '<name>': In context=(<path>), <detail>.``
(``param: "response_format"``, ``code: "invalid_json_schema"``) or ``Invalid schema for function
'<name>': ...`` (``param: "tools[i].function.parameters"``, ``code: "invalid_function_parameters"``):
reports of OpenAI's and Azure's answers (litellm, openai-python issues); the exact details Azure
gives per keyword are not recorded (inferred).
"""

from __future__ import annotations

from typing import Any

from ..errors import AzureError, invalid_request
from ..limits import MAX_SCHEMA_NODES

TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
NUMBERS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
STRINGS = ("format", "pattern", "description", "title", "$ref", "$id", "$schema")
SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
SINGLE_SCHEMAS = ("not", "additionalProperties", "items", "contains", "propertyNames")
LARGEST = 1.7976931348623157e308


class SchemaProblem(Exception):
    def __init__(self, path: tuple[str, ...], detail: str) -> None:
        super().__init__(detail)
        self.path, self.detail = path, detail


def check_response_schema(schema: Any, name: Any) -> None:
    """400 for a response_format schema that cannot be generated from."""
    try:
        check_schema(schema)
    except SchemaProblem as problem:
        raise schema_error(
            f"response_format '{name}'", problem, "response_format", "invalid_json_schema"
        ) from None


def check_function_schema(schema: Any, name: Any, index: int) -> None:
    try:
        check_schema(schema)
    except SchemaProblem as problem:
        raise schema_error(
            f"function '{name}'",
            problem,
            f"tools[{index}].function.parameters",
            "invalid_function_parameters",
        ) from None


def schema_error(what: str, problem: SchemaProblem, param: str, code: str) -> AzureError:
    context = ", ".join(repr(p) for p in problem.path) + ("," if len(problem.path) == 1 else "")
    return invalid_request(
        f"Invalid schema for {what}: In context=({context}), {problem.detail}.", param, code
    )


def check_schema(schema: Any) -> None:
    """Walk ``schema`` (iteratively) and raise ``SchemaProblem`` at the first bad keyword."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(schema, ())]
    nodes = 0
    while stack:
        node, path = stack.pop()
        nodes += 1
        if nodes > MAX_SCHEMA_NODES:
            raise SchemaProblem((), f"the schema has more than {MAX_SCHEMA_NODES} subschemas")
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            raise SchemaProblem(path, f"schema must be an object or a boolean, got {kind(node)}")
        check_keywords(node, path)
        stack.extend(children(node, path))


def check_keywords(node: dict[str, Any], path: tuple[str, ...]) -> None:
    for key in COUNTS:
        value = node.get(key)
        if key in node and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise SchemaProblem(path, f"'{key}' must be a non-negative integer, got {kind(value)}")
    for key in NUMBERS:
        value = node.get(key)
        if key in node and (
            isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > LARGEST
        ):
            raise SchemaProblem(path, f"'{key}' must be a number, got {kind(value)}")
    for key in STRINGS:
        if key in node and not isinstance(node[key], str):
            raise SchemaProblem(path, f"'{key}' must be a string, got {kind(node[key])}")
    if "type" in node:
        check_type_keyword(node["type"], path)
    if "enum" in node and (not isinstance(node["enum"], list) or not node["enum"]):
        raise SchemaProblem(path, f"'enum' must be a non-empty array, got {kind(node['enum'])}")
    required = node.get("required")
    if "required" in node and (
        not isinstance(required, list) or not all(isinstance(r, str) for r in required)
    ):
        raise SchemaProblem(path, "'required' must be an array of strings")


def check_type_keyword(value: Any, path: tuple[str, ...]) -> None:
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n in TYPES for n in names):
        raise SchemaProblem(
            path, f"'type' must be one of {sorted(TYPES)} or an array of them, got {value!r:.80}"
        )


def children(node: dict[str, Any], path: tuple[str, ...]) -> list[tuple[Any, tuple[str, ...]]]:
    found: list[tuple[Any, tuple[str, ...]]] = []
    for key in SCHEMA_LISTS:
        if key in node:
            items = node[key]
            if not isinstance(items, list) or not items:
                raise SchemaProblem(path, f"'{key}' must be a non-empty array of schemas, got {kind(items)}")
            found.extend((item, (*path, key, str(i))) for i, item in enumerate(items))
    for key in SCHEMA_MAPS:
        if key in node:
            members = node[key]
            if not isinstance(members, dict):
                raise SchemaProblem(path, f"'{key}' must be an object of schemas, got {kind(members)}")
            found.extend((sub, (*path, key, name)) for name, sub in members.items())
    for key in SINGLE_SCHEMAS:
        if key in node:
            sub = node[key]
            if key == "items" and isinstance(sub, list):  # the older tuple form
                found.extend((item, (*path, key, str(i))) for i, item in enumerate(sub))
            else:
                found.append((sub, (*path, key)))
    return found


def kind(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), "a value")
