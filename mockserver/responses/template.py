"""A memoised create (``Settings.fast_path``): its renderings once, with a slot where each id goes.

The same create within the same second of the clock gets the same answer but ids of its own
(``ResponseIds``: one digest of the seed and the request id; the input items' ids follow from the
response's). ``Template`` keeps what the first one rendered as %-formats with a slot for each id: the
indented answer, the stored response and its input-item record as ``objects.ObjectStore.put`` would
serialise them (``json.dumps``). ``filled(ids)`` then gives every byte the slow path would render for
those ids, without building, copying or serialising an object. It is made only once the memo keeps
it (a create seen twice: ``bounded.BoundedCache``), and refuses (``filled`` gives None: the caller
takes the slow path) when an id is not found exactly once where it belongs (a prompt quoting it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import store
from .ids import ResponseIds, input_item_id

Filled = tuple[bytes, str, str]  # the answer's bytes, the stored response's text, its items' text


@dataclass(frozen=True, slots=True)
class Forms:
    answer: str
    stored: str
    items: str
    outputs: tuple[tuple[str, str, int], ...]  # slot name, id prefix, position (``ResponseIds.make``)
    inputs: tuple[tuple[str, int], ...]  # slot name, the input item's position


class Template:
    """What one create rendered (``final`` and its ``data``, for ``ids``), made into ``Forms`` when
    first filled."""

    def __init__(self, final: dict[str, Any], data: bytes, ids: ResponseIds, items: list[dict[str, Any]]):
        self.final, self.data, self.ids, self.items = final, data, ids, items
        self.store: bool = final["store"]

    @cached_property
    def forms(self) -> Forms | None:
        return forms(self.final, self.data, self.ids, self.items)

    def filled(self, ids: ResponseIds) -> Filled | None:
        """The answer, stored response and input items with ``ids``; None: render them the slow way."""
        made = self.forms
        if made is None or ids.created_at != self.ids.created_at:
            return None
        response = ids.response
        values = {"resp": response}
        for slot, prefix, position in made.outputs:
            values[slot] = ids.make(prefix, position)
        for slot, position in made.inputs:
            values[slot] = input_item_id(response, position)
        return (made.answer % values).encode("ascii"), made.stored % values, made.items % values


def forms(final: dict[str, Any], data: bytes, ids: ResponseIds, items: list[dict[str, Any]]) -> Forms | None:
    record = store.items_record(final["id"], items, [])
    places = {"resp": final["id"]}
    outputs = []
    for number, item in enumerate(final["output"]):
        found = position_of(ids, item["id"], len(final["output"]))
        if found is None:
            return None
        places[f"out{number}"] = item["id"]
        outputs.append((f"out{number}", *found))
    generated = {input_item_id(final["id"], i): i for i in range(len(items))}
    inputs = [(f"in{i}", i) for i, item in enumerate(record["input"]) if item["id"] in generated]
    answer = slotted(data.decode("ascii"), places)
    stored = slotted(json.dumps(final), places)
    items_form = slotted(json.dumps(record), {slot: record["input"][i]["id"] for slot, i in inputs})
    if answer is None or stored is None or items_form is None:
        return None
    return Forms(answer, stored, items_form, tuple(outputs), tuple(inputs))


def position_of(ids: ResponseIds, item_id: str, count: int) -> tuple[str, int] | None:
    """The ``(prefix, position)`` that ``ids.make`` turns into ``item_id``, or None."""
    prefix = item_id.split("_", 1)[0]
    for position in range(count):
        if ids.make(prefix, position) == item_id:
            return prefix, position
    return None


def slotted(text: str, places: dict[str, str]) -> str | None:
    """``text`` as a %-format with ``%(slot)s`` where each value of ``places`` stood: None unless each
    stands exactly once (so that nothing but the id itself is ever replaced)."""
    form = text.replace("%", "%%")
    for slot, value in places.items():
        if form.count(value) != 1:
            return None
        form = form.replace(value, f"%({slot})s")
    return form
