"""A mock's control API as the suite uses it: fault rules in, the journal out (``Controls``)."""

from __future__ import annotations

from typing import Any, Protocol

import httpx


class Controls(Protocol):
    """Fault injection and the journal of a mock."""

    def add_fault(self, rule: dict[str, Any]) -> list[str]: ...

    def remove_faults(self, ids: list[str]) -> None: ...

    def requests(self, session: str) -> list[dict[str, Any]]: ...


class AppControls:
    """A mock app in this process: its fault store and journal directly."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def add_fault(self, rule: dict[str, Any]) -> list[str]:
        return list(self.app.state.faults.add(rule))

    def remove_faults(self, ids: list[str]) -> None:
        for rule_id in ids:
            self.app.state.faults.remove(rule_id)

    def requests(self, session: str) -> list[dict[str, Any]]:
        return [entry.to_dict() for entry in self.app.state.journal.filter(session=session)]


class HttpControls:
    """A mock over HTTP: ``POST /_mock/faults``, ``DELETE /_mock/faults/{id}``, ``GET /_mock/requests``."""

    def __init__(self, endpoint: str) -> None:
        self.http = httpx.Client(base_url=endpoint.rstrip("/") + "/_mock", timeout=10)

    def add_fault(self, rule: dict[str, Any]) -> list[str]:
        response = self.http.post("/faults", json=rule)
        response.raise_for_status()
        return list(response.json()["ids"])

    def remove_faults(self, ids: list[str]) -> None:
        for rule_id in ids:
            self.http.delete(f"/faults/{rule_id}")

    def requests(self, session: str) -> list[dict[str, Any]]:
        response = self.http.get("/requests", params={"session": session})
        response.raise_for_status()
        return list(response.json()["requests"])
