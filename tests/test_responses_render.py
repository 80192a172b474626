"""The Responses JSON renderer against the standard library's ``json.dumps(value, indent=2)``."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mockserver.responses.render import indented

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner), st.dictionaries(st.text(), inner)), max_leaves=30
)


@given(VALUES)
def test_the_renderer_is_json_dumps_indent_2(value: Any) -> None:
    assert indented(value) == json.dumps(value, indent=2).encode()


def test_a_recorded_shape_with_non_ascii_text() -> None:
    body = {
        "id": "resp_1",
        "output": [{"content": [{"text": "22°C, it’s windy", "annotations": []}]}],
        "n": 1.0,
    }
    assert indented(body) == json.dumps(body, indent=2).encode()
    assert b"\\u00b0" in indented(body)


@given(st.lists(st.text(), max_size=5))
def test_spliced_delta_events_are_the_events_framed_one_by_one(pieces: list[str]) -> None:
    from mockserver.responses.events import Sequence, frame

    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    spliced = list(Sequence().deltas("response.output_text.delta", where, pieces))
    one_by_one = Sequence()
    framed = [frame(one_by_one.event("response.output_text.delta", **where, delta=p)) for p in pieces]
    assert spliced == framed
