"""A mock's control API (``/_mock``) as Python calls: fault rules in, the journal and the
deployments out. ``HttpControl`` talks to a mock over HTTP; ``LocalControl`` to a ``MockApp`` of
this process, with the same results. The plugin's external handles and the conformance suite use
these, so there is one client of the control API.
"""

from __future__ import annotations

import dataclasses
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ControlUnavailable

if TYPE_CHECKING:
    from ..app import MockApp


class Control(Protocol):
    """What a mock's control API offers (both implementations below)."""

    def add_faults(self, rules: list[dict[str, Any]]) -> list[str]: ...
    def remove_fault(self, rule_id: str) -> bool: ...
    def faults(self) -> list[dict[str, Any]]: ...
    def requests(self, **filters: Any) -> list[dict[str, Any]]: ...
    def deployments(self) -> list[dict[str, Any]]: ...


class HttpControl:
    """``/_mock`` of the mock at ``endpoint`` (``context``: the TLS context for an https one); a
    refused call is a ``ControlUnavailable``."""

    def __init__(self, endpoint: str, timeout: float = 10.0, context: ssl.SSLContext | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.context = context

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint}/_mock{path}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300]
            raise ControlUnavailable(f"{method} {path} on {self.endpoint}: {exc.code} {detail!r}") from exc

    def add_faults(self, rules: list[dict[str, Any]]) -> list[str]:
        return list(self.call("POST", "/faults", rules)["ids"])

    def remove_fault(self, rule_id: str) -> bool:
        try:
            self.call("DELETE", f"/faults/{urllib.parse.quote(rule_id)}")
        except ControlUnavailable:
            return False
        return True

    def faults(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/faults")["faults"])

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The journal's entries as ``GET /_mock/requests`` gives them (the ``RequestLog`` filters)."""
        query = urllib.parse.urlencode(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in filters.items()}
        )
        return list(self.call("GET", "/requests" + (f"?{query}" if query else ""))["requests"])

    def deployments(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/deployments")["deployments"])


class LocalControl:
    """The same calls on a ``MockApp`` of this process, without HTTP."""

    def __init__(self, app: MockApp) -> None:
        self.app = app

    def add_faults(self, rules: list[dict[str, Any]]) -> list[str]:
        return self.app.state.faults.add(rules)

    def remove_fault(self, rule_id: str) -> bool:
        return self.app.state.faults.remove(rule_id)

    def faults(self) -> list[dict[str, Any]]:
        return self.app.state.faults.snapshot()

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        return [entry.to_dict() for entry in self.app.state.journal.filter(**filters)]

    def deployments(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(d) for d in self.app.state.settings.deployments]
