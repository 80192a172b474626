"""The values of a config file, each checked at load: ``[server]`` keys by their type (an unknown
or mistyped key fails naming it, instead of failing later at run time), times, expiries and
``[[transcripts]]``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .replay.options import check_match_on, valid_speed

TOKENIZER_MODES = ("auto", "approx", "bpe")
RATE_LIMIT_MODES = ("enforce", "report", "off")


def check_choice(name: str, value: Any, valid: Sequence[str]) -> Any:
    """``value`` when it is one of ``valid``; a ``ConfigError`` naming ``name`` and listing them."""
    if value not in valid:
        raise ConfigError(f"{name} must be one of {list(valid)}, got {value!r}")
    return value


def mistyped(name: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"[server] {name} must be {expected}, got {value!r}")


def whole_number(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise mistyped(name, "a whole number", value)
    return value


def positive_whole_number(name: str, value: Any) -> int:
    if whole_number(name, value) < 1:
        raise mistyped(name, "a whole number of 1 or more", value)
    return int(value)


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise mistyped(name, "true or false", value)
    return value


def text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise mistyped(name, "a string", value)
    return value


def texts(name: str, value: Any) -> tuple[str, ...]:
    """A string or a list of strings in TOML; a tuple in ``Settings``."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise mistyped(name, "a string or a list of strings", value)
    return tuple(value)


def body_limit(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a whole number of bytes >= 1, got {value!r}")
    return value


def speed(name: str, value: Any) -> float:
    if not valid_speed(value):
        raise ConfigError(
            f"replay_speed must be a number >= 0 (0 = as fast as possible, 1 = as recorded), got {value!r}"
        )
    return float(value)


def parse_time(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise ConfigError(f"freeze_time must be an epoch number or ISO 8601 time, got {value!r}") from exc


def parse_expiry(value: Any, name: str = "image_url_expiry") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


SERVER_KEYS: dict[str, Callable[[str, Any], Any]] = {
    "seed": whole_number,
    "region": text,
    "keys": lambda name, value: frozenset(texts(name, value)),
    "tokens": lambda name, value: frozenset(texts(name, value)),
    "rate_limits": lambda name, value: check_choice(name, value, RATE_LIMIT_MODES),
    "scenarios": texts,
    "freeze_time": lambda name, value: parse_time(value),
    "tokenizer": lambda name, value: check_choice(name, value, TOKENIZER_MODES),
    "journal_size": positive_whole_number,
    "replace_catalogue": boolean,
    "image_url_expiry": lambda name, value: parse_expiry(value),
    "responses_ttl": lambda name, value: parse_expiry(value, name),
    "replay": texts,
    "replay_speed": speed,
    "replay_fallthrough": boolean,
    "replay_match_on": lambda name, value: check_match_on(texts(name, value)),
    "fast_path": boolean,
    "max_body_bytes": body_limit,
    "state": lambda name, value: check_state(text(name, value)),
    "namespace": lambda name, value: namespace(name, text(name, value)),
}


MEMORY_STATE = "memory"


def check_state(value: str) -> str:
    """``value`` when it names a state backend (``mockserver.stores``): "memory", or a Redis URL."""
    if value == MEMORY_STATE or value.startswith(("redis://", "rediss://", "unix://")):
        return value
    example = "redis://127.0.0.1:6379/0"
    raise ConfigError(f"state must be 'memory' or a Redis URL such as {example}, got {value!r}")


def namespace(name: str, value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", value):
        raise mistyped(name, "1-64 letters, digits, '.', '_' or '-'", value)
    return value


def server_values(server: dict[str, Any]) -> dict[str, Any]:
    """``[server]`` as ``Settings`` values; an unknown key or a value of the wrong type is a
    ``ConfigError`` naming the key."""
    unknown = set(server) - set(SERVER_KEYS)
    if unknown:
        raise ConfigError(f"unknown [server] key(s) {sorted(unknown)}; valid: {sorted(SERVER_KEYS)}")
    return {name: SERVER_KEYS[name](name, value) for name, value in server.items()}


# --- audio ------------------------------------------------------------------------------------


def parse_transcripts(items: Any) -> tuple[tuple[str, str], ...]:
    """``[[transcripts]]`` entries ``{sha256 = "<hex>" | file = "<path>", text = "..."}``, or one
    ``[transcripts]`` table of ``"<sha256 hex>" = "text"``. A ``file`` is hashed at load time
    (relative paths from the working directory)."""
    if isinstance(items, dict):
        items = [{"sha256": key, "text": text} for key, text in items.items()]
    if not isinstance(items, list):
        raise ConfigError("transcripts must be [[transcripts]] entries or a [transcripts] table")
    return tuple(transcript_entry(item) for item in items)


def transcript_entry(item: Any) -> tuple[str, str]:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ConfigError(f"each transcript needs 'text' and one of 'sha256' or 'file': {item!r}")
    if "file" in item:
        try:
            digest = hashlib.sha256(Path(item["file"]).read_bytes()).hexdigest()
        except OSError as exc:
            raise ConfigError(f"transcript file {item['file']!r} cannot be read: {exc}") from exc
    elif re.fullmatch(r"[0-9a-fA-F]{64}", str(item.get("sha256", ""))):
        digest = str(item["sha256"]).lower()
    else:
        raise ConfigError(f"transcript 'sha256' must be 64 hex digits (or give 'file'): {item!r}")
    return digest, item["text"]
