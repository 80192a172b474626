"""A FLAC writer for the synthetic voice (FLAC format specification, xiph.org / RFC 9639).

Silence is coded as CONSTANT subframes and voice as VERBATIM subframes (uncompressed but
valid FLAC). The stream uses the variable-blocksize strategy so that every frame is either
all silence or part of one word; frames carry their first sample number, and word chunks
repeat, so their CRC-16 is computed once and combined with each frame header's.
"""

from __future__ import annotations

import struct
from array import array
from functools import lru_cache

from .crc import cached_crc16, crc8, crc16, crc16_combine
from .pcm import word
from .timeline import RATE, Timeline

CHUNK = 4096  # samples per voiced frame
MAX_SILENT = 16384  # the streamable-subset limit for <= 48 kHz
SAMPLE_RATE_24K = 0b0111  # frame header sample-rate code for 24 kHz (0110 is 22.05 kHz)
BLOCKSIZE_16BIT = 0b0111  # "get 16 bit (blocksize-1) from end of header"
CONSTANT, VERBATIM = 0x00, 0x02  # subframe header byte: type 000000 / 000001, no wasted bits


def utf8_number(value: int) -> bytes:
    """FLAC's extended UTF-8 coding of a frame's first sample number (up to 36 bits)."""
    if value < 0x80:
        return bytes([value])
    for length in range(2, 8):
        if value < 1 << (5 * length + 1):
            first = (0xFF00 >> length) & 0xFF
            tail = [0x80 | ((value >> (6 * i)) & 0x3F) for i in reversed(range(length - 1))]
            return bytes([first | (value >> (6 * (length - 1))), *tail])
    raise ValueError(f"sample number {value} too large for FLAC")


def frame_header(first_sample: int, blocksize: int) -> bytes:
    head = bytes([0xFF, 0xF9, (BLOCKSIZE_16BIT << 4) | SAMPLE_RATE_24K, 0x08])  # variable; mono, 16 bit
    head += utf8_number(first_sample) + struct.pack(">H", blocksize - 1)
    return head + bytes([crc8(head)])


def frame(first_sample: int, blocksize: int, subframe: bytes, body: bytes) -> bytes:
    """One frame: header, subframe header byte, subframe body, CRC-16 of all that."""
    head = frame_header(first_sample, blocksize) + subframe
    crc = crc16_combine(crc16(head), cached_crc16(body), len(body))
    return head + body + struct.pack(">H", crc)


@lru_cache(maxsize=512)
def big_endian(samples_le: bytes) -> bytes:
    values = array("h")
    values.frombytes(samples_le)
    values.byteswap()  # FLAC VERBATIM samples are big-endian
    return values.tobytes()


def silent_frames(start: int, samples: int) -> list[tuple[int, bytes]]:
    out = []
    for offset in range(0, samples, MAX_SILENT):
        size = min(MAX_SILENT, samples - offset)
        out.append((size, frame(start + offset, size, bytes([CONSTANT]), b"\x00\x00")))
    return out


def voiced_frames(start: int, samples: int) -> list[tuple[int, bytes]]:
    pcm = word(samples)
    out = []
    for offset in range(0, samples, CHUNK):
        size = min(CHUNK, samples - offset)
        body = big_endian(pcm[2 * offset : 2 * (offset + size)])
        out.append((size, frame(start + offset, size, bytes([VERBATIM]), body)))
    return out


def streaminfo(sizes: list[int], total: int) -> bytes:
    """The STREAMINFO block (last metadata block); frame sizes and MD5 left 0 = unknown."""
    min_block = min(sizes[:-1] or sizes)
    data = struct.pack(">HH", min_block, max(sizes)) + b"\x00" * 6
    data += (RATE << 44 | 0 << 41 | 15 << 36 | total).to_bytes(8, "big")  # 1 channel, 16 bits
    data += b"\x00" * 16
    return bytes([0x80]) + len(data).to_bytes(3, "big") + data


def flac(timeline: Timeline) -> bytes:
    frames: list[tuple[int, bytes]] = []
    position = 0
    for stretch in timeline.stretches:
        make = voiced_frames if stretch.voiced else silent_frames
        frames.extend(make(position, stretch.samples))
        position += stretch.samples
    sizes = [size for size, _ in frames]
    return b"fLaC" + streaminfo(sizes, position) + b"".join(data for _, data in frames)
