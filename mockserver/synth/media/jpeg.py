"""A minimal baseline JPEG writer (ITU-T T.81, JFIF) for pictures made of flat 8x8 blocks.

Every block is coded by its DC coefficient alone (the block's colour) and an end-of-block, so no
DCT is needed: ``DC = 8 * (value - 128)`` with quantiser 1. Colour is 4:4:4 YCbCr. The Huffman
tables are small canonical ones: DC category 0 (no change from the previous block) has the code
``0`` and categories 1..11 five-bit codes ``10000``..``11010``; the AC table's one symbol is
end-of-block, code ``0``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

Colour = tuple[int, int, int]


def segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def headers(width: int, height: int) -> bytes:
    jfif = segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    quant = segment(0xFFDB, b"".join(bytes([table]) + b"\x01" * 64 for table in (0, 1)))
    components = b"".join(bytes([ident, 0x11, 0 if ident == 1 else 1]) for ident in (1, 2, 3))
    frame = segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 3) + components)
    dc_table = bytes([1, 0, 0, 0, 11] + [0] * 11) + bytes(range(12))  # category 0: "0"; 1..11: 5 bits
    ac_table = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1: end-of-block
    huffman = segment(
        0xFFC4,
        b"".join(
            bytes([cls << 4 | ident]) + table
            for ident in (0, 1)
            for cls, table in ((0, dc_table), (1, ac_table))
        ),
    )
    scan = segment(0xFFDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    return b"\xff\xd8" + jfif + quant + frame + huffman + scan


def ycbcr(rgb: Colour) -> tuple[int, int, int]:
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return dc(y), dc(cb), dc(cr)


def dc(value: float) -> int:
    """The DC coefficient of a flat block of ``value`` (quantiser 1)."""
    return max(-1024, min(1016, round(8 * (value - 128))))


class BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.value, self.count = 0, 0

    def write(self, value: int, bits: int) -> None:
        self.value, self.count = (self.value << bits) | value, self.count + bits
        while self.count >= 8:
            self.count -= 8
            byte = (self.value >> self.count) & 0xFF
            self.out += b"\xff\x00" if byte == 0xFF else bytes([byte])  # byte stuffing
        self.value &= (1 << self.count) - 1

    def flush(self) -> bytes:
        if self.count:
            self.write((1 << (8 - self.count)) - 1, 8 - self.count)  # pad with 1 bits
        return bytes(self.out)


def code_dc(bits: BitWriter, diff: int) -> None:
    category = abs(diff).bit_length()
    if category:
        bits.write(0b10000 + category - 1, 5)  # canonical codes 10000..11010
        bits.write(diff if diff > 0 else diff + (1 << category) - 1, category)
    else:
        bits.write(0, 1)  # most blocks repeat their neighbour's colour
    bits.write(0, 1)  # end of block


def flat_jpeg(width: int, height: int, block: Callable[[int, int], Colour]) -> bytes:
    """A JPEG whose 8x8 block at (column, row) has the colour ``block(column, row)``."""
    bits, previous = BitWriter(), [0, 0, 0]
    for row in range((height + 7) // 8):
        for column in range((width + 7) // 8):
            for index, dc in enumerate(ycbcr(block(column, row))):
                code_dc(bits, dc - previous[index])
                previous[index] = dc
    return headers(width, height) + bits.flush() + b"\xff\xd9"
