"""Audio request checks: transcription / translation uploads and speech bodies.

Transcription and translation (GA-SPEC ``createTranscriptionRequest`` / ``createTranslationRequest``,
azure-wire §9.1): multipart ``file`` (required), ``prompt``, ``response_format`` json | text | srt |
verbose_json | vtt, ``temperature`` 0..1, ``language`` (transcription only) and, from
2024-04-01-preview, ``timestamp_granularities[]`` word | segment, which needs verbose_json
(2025-03-01-preview spec). Uploads over 25 MB get the 413 (WHISPER-DOC, ``errors.content_too_large``).
The format comes from the file name's extension, as Azure infers it (reports: a .NET upload without a
file name fails with "Unrecognized file format. Supported formats: [...]", azure-sdk-for-net#40780;
azure-sdk-for-go#22210 adds the extension for m4a); without a known extension the first bytes are
sniffed. Azure answered that error with 424 in 2023 (azure-sdk-for-net#40780) and 400 in 2025
(vercel/ai#8013); the newer 400 is used. Other wordings are OpenAI's (inferred for Azure).

Speech (PREV-EX, 2025-03-01-preview ``createSpeechRequest``, azure-wire §9.2): JSON ``input`` (<= 4096
characters), ``voice``, ``response_format``, ``speed`` 0.25..4.0, and ``instructions`` on models
that take it. The spec declares a multipart body but clients send JSON (the PREV-EX example, the
openai SDKs), so both are read. Speech is preview-only on the classic surface (§1.1: the GA
2024-10-21 spec has no audio/speech; first preview 2024-02-15-preview): any other api-version gets
404 Resource not found, as reports of TTS calls with a wrong api-version show (dify#2751 comments,
one-api#1001).
"""

from __future__ import annotations

import math
from typing import Any

from ..call import Call, Speech, Transcription
from ..config import Deployment
from ..errors import content_too_large, invalid_request, resource_not_found, unrecognized_argument
from ..state import MockState
from ..synth.media.languages import LANGUAGES
from ..synth.media.probe import sniff
from ..versions import SPEECH_EXTRA_FORMATS_SINCE, TIMESTAMP_GRANULARITIES_SINCE, date_of, is_preview, knows
from .rules import (
    check_enum,
    check_field,
    check_known,
    check_object,
    check_string_length,
    check_type,
    require,
)

MAX_UPLOAD = (
    26_214_400  # "The file size limit for the Whisper model is 25 MB" (WHISPER-DOC); 413 says 26214400
)
SUPPORTED = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
UNRECOGNIZED_FORMAT = "Unrecognized file format. Supported formats: ['" + "', '".join(SUPPORTED) + "']"
TRANSCRIPT_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
GRANULARITIES = ("word", "segment")
NOT_MULTIPART = (
    "Invalid Content-Type header ({}), expected multipart/form-data. (HINT: If you're using curl, "
    "you can pass -H 'Content-Type: multipart/form-data')"
)

SPEECH_KNOWN = frozenset(
    {"model", "input", "voice", "response_format", "speed", "instructions", "stream_format"}
)
VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")  # PREV-EX createSpeechRequest enum
# gpt-4o-mini-tts voices beyond the six (OpenAI API reference; Azure audio quickstart, third-party)
NEWER_VOICES = ("ash", "ballad", "coral", "sage", "verse", "marin", "cedar")
SPEECH_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
SPEECH_SINCE = "2024-02-15"
MAX_SPEECH_INPUT = 4096


def validate_transcription(call: Call, state: MockState) -> Transcription:
    return transcription(call, translate=False)


def validate_translation(call: Call, state: MockState) -> Transcription:
    return transcription(call, translate=True)


def validate_speech(call: Call, state: MockState) -> Speech:
    assert call.deployment is not None
    return speech(call, call.deployment)


def transcription(call: Call, translate: bool) -> Transcription:
    """Raise the first Azure error this upload deserves; return the request with defaults."""
    form = call.form
    if form is None:
        raise invalid_request(NOT_MULTIPART.format(call.headers.get("content-type") or "none"))
    upload = check_upload(form.get("file"))
    kind = check_format(upload)
    response_format = text_field(form, "response_format") or "json"
    check_enum(response_format, TRANSCRIPT_FORMATS, "response_format")
    temperature = number_field(form, "temperature", 0.0, 1.0)
    language = None if translate else check_language(text_field(form, "language"))
    granularities = () if translate else check_granularities(form, response_format, call.api_version)
    return Transcription(upload, kind, response_format, temperature, language, granularities, translate)


def check_upload(upload: Any) -> Any:
    if upload is None:
        raise invalid_request("Missing required parameter: 'file'.", "file", "missing_required_parameter")
    if not hasattr(upload, "filename"):
        raise invalid_request(
            "Invalid type for 'file': expected a file, but got a string instead.", "file", "invalid_type"
        )
    size = upload.size or 0
    if size > MAX_UPLOAD:
        raise content_too_large(MAX_UPLOAD, size)
    if size == 0:
        raise invalid_request(
            "Audio file is too short. Minimum audio length is 0.1 seconds.", "file", "audio_too_short"
        )
    return upload


