"""``POST .../audio/transcriptions``, ``.../audio/translations`` and ``.../audio/speech``.

Transcripts (azure-wire §9.1): json ``{"text"}`` and verbose_json as ``application/json``; text,
srt and vtt as ``text/plain`` (GA-SPEC responses; the ``charset=utf-8`` parameter is inferred).
verbose_json keeps recording 09's order ``task, language, duration, text, segments`` and each
segment's ``id, seek, start, end, text, tokens, temperature, avg_logprob, compression_ratio,
no_speech_prob``; ``words`` (2025-03-01-preview ``audioVerboseResponse``) follow the segments and
appear only when asked for; ``segments`` appear unless only words were asked for (OpenAI's
behaviour, inferred). ``duration`` and the model scores are float32 values widened to double, as in
recording 09 (``3.859999895095825``); ``compression_ratio`` is Whisper's own measure, text length
over zlib-compressed length (recording 09's ``0.8139534592628479`` is 35/43). Headers: the
recording-09 set plus ``csp-billing-usage: CognitiveServices.OpenAI.Whisper=<n>``, n being the
audio's whole seconds rounded up (4 for recording 09's 3.86 s; inferred).

Speech (azure-wire §9.2): the audio bytes with ``Content-Type: application/octet-stream``
(PREV-EX ``generated_audio_speech.json``) and the Whisper header set (not recorded; inferred).
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..call import Call, Speech, Transcription
from ..errors import invalid_request
from ..ids import digest
from ..limits import MAX_TRANSCRIPT_SECONDS
from ..state import MockState
from ..synth.media import probe
from ..synth.media.languages import language_name
from ..synth.media.speech import synthesize
from ..synth.media.subtitles import plain, srt, vtt
from ..synth.media.transcript import Segment, Transcript, generated_text, lay_out
from .render import json_response, response_headers

TEXT_PLAIN = "text/plain; charset=utf-8"
OCTET_STREAM = "application/octet-stream"
TIMESTAMP_BEGIN = 50364  # Whisper's <|0.00|> token (recording 09)
MIN_SECONDS = 0.1
TEXT_RENDERERS = {"text": plain, "srt": srt, "vtt": vtt}


async def transcriptions(call: Call, state: MockState) -> Response:
    return await transcribe(call, state, call.request_as(Transcription))


async def translations(call: Call, state: MockState) -> Response:
    return await transcribe(call, state, call.request_as(Transcription))


async def transcribe(call: Call, state: MockState, request: Transcription) -> Response:
    """Measured, written and rendered in a worker thread: a long transcript never holds the loop."""
    seconds, sha = await run_in_threadpool(measure, request)
    if seconds > MAX_TRANSCRIPT_SECONDS:
        # OpenAI's wording for its transcription models' duration cap (inferred for Azure)
        raise invalid_request(
            f"audio duration {seconds:g} seconds is longer than {MAX_TRANSCRIPT_SECONDS:g} "
            "seconds which is the maximum for this model",
            "file",
            "invalid_value",
        )
    return await run_in_threadpool(write_transcript, call, state, request, seconds, sha)


def write_transcript(
    call: Call, state: MockState, request: Transcription, seconds: float, sha: str
) -> Response:
    configured = dict(state.settings.transcripts).get(sha)
    text = configured or generated_text(digest("audio", state.settings.seed, sha), seconds)
    transcript = lay_out(text, seconds)
    if request.response_format in TEXT_RENDERERS:
        headers = response_headers(call, state, "audio")
        headers["Content-Type"] = TEXT_PLAIN
        response = Response(TEXT_RENDERERS[request.response_format](transcript).encode(), headers=headers)
    elif request.response_format == "verbose_json":
        response = json_response(call, state, verbose(call, state, request, transcript), "audio")
    else:
        response = json_response(call, state, {"text": transcript.text}, "audio")
    response.headers["csp-billing-usage"] = f"CognitiveServices.OpenAI.Whisper={math.ceil(seconds)}"
    return response


def measure(request: Transcription) -> tuple[float, str]:
    """(duration, SHA-256 hex) of the upload, read in chunks from its spooled file."""
    upload = request.upload
    seconds, measured = probe.duration(upload.file, upload.size, request.kind)
    if measured and seconds < MIN_SECONDS:
        raise invalid_request(
            "Audio file is too short. Minimum audio length is 0.1 seconds.", "file", "audio_too_short"
        )  # OpenAI's wording (inferred for Azure)
    if not measured:
        seconds = max(1.0, seconds)  # unreadable content: at least a second of "speech"
    upload.file.seek(0)
    sha = hashlib.sha256()
    while chunk := upload.file.read(1 << 20):
        sha.update(chunk)
    upload.file.seek(0)
    return seconds, sha.hexdigest()


def float32(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def verbose(call: Call, state: MockState, request: Transcription, transcript: Transcript) -> dict[str, Any]:
    body: dict[str, Any] = {
        "task": "translate" if request.translate else "transcribe",
        "language": "english" if request.translate else language_name(request.language),
        "duration": float32(transcript.duration),
        "text": transcript.text,
    }
    if "segment" in request.granularities or not request.granularities:
        body["segments"] = [segment_json(call, state, request, s) for s in transcript.segments]
    if "word" in request.granularities:
        body["words"] = [
            {"word": w.word, "start": float32(w.start), "end": float32(w.end)} for w in transcript.words
        ]
    return body


def segment_json(call: Call, state: MockState, request: Transcription, segment: Segment) -> dict[str, Any]:
    scores = digest("segment", state.settings.seed, segment.text)
    text = segment.text.strip().encode()
    return {
        "id": segment.id,
        "seek": segment.seek,
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "tokens": tokens(call, state, segment),
        "temperature": request.temperature,
        "avg_logprob": float32(-0.1 - scores[0] / 255 * 0.5),
        "compression_ratio": float32(len(text) / len(zlib.compress(text))) if text else 0.0,
        "no_speech_prob": float32(0.001 + scores[1] / 255 * 0.05),
    }


def tokens(call: Call, state: MockState, segment: Segment) -> list[int]:
    """Timestamp token, text tokens, timestamp token (recording 09: 50364 ... 50564). The text
    tokens stand in for Whisper's vocabulary: stable ids per piece of the deployment's tokenizer."""
    assert call.deployment is not None
    base = segment.seek / 100
    pieces = state.tokenizer(call.deployment).pieces(segment.text)
    text_ids = [220 + int.from_bytes(digest("whisper-token", p)[:4], "big") % 50_000 for p in pieces]
    return [stamp_token(segment.start - base), *text_ids, stamp_token(segment.end - base)]


def stamp_token(seconds: float) -> int:
    return TIMESTAMP_BEGIN + round(seconds / 0.02)


async def audio_speech(call: Call, state: MockState) -> Response:
    assert call.deployment is not None
    request = call.request_as(Speech)
    audio = await run_in_threadpool(synthesize, request.input, request.speed, request.response_format)
    headers = response_headers(call, state, "audio")
    headers["Content-Type"] = OCTET_STREAM
    return Response(audio, headers=headers)
