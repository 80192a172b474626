"""Deterministic unit vectors derived from the input text (or token array).

A vector is seeded Gaussian noise normalised to length 1; a shorter ``dimensions`` truncates
the full vector and renormalises it, as text-embedding-3 shortening does. ``base64`` is the
little-endian float32 bytes (recording 07: ``"AACAPw=="`` is 1.0).
"""

from __future__ import annotations

import base64
import math
import random
import struct
from typing import Any

from ..ids import digest


def vector(item: str | list[int], model: str, seed: int, full: int, dims: int) -> list[float]:
    rng = random.Random(digest("embedding", seed, model, item))
    values = [rng.gauss(0.0, 1.0) for _ in range(full)][:dims]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    # float32 precision, as the service returns
    return [struct.unpack("<f", struct.pack("<f", v / norm))[0] for v in values]


def encode(values: list[float], encoding_format: str | None) -> Any:
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
    return values
