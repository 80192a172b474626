"""When the synthetic voice speaks: a list of voiced and silent stretches at 24 kHz.

Each character of the input takes one slot of 1/15 s at speed 1.0 (about 150 words a minute,
a usual speaking rate), letters and digits voiced, everything else silent, with 0.1 s of
silence before and after. ``speed`` divides every length, so the duration grows with the
input and shrinks with speed. 24 kHz mono is what OpenAI's speech endpoint returns for pcm
("24kHz (16-bit signed, low-endian)", OpenAI API reference, ``response_format``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate, groupby

RATE = 24_000
CHARS_PER_SECOND = 15
PAD_SECONDS = 0.1


@dataclass(frozen=True)
class Stretch:
    voiced: bool
    samples: int


@dataclass(frozen=True)
class Timeline:
    stretches: tuple[Stretch, ...]

    @property
    def samples(self) -> int:
        return sum(s.samples for s in self.stretches)

    @property
    def seconds(self) -> float:
        return self.samples / RATE

    def frames(self, frame_samples: int) -> list[bool]:
        """For a codec with fixed frames: one flag per frame, voiced when the frame's middle is.

        The frame count is the duration rounded to whole frames (at least one).
        """
        count = max(1, round(self.samples / frame_samples))
        ends = list(accumulate(s.samples for s in self.stretches))
        flags = []
        for frame in range(count):
            index = bisect.bisect_right(ends, (frame + 0.5) * frame_samples)
            flags.append(index < len(self.stretches) and self.stretches[index].voiced)
        return flags


def slots(text: str) -> list[bool]:
    return [False, *(ch.isalnum() for ch in text), False]


def plan(text: str, speed: float = 1.0) -> Timeline:
    """The timeline for speaking ``text`` at ``speed``."""
    slot = RATE / CHARS_PER_SECOND / speed
    pad = RATE * PAD_SECONDS / speed
    marks = [0.0]
    for index, _ in enumerate(slots(text)):
        width = pad if index in (0, len(text) + 1) else slot
        marks.append(marks[-1] + width)
    bounds = [round(m) for m in marks]
    flags = slots(text)
    stretches = []
    position = 0
    for voiced, group in groupby(range(len(flags)), key=lambda i: flags[i]):
        last = list(group)[-1]
        stretches.append(Stretch(voiced, bounds[last + 1] - bounds[position]))
        position = last + 1
    return Timeline(tuple(s for s in stretches if s.samples > 0))
