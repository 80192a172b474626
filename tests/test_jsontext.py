"""JSON text in and out: ``compact`` prints the bytes ``json.dumps`` prints (with orjson or without),
and ``loads`` reads what ``json.loads`` reads, refusing what strict JSON refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver import jsontext

orjson = pytest.importorskip("orjson")

# every kind of value an answer or an echoed request holds, and the edges where encoders differ:
# floats of any size (orjson prints those below 1e-4 unlike repr), integers past 64 bits, control
# characters, separators U+2028/9, astral characters, keys that need escapes
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["\x00", "\x1f\x7f", '"\\', "\u2028\u2029", "\U0001f600", "0.00001", "1e-7 9e-5", ""]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-4, 9.99e-5, 1e-7, 1e16, 1e22, -0.0, 5e-324, 0.1, 123456789012345.6])
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=30,
)


def reference(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@settings(max_examples=1500, deadline=None)
@given(VALUES)
def test_compact_prints_the_bytes_json_dumps_prints(value: Any) -> None:
    assert jsontext.compact(value) == reference(value)


@given(VALUES)
def test_compact_without_orjson_is_json_dumps(value: Any) -> None:
    saved = jsontext.orjson
    jsontext.orjson = None
    try:
        assert jsontext.compact(value) == reference(value)
    finally:
        jsontext.orjson = saved


def test_compact_keeps_key_order_and_what_only_json_dumps_prints() -> None:
    value = {"z": 1, "a": [2**64, 4.49e-05], 3: "non-string key"}
    assert jsontext.compact(value) == b'{"z":1,"a":[18446744073709551616,4.49e-05],"3":"non-string key"}'
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate fails as it did with json.dumps
        jsontext.compact({"text": "\ud800"})


def without_orjson_loads(raw: bytes) -> Any:
    saved = jsontext.orjson
    jsontext.orjson = None
    try:
        return jsontext.loads(raw)
    finally:
        jsontext.orjson = saved


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(TEXT, VALUES, max_size=6) | st.lists(VALUES, max_size=6))
def test_loads_reads_what_json_loads_reads(value: Any) -> None:
    raw = reference(value)
    read = jsontext.loads(raw)
    assert read == json.loads(raw)
    assert json.dumps(read) == json.dumps(json.loads(raw))  # the same types too (int stays int)


REFUSED = [
    b'{"a": NaN}',
    b'{"a": -Infinity}',
    b'{"a": 1e999}',
    b'{"a": "\\ud800"}',
    b'{"a": "\xff"}',
    b"[" * 65 + b"]" * 65,
    b"[" * 2000 + b"]" * 2000,
    b'{"a": 1} x',
    b'{"a": "\x01"}',
]


@pytest.mark.parametrize("raw", REFUSED, ids=range(len(REFUSED)))
def test_loads_refuses_what_strict_json_refuses_with_the_same_error(raw: bytes) -> None:
    with pytest.raises(ValueError) as fast:
        jsontext.loads(raw)
    with pytest.raises(ValueError) as plain:
        without_orjson_loads(raw)
    assert (type(fast.value), str(fast.value)) == (type(plain.value), str(plain.value))


def test_loads_keeps_integers_past_64_bits_exact() -> None:
    assert jsontext.loads(b'{"seed": -9223372036854775809, "n": 123456789012345678901234567890}') == {
        "seed": -9223372036854775809,
        "n": 123456789012345678901234567890,
    }
