"""Transcription, translation and speech through the openai SDK against a live server."""

# ruff: noqa: F401, F811
# (the ffmpeg and media_server fixtures come from media_helpers and are test parameters)
from __future__ import annotations

import itertools
import json
import zlib
from pathlib import Path

import httpx
import openai
import pytest

from mockserver import ConfigError, load_settings

from .conftest import KEY
from .media_helpers import (
    PASSPORT,
    MediaServer,
    decoded_seconds,
    ffmpeg,
    ffprobe,
    make_wav,
    media_server,
    parse_cues,
    transcode,
)

pytestmark = pytest.mark.live

TEXT_FORMATS = ["text", "srt", "vtt"]


def transcribe(server: MediaServer, data: bytes, name: str = "clip.wav", **params: object) -> object:
    return server.azure().audio.transcriptions.create(model="whisper", file=(name, data), **params)  # type: ignore[call-overload]


# --- transcription ------------------------------------------------------------------------------


def test_configured_transcript_in_json_and_text(media_server: MediaServer) -> None:
    result = transcribe(media_server, media_server.passport)
    assert result.text == PASSPORT  # type: ignore[attr-defined]
    assert transcribe(media_server, media_server.passport, response_format="text").strip() == PASSPORT  # type: ignore[attr-defined]


def test_verbose_json_matches_recording_9(media_server: MediaServer) -> None:
    result = transcribe(
        media_server,
        media_server.passport,
        response_format="verbose_json",
        language="en",
        timestamp_granularities=["word", "segment"],
    )
    body = result.model_dump()  # type: ignore[attr-defined]
    assert (body["task"], body["language"], body["text"]) == ("transcribe", "english", PASSPORT)
    assert body["duration"] == 3.859999895095825  # the WAV header's 3.86 s, as float32 (recording 09)
    segments = body["segments"]
    assert "".join(s["text"] for s in segments).strip() == PASSPORT
    assert segments[0]["start"] == 0.0
    assert segments[-1]["end"] == pytest.approx(3.86, abs=0.02)
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(segments))
    first = segments[0]
    assert first["tokens"][0] == 50364
    assert first["tokens"][-1] == 50364 + round(first["end"] / 0.02)
    text = first["text"].strip().encode()
    assert first["compression_ratio"] == pytest.approx(len(text) / len(zlib.compress(text)), rel=1e-6)
    assert -1 < first["avg_logprob"] < 0
    assert 0 <= first["no_speech_prob"] < 1
    assert [w["word"] for w in body["words"]] == ["My", "voice", "is", "my", "passport", "Verify", "me"]
    assert body["words"][-1]["end"] == pytest.approx(3.86, abs=0.02)


