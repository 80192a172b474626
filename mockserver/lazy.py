"""Package attributes that load on first use (PEP 562 ``__getattr__``), so importing a package
(``mockserver``, ``mockserver.testing``) imports none of its heavier modules."""

from __future__ import annotations

import importlib
from typing import Any


def load_export(package: str, exports: dict[str, str], name: str, namespace: dict[str, Any]) -> Any:
    """``name`` from the module ``exports`` maps it to, kept in ``namespace`` for the next lookup."""
    module = exports.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", package), name)
    namespace[name] = value
    return value
