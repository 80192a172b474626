"""MP3, AAC and Opus speech from pre-encoded frames (``data/``, made by fixtures/media).

Each codec has one voiced and one silent frame. A stream is the timeline cut into the codec's
frames, each frame voiced or silent as the timeline is at its middle:

* MP3: MPEG-2 Layer III frames (576 samples at 24 kHz, CBR, no bit reservoir) concatenate into
  a valid stream; with CBR, decoders and ffprobe derive the duration from the size.
* AAC: ADTS frames (1024 samples) carry their own headers and concatenate the same way.
* Opus: 20 ms packets go into an Ogg stream (RFC 7845) with OpusHead, OpusTags, granule
  positions and an end trim that makes the duration exact.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .ogg import opus_head, opus_tags, write_stream
from .timeline import RATE, Timeline

MP3_FRAME = 576
AAC_FRAME = 1024
OPUS_FRAME = 480  # 20 ms at 24 kHz (960 at Opus's 48 kHz)
OPUS_PRE_SKIP = 312  # libopus's usual encoder delay, in 48 kHz samples (RFC 7845 section 4.2)
OPUS_SERIAL = 0x6D6F636B  # "mock"


@lru_cache(maxsize=8)
def unit(name: str) -> bytes:
    return resources.files(__package__).joinpath("data", f"{name}.bin").read_bytes()


def frames(codec: str, timeline: Timeline, frame_samples: int) -> list[bytes]:
    voiced, silent = unit(f"{codec}-voiced"), unit(f"{codec}-silent")
    return [voiced if flag else silent for flag in timeline.frames(frame_samples)]


def mp3(timeline: Timeline) -> bytes:
    return b"".join(frames("mp3", timeline, MP3_FRAME))


def aac(timeline: Timeline) -> bytes:
    return b"".join(frames("aac", timeline, AAC_FRAME))


def opus(timeline: Timeline) -> bytes:
    packets = frames("opus", timeline, OPUS_FRAME)
    scale = 48_000 // RATE
    granules = [OPUS_PRE_SKIP + (i + 1) * OPUS_FRAME * scale for i in range(len(packets))]
    granules[-1] = OPUS_PRE_SKIP + min(timeline.samples, len(packets) * OPUS_FRAME) * scale  # end trim
    headers = (opus_head(OPUS_PRE_SKIP, RATE), opus_tags("aoai-mockserver"))
    return write_stream(OPUS_SERIAL, headers, packets, granules)