def test_verbose_json_key_order(media_server: MediaServer) -> None:
    url = f"{media_server.endpoint}/openai/deployments/whisper/audio/transcriptions"
    url += "?api-version=2025-01-01-preview"
    response = httpx.post(
        url,
        headers={"api-key": KEY},
        files={"file": ("a.wav", media_server.passport)},
        data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
    )
    body = response.json()
    assert list(body) == ["task", "language", "duration", "text", "words"]
    response = httpx.post(
        url,
        headers={"api-key": KEY},
        files={"file": ("a.wav", media_server.passport)},
        data={"response_format": "verbose_json", "temperature": "0.2"},
    )
    body = response.json()
    assert list(body) == ["task", "language", "duration", "text", "segments"]
    assert list(body["segments"][0]) == [
        "id",
        "seek",
        "start",
        "end",
        "text",
        "tokens",
        "temperature",
        "avg_logprob",
        "compression_ratio",
        "no_speech_prob",
    ]
    assert body["segments"][0]["temperature"] == 0.2
    assert response.headers["content-type"] == "application/json"
    assert response.headers["csp-billing-usage"] == "CognitiveServices.OpenAI.Whisper=4"
    assert "x-ratelimit-remaining-tokens" not in response.headers


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_text_formats_are_plain_text(media_server: MediaServer, fmt: str) -> None:
    url = f"{media_server.endpoint}/openai/deployments/whisper/audio/transcriptions?api-version=2024-10-21"
    response = httpx.post(
        url,
        headers={"api-key": KEY},
        files={"file": ("a.wav", media_server.passport)},
        data={"response_format": fmt},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/plain"


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitles_agree_with_segments(media_server: MediaServer, fmt: str) -> None:
    clip = make_wav(9.0, frequency=523.0)
    verbose = transcribe(media_server, clip, response_format="verbose_json").model_dump()  # type: ignore[attr-defined]
    cues = parse_cues(transcribe(media_server, clip, response_format=fmt), vtt=fmt == "vtt")  # type: ignore[arg-type]
    expected = [(s["start"], s["end"], s["text"].strip()) for s in verbose["segments"]]
    assert len(cues) == len(expected) >= 2
    for (start, end, text), (s_start, s_end, s_text) in zip(cues, expected, strict=True):
        assert (text, start, end) == (
            s_text,
            pytest.approx(s_start, abs=1e-3),
            pytest.approx(s_end, abs=1e-3),
        )
    assert cues[-1][1] == pytest.approx(9.0, abs=0.02)


@pytest.mark.parametrize(
    ("suffix", "options"),
    [
        (".mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
        (".flac", ["-c:a", "flac"]),
        (".ogg", ["-c:a", "libopus"]),
        (".m4a", ["-c:a", "aac"]),
    ],
)
def test_duration_comes_from_the_audio_header(
    media_server: MediaServer, ffmpeg: None, suffix: str, options: list[str]
) -> None:
    data = transcode(make_wav(6.5, frequency=300.0), suffix, *options)
    probed = float(ffprobe(data)["format"]["duration"])  # type: ignore[index]
    body = transcribe(media_server, data, name=f"talk{suffix}", response_format="verbose_json").model_dump()  # type: ignore[attr-defined]
    assert body["duration"] == pytest.approx(probed, abs=0.03)
    assert len(body["text"].split()) >= 10  # generated speech, about 2.5 words a second


def test_unparseable_audio_gets_a_size_estimate(media_server: MediaServer) -> None:
    data = b"\x1a\x45\xdf\xa3" + bytes(63_996)  # a WebM signature and no readable header
    body = transcribe(media_server, data, name="voice.webm", response_format="verbose_json").model_dump()  # type: ignore[attr-defined]
    assert body["duration"] == pytest.approx(64_000 / 16_000)


def test_generated_text_is_deterministic_per_file(media_server: MediaServer) -> None:
    first, second = make_wav(4.0, frequency=200.0), make_wav(4.0, frequency=210.0)
    a, b = transcribe(media_server, first).text, transcribe(media_server, first).text  # type: ignore[attr-defined]
    c = transcribe(media_server, second).text  # type: ignore[attr-defined]
    assert a == b != c
    long_text = transcribe(media_server, make_wav(20.0, frequency=200.0)).text  # type: ignore[attr-defined]
    assert len(long_text.split()) > 2 * len(a.split())


# --- translation --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # openai 3.x deprecates translations
@pytest.mark.parametrize("fmt", ["json", "text", "srt", "verbose_json", "vtt"])
def test_translation_every_format(media_server: MediaServer, fmt: str) -> None:
    result = media_server.azure().audio.translations.create(
        model="whisper",
        file=("other.wav", media_server.other),
        response_format=fmt,  # type: ignore[arg-type]
    )
    expected = "Second fixture. It says exactly this."
    if fmt == "json":
        assert result.text == expected  # type: ignore[union-attr]
    elif fmt == "verbose_json":
        body = result.model_dump()  # type: ignore[union-attr]
        assert (body["task"], body["language"], body["text"]) == ("translate", "english", expected)
        assert body["duration"] == pytest.approx(1.5)
    elif fmt == "text":
        assert result.strip() == expected  # type: ignore[union-attr]
    else:
        cues = parse_cues(result, vtt=fmt == "vtt")  # type: ignore[arg-type]
        assert " ".join(text for _, _, text in cues) == expected


def test_transcription_on_the_v1_surface(media_server: MediaServer) -> None:
    result = media_server.v1().audio.transcriptions.create(
        model="whisper", file=("a.wav", media_server.passport)
    )
    assert result.text == PASSPORT


# --- transcription errors -----------------------------------------------------------------------


def post_audio(
    server: MediaServer,
    operation: str = "transcriptions",
    version: str = "2025-01-01-preview",
    **kwargs: object,
) -> httpx.Response:
    url = f"{server.endpoint}/openai/deployments/whisper/audio/{operation}?api-version={version}"
    return httpx.post(url, headers={"api-key": KEY}, **kwargs)  # type: ignore[arg-type]


def error_of(response: httpx.Response, status: int = 400) -> dict[str, object]:
    assert response.status_code == status, response.text
    error: dict[str, object] = response.json()["error"]
    return error


def test_missing_empty_and_non_multipart_uploads(media_server: MediaServer) -> None:
    missing = error_of(post_audio(media_server, files={"response_format": (None, "json")}))
    assert (missing["param"], missing["code"]) == ("file", "missing_required_parameter")
    empty = error_of(post_audio(media_server, files={"file": ("a.wav", b"")}))
    assert (empty["param"], empty["code"]) == ("file", "audio_too_short")
    as_json = error_of(post_audio(media_server, json={"file": "a.wav"}))
    assert "expected multipart/form-data" in str(as_json["message"])
    with pytest.raises(openai.BadRequestError, match="too short"):
        transcribe(media_server, make_wav(0.05))


def test_unknown_format_is_rejected(media_server: MediaServer) -> None:
    error = error_of(post_audio(media_server, files={"file": ("notes.txt", b"these are not audio bytes")}))
    assert str(error["message"]).startswith("Unrecognized file format. Supported formats: ['flac', 'm4a'")
    # a known extension, or recognisable audio without one, is accepted (Azure infers from the name)
    assert post_audio(media_server, files={"file": ("blob", media_server.passport)}).status_code == 200


def test_files_over_25_mb_get_413(media_server: MediaServer) -> None:
    big = b"RIFF" + bytes(26_214_401 - 4)
    response = post_audio(media_server, files={"file": ("big.wav", big)})
    error = error_of(response, 413)
    # the whole request body counts, refused from its Content-Length before it is read (mockserver.limits)
    sent = int(response.request.headers["content-length"])
    assert error["message"] == f"Maximum content size limit (26214400) exceeded ({sent} bytes read)"
    assert error["type"] == "server_error"


@pytest.mark.parametrize(
    ("fields", "param", "fragment"),
    [
        ({"response_format": "docx"}, "response_format", "Invalid value: 'docx'"),
        ({"temperature": "1.5"}, "temperature", "Expected a value <= 1"),
        ({"temperature": "warm"}, "temperature", "expected a decimal"),
        ({"language": "english"}, "language", "ISO-639-1"),
        ({"timestamp_granularities[]": "word"}, "timestamp_granularities[]", "verbose_json"),
        (
            {"timestamp_granularities[]": "sentence", "response_format": "verbose_json"},
            "timestamp_granularities[]",
            "Invalid value: 'sentence'",
        ),
    ],
)
def test_field_errors(media_server: MediaServer, fields: dict[str, str], param: str, fragment: str) -> None:
    error = error_of(post_audio(media_server, files={"file": ("a.wav", media_server.passport)}, data=fields))
    assert error["param"] == param
    assert fragment in str(error["message"])


def test_granularities_need_2024_04_01_preview(media_server: MediaServer) -> None:
    response = post_audio(
        media_server,
        version="2024-02-01",
        files={"file": ("a.wav", media_server.passport)},
        data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
    )
    assert (
        error_of(response)["message"] == "Unrecognized request argument supplied: timestamp_granularities[]"
    )


def test_journal_keeps_the_upload_summary_not_the_bytes(media_server: MediaServer) -> None:
    client = media_server.azure()
    client.audio.transcriptions.create(
        model="whisper",
        file=("journal.wav", media_server.passport),
        response_format="srt",
        extra_headers={"x-mock-session": "audio-journal"},
    )
    client.audio.speech.create(
        model="tts",
        input="Journal entry.",
        voice="nova",
        response_format="wav",
        extra_headers={"x-mock-session": "audio-journal"},
    )
    entries = httpx.get(f"{media_server.endpoint}/_mock/requests", params={"session": "audio-journal"}).json()
    upload, spoken = entries["requests"]
    summary = upload["body"]["file"]
    assert (summary["filename"], summary["size"]) == ("journal.wav", len(media_server.passport))
    assert summary["content_type"].startswith("audio/")
    assert upload["body"]["response_format"] == "srt"
    assert upload["response"].startswith("1\n00:00:00,000 --> ")
    assert spoken["response"]["content_type"] == "application/octet-stream"
    assert spoken["response"]["size"] > 1000
    assert len(json.dumps(entries)) < 20_000  # no audio bytes in the journal


# --- speech -------------------------------------------------------------------------------------

SPEECH_FORMATS = {"mp3": "mp3", "opus": "opus", "aac": "aac", "flac": "flac", "wav": "pcm_s16le", "pcm": None}
SHORT = "Hello there, how are you today?"
LONG = "Hello there, how are you today? " * 4


def speak(server: MediaServer, text: str, fmt: str, speed: float = 1.0, model: str = "tts") -> bytes:
    return (
        server.azure()
        .audio.speech.create(
            model=model,
            input=text,
            voice="alloy",
            response_format=fmt,  # type: ignore[arg-type]
            speed=speed,
        )
        .content
    )


@pytest.mark.parametrize("fmt", list(SPEECH_FORMATS))
def test_speech_is_real_audio_whose_length_follows_input_and_speed(
    media_server: MediaServer, ffmpeg: None, fmt: str
) -> None:
    raw = fmt == "pcm"
    short, long, fast = (
        speak(media_server, SHORT, fmt),
        speak(media_server, LONG, fmt),
        speak(media_server, LONG, fmt, speed=2.0),
    )
    if not raw:
        assert ffprobe(short)["streams"][0]["codec_name"] == SPEECH_FORMATS[fmt]  # type: ignore[index]
    seconds = [decoded_seconds(audio, raw_pcm=raw) for audio in (short, long, fast)]
    expected_short = 0.2 + len(SHORT) / 15  # 15 characters a second plus 0.1 s before and after
    assert seconds[0] == pytest.approx(expected_short, abs=0.1)
    assert seconds[1] > 3 * seconds[0]
    assert seconds[2] == pytest.approx(seconds[1] / 2, rel=0.05)


def test_speech_headers_and_defaults(media_server: MediaServer) -> None:
    url = f"{media_server.endpoint}/openai/deployments/tts/audio/speech?api-version=2025-01-01-preview"
    response = httpx.post(
        url, headers={"api-key": KEY}, json={"input": "Hi! What are you going to make?", "voice": "fable"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content[:2] == b"\xff\xf3"  # mp3 by default: an MPEG-2 Layer III frame
    assert "apim-request-id" in response.headers
    assert "x-ms-region" in response.headers


def post_speech(
    server: MediaServer, body: dict[str, object], deployment: str = "tts", version: str = "2025-01-01-preview"
) -> httpx.Response:
    url = f"{server.endpoint}/openai/deployments/{deployment}/audio/speech?api-version={version}"
    return httpx.post(url, headers={"api-key": KEY}, json=body)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"voice": "alloy"}, "input"),
        ({"input": "x" * 4097, "voice": "alloy"}, "input"),
        ({"input": "Hi", "voice": "robot"}, "voice"),
        ({"input": "Hi", "voice": "coral"}, "voice"),
        ({"input": "Hi", "voice": "alloy", "response_format": "ogg"}, "response_format"),
        ({"input": "Hi", "voice": "alloy", "speed": 5}, "speed"),
        ({"input": "Hi", "voice": "alloy", "speed": 0.1}, "speed"),
        ({"input": "Hi", "voice": "alloy", "instructions": "Speak softly."}, "instructions"),
    ],
)
def test_speech_validation(media_server: MediaServer, body: dict[str, object], param: str) -> None:
    error = error_of(post_speech(media_server, body))
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


