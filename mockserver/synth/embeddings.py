"""Deterministic unit vectors derived from the input text (or token array).

A vector is seeded Gaussian noise normalised to length 1; a shorter ``dimensions`` truncates
the full vector and renormalises it, as text-embedding-3 shortening does. ``base64`` is the
little-endian float32 bytes (recording 07: ``"AACAPw=="`` is 1.0).
"""

from __future__ import annotations

import base64
import math
import operator
import random
import struct
from itertools import repeat
from typing import Any

from ..ids import digest


def vector(item: str | list[int], model: str, seed: int, full: int, dims: int) -> list[float]:
    rng = random.Random(digest("embedding", seed, model, item))
    values = gaussians(rng, full)[:dims]
    norm = math.sqrt(sum(map(operator.mul, values, values))) or 1.0  # the squares summed in order
    # float32 precision, as the service returns (one pack and unpack for the whole vector)
    packed = struct.pack(f"<{len(values)}f", *map(operator.truediv, values, repeat(norm)))
    return list(struct.unpack(f"<{len(values)}f", packed))


def gaussians(rng: random.Random, count: int) -> list[float]:
    """``[rng.gauss(0.0, 1.0) for _ in range(count)]`` from a fresh ``rng``, the same floats drawn
    in pairs without a method call each: CPython's ``gauss`` (Lib/random.py) turns two ``random()``
    into ``cos`` and ``sin`` of one angle times one radius and returns ``mu + z * sigma``."""
    draw, log, sqrt, cos, sin, tau = rng.random, math.log, math.sqrt, math.cos, math.sin, math.tau
    values: list[float] = []
    for _ in range((count + 1) // 2):
        angle = draw() * tau
        radius = sqrt(-2.0 * log(1.0 - draw()))
        values.append(0.0 + cos(angle) * radius * 1.0)
        values.append(0.0 + sin(angle) * radius * 1.0)
    return values[:count]


def encode(values: list[float], encoding_format: str | None) -> Any:
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
    return values
