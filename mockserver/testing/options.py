"""The plugin's options: one table, one getter, one precedence.

Every option has a command-line flag, an ini twin and an environment variable. The getter applies
``CLI > ini > env > default`` (the ``aoai`` marker then overrides per test: ``seed``, ``api_version``,
``record_mode``, ``tls``) and turns a bad value
into ``pytest.UsageError`` listing the valid ones. Imports nothing heavy: pytest loads this early.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..config_keys import check_state
from ..errors import ConfigError
from ..replay.modes import RECORD_MODES
from ..stores.base import shown
from ..versions import DEFAULT_GA

MODES = ("inprocess", "server", "external")
SWITCH = {
    "on": True,
    "true": True,
    "1": True,
    "yes": True,
    "off": False,
    "false": False,
    "0": False,
    "no": False,
}
GROUP = "aoai-mockserver"
SWITCHES = ("aoai_block_network", "aoai_tls")  # on|off options: the bare flag means on


@dataclass(frozen=True)
class Option:
    name: str  # dest and ini name
    flag: str
    env: str
    help: str
    metavar: str = ""


OPTIONS = (
    Option(
        "aoai_mode",
        "--aoai-mode",
        "AOAI_MOCK_MODE",
        "where aoai_mock runs: inprocess (default; httpx/httpx2 routed into the app), server (the "
        "session's live uvicorn server) or external (--aoai-base-url)",
        "inprocess|server|external",
    ),
    Option(
        "aoai_base_url",
        "--aoai-base-url",
        "AOAI_MOCK_BASE_URL",
        "external target for --aoai-mode external: an aoai-mock server or a real Azure OpenAI endpoint "
        "(giving it alone selects external mode)",
        "URL",
    ),
    Option(
        "aoai_api_key",
        "--aoai-api-key",
        "AOAI_MOCK_API_KEY",
        "api key for the external target (default: $AZURE_OPENAI_API_KEY)",
        "KEY",
    ),
    Option(
        "aoai_seed",
        "--aoai-seed",
        "AOAI_MOCK_SEED",
        "seed of the plugin's mocks (default: the config's, or 0)",
        "N",
    ),
    Option(
        "aoai_config",
        "--aoai-config",
        "AOAI_MOCK_CONFIG",
        "TOML config for the plugin's mocks (deployments, keys, canned replies); ini paths are "
        "relative to the ini file",
        "FILE",
    ),
    Option(
        "aoai_api_version",
        "--aoai-api-version",
        "AOAI_MOCK_API_VERSION",
        f"api-version of the clients the fixtures hand out (default {DEFAULT_GA})",
        "VERSION",
    ),
    Option(
        "aoai_block_network",
        "--aoai-block-network",
        "AOAI_MOCK_BLOCK_NETWORK",
        "fail any httpx/httpx2 request to a real Azure OpenAI host (*.openai.azure.com, "
        "*.cognitiveservices.azure.com, *.services.ai.azure.com) that is not the mock",
        "on|off",
    ),
    Option(
        "aoai_tls",
        "--aoai-tls",
        "AOAI_MOCK_TLS",
        "serve the live mocks (aoai_server, --aoai-mode server) over https with a certificate from the "
        "local CA in the user cache dir; clients from the fixtures trust it (@pytest.mark.aoai(tls=...) "
        "decides per test)",
        "on|off",
    ),
    Option(
        "aoai_record_mode",
        "--aoai-record-mode",
        "AOAI_MOCK_RECORD_MODE",
        "what @pytest.mark.aoai(cassette=...) does: none (default; replay only, a missing cassette is "
        "an error), once (record when the cassette does not exist), new_episodes (replay what matches, "
        "record the rest) or all (record everything anew)",
        "|".join(RECORD_MODES),
    ),
    Option(
        "aoai_state",
        "--aoai-state",
        "AOAI_MOCK_STATE",
        "where the live mocks keep their state: memory (default) or redis://HOST:PORT/DB, shared with "
        "every aoai-mock serve on it (README 'Scale-out'); needs --aoai-mode server. Each pytest "
        "process gets a namespace of its own, so parallel workers do not reset each other",
        "memory|URL",
    ),
)
BAD_VALUE = "{source} {value!r} is not valid for {option}; valid: {valid}"


@dataclass(frozen=True)
class PluginOptions:
    """The effective options of a run."""

    mode: str = "inprocess"
    base_url: str | None = None
    api_key: str | None = None
    seed: int | None = None
    config: Path | None = None
    api_version: str | None = None
    block_network: bool = False
    record_mode: str = "none"
    tls: bool = False
    state: str = "memory"

    def describe(self) -> str:
        """One line for the pytest header."""
        target = {
            "inprocess": "in-process (httpx/httpx2 interception)",
            "server": "live server on 127.0.0.1 (started on first use)",
        }.get(self.mode, self.base_url)
        seed = self.seed if self.seed is not None else "default"
        parts = [f"mode={self.mode}", f"target={target}", f"seed={seed}"]
        if self.config is not None:
            parts.append(f"config={self.config}")
        parts.append(f"block-real-azure={'on' if self.block_network else 'off'}")
        if self.record_mode != "none":
            parts.append(f"record-mode={self.record_mode}")
        if self.tls:
            parts.append("tls=on")
        if self.state != "memory":
            parts.append(f"state={shown(self.state)}")
        return "aoai-mockserver: " + ", ".join(parts)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "aoai-mockserver (fake Azure OpenAI)")
    for option in OPTIONS:
        kwargs: dict[str, Any] = {
            "dest": option.name,
            "default": None,
            "metavar": option.metavar,
            "help": f"{option.help} [ini {option.name}, env {option.env}]",
        }
        if option.name in SWITCHES:
            kwargs.update(nargs="?", const="on")
        group.addoption(option.flag, **kwargs)
        parser.addini(option.name, f"{option.help} (same as {option.flag})", default=None)


def raw_value(config: pytest.Config, option: Option) -> tuple[Any, str]:
    """The first value set, with where it came from: CLI > ini > env."""
    value = config.getoption(option.name)
    if value is not None:
        return value, option.flag
    value = config.getini(option.name)
    if value not in (None, ""):
        return value, f"ini {option.name}"
    value = os.environ.get(option.env)
    if value not in (None, ""):
        return value, f"${option.env}"
    return None, ""


def read_options(config: pytest.Config) -> PluginOptions:
    """The run's options; ``pytest.UsageError`` for a value that is not valid."""
    values = {option.name: raw_value(config, option) for option in OPTIONS}
    base_url = values["aoai_base_url"][0]
    mode = choose(values["aoai_mode"], MODES, "--aoai-mode") or ("external" if base_url else "inprocess")
    if mode == "external" and not base_url:
        raise pytest.UsageError(
            "--aoai-mode external needs --aoai-base-url URL (or ini aoai_base_url, or $AOAI_MOCK_BASE_URL)"
        )
    block = choose(values["aoai_block_network"], tuple(SWITCH), "--aoai-block-network")
    tls = choose(values["aoai_tls"], tuple(SWITCH), "--aoai-tls")
    state = parse_state(values["aoai_state"], mode)
    api_key = values["aoai_api_key"][0]
    if api_key is None and mode == "external":
        api_key = os.environ.get("AZURE_OPENAI_API_KEY")
    return PluginOptions(
        mode=mode,
        base_url=str(base_url).rstrip("/") if base_url and mode == "external" else None,
        api_key=api_key,
        seed=parse_seed(values["aoai_seed"]),
        config=config_path(config, values["aoai_config"]),
        api_version=values["aoai_api_version"][0],
        block_network=SWITCH[block or "off"],
        record_mode=choose(values["aoai_record_mode"], RECORD_MODES, "--aoai-record-mode") or "none",
        tls=SWITCH[tls or "off"],
        state=state,
    )


