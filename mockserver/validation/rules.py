"""Small request checks that raise Azure-shaped 400s naming the ``param``.

Wording follows the model-family errors Azure passes through from the model service
(OpenAI-style ``Invalid type for 'x'`` / ``Invalid 'x': integer above maximum value``; report
LibreChat#3111 for the type wording; the range and length wordings are OpenAI's current ones,
inferred for Azure). Unknown arguments get Azure's own ``Unrecognized request argument
supplied`` (azure-wire §1.4, report litellm#8638).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import invalid_request, unrecognized_argument

JSON_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a decimal",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}
MISSING = object()


def type_name(value: Any) -> str:
    return JSON_TYPE_NAMES.get(type(value), "a value")


def matches(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


def check_type(value: Any, kinds: tuple[type, ...], param: str) -> None:
    if not matches(value, kinds):
        expected = " or ".join(JSON_TYPE_NAMES[k] for k in kinds)
        got = type_name(value)
        raise invalid_request(
            f"Invalid type for '{param}': expected {expected}, but got {got} instead.", param, "invalid_type"
        )


def check_field(
    body: dict[str, Any],
    name: str,
    kinds: tuple[type, ...],
    low: float | None = None,
    high: float | None = None,
) -> Any:
    """Type- and range-check ``body[name]`` when present (null counts as absent); return it."""
    value = body.get(name)
    if value is None:
        return None
    check_type(value, kinds, name)
    check_range(value, name, low, high, "decimal" if float in kinds else "integer")
    return value


def check_range(value: Any, param: str, low: float | None, high: float | None, kind: str) -> None:
    if low is not None and value < low:
        raise invalid_request(
            f"Invalid '{param}': {kind} below minimum value. Expected a value >= {fmt(low)}, "
            f"but got {value} instead.",
            param,
            f"{kind}_below_min_value",
        )
    if high is not None and value > high:
        raise invalid_request(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {fmt(high)}, "
            f"but got {value} instead.",
            param,
            f"{kind}_above_max_value",
        )


def fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def require(body: dict[str, Any], name: str) -> Any:
    value = body.get(name, MISSING)
    if value is MISSING or value is None:
        raise invalid_request(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    return value


def check_length(items: list[Any], param: str, low: int, high: int) -> None:
    if len(items) < low:
        if not items:
            raise invalid_request(
                f"Invalid '{param}': empty array. Expected an array with minimum length {low}, "
                "but got an empty array instead.",
                param,
                "empty_array",
            )
        raise invalid_request(
            f"Invalid '{param}': array too short. Expected an array with minimum length {low}, "
            f"but got an array with length {len(items)} instead.",
            param,
            "array_below_min_length",
        )
    if len(items) > high:
        raise invalid_request(
            f"Invalid '{param}': array too long. Expected an array with maximum length {high}, "
            f"but got an array with length {len(items)} instead.",
            param,
            "array_above_max_length",
        )


def check_string_length(value: str, param: str, high: int) -> None:
    if len(value) > high:
        raise invalid_request(
            f"Invalid '{param}': string too long. Expected a string with maximum length {high}, "
            f"but got a string with length {len(value)} instead.",
            param,
            "string_above_max_length",
        )


def check_enum(value: Any, allowed: Iterable[str], param: str) -> None:
    allowed = list(allowed)
    if value not in allowed:
        names = ", ".join(f"'{a}'" for a in allowed[:-1]) + f", and '{allowed[-1]}'"
        raise invalid_request(
            f"Invalid value: '{value}'. Supported values are: {names}.", param, "invalid_value"
        )


def check_known(body: dict[str, Any], known: frozenset[str]) -> None:
    for name in body:
        if name not in known:
            raise unrecognized_argument(name)


def check_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_request(
            f"Invalid type for request body: expected an object, but got {type_name(body)} instead.",
            None,
            "invalid_type",
        )
    return body
