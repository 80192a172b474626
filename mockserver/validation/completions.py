"""Legacy completions validation (GA-SPEC ``createCompletionRequest``; azure-wire §10)."""

from __future__ import annotations

from typing import Any

from .chat import check_stop
from .rules import check_field, check_known, check_length, check_object, check_type, require

KNOWN = frozenset(
    [
        "prompt",
        "model",
        "best_of",
        "echo",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "max_tokens",
        "n",
        "presence_penalty",
        "seed",
        "stop",
        "stream",
        "stream_options",
        "suffix",
        "temperature",
        "top_p",
        "user",
    ]
)
DEFAULT_MAX_TOKENS = 16  # GA-SPEC default


def validate_completions(body: Any) -> list[str]:
    """Return the prompts as a list of strings."""
    body = check_object(body)
    check_known(body, KNOWN)
    prompts = normalise_prompt(require(body, "prompt"))
    check_field(body, "temperature", (float,), 0, 2)
    check_field(body, "top_p", (float,), 0, 1)
    check_field(body, "presence_penalty", (float,), -2, 2)
    check_field(body, "frequency_penalty", (float,), -2, 2)
    check_field(body, "n", (int,), 1, 128)
    check_field(body, "best_of", (int,), 0, 20)
    check_field(body, "logprobs", (int,), 0, 5)
    check_field(body, "max_tokens", (int,), 0)
    check_field(body, "echo", (bool,))
    check_field(body, "stream", (bool,))
    check_field(body, "suffix", (str,))
    check_field(body, "seed", (int,))
    check_stop(body.get("stop"))
    return prompts


def normalise_prompt(value: Any) -> list[str]:
    check_type(value, (str, list), "prompt")
    items = [value] if isinstance(value, str) else value
    check_length(items, "prompt", 1, 2048)
    for i, item in enumerate(items):
        check_type(item, (str,), f"prompt[{i}]")
    return items
