"""MPEG audio frame headers: MP3 (ISO/IEC 11172-3, 13818-3) and AAC ADTS (ISO/IEC 13818-7).

Used to read durations from uploads and to cut single frames out of encoder output.
"""

from __future__ import annotations

from dataclasses import dataclass

# kbit/s by [version is MPEG-1][layer 1..3][index]
BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


@dataclass(frozen=True)
class Frame:
    length: int  # bytes, header included
    samples: int  # per channel
    rate: int
    side_info: int = 0  # MP3 only: bytes of side information after the header (and CRC)
    crc: bool = False


def mp3_frame(head: bytes) -> Frame | None:
    """The MP3 frame starting with ``head`` (4+ bytes), or None when it is not a valid header."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate_index, rate_index = head[2] >> 4, (head[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1, layer = version == 3, 4 - layer_bits
    bitrate = BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = SAMPLE_RATES[version][rate_index]
    padding = (head[2] >> 1) & 1
    if layer == 1:
        return Frame((12 * bitrate // rate + padding) * 4, 384, rate)
    samples = 1152 if layer == 2 or mpeg1 else 576
    length = samples // 8 * bitrate // rate + padding
    mono = head[3] >> 6 == 3
    side = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    return Frame(length, samples, rate, side if layer == 3 else 0, not head[1] & 1)


def adts_frame(head: bytes) -> Frame | None:
    """The AAC ADTS frame starting with ``head`` (7+ bytes), or None."""
    if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
        return None
    rate_index = (head[2] >> 2) & 0xF
    length = ((head[3] & 3) << 11) | (head[4] << 3) | (head[5] >> 5)
    if rate_index >= len(ADTS_RATES) or length < 7:
        return None
    blocks = (head[6] & 3) + 1
    return Frame(length, 1024 * blocks, ADTS_RATES[rate_index])


def split_frames(data: bytes) -> list[bytes]:
    """Cut an MP3 or ADTS stream into frames (encoder output; no tags expected)."""
    reader = adts_frame if data[:2] in (b"\xff\xf1", b"\xff\xf9") else mp3_frame
    frames, offset = [], 0
    while offset < len(data):
        found = reader(data[offset : offset + 7])
        if found is None:
            raise ValueError(f"no frame header at byte {offset}")
        frames.append(data[offset : offset + found.length])
        offset += found.length
    return frames
