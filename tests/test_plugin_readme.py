"""The README's plugin examples, run as a user's project (style.md: documentation examples are tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .plugin_support import assert_outcomes

pytestmark = pytest.mark.live

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(?:python|ini)\n# ([\w.]+)\n(.*?)```", re.S)


def plugin_examples() -> dict[str, str]:
    """File name -> content, for the code blocks of the plugin section that start with ``# <file>``."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## pytest plugin")
    end = text.find("\n## ", start + 1)
    return {name: body for name, body in BLOCK.findall(text[start : end if end > 0 else None])}


def test_the_plugin_section_has_examples() -> None:
    examples = plugin_examples()
    expected = {
        "test_quickstart.py",
        "test_faults.py",
        "test_live.py",
        "test_properties.py",
        "test_https.py",
        "pytest.ini",
    }
    assert expected <= set(examples)


def test_readme_examples_pass(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(pytester.path / "cache"))  # the https example's CA goes there
    examples = plugin_examples()
    for name, body in examples.items():
        pytester.path.joinpath(name).write_text(body, encoding="utf-8")
    tests = sum(len(re.findall(r"^(?:async )?def test_", body, re.M)) for body in examples.values())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert_outcomes(result, passed=tests)
    assert "block-real-azure=on" in result.stdout.str()  # the README's pytest.ini is in force
