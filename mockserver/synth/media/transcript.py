"""A transcript laid over an audio file's duration: text, segments and word timings.

The text is the configured one for the file's SHA-256 (``[[transcripts]]`` in the config) or a
generated one of about 2.5 words a second. Segments are sentences; their times split the
duration in proportion to their length, on Whisper's 20 ms timestamp grid (timestamp tokens
step by 0.02 s: recording 09's 50364 = <|0.00|> and 50564 = <|4.00|>). Words split their
segment the same way.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

from ...ids import digest

TICK = 0.02
WINDOW_SECONDS = 30  # Whisper decodes 30 s windows; ``seek`` is the window start in 10 ms frames
WORDS_PER_SECOND = 2.5
MAX_SEGMENT_WORDS = 30
SENTENCE = re.compile(r"(?<=[.!?])\s+")

OPENERS = (
    "Thanks for joining the call today",
    "Let's go over the plan for this week",
    "Here is a quick update on the project",
    "I wanted to share a few thoughts",
)
MIDDLES = (
    "the first draft is ready for review",
    "we should check the numbers again before Friday",
    "the team agreed to keep the current schedule",
    "most of the feedback was positive",
    "there are two open questions about the budget",
    "the next step is a short test with real users",
    "we can move the meeting to the afternoon",
    "the new version fixes the problem we saw last time",
    "please send your comments by the end of the day",
    "everything else is on track",
)


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Segment:
    id: int
    seek: int
    start: float
    end: float
    text: str  # with Whisper's leading space
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Transcript:
    text: str
    duration: float
    segments: tuple[Segment, ...]

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]


def generated_text(key: bytes, duration: float) -> str:
    """Plausible meeting speech, about ``WORDS_PER_SECOND`` words a second, the same for ``key``."""
    rng = random.Random(digest("transcript", key))
    target = max(3, round(duration * WORDS_PER_SECOND))
    sentences = [rng.choice(OPENERS) + "."]
    words = len(sentences[0].split())
    while words < target:
        sentence = rng.choice(MIDDLES)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        words += len(sentence.split())
    return " ".join(sentences)


def snap(seconds: float) -> float:
    return round(round(seconds / TICK) * TICK, 2)


def pieces(text: str) -> list[str]:
    """Sentences, long ones cut every ``MAX_SEGMENT_WORDS`` words."""
    out: list[str] = []
    for sentence in SENTENCE.split(text.strip()):
        words = sentence.split()
        out.extend(
            " ".join(words[i : i + MAX_SEGMENT_WORDS]) for i in range(0, len(words), MAX_SEGMENT_WORDS)
        )
    return [p for p in out if p] or [""]


def spread(parts: list[str], start: float, end: float) -> list[tuple[float, float]]:
    """Times for ``parts`` between ``start`` and ``end`` in proportion to their lengths."""
    total = sum(len(p) for p in parts) or 1
    marks, used = [start], 0
    for part in parts:
        used += len(part)
        marks.append(start + (end - start) * used / total)
    return list(itertools.pairwise(marks))


def words_of(text: str, start: float, end: float) -> tuple[Word, ...]:
    tokens = text.split()
    times = spread(tokens, start, end)
    return tuple(
        Word(tok.strip(".,!?;:\"'()"), round(a, 2), round(b, 2))
        for tok, (a, b) in zip(tokens, times, strict=True)
    )


def lay_out(text: str, duration: float) -> Transcript:
    """``text`` spread over ``duration`` seconds as segments and words."""
    parts = pieces(text)
    segments = []
    for index, (part, (a, b)) in enumerate(zip(parts, spread(parts, 0.0, duration), strict=True)):
        start, end = snap(a), snap(b)
        seek = int(start // WINDOW_SECONDS) * WINDOW_SECONDS * 100
        segments.append(Segment(index, seek, start, end, " " + part, words_of(part, start, end)))
    return Transcript(" ".join(parts), duration, tuple(segments))
