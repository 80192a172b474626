"""The README's "Responses" examples, run as written (a user's project with the plugin)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .plugin_support import assert_outcomes

pytestmark = pytest.mark.live

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```python\n\s*# ([\w.]+)\n(.*?)```", re.S)


def section_examples() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Responses")
    end = text.index("\n## ", start + 1)
    return dict(BLOCK.findall(text[start:end]))


def test_the_section_has_its_example() -> None:
    assert set(section_examples()) == {"test_responses_app.py"}


def test_the_responses_examples_pass(pytester: pytest.Pytester) -> None:
    examples = section_examples()
    for name, body in examples.items():
        pytester.path.joinpath(name).write_text(body, encoding="utf-8")
    tests = sum(len(re.findall(r"^def test_", body, re.M)) for body in examples.values())
    assert tests == 4
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert_outcomes(result, passed=tests)
