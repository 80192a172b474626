"""Cassettes in any supported format: ours, Azure SDK test-proxy recordings and vcrpy /
pytest-recording cassettes, told apart by their content (``detect``) and imported on the fly.

    from_test_proxy.py  Azure SDK test-proxy recordings (``../shared/reference/azure-recordings``)
    from_vcrpy.py       vcrpy / pytest-recording cassettes (YAML or JSON)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cassette import Cassette, CassetteError, CassetteNotFound, loads
from .from_test_proxy import TEST_PROXY, import_test_proxy, strip_comments
from .from_vcrpy import VCRPY, import_vcrpy


def load(path: str | Path) -> Cassette:
    """A cassette in any supported format: ours, an Azure SDK test-proxy recording (``Entries``), or a
    vcrpy / pytest-recording cassette (YAML or JSON). Foreign formats are imported on the fly."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CassetteNotFound(f"cassette not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteError(f"cassette {path} cannot be read: {exc}") from None
    kind = detect(text, path)
    return loads(text, path) if kind == "aoai" else import_text(text, path, kind)


def detect(text: str, path: Path | None = None) -> str:
    """``aoai`` (ours), ``azure-test-proxy`` or ``vcrpy``, from the content (and the file suffix)."""
    body = strip_comments(text).lstrip()
    if body.startswith("{"):
        if (
            '"format": "aoai-mockserver-cassette"' in body[:200]
            or '"format":"aoai-mockserver-cassette"' in body
        ):
            return "aoai"
        if '"Entries"' in body:
            return TEST_PROXY
        if '"interactions"' in body:
            return VCRPY
        return "aoai"  # let the loader report what is wrong
    if (path is not None and path.suffix.lower() in (".yaml", ".yml")) or body.startswith("interactions:"):
        return VCRPY
    return "aoai"


def import_text(text: str, path: Path | None, kind: str, **options: Any) -> Cassette:
    importers: dict[str, Callable[..., Cassette]] = {TEST_PROXY: import_test_proxy, VCRPY: import_vcrpy}
    importer = importers.get(kind)
    if importer is None:
        raise CassetteError(f"unknown recording format {kind!r}; valid: {[TEST_PROXY, VCRPY]}")
    cassette = importer(text, path, **options)
    cassette.path = path
    return cassette


def import_file(path: str | Path, **options: Any) -> Cassette:
    """Import ``path`` (either foreign format, detected) into a cassette held in memory."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return import_text(text, path, detect(text, path), **options)
