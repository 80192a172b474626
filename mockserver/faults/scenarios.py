"""Scenario files: named sets of fault rules, loaded at start (``--scenario``) or at run time.

A scenario is TOML or JSON: ``{"name", "description", "rules": [rule, ...]}`` with rules as in
``faults.rules``; a rule without a ``name`` takes the scenario's. ``load_scenario`` takes a path or
the name of a built-in scenario from the library in ``fixtures/scenarios`` (shipped inside the wheel
as ``mockserver/_scenarios``).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from ..errors import ConfigError

PACKAGE = Path(__file__).resolve().parent.parent
PACKAGE_LIBRARY = PACKAGE / "_scenarios"
SOURCE_LIBRARY = PACKAGE.parent / "fixtures" / "scenarios"


def library_dir() -> Path:
    return PACKAGE_LIBRARY if PACKAGE_LIBRARY.is_dir() else SOURCE_LIBRARY


def library() -> dict[str, Path]:
    """Built-in scenario name -> file."""
    folder = library_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in (".toml", ".json")}


def parse_scenario(text: str, suffix: str, origin: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"scenario {origin} is not valid {suffix.lstrip('.').upper()}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"scenario {origin} needs a 'rules' list")
    name = data.get("name")
    if isinstance(name, str) and name:  # each rule says where it came from (GET /_mock/faults, the dashboard)
        data["rules"] = [
            {"name": name, **rule} if isinstance(rule, dict) and "name" not in rule else rule
            for rule in data["rules"]
        ]
    return data


def load_scenario(ref: str) -> dict[str, Any]:
    """A scenario by path or by built-in name; the error lists the built-in names."""
    path = Path(ref)
    if not path.is_file():
        known = library()
        if ref not in known:
            raise ConfigError(f"no scenario file or built-in scenario {ref!r}; built-in: {sorted(known)}")
        path = known[ref]
    return parse_scenario(path.read_text(encoding="utf-8"), path.suffix, str(path))