def test_newer_voices_and_instructions_on_gpt_4o_mini_tts(media_server: MediaServer, ffmpeg: None) -> None:
    audio = media_server.azure().audio.speech.create(
        model="gpt-4o-mini-tts",
        input="Welcome back!",
        voice="coral",
        instructions="Cheerful and warm.",
        response_format="flac",
    )
    assert ffprobe(audio.content)["streams"][0]["codec_name"] == "flac"  # type: ignore[index]


def test_speech_is_preview_only_on_the_classic_surface(media_server: MediaServer) -> None:
    body = {"input": "Hi", "voice": "alloy"}
    ga = post_speech(media_server, body, version="2024-10-21")
    assert ga.status_code == 404
    assert ga.json() == {"error": {"code": "404", "message": "Resource not found"}}
    old = error_of(
        post_speech(media_server, {**body, "response_format": "wav"}, version="2024-02-15-preview")
    )
    assert old["param"] == "response_format"  # wav and pcm arrived in 2024-04-01-preview
    assert post_speech(media_server, body, version="2024-02-15-preview").status_code == 200
    with pytest.raises(openai.NotFoundError):
        media_server.azure("2024-10-21").audio.speech.create(model="tts", input="Hi", voice="alloy")
    assert media_server.v1().audio.speech.create(model="tts", input="Hi", voice="alloy").content


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('[[transcripts]]\nsha256 = "abc"\ntext = "x"\n', "must be 64 hex digits"),
        ('[[transcripts]]\nfile = "/no/such/clip.wav"\ntext = "x"\n', "cannot be read"),
        (f'[[transcripts]]\nsha256 = "{"a" * 64}"\n', "needs 'text'"),
    ],
)
def test_transcript_settings_are_checked_at_load(tmp_path: Path, toml: str, fragment: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=fragment):
        load_settings(config)


def test_transcripts_table_form(tmp_path: Path) -> None:
    config = tmp_path / "table.toml"
    config.write_text(f'[transcripts]\n"{"B" * 64}" = "Table form."\n')
    assert load_settings(config).transcripts == (("b" * 64, "Table form."),)
