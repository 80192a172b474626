"""Shared pieces for the image and audio tests: a live server with a media config, ffmpeg/ffprobe,
audio fixtures made on the fly, and small parsers for what users decode (PNG, SRT, WebVTT)."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from .conftest import KEY, LiveServer

PREVIEW = "2025-04-01-preview"
PASSPORT = "My voice is my passport. Verify me."
FFMPEG_MISSING = "ffprobe is not installed and could not be installed with apt-get ({})"


def make_wav(seconds: float, rate: int = 16_000, frequency: float = 440.0) -> bytes:
    """A mono 16-bit sine tone as WAV bytes (the same bytes every time)."""
    count = round(seconds * rate)
    samples = array("h", (round(8000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(count)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def install_ffmpeg() -> str | None:
    """Install Debian's ffmpeg when it is missing; return why not when that is impossible."""
    if shutil.which("ffprobe"):
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return FFMPEG_MISSING.format("apt-get unavailable or not root")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "ffmpeg"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return FFMPEG_MISSING.format(done.stderr.strip()[-300:])
    return None if shutil.which("ffprobe") else FFMPEG_MISSING.format("still not on PATH")


@pytest.fixture(scope="session")
def ffmpeg() -> None:
    reason = install_ffmpeg()
    if reason is not None:
        pytest.skip(reason)


def ffprobe(data: bytes, raw_pcm: bool = False) -> dict[str, object]:
    """ffprobe's view of ``data``: streams and format (fails on anything it cannot read)."""
    options = ["-f", "s16le", "-ar", "24000", "-ac", "1"] if raw_pcm else []
    with tempfile.NamedTemporaryFile() as source:  # seekable, so ffprobe reads durations from trailers
        source.write(data)
        source.flush()
        done = subprocess.run(
            ["ffprobe", "-v", "error", *options, "-show_streams", "-show_format", "-of", "json", source.name],
            capture_output=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert not done.stderr, done.stderr.decode(errors="replace")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def decoded_seconds(data: bytes, raw_pcm: bool = False) -> float:
    """Decode every frame with ffmpeg, checking CRCs (Ogg pages, FLAC frames); any error fails the
    test. Returns the decoded duration."""
    options = ["-f", "s16le", "-ar", "24000", "-ac", "1"] if raw_pcm else []
    strict = ["-v", "error", "-xerror", "-err_detect", "crccheck"]
    output = ["-f", "s16le", "-ac", "1", "-ar", "24000", "pipe:1"]
    with tempfile.NamedTemporaryFile() as source:  # seekable input: ffmpeg reads Ogg/MP4 trailers
        source.write(data)
        source.flush()
        command = ["ffmpeg", *strict, *options, "-i", source.name, *output]
        done = subprocess.run(command, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert not done.stderr, done.stderr.decode(errors="replace")
    return len(done.stdout) / 48_000


def decoded_pixels(data: bytes) -> int:
    """Decode an image fully with ffmpeg (errors fail the test); the number of RGB pixels."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-xerror", "-i", "pipe:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        input=data,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert not done.stderr, done.stderr.decode(errors="replace")
    return len(done.stdout) // 3


def transcode(wav: bytes, suffix: str, *options: str) -> bytes:
    """``wav`` re-encoded by ffmpeg (MP3, FLAC, ... fixtures)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.wav"), Path(folder, f"out{suffix}")
        source.write_bytes(wav)
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(source), *options, str(target)], check=True)
        return target.read_bytes()


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), data[:16]
    width, height = struct.unpack(">II", data[16:24])
    return width, height


CUE = re.compile(r"(\d\d):(\d\d):(\d\d)[,.](\d{3}) --> (\d\d):(\d\d):(\d\d)[,.](\d{3})")


def seconds_of(groups: tuple[str, ...]) -> float:
    h, m, s, ms = (int(g) for g in groups)
    return h * 3600 + m * 60 + s + ms / 1000


def parse_cues(text: str, vtt: bool) -> list[tuple[float, float, str]]:
    """(start, end, text) per cue of an SRT or WebVTT file, checking its framing."""
    blocks = [b for b in text.strip("\n").split("\n\n") if b]
    if vtt:
        assert blocks[0] == "WEBVTT", text[:40]
        blocks = blocks[1:]
    cues = []
    for number, block in enumerate(blocks, start=1):
        lines = block.split("\n")
        if not vtt:
            assert lines[0] == str(number), block
            lines = lines[1:]
        match = CUE.fullmatch(lines[0])
        assert match is not None, lines[0]
        assert ("." if vtt else ",") in lines[0]
        cues.append((seconds_of(match.groups()[:4]), seconds_of(match.groups()[4:]), "\n".join(lines[1:])))
    return cues


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


MEDIA_CONFIG = """
[server]
seed = 11
rate_limits = "report"
image_url_expiry = 2

[[deployments]]
name = "dalle-guarded"
model = "dall-e-3"
image_filter_triggers = ["forbidden castle", "blocked\\\\s+prompt"]

[[content_filters]]
match = "haunted house"
category = "hate"
severity = "high"

[[content_filters]]
match = "stormy sea"
category = "violence"
severity = "low"
deployment = "dall-e-3"

[[transcripts]]
file = "{passport}"
text = "{text}"

[[transcripts]]
sha256 = "{other}"
text = "Second fixture. It says exactly this."
"""


class MediaServer(LiveServer):
    """A live server whose config maps the passport fixture to recording 09's words."""

    def __init__(self, folder: Path) -> None:
        self.passport = make_wav(3.86)
        self.other = make_wav(1.5, frequency=330.0)
        fixture = folder / "passport.wav"
        fixture.write_bytes(self.passport)
        config = folder / "media.toml"
        config.write_text(MEDIA_CONFIG.format(passport=fixture, text=PASSPORT, other=sha256(self.other)))
        super().__init__("--config", str(config), "--tokenizer", "approx")
        self.clients: dict[str, openai.OpenAI] = {}

    def azure(self, api_version: str = PREVIEW) -> openai.AzureOpenAI:
        """An SDK client for the classic surface (one per api-version, closed at the end)."""
        if api_version not in self.clients:
            self.clients[api_version] = openai.AzureOpenAI(
                azure_endpoint=self.endpoint, api_key=KEY, api_version=api_version, max_retries=0
            )
        client = self.clients[api_version]
        assert isinstance(client, openai.AzureOpenAI)
        return client

    def v1(self) -> openai.OpenAI:
        if "v1" not in self.clients:
            self.clients["v1"] = openai.OpenAI(
                base_url=f"{self.endpoint}/openai/v1/", api_key=KEY, max_retries=0
            )
        return self.clients["v1"]

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        super().stop()


@pytest.fixture(scope="session")
def media_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaServer]:
    server = MediaServer(tmp_path_factory.mktemp("media"))
    yield server
    server.stop()
