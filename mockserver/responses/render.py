"""The Responses service's JSON: ``json.dumps(value, indent=2)`` byte for byte (2-space indent,
``", "``/``": "`` separators, non-ASCII escaped; the recordings' Content-Length is that rendering), made
faster than the standard library's, which falls back to its pure-Python encoder whenever ``indent`` is
set. One recursive function over the JSON types; strings go through the C string escaper."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii
from typing import Any


def indented(value: Any) -> bytes:
    out: list[str] = []
    write(value, "\n", out)
    return "".join(out).encode("ascii")


def write(value: Any, newline: str, out: list[str]) -> None:
    """Append ``value`` to ``out``; ``newline`` is a line break plus the current indentation."""
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator + encode_basestring_ascii(key) + ": ")
            write(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            write(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
