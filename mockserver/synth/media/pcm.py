"""The synthetic voice as 16-bit PCM at 24 kHz, and the WAV wrapper.

The voice is a buzzy vowel: 187.5 Hz with two harmonics. Its period (128 samples) divides
the FLAC chunk length (4096), so long words reuse identical chunks; each word fades in and
out over 5 ms to avoid clicks.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from functools import lru_cache

from .timeline import RATE, Timeline

PERIOD = 128  # samples: 24000 / 128 = 187.5 Hz
AMPLITUDE = 9000
FADE = 120  # samples (5 ms)


@lru_cache(maxsize=1)
def one_period() -> bytes:
    samples = array(
        "h",
        (
            round(
                AMPLITUDE
                * (
                    math.sin(2 * math.pi * i / PERIOD)
                    + 0.5 * math.sin(4 * math.pi * i / PERIOD)
                    + 0.25 * math.sin(6 * math.pi * i / PERIOD)
                )
                / 1.75
            )
            for i in range(PERIOD)
        ),
    )
    return samples.tobytes()  # machine order; see little_endian()


def little_endian(samples: array[int]) -> bytes:
    if sys.byteorder == "big":  # pragma: no cover - the mock runs on little-endian hosts in practice
        samples.byteswap()
    return samples.tobytes()


@lru_cache(maxsize=512)
def word(samples: int) -> bytes:
    """``samples`` of voice with faded edges, little-endian 16-bit."""
    periods = -(-samples // PERIOD)
    tone = array("h")
    tone.frombytes((one_period() * periods)[: samples * 2])
    fade = min(FADE, samples // 2)
    for i in range(fade):
        tone[i] = tone[i] * i // fade
        tone[samples - 1 - i] = tone[samples - 1 - i] * i // fade
    return little_endian(tone)


def pcm(timeline: Timeline) -> bytes:
    """Raw 16-bit little-endian mono samples at 24 kHz (OpenAI's ``pcm`` format)."""
    return b"".join(word(s.samples) if s.voiced else bytes(2 * s.samples) for s in timeline.stretches)


def wav(timeline: Timeline) -> bytes:
    """The same samples in a RIFF/WAVE container (stdlib ``wave``)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm(timeline))
    return buffer.getvalue()
