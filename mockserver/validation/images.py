"""Image generation request checks (``POST .../images/generations``).

DALL-E 3 follows GA-SPEC ``imageGenerationsRequest`` (azure-wire §8, §12): ``prompt`` 1..4000
characters, ``n`` exactly 1, ``size`` 1792x1024 | 1024x1792 | 1024x1024, ``quality`` standard |
hd, ``style`` vivid | natural, ``response_format`` url | b64_json.

GPT-image-1 follows DALLE-DOC = MicrosoftDocs/azure-ai-docs ``articles/ai-foundry/openai/how-to/
dall-e.md`` (commit 8a6a2ea adds the gpt-image-1 output tab; learn.microsoft.com/azure/ai-foundry/
openai/how-to/dall-e): sizes 1024x1024 | 1024x1536 | 1536x1024, quality low | medium | high
(default high), ``n`` 1..10, output "only in base64 (no URL option)" and "``response_format``
parameter is not supported", so it and ``style`` are unknown arguments there; the prompt limit
(32000) and ``background``/``moderation``/``output_compression`` are the OpenAI API reference's
(third-party). The doc's examples call it with api-version 2025-04-01-preview; older versions get
azure-wire §1.4's "enabled only for api versions" 400 (inferred for this model).

The prompt filter (``[[content_filters]]`` triggers and the deployment's ``image_filter_triggers``)
is the pipeline's moderate stage, as for chat and completions.
"""

from __future__ import annotations

from typing import Any

from ..call import Call, ImageRequest
from ..config import Deployment
from ..errors import AzureError, invalid_request
from ..state import MockState
from ..versions import knows
from .rules import (
    check_enum,
    check_field,
    check_known,
    check_object,
    check_string_length,
    check_type,
    require,
)

DALLE_KNOWN = frozenset({"prompt", "n", "size", "response_format", "user", "quality", "style", "model"})
GPT_IMAGE_KNOWN = frozenset(
    {
        "prompt",
        "n",
        "size",
        "quality",
        "user",
        "model",
        "output_format",
        "output_compression",
        "background",
        "moderation",
    }
)
DALLE_SIZES = ("1792x1024", "1024x1792", "1024x1024")  # GA-SPEC imageSize order
GPT_IMAGE_SIZES = ("1024x1024", "1024x1536", "1536x1024")
GPT_IMAGE_SINCE = "2025-04-01"
MODEL_TOO_NEW = "Model {modelName} is enabled only for api versions 2025-04-01-preview and later"


def validate_images(call: Call, state: MockState) -> ImageRequest:
    """The pipeline's validator for ``images.generations`` (the prompt filter is the moderate stage's)."""
    assert call.deployment is not None
    return image_request(call.body, call.deployment, call.api_version)


def is_gpt_image(deployment: Deployment) -> bool:
    return deployment.model.startswith("gpt-image")


def image_request(body: Any, deployment: Deployment, version: str | None) -> ImageRequest:
    """Raise the first Azure 400 this body deserves; return the request with defaults."""
    body = check_object(body)
    gpt_image = is_gpt_image(deployment)
    if gpt_image and not knows(version, GPT_IMAGE_SINCE):
        # the literal {modelName} placeholder is in the real message (azure-wire §1.4, report)
        raise AzureError(400, {"error": {"code": "BadRequest", "message": MODEL_TOO_NEW}}, family="gateway")
    check_known(body, GPT_IMAGE_KNOWN if gpt_image else DALLE_KNOWN)
    prompt = check_prompt(body, 32_000 if gpt_image else 4_000)
    check_field(body, "n", (int,), 1, 10 if gpt_image else 1)
    check_field(body, "user", (str,))
    size = option(body, "size", GPT_IMAGE_SIZES if gpt_image else DALLE_SIZES, "1024x1024")
    width, height = (int(x) for x in size.split("x"))
    if gpt_image:
        return gpt_image_request(body, prompt, width, height)
    return ImageRequest(
        prompt,
        1,
        width,
        height,
        option(body, "quality", ("standard", "hd"), "standard"),
        option(body, "style", ("vivid", "natural"), "vivid"),
        option(body, "response_format", ("url", "b64_json"), "url"),
        "png",
        False,
    )


def gpt_image_request(body: dict[str, Any], prompt: str, width: int, height: int) -> ImageRequest:
    quality = option(body, "quality", ("low", "medium", "high"), "high")
    output_format = option(body, "output_format", ("png", "jpeg"), "png")
    check_field(body, "output_compression", (int,), 0, 100)
    option(body, "background", ("transparent", "opaque", "auto"), "auto")
    option(body, "moderation", ("low", "auto"), "auto")
    return ImageRequest(
        prompt, body.get("n") or 1, width, height, quality, None, "b64_json", output_format, True
    )


def check_prompt(body: dict[str, Any], limit: int) -> str:
    prompt = require(body, "prompt")
    check_type(prompt, (str,), "prompt")
    if not prompt:
        raise invalid_request(
            "Invalid 'prompt': empty string. Expected a string with minimum length 1, "
            "but got an empty string instead.",
            "prompt",
            "empty_string",
        )
    check_string_length(prompt, "prompt", limit)
    return str(prompt)


def option(body: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(name)
    if value is None:
        return default
    check_type(value, (str,), name)
    check_enum(value, allowed, name)
    return str(value)
