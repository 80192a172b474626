"""``Call``: what the pipeline knows about one request, filled in stage by stage; and the typed
request each operation's validator returns (``Call.request``), which its handler reads."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .http import parse_json

if TYPE_CHECKING:
    from .config import Deployment
    from .replay.player import Replayed

UNPARSED: Any = object()
R = TypeVar("R")


@dataclass(slots=True)
class RateInfo:
    """Values for the ``x-ratelimit-*`` headers of one response."""

    limit_requests: int
    remaining_requests: int
    limit_tokens: int
    remaining_tokens: int


# --- what a validator hands its handler ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Metered:
    """A request the rate limiter charges: its prompt tokens, and the estimate it is charged for
    (prompt tokens plus the requested output, azure-wire §3.5)."""

    prompt_tokens: int
    estimated_tokens: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRequest(Metered):
    """A valid chat completions request (the handler reads the body itself, ``Call.body``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletionsRequest(Metered):
    """A valid legacy completions request: its prompts as a list, and the output cap (``max_tokens``
    as given, its default when absent; None: no cap)."""

    prompts: tuple[str, ...]
    max_tokens: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddingsRequest(Metered):
    """A valid embeddings request: its inputs (strings or token arrays) and output options."""

    inputs: tuple[str | list[int], ...]
    dimensions: int | None  # None: the model's own
    encoding_format: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponsesCreate(Metered):
    """A valid Responses create: the body, its input items, the chained turns' items (context) and
    the chat request the generator plans the output from (``responses.inputs.chat_body``)."""

    body: dict[str, Any]
    items: tuple[dict[str, Any], ...]
    context: tuple[dict[str, Any], ...]
    chat: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """A valid image generation request with the defaults filled in."""

    prompt: str
    n: int
    width: int
    height: int
    quality: str
    style: str | None
    response_format: str
    output_format: str
    gpt_image: bool


@dataclass(frozen=True, slots=True)
class Transcription:
    """A valid transcription or translation request."""

    upload: Any  # starlette UploadFile
    kind: str | None  # container sniffed from the first bytes
    response_format: str
    temperature: float
    language: str | None
    granularities: tuple[str, ...]
    translate: bool


@dataclass(frozen=True, slots=True)
class Speech:
    """A valid text-to-speech request."""

    input: str
    voice: str
    response_format: str
    speed: float


@dataclass(frozen=True, slots=True)
class FileUpload:
    """A valid file upload: the spooled part (a starlette ``UploadFile``), its purpose and expiry."""

    upload: Any
    filename: str
    purpose: str
    expires_after: int | None  # seconds after created_at, or None


@dataclass(frozen=True, slots=True)
class FileListing:
    """A valid file listing: the ``purpose`` filter, if any."""

    purpose: str | None


@dataclass(frozen=True, slots=True)
class BatchCreate:
    """A valid batch creation."""

    body: dict[str, Any]
    operation: str
    url: str  # the endpoint as Azure echoes it: without /v1 (recordings 28, 29)


@dataclass(frozen=True, slots=True)
class VersionChecked:
    """A request whose only check is its api-version (batch retrieve, list, cancel)."""


OperationRequest = (
    Metered | ImageRequest | Transcription | Speech | FileUpload | FileListing | BatchCreate | VersionChecked
)


# --- the call -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Call:
    """One request as the pipeline sees it.

    surface: "deployments" (classic, dated api-version), "v1" or "resource" (e.g. /openai/models).
    operation: "chat.completions", "embeddings", "models", ... (None for unknown routes).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    request_id: str
    x_request_id: str
    started: float = field(default_factory=time.monotonic)
    received_at: float = field(default_factory=time.time)
    surface: str | None = None
    operation: str | None = None
    deployment_name: str | None = None
    resource_id: str | None = None
    deployment: Deployment | None = None
    api_version: str | None = None
    raw_body: bytes = b""
    parsed_body: Any = None  # see ``body``; UNPARSED: valid JSON, parsed when first read
    form: Any = None
    rate: RateInfo | None = None
    fault: str | None = None
    transport_fault: dict[str, Any] | None = None
    prompt_hits: dict[str, Any] = field(default_factory=dict)
    filter_action: dict[str, Any] | None = None
    deferred: Any = None  # an AzureError kept for the replay stage (pipeline.defer)
    replayed: Replayed | None = None  # the recorded answer the replay stage found (pipeline.replay)
    request: OperationRequest | None = None  # what the validate stage made of the body
    notes: list[str] = field(default_factory=list)
    # the fault-rule version a shared state found no rule for: checked with the rate-limit charge
    rules_seen: str | None = None  # (stores.redis.faults), so a request costs one round trip less
    batch_id: str | None = None  # a line of this batch (mockserver.batch.runner), with its custom_id
    custom_id: str | None = None
    scope: Any = None
    receive: Any = None

    @property
    def body(self) -> Any:
        """The parsed JSON body (None for none). A body the server has already seen parse is
        parsed only when something reads it (``pipeline.body``)."""
        if self.parsed_body is UNPARSED:
            self.parsed_body = parse_json(self.raw_body)
        return self.parsed_body

    @body.setter
    def body(self, value: Any) -> None:
        self.parsed_body = value

    def request_as(self, kind: type[R]) -> R:
        """``request`` as the handler of this operation expects it (the validate stage made it)."""
        assert isinstance(self.request, kind), f"{self.operation} expects a {kind.__name__}"
        return self.request

    @property
    def prompt_tokens(self) -> int:
        return self.request.prompt_tokens if isinstance(self.request, Metered) else 0

    @property
    def estimated_tokens(self) -> int:
        return self.request.estimated_tokens if isinstance(self.request, Metered) else 0

    @property
    def session(self) -> str | None:
        return self.headers.get("x-mock-session")

    @property
    def client_request_id(self) -> str:
        """Echo of ``x-ms-client-request-id``, else the apim-request-id (recordings 04, 08)."""
        return self.headers.get("x-ms-client-request-id") or self.request_id

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()
