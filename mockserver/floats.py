"""JSON text of a list of floats, exactly as ``json.dumps`` prints it, fast.

``json`` prints a finite float with ``float.__repr__``: the shortest digits that read back as the same
double, positional from 1e-4 up to 1e16 and with an exponent outside (``4.49e-05``, ``1e+16``).
``orjson`` (the ``speed`` extra; a compiled, well-kept encoder) prints the same shortest digits
some ten times faster, but positional for small values (``0.0000449``) and with its own exponent
form. Its output is taken, and each number it prints outside that positional range is printed
again by ``repr``; without ``orjson`` every float is printed by ``repr``. Both give the bytes
``json.dumps`` gives (tests/test_embeddings_completions.py checks them against it).
"""

from __future__ import annotations

import re

from .jsontext import orjson  # None without the speed extra

# numbers orjson prints unlike repr: below 1e-4 (positional), and any with an exponent (its form);
# (SMALL starts with a literal, so its scan is a byte search; exponents are found by their "e")
SMALL = re.compile(rb"0\.0000[0-9]*")  # a minus sign before it stays: repr(-x) is "-" + repr(x)


def as_repr(match: re.Match[bytes]) -> bytes:
    return repr(float(match.group())).encode()


def float_items(values: list[float]) -> bytes:
    """The items of ``json.dumps(values)`` joined by ``,`` (no brackets, no spaces); finite floats only."""
    if orjson is None:
        return ",".join(map(float.__repr__, values)).encode()
    data = orjson.dumps(values)[1:-1]
    if b"e" in data:  # before SMALL: what it prints has exponents, which are repr's already
        data = reprint_exponents(data)
    return SMALL.sub(as_repr, data)


def reprint_exponents(data: bytes) -> bytes:
    """Each item of ``data`` with an exponent printed again by ``repr``: found by its "e" and the
    commas around it, byte searches (``EXPONENT.sub``, a pattern that starts with a class, tried
    every byte and backtracked over each number: 1.4 ms for a 1,536-float vector)."""
    out: list[bytes] = []
    start = 0
    at = data.find(b"e")
    while at >= 0:
        begin = data.rfind(b",", 0, at) + 1
        end = data.find(b",", at)
        end = len(data) if end < 0 else end
        out += (data[start:begin], repr(float(data[begin:end])).encode())
        start = end
        at = data.find(b"e", end)
    out.append(data[start:])
    return b"".join(out)
