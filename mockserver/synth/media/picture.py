"""A simple generated picture, the same for the same key: a sky gradient, a sun, hills.

The key is a digest of the seed and the request (prompt, style, quality), so the same image
comes back for the same prompt and seed, and the URL and ``b64_json`` forms agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...ids import digest
from .jpeg import flat_jpeg
from .png import palette_png

BANDS = 32  # sky shades, palette entries 0..31
SUN, HILL, GROUND = BANDS, BANDS + 1, BANDS + 2


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    palette: list[tuple[int, int, int]]
    sun: tuple[int, int, int]  # centre x, centre y, radius
    hill: tuple[int, int, int]  # centre x, top y, half width
    horizon: int


def colour(data: bytes, offset: int) -> tuple[int, int, int]:
    return data[offset], data[offset + 1], data[offset + 2]


def blend(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return r, g, bl


def scene(key: bytes, width: int, height: int) -> Scene:
    d = digest("picture", key)
    top, bottom = colour(d, 0), colour(d, 3)
    sky = [blend(top, bottom, i / (BANDS - 1)) for i in range(BANDS)]
    palette = [*sky, colour(d, 6), colour(d, 9), colour(d, 12)]
    side = min(width, height)
    horizon = height * (55 + d[15] % 25) // 100
    sun = (
        width * (15 + d[16] % 70) // 100,
        horizon * (20 + d[17] % 50) // 100,
        side * (6 + d[18] % 8) // 100,
    )
    hill = (
        width * (d[19] % 100) // 100,
        horizon - height * (5 + d[20] % 15) // 100,
        width * (20 + d[21] % 30) // 100,
    )
    return Scene(width, height, palette, sun, hill, horizon)


def span(row: bytearray, start: float, end: float, index: int) -> None:
    lo, hi = max(0, int(start)), min(len(row), int(end))
    if hi > lo:
        row[lo:hi] = bytes([index]) * (hi - lo)


def row_at(s: Scene, y: int) -> bytes:
    if y >= s.horizon:
        return bytes([GROUND]) * s.width
    row = bytearray([y * BANDS // s.horizon]) * s.width
    cx, cy, r = s.sun
    if abs(y - cy) < r:
        half = math.sqrt(r * r - (y - cy) ** 2)
        span(row, cx - half, cx + half, SUN)
    hx, hy, hw = s.hill
    if y >= hy:
        half = hw * math.sqrt((y - hy) / max(1, s.horizon - hy))
        span(row, hx - half, hx + half, HILL)
    return bytes(row)


def render_png(key: bytes, width: int, height: int) -> bytes:
    """The picture for ``key`` as a ``width`` x ``height`` PNG."""
    s = scene(key, width, height)
    return palette_png(width, height, s.palette, (row_at(s, y) for y in range(height)))


def render_jpeg(key: bytes, width: int, height: int) -> bytes:
    """The same picture as a JPEG of flat 8x8 blocks, each the colour at its centre."""
    s = scene(key, width, height)
    centres = [row_at(s, min(height - 1, 8 * r + 4)) for r in range((height + 7) // 8)]

    def block(column: int, row: int) -> tuple[int, int, int]:
        return s.palette[centres[row][min(width - 1, 8 * column + 4)]]

    return flat_jpeg(width, height, block)
