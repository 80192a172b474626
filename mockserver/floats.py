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
from types import ModuleType

orjson: ModuleType | None
try:
    import orjson
except ImportError:  # pragma: no cover - the speed extra is not installed
    orjson = None

# numbers orjson prints unlike repr: below 1e-4 (positional), and any with an exponent (its form);
# each pattern starts with a literal or is tried only when an "e" is there, so a scan stays linear
SMALL = re.compile(rb"0\.0000[0-9]*")  # a minus sign before it stays: repr(-x) is "-" + repr(x)
EXPONENT = re.compile(rb"[-0-9.]+e[-+]?[0-9]+")


def as_repr(match: re.Match[bytes]) -> bytes:
    return repr(float(match.group())).encode()


def float_items(values: list[float]) -> bytes:
    """The items of ``json.dumps(values)`` joined by ``,`` (no brackets, no spaces); finite floats only."""
    if orjson is None:
        return ",".join(map(float.__repr__, values)).encode()
    data = orjson.dumps(values)[1:-1]
    if b"e" in data:  # before SMALL: what it prints has exponents, which are repr's already
        data = EXPONENT.sub(as_repr, data)
    return SMALL.sub(as_repr, data)
