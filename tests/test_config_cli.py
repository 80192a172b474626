"""Configuration files and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockserver import ConfigError, load_settings
from mockserver.cli import main

from .conftest import ROOT, LiveServer


def test_builtin_catalogue_matches_the_issue() -> None:
    settings = load_settings()
    names = {d.name for d in settings.deployments}
    assert {
        "gpt-4o",
        "gpt-4o-mini",
        "o3-mini",
        "gpt-35-turbo-instruct",
        "text-embedding-3-small",
        "text-embedding-3-large",
        "text-embedding-ada-002",
        "dall-e-3",
        "whisper",
        "tts",
    } <= names
    gpt4o = settings.deployment("gpt-4o")
    assert gpt4o is not None and gpt4o.model == "gpt-4o" and gpt4o.version == "2024-08-06"
    assert gpt4o.rpm == gpt4o.tpm * 6 // 1000  # Azure: 6 RPM per 1000 TPM


def test_example_config_extends_the_catalogue() -> None:
    settings = load_settings(ROOT / "fixtures" / "deployments.toml")
    assert settings.seed == 42 and "example-key-1" in settings.keys
    small = settings.deployment("chat-small")
    assert small is not None and small.tpm == 30000 and small.rpm == 180
    assert settings.deployment("gpt-4o") is not None


def test_replace_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nreplace_catalogue = true\n[[deployments]]\nname = "only"\nmodel = "gpt-4o"\n')
    assert [d.name for d in load_settings(path).deployments] == ["only"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[server]\nbogus = 1\n", "unknown [server] key"),
        ("[[deployments]]\nname = 'x'\n", "needs 'name' and 'model'"),
        ("[[deployments]]\nname = 'x'\nmodel = 'mystery'\n", "give its capabilities"),
        ("[[deployments]]\nname = 'x'\nmodel = 'gpt-4o'\ncapabilities = ['dance']\n", "unknown capability"),
        ("[[canned]]\nmatch = '('\ncontent = 'x'\n", "bad canned 'match' regex"),
        ("not toml = = =", "not valid TOML"),
        ("[server]\nrate_limits = 'sometimes'\n", "rate_limits must be one of"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('seed = "abc"', "[server] seed must be a whole number, got 'abc'"),
        ("seed = true", "[server] seed must be a whole number, got True"),
        ("journal_size = 0", "[server] journal_size must be a whole number of 1 or more, got 0"),
        ("region = 5", "[server] region must be a string, got 5"),
        ('replay_fallthrough = "yes"', "[server] replay_fallthrough must be true or false, got 'yes'"),
        ("replace_catalogue = 1", "[server] replace_catalogue must be true or false, got 1"),
        ("keys = 5", "[server] keys must be a string or a list of strings, got 5"),
        ("scenarios = [1]", "[server] scenarios must be a string or a list of strings, got [1]"),
        ('tokenizer = "fast"', "tokenizer must be one of ['auto', 'approx', 'bpe'], got 'fast'"),
        ('replay_speed = "slow"', "replay_speed must be a number >= 0"),
    ],
)
def test_a_mistyped_server_key_fails_at_load_naming_the_key(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(f"[server]\n{line}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert message in str(info.value)


def test_well_typed_server_keys_load(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(
        '[server]\nseed = 7\nregion = "Sweden Central"\njournal_size = 5\nkeys = "only-key"\n'
        "replay_fallthrough = false\n"
    )
    settings = load_settings(path)
    assert (settings.seed, settings.region, settings.journal_size) == (7, "Sweden Central", 5)
    assert (settings.keys, settings.replay_fallthrough) == (frozenset({"only-key"}), False)


def test_cli_reports_config_errors_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert main(["serve", "--scenario", "no-such-scenario"]) == 2
    assert "retry-429-then-ok" in capsys.readouterr().err


@pytest.mark.live
def test_serve_prints_banner_and_answers_quickly() -> None:
    server = LiveServer("--seed", "5")
    try:
        assert server.ready_after < 5  # generous bound for loaded CI machines; bench/ reports the figure
        health = httpx.get(f"{server.endpoint}/_mock/health").json()
        assert "gpt-4o" in health["deployments"]
    finally:
        server.stop()


def test_python_dash_m_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--help"], capture_output=True, text=True, check=True
    )
    assert "--config" in result.stdout and "--seed" in result.stdout and "--scenario" in result.stdout