def parse_state(found: tuple[Any, str], mode: str) -> str:
    value, source = found
    if value is None:
        return "memory"
    try:
        state = check_state(str(value).strip())
    except ConfigError as exc:
        raise pytest.UsageError(f"{source}: {exc}") from None
    if state != "memory" and mode != "server":
        raise pytest.UsageError(
            f"{source} {shown(state)!r} needs --aoai-mode server: a shared state serves live mocks, "
            "and the in-process and external modes have none of their own"
        )
    return state


def choose(found: tuple[Any, str], valid: tuple[str, ...], option: str) -> str | None:
    value, source = found
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in valid:
        message = BAD_VALUE.format(source=source, value=value, option=option, valid=", ".join(valid))
        raise pytest.UsageError(message)
    return text


def parse_seed(found: tuple[Any, str]) -> int | None:
    value, source = found
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        raise pytest.UsageError(
            BAD_VALUE.format(source=source, value=value, option="--aoai-seed", valid="a whole number")
        ) from None


def config_path(config: pytest.Config, found: tuple[Any, str]) -> Path | None:
    value, source = found
    if value is None:
        return None
    path = Path(str(value))
    if source.startswith("ini") and not path.is_absolute() and config.inipath is not None:
        path = config.inipath.parent / path
    if not path.is_file():
        raise pytest.UsageError(f"{source} {value!r}: no such config file ({path.resolve()})")
    return path
