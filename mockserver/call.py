"""``Call``: what the pipeline knows about one request, filled in stage by stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .http import parse_json

if TYPE_CHECKING:
    from .config import Deployment
    from .replay.player import Replayed

UNPARSED: Any = object()


@dataclass(slots=True)
class RateInfo:
    """Values for the ``x-ratelimit-*`` headers of one response."""

    limit_requests: int
    remaining_requests: int
    limit_tokens: int
    remaining_tokens: int


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
    prompt_tokens: int = 0
    estimated_tokens: int = 0
    notes: list[str] = field(default_factory=list)
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
