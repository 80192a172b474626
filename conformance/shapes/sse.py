"""SSE streams compared per event kind: the sequence of kinds, then each event against the first
recorded event of the same kind (the mock streams a different number of content chunks)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .compare import STRICT, Rules, compare

DONE = "[DONE]"


def split_events(raw: str) -> list[str]:
    """Raw SSE text -> events, each still ending in ``\\n\\n`` as the recorder stores them."""
    return [part + "\n\n" for part in raw.split("\n\n") if part]


def joined_events(recorded: list[str]) -> list[str]:
    """Recorded events with a Responses ``event: <type>\\n`` element joined to the ``data:`` element
    after it (recordings 16, 18 store the two lines as two elements)."""
    events: list[str] = []
    for element in recorded:
        if (
            events
            and events[-1].startswith("event: ")
            and events[-1].endswith("\n")
            and "data: " not in events[-1]
        ):
            events[-1] += element
        else:
            events.append(element)
    return events


def event_name(event: str) -> str | None:
    """The ``event:`` line's value (Responses streams), or None."""
    if not event.startswith("event: "):
        return None
    return event.split("\n", 1)[0].removeprefix("event: ")


def event_data(event: str) -> Any:
    """The payload of one ``data: ...\\n\\n`` event (after any ``event:`` line): JSON, or ``[DONE]``."""
    if event.startswith("event: "):
        event = event.split("\n", 1)[1] if "\n" in event else ""
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
    kind = payload.get("type")
    if isinstance(kind, str) and (kind.startswith("response.") or kind == "error"):
        return kind  # a Responses event names its own kind (recordings 16, 18)
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
REPEATING_KINDS = frozenset(
    {
        "content",
        "tool_arguments",
        "text",
        "response.output_text.delta",
        "response.function_call_arguments.delta",
        "response.reasoning_summary_text.delta",
    }
)


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
    """Each event must be ``data: <compact json>\\n\\n`` (azure-wire §6.1), after an ``event: <type>``
    line naming the payload's type in a Responses stream (recordings 16, 18)."""
    problems = []
    for i, event in enumerate(events):
        name = event_name(event)
        payload = safe_event_data(event) if event.startswith(("data: ", "event: ")) else None
        head = f"event: {name}\n" if name is not None else ""
        if name is not None and (not isinstance(payload, dict) or payload.get("type") != name):
            head = "event: <the payload's type>\n"
        expected = head + "data: " + (DONE if payload == DONE else compact(payload)) + "\n\n"
        if event != expected:
            problems.append(f"{who} event {i}: not 'data: <compact json>\\n\\n' framing: {event[:60]!r}")
    return problems


def compare_streams(recorded_events: list[str], mock_events: list[str], rules: Rules = STRICT) -> list[str]:
    """Sequence of event kinds, framing, then each event against its recorded kind."""
    problems = framing_problems(mock_events, rules.label)
    recorded = [event_data(e) for e in joined_events(recorded_events)]
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
