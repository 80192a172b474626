"""Strict JSON text, as RFC 8259 defines it and a JSON service accepts it; and compact JSON out.

Python's ``json.loads`` takes more than JSON: ``NaN``, ``Infinity`` and ``-Infinity``; numbers
like ``1e999`` that overflow to infinity; strings holding a lone UTF-16 surrogate (``"\\ud800"``),
which cannot be encoded as UTF-8 again; and any nesting depth up to a ``RecursionError``. Each of
these would get through the parse and break later, when the answer or the journal is encoded. Here
they are all malformed JSON (``ValueError``): the data plane answers its malformed-JSON 400 and the
control API its own 400. (Azure's answers to these are not recorded; services built on strict
parsers reject them as invalid JSON, as Anthropic's answers "no low surrogate in string" do:
inferred.)

The checks cost nothing on ordinary bodies: each looks at the raw bytes first (a bracket count, a
substring search, a regular expression) and walks the parsed value only when the bytes could hold
what it looks for.
"""

from __future__ import annotations

import json
import math
import re
from types import ModuleType
from typing import Any

from .limits import MAX_JSON_DEPTH

orjson: ModuleType | None
try:
    import orjson
except ImportError:  # pragma: no cover - the speed extra is not installed
    orjson = None

SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# an exponent of three digits or more, or a run of 300 digits: the only ways to overflow a double
HUGE_NUMBER = re.compile(rb"[eE]\+?0*[1-9][0-9]{2}|[0-9]{300}")
# digits as "0", all else as a space: a run of 19 digits is then one substring search (a regex that
# starts with a class tries every byte: 2 us on a short body, this 0.3 us)
DIGITS_ONLY = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
LONG_INT = b"0" * 19


class JsonRejected(ValueError):
    """Valid for Python's parser, not JSON (or deeper than ``MAX_JSON_DEPTH``)."""


def reject_constant(name: str) -> Any:
    raise JsonRejected(f"{name} is not a JSON value")


def loads(raw: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse ``raw`` as strict JSON; ``ValueError`` (``JsonRejected``, ``JSONDecodeError`` or
    ``UnicodeDecodeError``) for anything else.

    With ``orjson`` (the ``speed`` extra) a JSON object or array is read by it first: it refuses
    what strict JSON refuses (NaN, numbers past a double, lone surrogates, bytes that are not
    UTF-8), and what it refuses goes on to ``json.loads`` below, which reads it or raises the error
    it always did. A run of 19 digits goes to ``json.loads`` at once (orjson reads integers past
    64 bits as floats); depth is checked as below (tests/test_jsontext.py compares the two).

    Bytes that start like a JSON text in ASCII are decoded as UTF-8 directly; others go through
    ``json.loads``' own detection of UTF-16/32 and the BOM."""
    if (
        orjson is not None
        and isinstance(raw, bytes)
        and raw[:1] in (b"{", b"[")
        and LONG_INT not in raw.translate(DIGITS_ONLY)
    ):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # json.loads reads it, or says what is wrong with it, as before
        else:
            if may_nest_deeper(raw, max_depth):
                check(value, max_depth, strings=False, numbers=False)
            return value
    text: str | bytes = raw.decode("utf-8") if isinstance(raw, bytes) and raw[:1] in (b"{", b"[") else raw
    try:
        value = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        raise JsonRejected("nested too deeply") from None
    probe = raw if isinstance(raw, bytes) and text is not raw else None
    if probe is None:  # decoded by json.loads itself (or given as text): look at everything
        check(value, max_depth, strings=True, numbers=True)
        return value
    deep = may_nest_deeper(probe, max_depth)
    strings = SURROGATE_ESCAPE.search(probe) is not None
    numbers = HUGE_NUMBER.search(probe) is not None
    if deep or strings or numbers:
        check(value, max_depth, strings, numbers)
    return value


def may_nest_deeper(raw: bytes, max_depth: int) -> bool:
    """Whether ``raw`` holds more brackets than ``max_depth`` (only then can it nest deeper)."""
    return raw.count(b"[") + raw.count(b"{") > max_depth


def check(value: Any, max_depth: int, strings: bool, numbers: bool) -> None:
    """Walk ``value`` (iteratively) for excess depth, lone surrogates and non-finite numbers."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth > max_depth:
                raise JsonRejected(f"nested deeper than {max_depth} levels")
            for key, item in node.items():
                if strings:
                    check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            if depth > max_depth:
                raise JsonRejected(f"nested deeper than {max_depth} levels")
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str):
            if strings:
                check_text(node)
        elif numbers and isinstance(node, float) and not math.isfinite(node):
            raise JsonRejected("a number too large for a double")


def check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRejected("a string holds a lone UTF-16 surrogate") from None


# what orjson prints unlike json.dumps: a float below 1e-4 (positional, "0.0000449", or with a
# one-digit exponent, "1e-7"); a match in a string only costs the slower path, never other bytes
NEGATIVE_EXPONENT = re.compile(rb"[0-9]e-")
# values json.dumps refuses and orjson would print (a dataclass, a datetime): json.dumps decides
PASSTHROUGH = 0 if orjson is None else orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def compact(payload: Any) -> bytes:
    """``json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()``, the same bytes.

    With ``orjson`` (the ``speed`` extra; some 25 times faster on an answer) its bytes are taken
    where they are known to be json's: same key order, same escapes (``\\"``, ``\\\\``, ``\\n``...,
    other control characters as lowercase ``\\u00XX``, everything else literal UTF-8) and the same
    shortest float digits from 1e-4 up (tests/test_jsontext.py compares them). json.dumps prints the
    rest: smaller floats, integers past 64 bits, keys that are not strings, lone surrogates (which
    then fail to encode, as before). NaN and infinities never reach an answer (``loads`` refuses
    them on the way in; the generators make finite numbers), so orjson's ``null`` for them does not
    arise."""
    if orjson is not None:
        try:
            data: bytes = orjson.dumps(payload, option=PASSTHROUGH)
        except TypeError:  # orjson.JSONEncodeError: something only json.dumps prints
            pass
        else:
            if b"0.0000" not in data and (b"e-" not in data or not NEGATIVE_EXPONENT.search(data)):
                return data  # (byte searches first: a regex that starts with a class tries every byte)
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
