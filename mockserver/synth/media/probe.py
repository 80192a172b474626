"""What an uploaded audio file is and how long it lasts, read from its headers.

Formats read exactly: WAV (RIFF ``fmt `` byte rate and ``data`` size), FLAC (STREAMINFO total
samples), MP3 (Xing/Info or VBRI frame count, else a scan of every frame header), Ogg Opus and
Ogg Vorbis (last granule position), MP4/M4A (``mvhd`` duration). Anything else, or a header
that does not parse, gets an estimate from the size at 128 kbit/s. So does a header that claims
more than its file can hold (under ``MIN_BYTES_PER_SECOND``: a 42-byte FLAC claiming 10^9 seconds),
which would otherwise make the mock write a transcript for that long. The file is read through a
small window (``Window``), never loaded whole.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import BinaryIO

from .mpeg import mp3_frame
from .ogg import last_granule

ESTIMATE_BYTES_PER_SECOND = 16_000  # 128 kbit/s
# no real encoding is smaller: the mock's own silent FLAC takes 26 bytes a second (4096-sample
# CONSTANT frames at 24 kHz); the largest FLAC blocks at 8 kHz would take about 3
MIN_BYTES_PER_SECOND = 1
WINDOW = 1 << 16


class Window:
    """Random access to a binary file through one cached 64 KiB window."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file, self.size = file, size
        self.start, self.data = 0, b""

    def read(self, offset: int, length: int) -> bytes:
        end = offset + length
        if not (self.start <= offset and end <= self.start + len(self.data)):
            self.file.seek(offset)
            self.start, self.data = offset, self.file.read(max(length, WINDOW))
        return self.data[offset - self.start : end - self.start]


def sniff(head: bytes) -> str | None:
    """The container from the first bytes: wav, flac, ogg, mp4, webm, mp3, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:3] == b"ID3" or mp3_frame(head[:4]) is not None:
        return "mp3"
    return None


def wav_seconds(w: Window) -> float | None:
    offset, byte_rate = 12, 0
    while offset + 8 <= w.size:
        kind, length = struct.unpack("<4sI", w.read(offset, 8))
        if kind == b"fmt ":
            byte_rate = int(struct.unpack("<I", w.read(offset + 16, 4))[0])
        elif kind == b"data" and byte_rate:
            return float(min(int(length), w.size - offset - 8) / byte_rate)
        offset += 8 + length + (length & 1)
    return None


def flac_seconds(w: Window) -> float | None:
    info = w.read(18, 8)  # STREAMINFO data starts at byte 8; rate/channels/bits/total at +10
    packed = int.from_bytes(info, "big")
    rate, total = packed >> 44, packed & ((1 << 36) - 1)
    return total / rate if rate and total else None


def id3_end(w: Window) -> int:
    head = w.read(0, 10)
    if head[:3] != b"ID3":
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


def xing_frames(w: Window, offset: int) -> int | None:
    frame = mp3_frame(w.read(offset, 4))
    if frame is None:
        return None
    tag = offset + 4 + (2 if frame.crc else 0) + frame.side_info
    if w.read(tag, 4) in (b"Xing", b"Info") and w.read(tag + 7, 1)[0] & 1:
        return int(struct.unpack(">I", w.read(tag + 8, 4))[0])
    if w.read(offset + 36, 4) == b"VBRI":
        return int(struct.unpack(">I", w.read(offset + 50, 4))[0])
    return None


def mp3_seconds(w: Window) -> float | None:
    offset = id3_end(w)
    first = mp3_frame(w.read(offset, 4))
    if first is None:
        return None
    counted = xing_frames(w, offset)
    if counted is not None:
        return counted * first.samples / first.rate
    samples = 0
    while offset + 4 <= w.size:
        frame = mp3_frame(w.read(offset, 4))
        if frame is None or frame.length <= 0:
            break
        samples, offset = samples + frame.samples, offset + frame.length
    return samples / first.rate


def ogg_seconds(w: Window) -> float | None:
    first = w.read(0, 512)
    granule = last_granule(w.read(max(0, w.size - WINDOW), WINDOW))
    if granule is None:
        return None
    start = 27 + first[26]  # the first packet follows the segment table
    if first[start : start + 8] == b"OpusHead":
        pre_skip = int(struct.unpack("<H", first[start + 10 : start + 12])[0])
        return max(0, granule - pre_skip) / 48_000
    if first[start : start + 7] == b"\x01vorbis":
        return granule / int(struct.unpack("<I", first[start + 12 : start + 16])[0])
    return None


def mp4_seconds(w: Window) -> float | None:
    """``moov/mvhd``: timescale and duration (ISO/IEC 14496-12 section 8.2.2)."""
    moov = find_box(w, 0, w.size, b"moov")
    mvhd = find_box(w, moov[0], moov[1], b"mvhd") if moov else None
    if mvhd is None:
        return None
    version = w.read(mvhd[0], 1)[0]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", w.read(mvhd[0] + 20, 12))
    else:
        timescale, duration = struct.unpack(">II", w.read(mvhd[0] + 12, 8))
    return duration / timescale if timescale else None


def find_box(w: Window, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """(payload start, payload end) of the first ``kind`` box between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        size, box = struct.unpack(">I4s", w.read(offset, 8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", w.read(offset + 8, 8))[0], 16
        elif size == 0:
            size = end - offset
        if size < header:
            return None
        if box == kind:
            return offset + header, offset + size
        offset += size
    return None


READERS: dict[str, Callable[[Window], float | None]] = {
    "wav": wav_seconds,
    "flac": flac_seconds,
    "mp3": mp3_seconds,
    "ogg": ogg_seconds,
    "mp4": mp4_seconds,
}


def duration(file: BinaryIO, size: int, kind: str | None) -> tuple[float, bool]:
    """(seconds, measured): from the header when ``kind`` parses, else an estimate from the size."""
    reader = READERS.get(kind or "")
    if reader is not None:
        try:
            seconds = reader(Window(file, size))
        except (struct.error, IndexError, ValueError, ZeroDivisionError):
            seconds = None
        if seconds is not None and 0 <= seconds <= size / MIN_BYTES_PER_SECOND:
            return seconds, True
    return size / ESTIMATE_BYTES_PER_SECOND, False
