"""Package attributes that load on first use (PEP 562 ``__getattr__``), so importing a package
(``mockserver``, ``mockserver.testing``) imports none of its heavier modules."""

from __future__ import annotations

import importlib
from typing import Any


def load_export(package: str, exports: dict[str, str], name: str, namespace: dict[str, Any]) -> Any:
    """``name`` from the module ``exports`` maps it to (relative to ``package``: ``"app"``,
    ``"..replay.attach"``), kept in ``namespace`` for the next lookup."""
    module = exports.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    relative = module if module.startswith(".") else f".{module}"
    value = getattr(importlib.import_module(relative, package), name)
    namespace[name] = value
    return value
