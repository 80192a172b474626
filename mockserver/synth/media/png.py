"""A minimal PNG writer: 8-bit palette images (PNG specification, ISO/IEC 15948).

Rows use filter type 0; identical neighbouring rows compress to almost nothing with deflate,
which keeps a 1792x1024 picture to a few kilobytes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

SIGNATURE = b"\x89PNG\r\n\x1a\n"
PALETTE_COLOUR_TYPE = 3


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def header(width: int, height: int) -> bytes:
    """IHDR: width, height, bit depth 8, palette colour, deflate, filter method 0, no interlace."""
    return struct.pack(">IIBBBBB", width, height, 8, PALETTE_COLOUR_TYPE, 0, 0, 0)


def palette_png(width: int, height: int, palette: list[tuple[int, int, int]], rows: Iterable[bytes]) -> bytes:
    """A PNG of ``rows`` (one palette index per pixel, ``width`` bytes each)."""
    plte = b"".join(bytes(colour) for colour in palette)
    raw = b"".join(b"\x00" + row for row in rows)
    return b"".join(
        (
            SIGNATURE,
            chunk(b"IHDR", header(width, height)),
            chunk(b"PLTE", plte),
            chunk(b"IDAT", zlib.compress(raw, 6)),
            chunk(b"IEND", b""),
        )
    )
