"""The house's shape: the import graph of ``mockserver/`` and ``conformance/`` has no cycle, and a
lazy package's three lists of names (``__all__``, ``EXPORTS``, the ``TYPE_CHECKING`` block) agree.

Every import counts: at module level, inside functions (a late import hides a cycle, it does not
open it) and under ``TYPE_CHECKING`` (mypy sees that graph). A package's ``__init__`` is a module
like any other; importing ``pkg.mod`` is an edge to ``pkg.mod`` only.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mockserver", "conformance")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imported(node: ast.Import | ast.ImportFrom, name: str, is_package: bool) -> list[str]:
    """The dotted names ``node`` may import (a ``from X import y`` may name module ``X.y``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            candidates = imported(node, name, path.name == "__init__.py")
            if isinstance(node, ast.ImportFrom):  # ``from pkg import mod``: the module, else the package
                submodules = [c for c in candidates[:-1] if c in known]
                candidates = (
                    submodules if len(submodules) == len(candidates) - 1 else [*submodules, candidates[-1]]
                )
            for target in candidates:
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != name:
                    targets.add(target)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_the_walker_sees_late_and_type_checking_imports() -> None:
    edges = graph()
    assert "mockserver.replay.options" in edges["mockserver.config"]  # a module-level import
    assert "mockserver.testing.live" in edges["mockserver.testing.handle"]  # under TYPE_CHECKING
    assert "mockserver.replay.formats" in edges["mockserver.replay.commands"]  # inside a function


def type_checking_names(path: Path) -> dict[str, str]:
    """Name -> module (as written, relative) of the ``if TYPE_CHECKING:`` imports of ``path``."""
    names: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.ImportFrom):
                    for alias in item.names:
                        dots = (
                            "." * item.level if item.level > 1 else ""
                        )  # EXPORTS writes "errors", "..replay.modes"
                        names[alias.asname or alias.name] = dots + (item.module or "")
    return names


@pytest.mark.parametrize("package", ["mockserver", "mockserver.testing", "mockserver.replay"])
def test_a_lazy_package_names_each_export_once_in_agreement(package: str) -> None:
    module = importlib.import_module(package)
    exports: dict[str, str] = module.EXPORTS
    assert sorted(set(module.__all__) - {"__version__"}) == sorted(exports)
    assert type_checking_names(modules()[package]) == exports  # the block mypy reads
    for name in exports:
        assert getattr(module, name) is not None


MAX_LINES = 300  # style.md: modules of 50-300 lines; split anything nearing 500


def test_no_module_is_over_300_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}
