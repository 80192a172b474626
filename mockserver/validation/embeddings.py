"""Embeddings request validation (GA-SPEC ``embeddings`` request; azure-wire §7)."""

from __future__ import annotations

from typing import Any

from ..config import Deployment
from ..errors import invalid_request
from .rules import check_enum, check_field, check_known, check_length, check_object, check_type, require

KNOWN = frozenset({"input", "model", "user", "input_type", "encoding_format", "dimensions"})
MAX_INPUTS = 2048  # GA-SPEC maxItems and QUOTAS


def validate_embeddings(body: Any, deployment: Deployment) -> list[str | list[int]]:
    """Return the inputs as a list (strings or token arrays) after Azure's checks."""
    body = check_object(body)
    check_known(body, KNOWN)
    inputs = normalise_input(require(body, "input"))
    check_field(body, "user", (str,))
    if body.get("encoding_format") is not None:
        check_enum(body["encoding_format"], ("float", "base64"), "encoding_format")
    check_dimensions(body, deployment)
    return inputs


def normalise_input(value: Any) -> list[str | list[int]]:
    check_type(value, (str, list), "input")
    if isinstance(value, str):
        items: list[Any] = [value]
    elif value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        items = [value]  # one token array
    else:
        items = value
    check_length(items, "input", 1, MAX_INPUTS)
    for i, item in enumerate(items):
        check_item(item, f"input[{i}]")
    return items


def check_item(item: Any, param: str) -> None:
    check_type(item, (str, list), param)
    if isinstance(item, str) and not item:
        raise invalid_request(
            f"Invalid '{param}': empty string. Expected a string with minimum length 1, "
            "but got an empty string instead.",
            param,
            "empty_string",
        )
    if isinstance(item, list):
        check_length(item, param, 1, 8191)
        for token in item:
            if isinstance(token, bool) or not isinstance(token, int):
                raise invalid_request(
                    f"Invalid type for '{param}': expected an array of integers.", param, "invalid_type"
                )


def check_dimensions(body: dict[str, Any], deployment: Deployment) -> None:
    dims = check_field(body, "dimensions", (int,), 1)
    if dims is None:
        return
    if not deployment.supports_dimensions:
        # text-embedding-ada-002 has no dimensions parameter (OpenAI wording, inferred for Azure)
        raise invalid_request("This model does not support specifying dimensions.", "dimensions", None)
    check_field(body, "dimensions", (int,), 1, deployment.dimensions)
