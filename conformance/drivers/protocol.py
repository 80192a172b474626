"""The driver protocol: a ``DriverCall`` in, an ``Outcome`` out, and the ``Driver`` base class."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.versions import DEFAULT_GA

if TYPE_CHECKING:
    from ..targets import Target

OPERATIONS = (
    "chat",
    "chat_stream",
    "embeddings",
    "batch",
    "responses",
    "responses_stream",
    "responses_retrieve",
)
MESSAGES = [{"role": "user", "content": "Say hello in five words."}]
# the batch flow: upload these lines, create a batch, poll it to its end, download and parse its files
BATCH_LINES = ("ok-1", "ok-2", "throttled", "filtered")
BATCH_TERMINAL = ("completed", "failed", "cancelled", "expired")


def batch_input(deployment: str, surface: str) -> bytes:
    import json

    url = "/v1/chat/completions" if surface == "v1" else "/chat/completions"
    rows = [
        {
            "custom_id": name,
            "method": "POST",
            "url": url,
            "body": {"model": deployment, "messages": MESSAGES, "max_tokens": 16},
        }
        for name in BATCH_LINES
    ]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


@dataclass(frozen=True)
class DriverCall:
    """One client call.

    operation: ``chat``, ``chat_stream``, ``embeddings``, ``batch`` (upload a JSONL file, create a
      batch, poll it to its end, download and parse its output and error files), ``responses``,
      ``responses_stream`` (count the events, note the last and whether one was response.completed)
      or ``responses_retrieve`` (create, then retrieve the new id at once).
    endpoint: the resource endpoint (``https://<res>.openai.azure.com`` or the mock's base URL).
    surface: ``classic`` (AzureOpenAI with api-version) or ``v1`` (plain OpenAI on /openai/v1/).
    auth: ``key``, ``token`` (Entra bearer) or ``env`` (the client reads AZURE_OPENAI_* itself).
    headers: default headers the client adds to every request (``x-mock-session``).
    settings: ``max_retries`` and ``timeout`` (seconds); absent means the SDK's default.
    env: environment variables for ``auth == "env"``.
    """

    operation: str
    endpoint: str
    deployment: str
    api_key: str = ""
    api_version: str = DEFAULT_GA
    surface: str = "classic"
    auth: str = "key"
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Outcome:
    """What the client reported. ``error_class`` is the exception's class name (None on success);
    ``attempts`` the HTTP requests the client itself sent (counted in its transport)."""

    driver: str
    sdk: str
    sdk_version: str
    runtime: str
    ok: bool
    error_class: str | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    attempts: int | None = None
    elapsed: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Driver:
    """A client under test. ``sdk`` keys the expectations in ``conformance.vectors``; ``tls`` drivers
    are sent to the target's https endpoint (their clients trust the mock's CA as the README says)."""

    name = ""
    sdk = ""
    tls = False

    def __init__(self, target: Target) -> None:
        self.target = target

    def unavailable(self) -> str | None:
        """Why this driver cannot run here (None when it can)."""
        return None

    @property
    def version(self) -> str:
        raise NotImplementedError

    @property
    def runtime(self) -> str:
        raise NotImplementedError

    @property
    def scheme(self) -> str:
        """What the client talks to the target over (shown in the matrix)."""
        endpoint = self.target.endpoint_for(self.tls) or ""
        return "https" if endpoint.startswith("https://") else "http"

    def run(self, call: DriverCall) -> Outcome:
        raise NotImplementedError

    def outcome(self, **fields: Any) -> Outcome:
        return Outcome(
            driver=self.name, sdk=self.sdk, sdk_version=self.version, runtime=self.runtime, **fields
        )
