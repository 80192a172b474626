"""Speech audio for ``audio/speech``: the timeline of the input, encoded in the asked format."""

from __future__ import annotations

from collections.abc import Callable

from . import frames
from .flac import flac
from .pcm import pcm, wav
from .timeline import Timeline, plan

ENCODERS: dict[str, Callable[[Timeline], bytes]] = {
    "mp3": frames.mp3,
    "opus": frames.opus,
    "aac": frames.aac,
    "flac": flac,
    "wav": wav,
    "pcm": pcm,
}
FORMATS = tuple(ENCODERS)


def synthesize(text: str, speed: float, fmt: str) -> bytes:
    """``text`` spoken at ``speed`` in format ``fmt`` (one of ``FORMATS``)."""
    return ENCODERS[fmt](plan(text, speed))
