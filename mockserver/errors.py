"""Two error families.

* ``MockServerError``: misuse of the library, raised in Python (``ConfigError``).
* ``AzureError``: an error that renders to the wire exactly as Azure sends it.

Every body below cites its source in ``../shared/reference/azure-wire.md`` (section) or a
recording number. Azure uses three envelope families (azure-wire §3.1): the *model*
family ``{"error":{"message","type","param","code"}}``, the *gateway* family
``{"error":{"code","message"}}`` and the bare ``{"statusCode","message"}`` family.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .jsontext import compact

Family = Literal["model", "gateway", "auth", "throttle"]


class MockServerError(Exception):
    """Base class for misuse of the mock library itself."""


class ConfigError(MockServerError, ValueError):
    """A configuration value is invalid; the message lists the valid values."""


@dataclass(eq=False)
class AzureError(Exception):
    """An error response rendered byte-for-byte the way Azure renders it.

    status: HTTP status code.
    body: the JSON body (dict, key order preserved) or pre-rendered bytes.
    headers: extra response headers beyond the common Azure ones.
    family: who answers, which picks the response's header profile (``endpoints.render``):
        "model" (the model service: the model-error headers, recording 04), "gateway" (APIM before
        the model: recordings 05, 10), "auth" (the 401s: recording 06) or "throttle" (the 429s).
    """

    status: int
    body: dict[str, Any] | bytes
    headers: dict[str, str] = field(default_factory=dict)
    family: Family = "model"

    def __post_init__(self) -> None:
        super().__init__(f"{self.status}: {self.render()[:200]!r}")

    def render(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return compact(self.body)

    @property
    def code(self) -> str | None:
        if isinstance(self.body, bytes):
            return None
        err = self.body.get("error")
        return str(err.get("code")) if isinstance(err, dict) and err.get("code") is not None else None


# --- gateway family -------------------------------------------------------------------------


def gateway_bytes(code: str, message: str) -> bytes:
    """APIM-style body with the space after ``"message":`` (azure-wire §1.4, §3.5)."""
    return (
        b'{"error":{"code":'
        + json.dumps(code).encode()
        + b',"message": '
        + json.dumps(message).encode()
        + b"}}"
    )


INVALID_KEY_MESSAGE = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
    "valid key for an active subscription and use a correct regional API endpoint for your resource."
)
TOKEN_401_MESSAGE = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired."
)
DEPLOYMENT_NOT_FOUND_MESSAGE = (
    "The API deployment for this resource does not exist. If you created the deployment within the "
    "last 5 minutes, please wait a moment and try again."
)
OPERATION_NOT_SUPPORTED_MESSAGE = (
    "The {operation} operation does not work with the specified model, {model}. Please choose "
    "different model and try again. You can learn more about which models can be used with each "
    "operation here: https://go.microsoft.com/fwlink/?linkid=2197993."
)


def invalid_key() -> AzureError:
    """401 for a missing or wrong key: recording 06 (224 bytes, compact)."""
    return AzureError(401, {"error": {"code": "401", "message": INVALID_KEY_MESSAGE}}, family="auth")


def invalid_token() -> AzureError:
    """401 for a bad Entra token, or a key sent as Bearer on the classic surface.

    azure-wire §2.1 (report): a different envelope, with no ``error`` wrapper.
    """
    return AzureError(401, {"statusCode": 401, "message": TOKEN_401_MESSAGE}, family="auth")


def resource_not_found() -> AzureError:
    """404 for an unknown route or a missing api-version (azure-wire §1.4, report).

    The body has a space after ``"message":`` (APIM style), so it is kept as bytes.
    """
    return AzureError(404, b'{"error":{"code":"404","message": "Resource not found"}}', family="gateway")


def api_version_not_supported() -> AzureError:
    """400 for an unknown api-version, or a dated one on /openai/v1 (azure-wire §1.2, §1.4, report)."""
    return AzureError(
        400, {"error": {"code": "BadRequest", "message": "API version not supported"}}, family="gateway"
    )


def deployment_not_found() -> AzureError:
    """404 DeploymentNotFound: recording 05."""
    return AzureError(
        404,
        {"error": {"code": "DeploymentNotFound", "message": DEPLOYMENT_NOT_FOUND_MESSAGE}},
        family="gateway",
    )


# operationId-style names used in Azure messages (azure-wire §1.1, recording 10).
OPERATION_WIRE_NAMES = {
    "chat.completions": "chatCompletion",
    "completions": "completion",
    "embeddings": "embeddings",
    "images.generations": "imageGenerations",
    "audio.transcriptions": "audioTranscription",
    "audio.translations": "audioTranslation",
    "audio.speech": "audioSpeech",
}


def operation_not_supported(operation: str, model: str) -> AzureError:
    """400 OperationNotSupported: recording 10, entry 2 (images on a chat deployment).

    Only the imageGenerations wording is recorded; the other operation names follow the same
    camelCase pattern (inferred).
    """
    message = OPERATION_NOT_SUPPORTED_MESSAGE.format(
        operation=OPERATION_WIRE_NAMES.get(operation, operation), model=model
    )
    return AzureError(400, {"error": {"code": "OperationNotSupported", "message": message}}, family="gateway")


# --- model family ---------------------------------------------------------------------------


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> AzureError:
    """400 in the model/service envelope, OpenAI key order message, type, param, code (azure-wire §3.1)."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return AzureError(400, body, headers=dict(MODEL_ERROR_HEADERS))


