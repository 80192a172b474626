"""Structural comparison of a recorded Azure exchange with another answer (the mock's, or Azure's).

Every function returns a list of differences, each a short line naming where the two disagree
(``choices[0].delta.role: missing``, ``usage: key order differs (...)``), so a failing test says
what differs instead of dumping two bodies.

What counts as structure:

* keys at every level, and their order (the recordings keep the wire order: alphabetical in the
  2024-2025 chat bodies, non-alphabetical in embeddings 07 and completions 13, azure-wire §5.4);
* value types (``int`` and ``float`` are different types, ``null`` is a type of its own);
* list lengths (``n``, inputs, ``top_logprobs`` and ``dimensions`` decide them), except for
  lists whose length depends on the generated text (``bytes`` of a logprobs token);
* whether a string is empty (the blank identity fields of the annotation event, the role
  chunk's ``content:""``, the first tool-call delta's ``arguments:""``);
* exact values for the keys that are wire vocabulary rather than content (``object``, ``role``,
  ``finish_reason``, filter verdicts, error codes and gateway messages, ...).

Volatile values (ids, ``created``, generated text, token counts, vectors) are compared by type.
SSE streams are compared per event kind (the mock streams a different number of content
chunks than the recording): the sequence of kinds, then each event against the first
recorded event of the same kind. Headers are compared by name, case-insensitively.

``Rules`` says how strict to be. The default (``STRICT``) is the parity test's: every key and
header as recorded. The conformance suite loosens it only where the recordings themselves show
Azure varying over time (``conformance.contract``), never for the mock's convenience.
"""

from __future__ import annotations

import json
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
# Lists whose length follows the generated text.
VOLATILE_LENGTH_KEYS = frozenset({"bytes"})

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


# --- SSE ------------------------------------------------------------------------------------

DONE = "[DONE]"


def split_events(raw: str) -> list[str]:
    """Raw SSE text -> events, each still ending in ``\\n\\n`` as the recorder stores them."""
    return [part + "\n\n" for part in raw.split("\n\n") if part]


def event_data(event: str) -> Any:
    """The payload of one ``data: ...\\n\\n`` event: JSON, or the ``[DONE]`` marker."""
    text = event.removeprefix("data: ").rstrip("\n")
    return DONE if text == DONE else json.loads(text)


def safe_event_data(event: str) -> Any:
    """``event_data``, or None for an event that is not JSON (a broken or foreign stream)."""
    try:
        return event_data(event)
    except ValueError:
        return None


def event_kind(payload: Any) -> str:
    """The kind of a chat stream event (azure-wire §6.2)."""
    if payload == DONE:
        return "done"
    if not isinstance(payload, dict):
        return "other"
    if "error" in payload:
        return "error"
    choices = payload.get("choices")
    if choices == [] and payload.get("id") == "" and "prompt_filter_results" in payload:
        return "annotation"
    if choices == [] and isinstance(payload.get("usage"), dict):
        return "usage"
    if not choices:
        return "other"
    choice = choices[0]
    delta = choice.get("delta")
    if choice.get("finish_reason") is not None:
        return "finish"
    if "content_filter_offsets" in choice:
        return "offsets"  # Asynchronous Filter annotations (recording 12, azure-wire §6.3)
    if isinstance(delta, dict) and "role" in delta:
        return "role"
    if isinstance(delta, dict) and "tool_calls" in delta:
        return "tool_arguments"
    if isinstance(delta, dict) and "content" in delta:
        return "content"
    return "text" if "text" in choice else "other"  # legacy completions chunks carry ``text``


# Kinds whose count follows the generated text; a run of them is one ``kind+`` entry.
REPEATING_KINDS = frozenset({"content", "tool_arguments", "text"})


def kind_sequence(payloads: Iterable[Any]) -> list[str]:
    """Kinds in order; a run of a repeating kind collapses to ``kind+``, others stay one each."""
    kinds: list[str] = []
    for payload in payloads:
        kind = event_kind(payload)
        if kind in REPEATING_KINDS:
            kind += "+"
            if kinds and kinds[-1] == kind:
                continue
        kinds.append(kind)
    return kinds


def compact(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def framing_problems(events: list[str], who: str) -> list[str]:
    """Each event must be ``data: <compact json>\\n\\n`` (azure-wire §6.1)."""
    problems = []
    for i, event in enumerate(events):
        payload = safe_event_data(event) if event.startswith("data: ") else None
        expected = "data: " + (DONE if payload == DONE else compact(payload)) + "\n\n"
        if event != expected:
            problems.append(f"{who} event {i}: not 'data: <compact json>\\n\\n' framing: {event[:60]!r}")
    return problems


def compare_streams(recorded_events: list[str], mock_events: list[str], rules: Rules = STRICT) -> list[str]:
    """Sequence of event kinds, framing, then each event against its recorded kind."""
    problems = framing_problems(mock_events, rules.label)
    recorded = [event_data(e) for e in recorded_events]
    mock = [safe_event_data(e) for e in mock_events]
    if kind_sequence(recorded) != kind_sequence(mock):
        problems.append(
            f"events: sequence differs (recorded {', '.join(kind_sequence(recorded))}; "
            f"{rules.label} {', '.join(kind_sequence(mock))})"
        )
    examples: dict[str, list[Any]] = {}
    for payload in recorded:
        examples.setdefault(event_kind(payload), []).append(payload)
    seen: set[str] = set()
    for payload in mock:
        kind = event_kind(payload)
        if kind == "done" or kind not in examples:
            continue
        candidates = examples[kind] if rules.closest_example else examples[kind][:1]
        found = min((compare(example, payload, rules=rules) for example in candidates), key=len)
        for problem in found:
            line = f"event[{kind}] {problem}"
            if line not in seen:  # one line per distinct difference, not one per chunk
                seen.add(line)
                problems.append(line)
    return problems


# --- headers --------------------------------------------------------------------------------


def compare_headers(recorded: dict[str, str], mock: dict[str, str], rules: Rules = STRICT) -> list[str]:
    """Header names case-insensitively; values where the recording shows a fixed form."""
    rec = {k.lower(): v for k, v in recorded.items() if k.lower() not in IGNORED_HEADERS}
    got = {k.lower(): v for k, v in mock.items() if k.lower() not in IGNORED_HEADERS}
    problems = [
        f"header {name}: missing"
        for name in sorted(rec.keys() - got.keys())
        if name not in rules.optional_headers
    ]
    problems += [
        f"header {name}: unexpected"
        for name in sorted(got.keys() - rec.keys())
        if name in rules.forbidden_headers or not (ANY in rules.extra_headers or name in rules.extra_headers)
    ]
    for name in sorted(rec.keys() & got.keys()):
        problem = header_value_problem(name, rec[name], got[name], rules)
        if problem:
            problems.append(f"header {name}: {problem}")
    return problems


def header_value_problem(name: str, recorded: str, mock: str, rules: Rules = STRICT) -> str | None:
    if name in rules.header_values:
        accepted = rules.header_values[name]
        return None if mock in accepted else f"value {mock!r} is none of {sorted(accepted)}"
    if recorded.lower() in SANITISED:
        return None
    if name in EXACT_HEADERS:
        return None if recorded == mock else f"value differs (recorded {recorded!r}, {rules.label} {mock!r})"
    if UUID.match(recorded) and not UUID.match(mock):
        return f"not a UUID like the recording ({mock!r})"
    if INTEGER.match(recorded) and not INTEGER.match(mock):
        return f"not an integer like the recording ({mock!r})"
    return None
