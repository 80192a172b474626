"""``MockSpec``: how one test wants its mock, from ``@pytest.mark.aoai(...)`` or ``MockAzure`` kwargs.

Keyword arguments only; an unknown one is an error that lists the valid ones. Settings come
from, highest first: the marker, the ``--aoai-*`` options (CLI > ini > env), the config file, the
built-in defaults.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Deployment, Settings, apply_mapping, load_settings, parse_canned
from ..config_keys import RATE_LIMIT_MODES, TOKENIZER_MODES, check_choice
from ..errors import ConfigError
from ..faults.scenarios import load_scenario
from ..replay.options import valid_speed

SPEC_KEYS = (
    "api_version",
    "canned",
    "cassette",
    "config",
    "deployments",
    "env",
    "faults",
    "freeze_time",
    "keys",
    "rate_limits",
    "record_mode",
    "replace_catalogue",
    "replay_speed",
    "scenario",
    "seed",
    "tls",
    "tokenizer",
)
# Keys that change the server's settings: an external target cannot honour them.
SETTINGS_KEYS = (
    "canned",
    "config",
    "deployments",
    "freeze_time",
    "keys",
    "rate_limits",
    "replace_catalogue",
    "seed",
    "tokenizer",
)
UNKNOWN_KEYS = "unknown @pytest.mark.aoai / MockAzure argument(s) {unknown}; valid: {valid}"
DEFAULT_API_KEY = "aoai-mock-key"  # what a handle uses when the config sets no keys
POSITIONAL = "@pytest.mark.aoai takes keyword arguments only, e.g. @pytest.mark.aoai(seed=1); got {args!r}"


@dataclass(frozen=True)
class MockSpec:
    """One test's mock configuration (every field optional).

    config: a TOML config file (the ``fixtures/deployments.toml`` layout), relative to ``base_dir``.
    deployments: extra deployments, as dicts ``{"name", "model", ...}`` or ``Deployment`` objects.
    canned: canned replies ``{"match": regex, "content": ... | "tool_calls": [...]}``, tried first.
    scenario: built-in scenario names or scenario files whose fault rules load for the test.
    faults: fault rules (``mockserver.faults`` format) loaded for the test.
    api_version: the api-version the handle's clients use.
    env: set AZURE_OPENAI_ENDPOINT / _API_KEY and OPENAI_API_VERSION for the whole test.
    cassette: replay and/or record the test's exchanges: a name (``<test dir>/cassettes/<name>.json``)
        or a path (absolute, or with a suffix, relative to ``<test dir>/cassettes``); in the marker,
        ``True`` names it after the test (``cassettes/<module>/<test name>.json``).
    record_mode: none | once | new_episodes | all for this test (beats ``--aoai-record-mode``).
    replay_speed: the replay timing factor (0: at once, the default; 1: as recorded).
    tls: a live mock serves https (True) or http (False); None: as ``--aoai-tls`` says.
    """

    api_version: str | None = None
    canned: tuple[dict[str, Any], ...] = ()
    cassette: str | None = None
    config: str | None = None
    deployments: tuple[Any, ...] = ()
    env: bool = False
    faults: tuple[dict[str, Any], ...] = ()
    freeze_time: Any = None
    keys: tuple[str, ...] = ()
    rate_limits: str | None = None
    record_mode: str | None = None
    replace_catalogue: bool = False
    replay_speed: float | None = None
    scenario: tuple[str, ...] = ()
    seed: int | None = None
    tls: bool | None = None
    tokenizer: str | None = None
    base_dir: Path | None = None

    @property
    def changes_settings(self) -> list[str]:
        """The settings keys this spec sets (which an external target cannot honour)."""
        defaults = MockSpec()
        return [k for k in SETTINGS_KEYS if getattr(self, k) != getattr(defaults, k)]

    def rules(self) -> list[dict[str, Any]]:
        """The fault rules of ``scenario`` then ``faults``."""
        rules: list[dict[str, Any]] = []
        for name in self.scenario:
            rules.extend(load_scenario(self.resolve(name) if self.looks_like_path(name) else name)["rules"])
        rules.extend(dict(rule) for rule in self.faults)
        return rules

    @staticmethod
    def looks_like_path(ref: str) -> bool:
        return ref.endswith((".toml", ".json"))

    def resolve(self, ref: str) -> str:
        path = Path(ref)
        if not path.is_absolute() and self.base_dir is not None:
            path = self.base_dir / path
        return str(path)

    def cassette_file(self) -> Path | None:
        """Where ``cassette`` lives: ``<base_dir>/cassettes/<name>.json`` (the working directory
        outside a test), an absolute path or a name with a suffix as given (``cassette_path``)."""
        if self.cassette is None:
            return None
        from ..replay.attach import cassette_path

        base = self.base_dir if self.base_dir is not None else Path.cwd()
        return cassette_path(self.cassette, base / "test_file.py")  # its parent is the base


def as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, dict, Deployment)):
        return (value,)
    return tuple(value)


def parse_spec(kwargs: dict[str, Any], base_dir: Path | None = None) -> MockSpec:
    """Validate keyword arguments into a ``MockSpec``."""
    unknown = sorted(set(kwargs) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(UNKNOWN_KEYS.format(unknown=unknown, valid=list(SPEC_KEYS)))
    values = dict(kwargs)
    for key in ("canned", "deployments", "faults", "keys", "scenario"):
        if key in values:
            values[key] = as_tuple(values[key])
    seed = values.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ConfigError(f"seed must be a whole number, got {seed!r}")
    for name, valid in (("rate_limits", RATE_LIMIT_MODES), ("tokenizer", TOKENIZER_MODES)):
        if values.get(name) is not None:
            check_choice(name, values[name], valid)  # at once, with the marker's other mistakes
    if not isinstance(values.get("tls", False), bool | None):
        raise ConfigError(f"tls must be True or False, got {values['tls']!r}")
    parse_cassette_keys(values)
    return MockSpec(base_dir=base_dir, **values)


def parse_cassette_keys(values: dict[str, Any]) -> None:
    """Check (and normalise, in place) ``cassette``, ``record_mode`` and ``replay_speed``."""
    cassette = values.get("cassette")
    if cassette is not None:
        if not isinstance(cassette, (str, os.PathLike)) or not str(cassette).strip():
            raise ConfigError(f"cassette must be a name or a path, got {cassette!r}")
        values["cassette"] = str(cassette)
    if values.get("record_mode") is not None:
        from ..replay.modes import RecordMode

        values["record_mode"] = RecordMode.parse(values["record_mode"]).value
    speed = values.get("replay_speed")
    if speed is not None:
        if not valid_speed(speed):
            raise ConfigError(
                f"replay_speed must be a number of 0 or more (0: at once, 1: as recorded), got {speed!r}"
            )
        values["replay_speed"] = float(speed)


def build_settings(base: Settings, spec: MockSpec, option_seed: int | None = None) -> Settings:
    """``base`` (or ``spec.config`` on the defaults) with the spec's changes on top."""
    settings = base
    if spec.config is not None:
        settings = load_settings(spec.resolve(spec.config), seed=option_seed)
    server: dict[str, Any] = {}
    for key in ("seed", "freeze_time", "rate_limits", "tokenizer"):
        if getattr(spec, key) is not None:
            server[key] = getattr(spec, key)
    if spec.keys:
        server["keys"] = list(spec.keys)
    if spec.replace_catalogue:
        server["replace_catalogue"] = True
    deployments = [deployment_mapping(d) for d in spec.deployments]
    if server or deployments:
        settings = apply_mapping(settings, {"server": server, "deployments": deployments})
    if spec.canned:
        canned = tuple(parse_canned(dict(item)) for item in spec.canned)
        settings = dataclasses.replace(settings, canned=canned + settings.canned)
    return settings


def deployment_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, Deployment):
        return dataclasses.asdict(value)
    if not isinstance(value, dict):
        raise ConfigError(f"a deployment is a dict with 'name' and 'model' (or a Deployment), got {value!r}")
    return dict(value)


def key_for(settings: Settings) -> str:
    """A key the mock accepts: the first configured key, or any (every non-empty key is accepted)."""
    return sorted(settings.keys)[0] if settings.keys else DEFAULT_API_KEY