# Model-produced 400s carry these (recording 04).
MODEL_ERROR_HEADERS = {
    "ms-azureml-model-error-reason": "model_error",
    "ms-azureml-model-error-statuscode": "400",
}


def unrecognized_argument(name: str) -> AzureError:
    """A parameter newer than the api-version (azure-wire §1.4, report litellm#8638)."""
    body = {
        "error": {
            "message": f"Unrecognized request argument supplied: {name}",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    return AzureError(400, body)


def unsupported_parameter(name: str, instead: str) -> AzureError:
    """o-series + max_tokens (azure-wire §3.2, report dify#9746)."""
    return invalid_request(
        f"Unsupported parameter: '{name}' is not supported with this model. Use '{instead}' instead.",
        param=name,
        code="unsupported_parameter",
    )


def unsupported_value(param: str, value: Any, default: Any) -> AzureError:
    """Reasoning models reject non-default temperature etc. (report: vscode#253673, lumen#1087)."""
    return invalid_request(
        f"Unsupported value: '{param}' does not support {value} with this model. "
        f"Only the default ({default}) value is supported.",
        param=param,
        code="unsupported_value",
    )


def context_length_exceeded(limit: int, prompt: int, completion: int | None) -> AzureError:
    """azure-wire §3.2 (reports kernel-memory#516 and azure-sdk-for-net#41892)."""
    if completion is None:
        message = (
            f"This model's maximum context length is {limit} tokens. However, your messages resulted "
            f"in {prompt} tokens. Please reduce the length of the messages."
        )
    else:
        message = (
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt + completion} tokens ({prompt} in the messages, {completion} in the completion). "
            "Please reduce the length of the messages or completion."
        )
    return invalid_request(message, param="messages", code="context_length_exceeded")


def server_error(request_id: str) -> AzureError:
    """500 in the 2025 wording (azure-wire §3.2, report azure-sdk-for-python#40812)."""
    message = (
        "The server had an error processing your request. Sorry about that! You can retry your request, "
        "or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 "
        f"if you keep seeing this error. (Please include the request ID {request_id} in your email.)"
    )
    return AzureError(
        500, {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
    )


STATE_HEADER = "x-mock-state-unavailable"
UNAVAILABLE_MESSAGE = "The service is temporarily unable to process your request. Please try again later."


def state_unavailable(cause: str) -> AzureError:
    """503 when the mock's shared state (Redis, ``mockserver.stores``) does not answer: the body of a
    scripted 503 (message: report, low confidence, azure-wire §3.2; envelope inferred, gateway family),
    and ``x-mock-state-unavailable`` naming the cause, so a test can tell it from a scripted fault."""
    headers = {STATE_HEADER: cause[:200], "retry-after": "1"}
    return AzureError(503, gateway_bytes("503", UNAVAILABLE_MESSAGE), headers=headers, family="gateway")


# --- images and audio -----------------------------------------------------------------------

IMAGE_POLICY_MESSAGE = (
    "Your request was rejected as a result of our safety system. Your prompt may contain text that is not "
    "allowed by our safety system."
)


def content_policy_violation(content_filter_results: dict[str, Any]) -> AzureError:
    """Image prompt blocked by the content filter: 400 ``content_policy_violation`` with
    ``inner_error.content_filter_results``, keys alphabetical as in the 2025 body (azure-wire §3.4,
    §8; report litellm#16072). The spec calls the inner object ``dalleInnerError`` (GA-SPEC)."""
    inner = {"code": "ResponsibleAIPolicyViolation", "content_filter_results": content_filter_results}
    body = {
        "error": {
            "code": "content_policy_violation",
            "inner_error": inner,
            "message": IMAGE_POLICY_MESSAGE,
            "type": "invalid_request_error",
        }
    }
    return AzureError(400, body)


def content_too_large(limit: int, size: int) -> AzureError:
    """413 for an audio upload over Whisper's 25 MB (WHISPER-DOC): the wording of the reports
    (OpenAI, and an Azure demo: retkowsky/Azure-AIGEN-demos#3), ``type: server_error``."""
    message = f"Maximum content size limit ({limit}) exceeded ({size} bytes read)"
    body = {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
    return AzureError(413, body)


# --- files and batches ----------------------------------------------------------------------


def authoring_error(status: int, code: str, message: str) -> AzureError:
    """The files and batches envelope ``{"error": {"code", "message"}}`` (AUTH-SPEC ``ErrorResponse``,
    codes from its ``ErrorCode`` enum; reports: ``invalidPayload`` / "Invalid value for purpose."
    (AI-in-a-Box#46, litellm#6582, azure-sdk-for-net#44913), ``quotaExceeded`` (azure-sdk-for-java#47401))."""
    return AzureError(status, {"error": {"code": code, "message": message}}, family="gateway")


def invalid_payload(message: str) -> AzureError:
    return authoring_error(400, "invalidPayload", message)


def not_found(kind: str, object_id: str) -> AzureError:
    """404 for an unknown file or batch id (no recording; the ``notFound`` code of AUTH-SPEC, wording
    inferred). Deleting an unknown file is not an error: 200 ``deleted: false`` (recording 27)."""
    return authoring_error(404, "notFound", f"{kind} with id '{object_id}' not found.")
