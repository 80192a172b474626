"""The reference recordings of real Azure exchanges, as requests to replay against any target.

The recordings live outside the project (``../shared/reference/azure-recordings`` from the project
root, or ``$AOAI_CONFORMANCE_REFERENCE/azure-recordings``) and are read in place, never copied.
Each file is a ``# source:`` line, then Azure SDK test-proxy JSON (``Entries[]``).

A recorded request is sent again with the target's credential (except the invalid-key exchange 06,
which sends a wrong key), and with the recorded deployment replaced by the target's deployment of
the same kind, unless the target keeps the recorded names (the ``server`` and ``inprocess``
targets serve them, see ``conformance/mock.toml``; the replay stand-in answers only them).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .targets import BAD_KEY, Target

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_ENV = "AOAI_CONFORMANCE_REFERENCE"
NO_RECORDINGS = (
    "the reference recordings are not present: expected {path} (the shared/reference folder beside the "
    "project, or set AOAI_CONFORMANCE_REFERENCE to a folder holding azure-recordings/)"
)


def reference_dir() -> Path:
    return Path(os.environ.get(REFERENCE_ENV) or ROOT.parent / "shared" / "reference")


def recordings_dir() -> Path:
    return reference_dir() / "azure-recordings"


def missing_reason() -> str | None:
    """Why recorded exchanges cannot run here, or None when the recordings are present."""
    folder = recordings_dir()
    return None if folder.is_dir() else NO_RECORDINGS.format(path=folder)


def recording_files() -> list[Path]:
    return sorted(p for p in recordings_dir().glob("[0-9][0-9]-*.txt"))


@dataclass(frozen=True)
class Exchange:
    """One recorded exchange the suite replays.

    id: short name (recording number, plus the entry when a file holds several).
    kind: the kind of deployment it needs (chat, embeddings, completions) for mapping.
    provoke: a fault rule that makes a mock answer like the recording when the trigger is the
      service's own judgement (the prompt filter of 04); sent only to mock targets.
    """

    id: str
    recording: str
    entry: int
    what: str
    kind: str = "chat"
    bad_key: bool = False
    provoke: dict[str, Any] | None = None


PROMPT_FILTER_RULE: dict[str, Any] = {
    "fault": {"status": 400, "content_filter": {"category": "violence", "severity": "medium"}}
}

EXCHANGES = (
    Exchange("01", "01", 0, "chat, JSON (2025-01-01-preview)"),
    Exchange("02", "02", 0, "chat stream, classic surface"),
    Exchange("03", "03", 0, "chat stream on /openai/v1, no api-version"),
    Exchange("04", "04", 0, "400 content_filter on the prompt", provoke=PROMPT_FILTER_RULE),
    Exchange("05", "05", 0, "404 DeploymentNotFound", kind="none"),
    Exchange("06", "06", 0, "401 invalid key on a stream request", bad_key=True),
    Exchange("07-base64", "07", 0, "embeddings, base64, dimensions=1", kind="embeddings"),
    Exchange("07-float", "07", 1, "embeddings, float, dimensions=1", kind="embeddings"),
    Exchange("10-images", "10", 0, "dall-e-3 image generation (2023-12-01-preview)", kind="images"),
    Exchange("10-unsupported", "10", 1, "400 OperationNotSupported (images on a chat deployment)"),
    Exchange("11", "11", 0, "chat stream, include_usage + logprobs, GA 2024-10-21"),
    Exchange("12", "12", 0, "chat stream, Asynchronous Filter deployment", kind="async_filter"),
    Exchange("13", "13", 0, "legacy completions", kind="completions"),
    Exchange("14", "14", 0, "chat stream, tool_choice required", kind="chat"),
    Exchange(
        "32", "32", 0, "chat with an image_url part: per-part prompt results (Go azopenai vision, Nov 2025)"
    ),
    Exchange("33", "33", 0, "chat with store + metadata, gpt-4o (Go, Mar 2025)"),
    Exchange("16", "16", 0, "Responses text stream: event lines, sequence_number from 0, no [DONE]"),
    Exchange("18", "18", 0, "Responses function-call stream: function_call_arguments deltas"),
    Exchange("20", "20", 0, "Responses max_output_tokens: incomplete (Jul 2025 shape)"),
    Exchange("21", "21", 0, "Responses structured outputs (json_schema echoed with strict true)"),
    Exchange("22", "22", 0, "Responses o3-mini reasoning with a detailed summary"),
    Exchange("24", "24", 0, "Responses multi-turn by resending the history (Jul 2025 shape)"),
    Exchange("25", "25", 0, "Responses with web_search_preview (Mar 2026 shape): search call, citations"),
    Exchange("26", "26", 0, "Responses without model: 400 'Missed model deployment', no Content-Type"),
)
BY_ID = {exchange.id: exchange for exchange in EXCHANGES}


@cache
def load_entries(recording: str) -> tuple[dict[str, Any], ...]:
    (path,) = recordings_dir().glob(f"{recording}-*.txt")
    text = path.read_text(encoding="utf-8")
    if not text.startswith("# source:"):
        raise ValueError(f"{path.name}: line 1 should be the '# source:' comment")
    return tuple(json.loads(text.split("\n", 1)[1])["Entries"])


def load_entry(exchange: Exchange) -> dict[str, Any]:
    return load_entries(exchange.recording)[exchange.entry]


@dataclass(frozen=True)
class Replay:
    """A request ready to send: method, path and query (URL-encoded as recorded), headers, body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    deployment: str | None


def recorded_deployment(entry: dict[str, Any]) -> str | None:
    parts = urlsplit(entry["RequestUri"]).path.strip("/").split("/")
    if "deployments" in parts:
        return unquote(parts[parts.index("deployments") + 1])
    body = entry.get("RequestBody")
    return body.get("model") if isinstance(body, dict) else None


def replay_request(exchange: Exchange, target: Target) -> Replay:
    """The recorded request, with the target's deployment and credential."""
    entry = load_entry(exchange)
    uri = urlsplit(entry["RequestUri"])
    recorded = recorded_deployment(entry)
    deployment = target.deployments.for_recorded(exchange.kind, recorded)
    path = uri.path
    if recorded and deployment != recorded and "/deployments/" in path:
        path = path.replace(f"/deployments/{quote(recorded)}/", f"/deployments/{quote(deployment)}/")
        path = path.replace(f"/deployments/{recorded}/", f"/deployments/{quote(deployment)}/")
    body = entry["RequestBody"]
    if isinstance(body, dict) and recorded and body.get("model") == recorded:
        body = {**body, "model": deployment}
    surface = "v1" if "/openai/v1/" in path else "classic"
    headers = {"Content-Type": "application/json"}
    headers.update({"api-key": BAD_KEY} if exchange.bad_key else target.auth_headers(surface))
    return Replay(
        entry["RequestMethod"],
        path + (f"?{uri.query}" if uri.query else ""),
        headers,
        json.dumps(body).encode(),
        deployment,
    )
