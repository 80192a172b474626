"""Image generation through the openai SDK against a live server: real PNGs, links, errors."""

# ruff: noqa: F401, F811
# (the ffmpeg and media_server fixtures come from media_helpers and are test parameters)
from __future__ import annotations

import base64
import time
from pathlib import Path

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from mockserver import ConfigError, MockState, create_app, load_settings
from mockserver.ids import Clock

from .conftest import KEY
from .media_helpers import MediaServer, decoded_pixels, ffmpeg, ffprobe, media_server, png_size

pytestmark = pytest.mark.live

DALLE_SIZES = ["1024x1024", "1792x1024", "1024x1792"]


def generate(server: MediaServer, **params: object) -> openai.types.ImagesResponse:
    return server.azure().images.generate(model=params.pop("model", "dall-e-3"), **params)  # type: ignore[arg-type]


def test_url_answers_get_and_head_with_the_png(media_server: MediaServer, ffmpeg: None) -> None:
    result = generate(media_server, prompt="A lighthouse at dusk", size="1792x1024", quality="hd")
    image = result.data[0]
    assert image.url is not None
    assert image.b64_json is None
    assert image.url.startswith(f"{media_server.endpoint}/_mock/images/")
    assert "/generated_00.png?" in image.url
    assert "se=" in image.url
    assert "sig=" in image.url
    got = httpx.get(image.url)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert png_size(got.content) == (1792, 1024)
    stream = ffprobe(got.content)["streams"][0]  # type: ignore[index]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("png", 1792, 1024)
    head = httpx.head(image.url)
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == len(got.content)
    assert head.headers["content-type"] == "image/png"


@pytest.mark.parametrize("size", DALLE_SIZES)
def test_b64_json_is_a_png_of_the_requested_size(media_server: MediaServer, ffmpeg: None, size: str) -> None:
    result = generate(media_server, prompt="A red bicycle", size=size, response_format="b64_json")
    data = base64.b64decode(result.data[0].b64_json or "")
    width, height = (int(x) for x in size.split("x"))
    assert png_size(data) == (width, height)
    stream = ffprobe(data)["streams"][0]  # type: ignore[index]
    assert (stream["width"], stream["height"]) == (width, height)


def test_same_prompt_same_picture_and_link_and_b64_agree(media_server: MediaServer) -> None:
    first = generate(media_server, prompt="Two cats on a sofa", response_format="b64_json")
    again = generate(media_server, prompt="Two cats on a sofa", response_format="b64_json")
    other = generate(media_server, prompt="A mountain lake", response_format="b64_json")
    assert first.data[0].b64_json == again.data[0].b64_json != other.data[0].b64_json
    linked = generate(media_server, prompt="Two cats on a sofa")
    assert httpx.get(linked.data[0].url or "").content == base64.b64decode(first.data[0].b64_json or "")
    assert first.data[0].revised_prompt == again.data[0].revised_prompt
    assert "two cats on a sofa" in (first.data[0].revised_prompt or "")


def raw_generate(
    server: MediaServer, version: str, body: dict[str, object], deployment: str = "dall-e-3"
) -> httpx.Response:
    url = f"{server.endpoint}/openai/deployments/{deployment}/images/generations?api-version={version}"
    return httpx.post(url, json=body, headers={"api-key": KEY})


def test_body_key_order_and_filter_annotations(media_server: MediaServer) -> None:
    response = raw_generate(media_server, "2024-10-21", {"prompt": "A corgi in a field", "n": 1})
    body = response.json()
    assert list(body) == ["created", "data"]
    item = body["data"][0]
    assert list(item) == ["revised_prompt", "prompt_filter_results", "url", "content_filter_results"]
    assert list(item["prompt_filter_results"]) == ["sexual", "violence", "hate", "self_harm", "profanity"]
    assert item["content_filter_results"]["violence"] == {"severity": "safe", "filtered": False}
    assert isinstance(body["created"], int)
    assert abs(body["created"] - time.time()) < 60
    assert response.headers["x-ms-request-id"] == response.headers["apim-request-id"]
    assert "x-ratelimit-remaining-tokens" not in response.headers


def test_2023_preview_has_no_annotations_like_recording_10(media_server: MediaServer) -> None:
    body = raw_generate(
        media_server, "2023-12-01-preview", {"prompt": "monkey eating banana", "n": 1, "size": "1024x1024"}
    ).json()
    assert list(body["data"][0]) == ["revised_prompt", "url"]


