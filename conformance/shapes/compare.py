"""JSON bodies compared by structure (``compare``), under ``Rules`` that say how strict to be."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# Keys whose values are protocol vocabulary, compared exactly.
EXACT_KEYS = frozenset(
    {
        "object",
        "role",
        "finish_reason",
        "type",
        "severity",
        "filtered",
        "detected",
        "index",
        "prompt_index",
        "model",
        "code",
        "status",
    }
)
# Dotted path suffixes compared exactly: gateway error messages are fixed strings (recordings 05, 06, 10).
EXACT_SUFFIXES = ("error.message",)
# Lists whose length follows the generated text (``bytes`` of a logprobs token), or what a search found
# (a Responses answer's ``annotations``: one url_citation per page cited, recording 25).
VOLATILE_LENGTH_KEYS = frozenset({"bytes", "annotations"})

# Headers that are transport or clock, not Azure's (the brief; azure-wire §14 for Content-Length).
IGNORED_HEADERS = frozenset({"date", "content-length", "transfer-encoding", "connection"})
# Headers whose values are fixed strings in every recording, compared exactly.
EXACT_HEADERS = frozenset(
    {
        "access-control-allow-origin",
        "cache-control",
        "strict-transport-security",
        "x-content-type-options",
        "x-ms-rai-invoked",
        "content-type",
        "x-ms-deployment-name",
        "ms-azureml-model-error-reason",
        "ms-azureml-model-error-statuscode",
    }
)
# Values the recorders wrote in place of secrets and ids (azure-wire §14).
SANITISED = frozenset({"sanitized", "redacted"})
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
INTEGER = re.compile(r"^-?\d+$")
ANY = "*"


@dataclass(frozen=True)
class Rules:
    """How strictly an answer must follow a recording.

    exact_keys / exact_suffixes: values compared exactly (by last key / by dotted path suffix).
    patterns: dotted path suffix -> regex the value must match instead (a message naming a model).
    optional_keys: recorded keys the answer may leave out (by last key or dotted path suffix).
    extra_keys: keys the answer may add; ``"*"`` allows any.
    nullable_keys: keys whose value may be null on one side and another type on the other.
    optional_headers / extra_headers / forbidden_headers: the same for header names (lower case);
    header_values: header -> accepted values, for headers whose exact value varies between recordings.
    closest_example: compare each streamed event with the closest recorded event of its kind (a kind
      can come in several recorded shapes, e.g. recording 12's two offset annotations), not the first.
    label: what to call the answer in messages ("mock" for the parity test, "target" for the suite).
    """

    exact_keys: frozenset[str] = EXACT_KEYS
    exact_suffixes: tuple[str, ...] = EXACT_SUFFIXES
    patterns: Mapping[str, str] = field(default_factory=dict)
    optional_keys: frozenset[str] = frozenset()
    extra_keys: frozenset[str] = frozenset()
    nullable_keys: frozenset[str] = frozenset()
    optional_headers: frozenset[str] = frozenset()
    extra_headers: frozenset[str] = frozenset()
    forbidden_headers: frozenset[str] = frozenset()
    header_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    closest_example: bool = False
    label: str = "mock"

    def but(self, **changes: Any) -> Rules:
        """A copy with ``changes``; set-valued fields given as iterables are added to, not replaced."""
        merged: dict[str, Any] = {}
        for name, value in changes.items():
            current = getattr(self, name)
            if isinstance(current, frozenset):
                merged[name] = current | frozenset(value)
            elif isinstance(current, tuple):
                merged[name] = current + tuple(value)
            elif isinstance(current, Mapping):
                merged[name] = {**current, **value}
            else:
                merged[name] = value
        return replace(self, **merged)


STRICT = Rules()


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "object"}.get(
        type(value), type(value).__name__
    )


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def last_key(path: str) -> str:
    return re.split(r"[.\[]", path)[-1].rstrip("]")


def plain(path: str) -> str:
    """The path without list indexes: ``choices[0].delta`` -> ``choices.delta``."""
    return re.sub(r"\[\d+\]", "", path)


def named(path: str, names: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``names``: a bare key, or a dotted suffix of the index-free path."""
    bare, dotted = last_key(path), plain(path)
    return any(name == bare or dotted == name or dotted.endswith("." + name) for name in names)


def is_exact(path: str, rules: Rules = STRICT) -> bool:
    return last_key(path) in rules.exact_keys or path.endswith(rules.exact_suffixes)


def pattern_for(path: str, rules: Rules) -> str | None:
    dotted = plain(path)
    for suffix, pattern in rules.patterns.items():
        if dotted == suffix or dotted.endswith("." + suffix):
            return pattern
    return None


def compare(recorded: Any, mock: Any, path: str = "", rules: Rules = STRICT) -> list[str]:
    """Differences between two JSON values, as ``path: what`` lines."""
    where = path or "(root)"
    if type_name(recorded) != type_name(mock):
        if named(path, rules.nullable_keys) and None in (recorded, mock):
            return []
        return [f"{where}: type differs (recorded {type_name(recorded)}, {rules.label} {type_name(mock)})"]
    if isinstance(recorded, dict):
        return compare_objects(recorded, mock, path, rules)
    if isinstance(recorded, list):
        return compare_lists(recorded, mock, path, rules)
    pattern = pattern_for(path, rules)
    if pattern is not None:
        ok = isinstance(mock, str) and re.fullmatch(pattern, mock) is not None
        return [] if ok else [f"{where}: value {mock!r} does not match {pattern!r}"]
    if is_exact(path, rules) and recorded != mock:
        return [f"{where}: value differs (recorded {recorded!r}, {rules.label} {mock!r})"]
    if isinstance(recorded, str) and (recorded == "") != (mock == ""):
        return [f"{where}: emptiness differs (recorded {recorded[:20]!r}, {rules.label} {mock[:20]!r})"]
    return []


def compare_objects(
    recorded: dict[str, Any], mock: dict[str, Any], path: str, rules: Rules = STRICT
) -> list[str]:
    problems = [
        f"{join(path, key)}: missing"
        for key in recorded
        if key not in mock and not named(join(path, key), rules.optional_keys)
    ]
    if ANY not in rules.extra_keys:
        problems += [
            f"{join(path, key)}: unexpected"
            for key in mock
            if key not in recorded and not named(join(path, key), rules.extra_keys)
        ]
    shared_recorded = [key for key in recorded if key in mock]
    shared_mock = [key for key in mock if key in recorded]
    if shared_recorded != shared_mock:
        problems.append(
            f"{path or '(root)'}: key order differs (recorded {', '.join(shared_recorded)}; "
            f"{rules.label} {', '.join(shared_mock)})"
        )
    for key in shared_recorded:
        problems += compare(recorded[key], mock[key], join(path, key), rules)
    return problems


def compare_lists(recorded: list[Any], mock: list[Any], path: str, rules: Rules = STRICT) -> list[str]:
    if last_key(path) in VOLATILE_LENGTH_KEYS:
        if bool(recorded) != bool(mock):
            return [f"{path}: emptiness differs (recorded {len(recorded)}, {rules.label} {len(mock)} items)"]
        kinds = {type_name(v) for v in recorded} | {type_name(v) for v in mock}
        return [] if len(kinds) <= 1 else [f"{path}: item types differ ({sorted(kinds)})"]
    problems = []
    if len(recorded) != len(mock):
        problems.append(f"{path}: length differs (recorded {len(recorded)}, {rules.label} {len(mock)})")
    for i, (a, b) in enumerate(zip(recorded, mock, strict=False)):
        problems += compare(a, b, join(path, i), rules)
    return problems