def check_format(upload: Any) -> str | None:
    upload.file.seek(0)
    kind = sniff(upload.file.read(16))
    upload.file.seek(0)
    name = upload.filename or ""
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if extension in SUPPORTED:
        return kind
    if kind in ("wav", "flac", "ogg", "mp3", "webm"):  # m4a needs its extension (azure-sdk-for-go#22210)
        return kind
    raise invalid_request(UNRECOGNIZED_FORMAT)


def text_field(form: Any, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_request(
            f"Invalid type for '{name}': expected a string, but got a file instead.", name, "invalid_type"
        )
    return value


def number_field(form: Any, name: str, low: float, high: float) -> float:
    raw = text_field(form, name)
    if raw is None or raw == "":
        return low
    try:
        value = float(raw)
    except ValueError:
        raise invalid_request(
            f"Invalid type for '{name}': expected a decimal, but got a string instead.", name, "invalid_type"
        ) from None
    if not math.isfinite(value):
        raise invalid_request(f"Invalid value for '{name}': {raw}.", name, "invalid_value")
    check_field({name: value}, name, (float,), low, high)
    return value


def check_language(code: str | None) -> str | None:
    if code is None or code == "":
        return None
    if code.lower() not in LANGUAGES:
        raise invalid_request(
            f"Invalid language '{code}'. Language parameter must be specified in ISO-639-1 format.",
            "language",
            "invalid_value",
        )
    return code.lower()


def check_granularities(form: Any, response_format: str, version: str | None) -> tuple[str, ...]:
    name = "timestamp_granularities[]"
    values = [*form.getlist(name), *form.getlist("timestamp_granularities")]
    if not values:
        return ()
    if not knows(version, TIMESTAMP_GRANULARITIES_SINCE):
        raise unrecognized_argument(name)  # LIFECYCLE: from 2024-04-01-preview (azure-wire §1.3)
    for value in values:
        check_type(value, (str,), name)
        check_enum(value, GRANULARITIES, name)
    if response_format != "verbose_json":
        raise invalid_request(
            "Invalid value for 'timestamp_granularities[]': response_format must be set to "
            "verbose_json to use timestamp granularities.",
            name,
            "invalid_value",
        )
    return tuple(g for g in GRANULARITIES if g in values)


# --- speech ---------------------------------------------------------------------------------


def speech(call: Call, deployment: Deployment) -> Speech:
    check_speech_version(call)
    body = speech_body(call)
    check_known(body, SPEECH_KNOWN)
    text = require(body, "input")
    check_type(text, (str,), "input")
    if not text:
        raise invalid_request(
            "Invalid 'input': empty string. Expected a string with minimum length 1, but got "
            "an empty string instead.",
            "input",
            "empty_string",
        )
    check_string_length(text, "input", MAX_SPEECH_INPUT)
    voice = require(body, "voice")
    check_type(voice, (str,), "voice")
    check_enum(voice, VOICES + NEWER_VOICES if deployment.speech_instructions else VOICES, "voice")
    check_speech_options(body, deployment)
    return Speech(text, voice, speech_format(body, call.api_version), speech_speed(body))


def check_speech_version(call: Call) -> None:
    version = call.api_version
    if call.surface == "deployments" and (
        version is None or not is_preview(version) or date_of(version) < SPEECH_SINCE
    ):
        raise resource_not_found()


def speech_body(call: Call) -> dict[str, Any]:
    if call.form is not None:
        return {k: v for k, v in call.form.multi_items() if isinstance(v, str)}
    return check_object(call.body)


def speech_format(body: dict[str, Any], version: str | None) -> str:
    fmt = body.get("response_format")
    if fmt is None:
        return "mp3"  # the OpenAI API's default (azure-wire §9.2 lists the formats, no default)
    allowed = SPEECH_FORMATS if knows(version, SPEECH_EXTRA_FORMATS_SINCE) else SPEECH_FORMATS[:4]
    check_type(fmt, (str,), "response_format")
    check_enum(fmt, allowed, "response_format")
    return str(fmt)


def speech_speed(body: dict[str, Any]) -> float:
    speed = body.get("speed")
    if isinstance(speed, str):  # a multipart body carries text
        try:
            speed = float(speed)
        except ValueError:
            raise invalid_request(
                "Invalid type for 'speed': expected a decimal, but got a string instead.",
                "speed",
                "invalid_type",
            ) from None
    if isinstance(speed, float) and not math.isfinite(speed):  # "nan" or "inf" in a form field
        raise invalid_request(f"Invalid value for 'speed': {speed}.", "speed", "invalid_value")
    value = check_field({"speed": speed}, "speed", (float,), 0.25, 4.0)
    return 1.0 if value is None else float(value)


def check_speech_options(body: dict[str, Any], deployment: Deployment) -> None:
    if body.get("instructions") is not None:
        check_type(body["instructions"], (str,), "instructions")
        if not deployment.speech_instructions:
            raise invalid_request(
                "Unsupported parameter: 'instructions' is not supported with this model.",
                "instructions",
                "unsupported_parameter",
            )
    stream_format = body.get("stream_format")
    if stream_format is not None and stream_format != "audio":
        raise invalid_request(
            f"Invalid value: '{stream_format}'. Supported values are: 'audio'.",
            "stream_format",
            "invalid_value",
        )
