"""A memoised create (``Settings.fast_path``): what it rendered, cut where its ids stand, filled anew.

The same create within the same second of the clock gets the same answer but ids of its own
(``ResponseIds``: one digest of the seed and the request id; the input items' ids follow from the
response's). A ``Template`` keeps the first one's renderings: the answer (the indented JSON, or the
stream's events joined, with each event's length), the stored response and its input-item record as
``objects.ObjectStore.put`` serialises them (``json.dumps``). ``filled(ids)`` gives them with other
ids without building, copying or serialising an object.

A template is trusted only once checked: the first create that finds it in the memo is rendered the
slow way, and ``check`` compares that with the template filled with its ids. Equal, the template
serves the rest; different (the request's own text quoting the first create's id, say), it never
serves. Every answer the template gives is therefore the slow path's, byte for byte, on the only
assumption that a rendering depends on its ids only where they stand (tests/test_responses_template.py,
tests/test_responses_bytes.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import store
from .ids import ResponseIds, input_item_id, own_digits


class Filled(NamedTuple):
    """A create's renderings: the answer (a stream's events joined, and each event as ``frames``)."""

    answer: bytes
    frames: list[bytes] | None
    stored: str
    items: str


@dataclass(frozen=True, slots=True)
class Form:
    """A rendering cut where its ids stand: ``pieces``, an empty one where an id goes, and for each
    such place its index and slot name."""

    pieces: tuple[str, ...]
    places: tuple[tuple[int, str], ...]

    def fill(self, values: dict[str, str]) -> str:
        out = list(self.pieces)
        for index, slot in self.places:
            out[index] = values[slot]
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Forms:
    answer: Form  # its UTF-8 is the answer (a stream's deltas are literal UTF-8; ids ASCII)
    stored: Form
    items: Form
    # the response's and its items' ids: slot name, prefix, position (``ResponseIds.make``), and the
    # ids' head and own digits' place (``own_digits``)
    outputs: tuple[tuple[str, str, int, str, tuple[int, int] | None], ...]
    inputs: tuple[tuple[str, int], ...]  # slot name, the input item's position
    bounds: tuple[tuple[int, int], ...] | None  # a stream: each event's start and end in the answer


class Template:
    """The renderings of one create for ``ids``; ``lengths``: a stream's event lengths (else None)."""

    def __init__(
        self,
        final: dict[str, Any],
        ids: ResponseIds,
        items: list[dict[str, Any]],
        answer: bytes,
        lengths: list[int] | None = None,
    ) -> None:
        self.final, self.ids, self.items, self.answer, self.lengths = final, ids, items, answer, lengths
        self.store: bool = final["store"]
        self.size = 3 * len(answer) + 2048  # what the memo charges: the answer, its forms, the objects
        self.forms: Forms | None = None
        self.checked = False

    def filled(self, ids: ResponseIds) -> Filled | None:
        """The renderings with ``ids``; None until checked, when refused, or for another second."""
        made = self.forms
        if made is None or ids.created_at != self.ids.created_at:
            return None
        return fill(made, ids)

    def check(self, ids: ResponseIds, rendered: Filled) -> None:
        """Trust the template (once) if, filled with ``ids``, it is what the slow path ``rendered``
        (``forms`` is set only then: another thread never sees an unchecked one)."""
        if self.checked:
            return
        self.checked = True
        made = forms(self)
        if ids.created_at == self.ids.created_at and fill(made, ids) == rendered:
            self.forms = made


def fill(made: Forms, ids: ResponseIds) -> Filled:
    digits = ids.digits
    tail = digits[:16]
    values = {}
    for slot, prefix, position, head, own in made.outputs:  # ``ids.make``, its head made once
        values[slot] = ids.make(prefix, position) if own is None else head + digits[own[0] : own[1]] + tail
    response = values["resp"]
    for slot, position in made.inputs:
        values[slot] = input_item_id(response, position)
    answer = made.answer.fill(values).encode()
    frames = None if made.bounds is None else [answer[start:end] for start, end in made.bounds]
    return Filled(answer, frames, made.stored.fill(values), made.items.fill(values))


def rendering(
    final: dict[str, Any], items: list[dict[str, Any]], answer: bytes, frames: list[bytes] | None = None
) -> Filled:
    """What the slow path renders and stores for one create (``Template.check`` compares it)."""
    record = store.items_record(final["id"], items, [])
    return Filled(answer, frames, json.dumps(final), json.dumps(record))


def forms(template: Template) -> Forms:
    final, ids = template.final, template.ids
    first = rendering(final, template.items, template.answer)
    record = store.items_record(final["id"], template.items, [])
    places = {"resp": final["id"]}
    outputs = [("resp", "resp", 0, ids.head("resp"), own_digits("resp", 0))]
    for number, item in enumerate(final["output"]):
        prefix, position = position_of(ids, item["id"], len(final["output"]))
        places[f"out{number}"] = item["id"]
        outputs.append((f"out{number}", prefix, position, ids.head(prefix), own_digits(prefix, position)))
    generated = {input_item_id(final["id"], i) for i in range(len(template.items))}
    inputs = [(f"in{i}", i) for i, item in enumerate(record["input"]) if item["id"] in generated]
    bounds = None
    if template.lengths is not None:
        ends = [sum(template.lengths[: i + 1]) for i in range(len(template.lengths))]
        bounds = tuple(zip([0, *ends[:-1]], ends, strict=True))
    return Forms(
        cut(first.answer.decode(), places),
        cut(first.stored, places),
        cut(first.items, {slot: record["input"][i]["id"] for slot, i in inputs}),
        tuple(outputs),
        tuple(inputs),
        bounds,
    )


def position_of(ids: ResponseIds, item_id: str, count: int) -> tuple[str, int]:
    """The ``(prefix, position)`` that ``ids.make`` turns into ``item_id`` (else position -1: the
    check then finds the template wrong)."""
    prefix = item_id.split("_", 1)[0]
    for position in range(count):
        if ids.make(prefix, position) == item_id:
            return prefix, position
    return prefix, -1


def cut(text: str, places: dict[str, str]) -> Form:
    """``text`` cut at every place where a value of ``places`` stands (overlaps: the first wins)."""
    found = []
    for slot, value in places.items():
        start = text.find(value)
        while start >= 0:
            found.append((start, start + len(value), slot))
            start = text.find(value, start + len(value))
    pieces: list[str] = []
    slots: list[tuple[int, str]] = []
    end = 0
    for start, stop, slot in sorted(found):
        if start >= end:
            slots.append((len(pieces) + 1, slot))
            pieces += (text[end:start], "")
            end = stop
    pieces.append(text[end:])
    return Form(tuple(pieces), tuple(slots))
