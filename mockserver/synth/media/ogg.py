"""Ogg pages (RFC 3533) and the Opus-in-Ogg headers (RFC 7845).

``write_stream`` lays packets out in pages with the right granule positions and CRCs;
``read_packets`` reassembles the packets of an Ogg stream (used by the fixture generator);
``last_granule`` reads the final granule position (duration of an upload).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from .crc import ogg_crc32

CAPTURE = b"OggS"
BOS, EOS = 0x02, 0x04
PACKETS_PER_PAGE = 50  # one second of 20 ms Opus packets


def lacing(packet: bytes) -> bytes:
    full, rest = divmod(len(packet), 255)
    return bytes([255] * full + [rest])


def page(serial: int, sequence: int, granule: int, flags: int, packets: list[bytes]) -> bytes:
    segments = b"".join(lacing(p) for p in packets)
    if len(segments) > 255:
        raise ValueError("too many segments for one Ogg page")
    head = struct.pack("<4sBBqIII", CAPTURE, 0, flags, granule, serial, sequence, 0) + bytes([len(segments)])
    body = head + segments + b"".join(packets)
    crc = ogg_crc32(body)
    return body[:22] + struct.pack("<I", crc) + body[26:]


def write_stream(serial: int, headers: Iterable[bytes], packets: list[bytes], granules: list[int]) -> bytes:
    """Header packets on their own pages, then audio packets; ``granules[i]`` ends packet i."""
    pages = []
    for index, header in enumerate(headers):
        pages.append(page(serial, index, 0, BOS if index == 0 else 0, [header]))
    sequence = len(pages)
    for start in range(0, len(packets), PACKETS_PER_PAGE):
        group = packets[start : start + PACKETS_PER_PAGE]
        last = start + len(group) >= len(packets)
        pages.append(page(serial, sequence, granules[start + len(group) - 1], EOS if last else 0, group))
        sequence += 1
    return b"".join(pages)


def opus_head(pre_skip: int, input_rate: int) -> bytes:
    """OpusHead: version 1, mono, pre-skip, input sample rate, 0 dB gain, mapping family 0."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, input_rate, 0, 0)


def opus_tags(vendor: str) -> bytes:
    encoded = vendor.encode()
    return b"OpusTags" + struct.pack("<I", len(encoded)) + encoded + struct.pack("<I", 0)


def read_packets(data: bytes) -> list[bytes]:
    packets, partial, offset = [], b"", 0
    while offset < len(data):
        if data[offset : offset + 4] != CAPTURE:
            raise ValueError(f"no Ogg page at byte {offset}")
        count = data[offset + 26]
        table = data[offset + 27 : offset + 27 + count]
        position = offset + 27 + count
        for size in table:
            partial += data[position : position + size]
            position += size
            if size < 255:
                packets.append(partial)
                partial = b""
        offset = position
    return packets


def last_granule(tail: bytes) -> int | None:
    """The granule position of the last complete page header found in ``tail``."""
    index = tail.rfind(CAPTURE)
    while index >= 0:
        if len(tail) >= index + 14:
            return int(struct.unpack("<q", tail[index + 6 : index + 14])[0])
        index = tail.rfind(CAPTURE, 0, index)
    return None
