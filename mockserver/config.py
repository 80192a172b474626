"""Settings and deployments: frozen dataclasses, loaded from defaults or a TOML file.

Precedence everywhere: explicit arguments > CLI options > config file > built-in defaults.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .catalogue import ALL_OPERATIONS, BUILTIN_DEPLOYMENTS, MODEL_DEFAULTS
from .config_keys import (
    RATE_LIMIT_MODES,
    TOKENIZER_MODES,
    body_limit,
    check_choice,
    check_state,
    parse_transcripts,
    server_values,
)
from .errors import ConfigError
from .filters.triggers import FilterTrigger, parse_trigger
from .limits import MAX_JSON_BYTES
from .replay.options import DEFAULT_MATCH_ON, check_match_on, valid_speed

SKUS = ("standard", "provisioned")
FILTER_MODES = ("default", "async")


@dataclass(frozen=True)
class Deployment:
    """One deployment: a name bound to a model, what it serves and its limits.

    name: the deployment name used in URLs (or in the body's ``model`` on /openai/v1).
    model: the model name (a key of ``catalogue.MODEL_DEFAULTS`` or any name with explicit fields).
    response_model: what responses put in ``model`` (the underlying model, azure-wire §5.2).
    capabilities: operations it serves; others get 400 OperationNotSupported.
    tpm / rpm: tokens and requests per minute (rpm defaults to 6 per 1000 tpm).
    modern: a 2024+ model whose responses carry ``refusal``, usage details and a
        ``system_fingerprint`` (recordings 11, 12, 14) where older models send none (01, 02).
    filter_mode: "default" or "async" (Asynchronous Filter, recording 12).
    sku: "standard" (short-window throttling) or "provisioned" (PTU: 429 with retry-after-ms).
    """

    name: str
    model: str
    version: str = ""
    response_model: str = ""
    capabilities: tuple[str, ...] = ()
    context_window: int = 0
    max_output_tokens: int = 0
    encoding: str = "cl100k_base"
    tpm: int = 0
    rpm: int = 0
    reasoning: bool = False
    dimensions: int = 0
    supports_dimensions: bool = False
    speech_instructions: bool = False
    filter_mode: str = "default"
    modern: bool = False
    sku: str = "standard"
    # images: prompts matching any of these regexes (case-insensitive) get the content-policy 400
    image_filter_triggers: tuple[str, ...] = ()

    def serves(self, operation: str) -> bool:
        return operation in self.capabilities


@dataclass(frozen=True)
class CannedReply:
    """Fixed content or tool calls for requests whose last user message matches ``pattern``."""

    pattern: re.Pattern[str]
    content: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    deployment: str | None = None


@dataclass(frozen=True)
class BatchTimes:
    """Seconds each phase of a batch lasts on the mock's clock (``[batch]`` in the config file).

    validating: from creation until the lines start; in_progress: at least this long (longer while
    lines still run); finalizing: after the last line until ``completed``; cancelling: from a cancel
    until ``cancelled``. A real two-line batch took minutes per phase (recording 28); the defaults
    finish a small batch about 3 s of wall time after it is created.
    """

    validating: float = 1.0
    in_progress: float = 1.0
    finalizing: float = 1.0
    cancelling: float = 1.0


@dataclass(frozen=True)
class Settings:
    """Everything the server needs; build with ``load_settings``.

    keys: accepted api keys; empty means any non-empty key is accepted.
    tokens: accepted Entra Bearer tokens; empty means any non-empty token (or, when keys are set,
        any JWT-shaped token) is accepted.
    freeze_time: a fixed epoch for ``created`` fields and ids; None uses the real clock.
    tokenizer: "auto" (real BPE when bpe-openai is installed), "bpe" (require it) or "approx".
    rate_limits: "enforce" (429 like Azure), "report" (x-ratelimit-* headers only) or "off".
    scenarios: scenario files or built-in scenario names whose fault rules load at start.
    content_filters: ``moderation.FilterTrigger`` items (TOML ``[[content_filters]]``).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    seed: int = 0
    deployments: tuple[Deployment, ...] = ()
    keys: frozenset[str] = frozenset()
    tokens: frozenset[str] = frozenset()
    region: str = "East US"
    freeze_time: float | None = None
    tokenizer: str = "auto"
    journal_size: int = 1000
    canned: tuple[CannedReply, ...] = ()
    rate_limits: str = "enforce"
    scenarios: tuple[str, ...] = ()
    content_filters: tuple[FilterTrigger, ...] = ()
    # seconds an image URL stays valid: "The URL stays active for 24 hours" (DALLE-DOC)
    image_url_expiry: float = 86_400.0
    responses_ttl: float = 2_592_000.0  # stored responses: "retained for 30 days" (Azure Responses how-to)
    # audio SHA-256 (hex) -> the transcript Whisper returns for it (TOML [[transcripts]])
    transcripts: tuple[tuple[str, str], ...] = ()
    # record and replay (mockserver.replay): cassettes served by the pipeline's replay stage;
    # speed scales recorded delays (0 = at once, 1 = as recorded); fallthrough sends unmatched
    # requests to the generator instead of a 404 ReplayMiss; match_on names the compared facets.
    replay: tuple[str, ...] = ()
    replay_speed: float = 0.0
    replay_fallthrough: bool = False
    replay_match_on: tuple[str, ...] = DEFAULT_MATCH_ON
    # the largest JSON request body accepted (413 past it; mockserver.limits)
    max_body_bytes: int = MAX_JSON_BYTES
    batch: BatchTimes = BatchTimes()
    # the speed layer (mockserver.fastpath): memoised answers, compiled header plans, one-write
    # responses with rendered heads. Off, every answer is made the plain way, with the same bytes.
    fast_path: bool = True
    # the state (mockserver.stores): "memory" or a Redis URL every worker and instance shares;
    state: str = "memory"  # ``namespace`` prefixes its keys, so two mocks can share one Redis
    namespace: str = "aoai-mock"

    def deployment(self, name: str) -> Deployment | None:
        for deployment in self.deployments:
            if deployment.name == name:
                return deployment
        return None

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


DEPLOYMENT_FIELDS = {f.name for f in fields(Deployment)}


def make_deployment(name: str, model: str, **overrides: Any) -> Deployment:
    """A deployment of ``model`` with the model's defaults, then ``overrides``."""
    unknown = set(overrides) - DEPLOYMENT_FIELDS
    if unknown:
        raise ConfigError(
            f"unknown deployment field(s) {sorted(unknown)}; valid: {sorted(DEPLOYMENT_FIELDS)}"
        )
    values: dict[str, Any] = {"response_model": model, **MODEL_DEFAULTS.get(model, {}), **overrides}
    if model not in MODEL_DEFAULTS and "capabilities" not in overrides:
        raise ConfigError(
            f"model {model!r} is not in the built-in table; give its capabilities "
            f"(any of {list(ALL_OPERATIONS)}) or use one of {sorted(MODEL_DEFAULTS)}"
        )
    values["capabilities"] = tuple(values.get("capabilities", ()))
    values["image_filter_triggers"] = check_patterns(values.get("image_filter_triggers", ()))
    for operation in values["capabilities"]:
        if operation not in ALL_OPERATIONS:
            raise ConfigError(f"unknown capability {operation!r}; valid: {list(ALL_OPERATIONS)}")
    if values.get("filter_mode", "default") not in FILTER_MODES:
        raise ConfigError(f"filter_mode must be one of {list(FILTER_MODES)}")
    if values.get("sku", "standard") not in SKUS:
        raise ConfigError(f"sku must be one of {list(SKUS)}")
    if not values.get("rpm"):
        # Azure grants 6 RPM per 1000 TPM (azure-wire §12, QUOTAS).
        values["rpm"] = values.get("tpm", 0) * 6 // 1000
    return Deployment(name=name, model=model, **values)


def builtin_deployments() -> tuple[Deployment, ...]:
    return tuple(make_deployment(name, model) for name, model in BUILTIN_DEPLOYMENTS.items())


def default_settings() -> Settings:
    return Settings(deployments=builtin_deployments())


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Built-in defaults, then the TOML file at ``path``, then ``overrides`` (None values ignored)."""
    settings = default_settings()
    if path is not None:
        settings = apply_file(settings, Path(path))
    settings = settings.with_changes(**overrides)
    check_choice("tokenizer", settings.tokenizer, TOKENIZER_MODES)
    check_choice("rate_limits", settings.rate_limits, RATE_LIMIT_MODES)
    check_replay(settings)
    body_limit("max_body_bytes", settings.max_body_bytes)
    check_state(settings.state)
    return settings


def check_replay(settings: Settings) -> None:
    """Replay settings are valid (the cassettes themselves are read when the state is built)."""
    speed = settings.replay_speed
    if not valid_speed(speed):
        raise ConfigError(
            f"replay_speed must be a number >= 0 (0 = as fast as possible, 1 = as recorded), got {speed!r}"
        )
    check_match_on(settings.replay_match_on)


def apply_file(settings: Settings, path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return apply_mapping(settings, data)


def apply_mapping(settings: Settings, data: dict[str, Any]) -> Settings:
    """Apply a parsed config mapping (the TOML layout documented in fixtures/deployments.toml)."""
    sections = {"server", "deployments", "canned", "content_filters", "transcripts", "batch"}
    unknown = set(data) - sections
    if unknown:
        raise ConfigError(f"unknown config section(s) {sorted(unknown)}; valid: {sorted(sections)}")
    server = server_values(data.get("server", {}))  # every key known and of its type, or a ConfigError
    deployments = parse_deployments(data.get("deployments", []))
    base = () if server.pop("replace_catalogue", False) else settings.deployments
    merged = {d.name: d for d in base} | {d.name: d for d in deployments}
    changes: dict[str, Any] = {"deployments": tuple(merged.values()), **server}
    if "scenarios" in server:
        changes["scenarios"] = settings.scenarios + server["scenarios"]
    if "canned" in data:
        changes["canned"] = tuple(parse_canned(item) for item in data["canned"])
    if "content_filters" in data:
        changes["content_filters"] = tuple(parse_trigger(item) for item in data["content_filters"])
    if "transcripts" in data:
        changes["transcripts"] = settings.transcripts + parse_transcripts(data["transcripts"])
    if "batch" in data:
        changes["batch"] = parse_batch_times(data["batch"], settings.batch)
    return replace(settings, **changes)


def parse_batch_times(data: Any, base: BatchTimes) -> BatchTimes:
    """``[batch]``: each phase's seconds, a number >= 0."""
    valid = {f.name for f in fields(BatchTimes)}
    if not isinstance(data, dict) or set(data) - valid:
        unknown = sorted(set(data) - valid) if isinstance(data, dict) else data
        raise ConfigError(f"unknown [batch] key(s) {unknown}; valid: {sorted(valid)}")
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 86_400:
            raise ConfigError(f"[batch] {key} must be a number of seconds from 0 to 86400, got {value!r}")
    return replace(base, **{key: float(value) for key, value in data.items()})


def parse_deployments(items: list[dict[str, Any]]) -> list[Deployment]:
    result = []
    for item in items:
        item = dict(item)
        if "name" not in item or "model" not in item:
            raise ConfigError(f"each [[deployments]] entry needs 'name' and 'model': {item}")
        result.append(make_deployment(item.pop("name"), item.pop("model"), **item))
    return result


def parse_canned(item: dict[str, Any]) -> CannedReply:
    if "match" not in item:
        raise ConfigError(f"each [[canned]] entry needs a 'match' regex: {item}")
    try:
        pattern = re.compile(item["match"], re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"bad canned 'match' regex {item['match']!r}: {exc}") from exc
    calls = tuple(item.get("tool_calls", ()))
    if item.get("content") is None and not calls:
        raise ConfigError(f"canned reply {item['match']!r} needs 'content' or 'tool_calls'")
    return CannedReply(pattern, item.get("content"), calls, item.get("deployment"))


def check_patterns(patterns: Any) -> tuple[str, ...]:
    """Image content-filter triggers: regexes (plain phrases work too), checked at load time."""
    if isinstance(patterns, str) or not isinstance(patterns, list | tuple):
        raise ConfigError(f"image_filter_triggers must be a list of regexes, got {patterns!r}")
    for pattern in patterns:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ConfigError(f"bad image_filter_triggers regex {pattern!r}: {exc}") from exc
    return tuple(str(p) for p in patterns)
