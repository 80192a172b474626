"""The CRCs the containers need and ``zlib`` does not provide.

* FLAC frame headers: CRC-8, polynomial 0x07; FLAC frames: CRC-16, polynomial 0x8005; both
  MSB-first, initial value 0 (FLAC format specification, "FRAME_HEADER" / "FRAME_FOOTER").
* Ogg pages: CRC-32, polynomial 0x04C11DB7, MSB-first, initial value 0, no final xor
  (RFC 3533 section 6, "CRC_checksum").

CRC-16 of long, repeated frame bodies is combined rather than recomputed: for these CRCs
(initial value 0, no final xor) ``crc(a + b) = crc(a) * x^(8 len(b)) mod P  xor  crc(b)``.
"""

from __future__ import annotations

from functools import lru_cache

CRC16_POLY = 0x18005


def msb_table(poly: int, width: int) -> tuple[int, ...]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return tuple(table)


CRC8_TABLE = msb_table(0x07, 8)
CRC16_TABLE = msb_table(0x8005, 16)
CRC32_TABLE = msb_table(0x04C11DB7, 32)


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = CRC8_TABLE[crc ^ byte]
    return crc


def crc16(data: bytes) -> int:
    crc, table = 0, CRC16_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ byte]
    return crc


def ogg_crc32(data: bytes) -> int:
    crc, table = 0, CRC32_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


@lru_cache(maxsize=256)
def cached_crc16(data: bytes) -> int:
    """CRC-16 of a frame body; speech repeats the same bodies, so they are computed once."""
    return crc16(data)


def gf2_mulmod(a: int, b: int, poly: int = CRC16_POLY, width: int = 16) -> int:
    """``a * b mod poly`` over GF(2)."""
    result = 0
    while b:
        if b & 1:
            result ^= a
        b >>= 1
        a <<= 1
        if a >> width:
            a ^= poly
    return result


@lru_cache(maxsize=64)
def x_power_bytes(length: int) -> int:
    """``x^(8 length) mod P`` for CRC-16, by square-and-multiply."""
    result, base, exponent = 1, 1 << 8, length
    while exponent:
        if exponent & 1:
            result = gf2_mulmod(result, base)
        base = gf2_mulmod(base, base)
        exponent >>= 1
    return result


def crc16_combine(crc_head: int, crc_tail: int, tail_length: int) -> int:
    """CRC-16 of ``head + tail`` from the CRCs of both parts."""
    return gf2_mulmod(crc_head, x_power_bytes(tail_length)) ^ crc_tail
