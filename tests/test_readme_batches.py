"""The README's "Files and batches" examples, run as written (a user's project with the plugin)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.config import BatchTimes, load_settings

from .plugin_support import assert_outcomes

pytestmark = pytest.mark.live

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(?:python|toml)\n\s*# ([\w.]+)\n(.*?)```", re.S)


def section_examples() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Files and batches")
    end = text.index("\n## ", start + 1)
    blocks = {name: body for name, body in BLOCK.findall(text[start:end])}
    return {
        name: "\n".join(line[2:] if line.startswith("  ") else line for line in body.splitlines()) + "\n"
        if name.endswith(".toml")
        else body
        for name, body in blocks.items()
    }


def test_the_section_has_its_examples() -> None:
    assert {"test_batch_job.py", "batch.toml"} <= set(section_examples())


def test_the_batch_config_example_is_valid_and_shows_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "batch.toml"
    config.write_text(section_examples()["batch.toml"], encoding="utf-8")
    assert load_settings(config).batch == BatchTimes()


def test_the_batch_examples_pass(pytester: pytest.Pytester) -> None:
    examples = {k: v for k, v in section_examples().items() if k.endswith(".py")}
    for name, body in examples.items():
        pytester.path.joinpath(name).write_text(body, encoding="utf-8")
    tests = sum(len(re.findall(r"^def test_", body, re.M)) for body in examples.values())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert_outcomes(result, passed=tests)