def test_link_rejects_tampering(media_server: MediaServer) -> None:
    url = generate(media_server, prompt="A paper boat").data[0].url or ""
    assert httpx.get(url).status_code == 200
    tampered = httpx.get(url.replace("sz=1024x1024", "sz=1024x1792"))
    assert tampered.status_code == 403
    assert tampered.headers["x-ms-error-code"] == "AuthenticationFailed"


def test_link_expires() -> None:
    """The link stops working at ``se``: the mock's clock moves past it (no wall-clock wait)."""
    now = [1_750_000_000.0]
    settings = load_settings(image_url_expiry=2)
    client = TestClient(create_app(state=MockState(settings, clock=Clock(source=lambda: now[0]))))
    generated = client.post(
        "/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21",
        json={"prompt": "A paper boat", "n": 1},
        headers={"api-key": KEY},
    )
    url = generated.json()["data"][0]["url"]
    assert client.get(url).status_code == 200
    now[0] += 1.9
    assert client.get(url).status_code == 200
    now[0] += 0.2
    expired = client.get(url)
    assert expired.status_code == 403
    assert expired.headers["content-type"] == "application/xml"
    assert "<Code>AuthenticationFailed</Code>" in expired.text
    assert "Signature not valid in the specified time frame" in expired.text
    assert client.head(url).status_code == 403


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({"n": 2}, "n", "Expected a value <= 1"),
        ({"size": "512x512"}, "size", "Supported values are: '1792x1024', '1024x1792', and '1024x1024'"),
        ({"quality": "ultra"}, "quality", "Invalid value: 'ultra'"),
        ({"style": "cartoon"}, "style", "Invalid value: 'cartoon'"),
        ({"response_format": "png"}, "response_format", "Invalid value: 'png'"),
        ({"prompt": "x" * 4001}, "prompt", "maximum length 4000"),
        ({"prompt": ""}, "prompt", "empty string"),
    ],
)
def test_dalle3_validation_errors(
    media_server: MediaServer, params: dict[str, object], param: str, fragment: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        generate(media_server, **{"prompt": "A tree", **params})
    error = caught.value.body
    assert isinstance(error, dict)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert fragment in error["message"]


def test_missing_prompt_and_unknown_argument(media_server: MediaServer) -> None:
    missing = raw_generate(media_server, "2024-10-21", {"n": 1})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "missing_required_parameter"
    unknown = raw_generate(media_server, "2024-10-21", {"prompt": "A tree", "background": "transparent"})
    assert unknown.json()["error"]["message"] == "Unrecognized request argument supplied: background"


def test_filter_trigger_gets_content_policy_violation(media_server: MediaServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        generate(media_server, model="dalle-guarded", prompt="Draw the Forbidden Castle at night")
    assert caught.value.code == "content_policy_violation"
    body = caught.value.response.json()
    assert list(body["error"]) == ["code", "inner_error", "message", "type"]
    inner = body["error"]["inner_error"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    assert inner["content_filter_results"]["violence"] == {"filtered": True, "severity": "medium"}
    assert generate(media_server, model="dalle-guarded", prompt="Draw a castle").data[0].url
    with pytest.raises(openai.BadRequestError):
        generate(media_server, model="dalle-guarded", prompt="a blocked   prompt")


def test_shared_content_filter_triggers_apply_to_image_prompts(media_server: MediaServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        generate(media_server, prompt="A haunted house on a hill")
    results = caught.value.response.json()["error"]["inner_error"]["content_filter_results"]
    assert results["hate"] == {"filtered": True, "severity": "high"}
    assert results["jailbreak"] == {"detected": False, "filtered": False}
    low = raw_generate(media_server, "2024-10-21", {"prompt": "A ship on a stormy sea"}).json()
    assert low["data"][0]["prompt_filter_results"]["violence"] == {"severity": "low", "filtered": False}
    assert low["data"][0]["content_filter_results"]["violence"] == {"severity": "safe", "filtered": False}


def test_images_on_a_chat_deployment_is_operation_not_supported(media_server: MediaServer) -> None:
    response = raw_generate(media_server, "2023-12-01-preview", {"prompt": "monkey"}, deployment="gpt-4o")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "OperationNotSupported"


def test_gpt_image_1_returns_base64_only(media_server: MediaServer, ffmpeg: None) -> None:
    result = generate(
        media_server, model="gpt-image-1", prompt="A watercolour fox", size="1536x1024", n=2, quality="medium"
    )
    assert len(result.data) == 2
    pictures = [base64.b64decode(item.b64_json or "") for item in result.data]
    assert [png_size(p) for p in pictures] == [(1536, 1024)] * 2
    assert pictures[0] != pictures[1]
    assert all(item.url is None and item.revised_prompt is None for item in result.data)
    for bad in ({"response_format": "url"}, {"style": "vivid"}):
        with pytest.raises(openai.BadRequestError, match="Unrecognized request argument"):
            generate(media_server, model="gpt-image-1", prompt="A fox", **bad)
    with pytest.raises(openai.BadRequestError) as caught:
        generate(media_server, model="gpt-image-1", prompt="A fox", size="1792x1024")
    assert caught.value.body["param"] == "size"  # type: ignore[index]


def test_gpt_image_1_jpeg_output(media_server: MediaServer, ffmpeg: None) -> None:
    result = generate(
        media_server, model="gpt-image-1", prompt="A harbour", size="1024x1536", output_format="jpeg"
    )
    data = base64.b64decode(result.data[0].b64_json or "")
    assert data[:2] == b"\xff\xd8"
    stream = ffprobe(data)["streams"][0]  # type: ignore[index]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("mjpeg", 1024, 1536)
    assert decoded_pixels(data) == 1024 * 1536
    with pytest.raises(openai.BadRequestError) as caught:
        generate(media_server, model="gpt-image-1", prompt="A harbour", output_format="webp")
    assert caught.value.body["param"] == "output_format"  # type: ignore[index]


def test_gpt_image_1_needs_a_2025_api_version(media_server: MediaServer) -> None:
    response = raw_generate(media_server, "2024-10-21", {"prompt": "A fox"}, deployment="gpt-image-1")
    assert response.status_code == 400
    assert "enabled only for api versions 2025-04-01-preview" in response.json()["error"]["message"]


def test_v1_surface_takes_the_deployment_from_model(media_server: MediaServer) -> None:
    result = media_server.v1().images.generate(model="dall-e-3", prompt="A kite", response_format="b64_json")
    assert png_size(base64.b64decode(result.data[0].b64_json or "")) == (1024, 1024)


def test_journal_records_image_calls_with_their_outcome(media_server: MediaServer) -> None:
    session = {"x-mock-session": "images-journal"}
    client = media_server.azure()
    client.images.generate(model="dall-e-3", prompt="A journal entry", extra_headers=session)
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="dall-e-3", prompt="A journal entry", n=3, extra_headers=session)
    entries = httpx.get(
        f"{media_server.endpoint}/_mock/requests",
        params={"session": "images-journal", "operation": "images.generations"},
    ).json()
    assert entries["count"] == 2
    ok, bad = entries["requests"]
    assert (ok["status"], bad["status"]) == (200, 400)
    assert ok["body"]["prompt"] == "A journal entry"
    assert ok["response"]["data"][0]["url"].startswith(media_server.endpoint)
    assert bad["response"]["error"]["param"] == "n"


def test_png_decodes_with_a_strict_decoder(media_server: MediaServer, ffmpeg: None) -> None:
    data = base64.b64decode(
        generate(media_server, prompt="A barn", response_format="b64_json").data[0].b64_json or ""
    )
    assert decoded_pixels(data) == 1024 * 1024
    assert ffprobe(data)["streams"][0]["pix_fmt"] == "pal8"  # type: ignore[index]


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[server]\nimage_url_expiry = 0\n", "image_url_expiry must be a positive number"),
        (
            '[[deployments]]\nname = "d"\nmodel = "dall-e-3"\nimage_filter_triggers = ["(open"]\n',
            "bad image_filter",
        ),
        (
            '[[deployments]]\nname = "d"\nmodel = "dall-e-3"\nimage_filter_triggers = "castle"\n',
            "must be a list",
        ),
    ],
)
def test_image_settings_are_checked_at_load(tmp_path: Path, toml: str, fragment: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=fragment):
        load_settings(config)
