"""SRT and WebVTT renderings of a transcript's segments (same start/end as ``verbose_json``).

SRT: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, a blank line after each cue (SubRip).
WebVTT: a ``WEBVTT`` header line, then cues with ``HH:MM:SS.mmm`` (W3C WebVTT). Whisper's
text output is the transcript plus a newline (inferred from OpenAI's output; not recorded).
"""

from __future__ import annotations

from .transcript import Transcript


def stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt(transcript: Transcript) -> str:
    cues = [
        f"{i}\n{stamp(s.start, ',')} --> {stamp(s.end, ',')}\n{s.text.strip()}\n"
        for i, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(cues) + "\n"


def vtt(transcript: Transcript) -> str:
    cues = [f"{stamp(s.start, '.')} --> {stamp(s.end, '.')}\n{s.text.strip()}\n" for s in transcript.segments]
    return "WEBVTT\n\n" + "\n".join(cues) + "\n"


def plain(transcript: Transcript) -> str:
    return transcript.text + "\n"
