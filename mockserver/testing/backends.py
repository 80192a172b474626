"""Where a ``MockAzure`` handle's mock lives: an app in this process, or a URL.

* ``LocalBackend``: a ``MockApp`` of this process, reached in-process (interception) or through
  the session server; the handle reads and changes its state directly.
* ``RemoteBackend``: an external URL. When it is an aoai-mockserver, its control API (``/_mock``)
  serves faults and the journal, scoped to the handle's ``x-mock-session``; otherwise (a real Azure
  resource) those features are unavailable and ``unavailable`` decides what happens (the pytest
  plugin skips the test).
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, NoReturn

from ..app import MockApp
from ..config import Deployment, Settings
from ..journal import JournalEntry
from .control import HttpControl
from .errors import ControlUnavailable

NOT_A_MOCK = (
    "{feature} needs the mock's control API, and {url} is not an aoai-mockserver "
    "(GET {url}/_mock/health did not answer like one); run it against a mock or drop the feature"
)


class LocalBackend:
    """A ``MockApp`` in this process; ``baseline`` is the settings ``reset`` returns to. It hands out
    the objects themselves (``JournalEntry``, ``Deployment``), where ``control.LocalControl`` gives
    the dicts the control API would (for code that handles a local and a remote mock alike)."""

    is_mock = True  # it has the control API (RemoteBackend: when the URL is an aoai-mockserver)

    def __init__(
        self,
        app: MockApp,
        endpoint: str,
        session: str | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.state = app.state
        self.endpoint = endpoint
        self.session = session
        self.baseline: Settings = app.state.settings
        self.on_close = on_close

    def entries(self) -> list[JournalEntry]:
        return self.state.journal.calls

    def add_rules(self, rules: list[dict[str, Any]]) -> list[str]:
        return self.state.faults.add(rules)

    def remove_rule(self, rule_id: str) -> bool:
        return self.state.faults.remove(rule_id)

    def clear_rules(self) -> None:
        self.state.faults.clear()

    def rules(self) -> list[dict[str, Any]]:
        return self.state.faults.snapshot()

    def deployments(self) -> tuple[Deployment, ...]:
        return self.state.settings.deployments

    def set_settings(self, settings: Settings) -> None:
        self.state.settings = settings

    def reset(self) -> None:
        self.state.settings = self.baseline
        self.state.reset()

    def take_errors(self) -> list[BaseException]:
        errors = list(self.state.errors)
        self.state.errors.clear()
        return errors

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close()
            self.on_close = None


class RemoteBackend:
    """An external URL; faults and the journal through ``/_mock`` when it is a mock."""

    def __init__(
        self,
        endpoint: str,
        session: str,
        is_mock: bool,
        unavailable: Callable[[str], NoReturn] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.session = session
        self.is_mock = is_mock
        self.unavailable = unavailable
        self.control = HttpControl(self.endpoint, timeout)
        self.rule_ids: list[str] = []
        self.hidden: set[str] = set()  # request ids before the last reset

    def need(self, feature: str) -> None:
        if self.is_mock:
            return
        message = NOT_A_MOCK.format(feature=feature, url=self.endpoint)
        if self.unavailable is not None:
            self.unavailable(message)
        raise ControlUnavailable(message)

    def entries(self) -> list[JournalEntry]:
        self.need("the request journal")
        entries = [JournalEntry.from_dict(item) for item in self.control.requests(session=self.session)]
        return [e for e in entries if e.request_id not in self.hidden]

    def add_rules(self, rules: list[dict[str, Any]]) -> list[str]:
        self.need("fault injection")
        scoped = [scope_rule(rule, self.session) for rule in rules]
        ids = self.control.add_faults(scoped)
        self.rule_ids.extend(ids)
        return ids

    def remove_rule(self, rule_id: str) -> bool:
        self.need("fault injection")
        if rule_id not in self.rule_ids:
            return False
        self.rule_ids.remove(rule_id)
        return self.control.remove_fault(rule_id)

    def clear_rules(self) -> None:
        for rule_id in list(self.rule_ids):
            self.remove_rule(rule_id)

    def rules(self) -> list[dict[str, Any]]:
        self.need("fault injection")
        return [r for r in self.control.faults() if r["id"] in self.rule_ids]

    def deployments(self) -> tuple[Deployment, ...]:
        self.need("the deployment list")
        items = self.control.deployments()
        known = {f.name for f in dataclasses.fields(Deployment)}
        return tuple(deployment_from_json(item, known) for item in items)

    def refuse(self, feature: str) -> NoReturn:
        """``feature`` changes the server's settings, which an external target keeps to itself."""
        message = (
            f"{feature} changes the mock's settings; the external target {self.endpoint} keeps its "
            "own (configure it there, or run with --aoai-mode inprocess or server)"
        )
        if self.unavailable is not None:
            self.unavailable(message)
        raise ControlUnavailable(message)

    def reset(self) -> None:
        """This session's rules go; its earlier requests leave the view (a shared server is not reset)."""
        if not self.is_mock:
            return
        self.clear_rules()
        self.hidden.update(e.request_id for e in self.entries())

    def take_errors(self) -> list[BaseException]:
        return []

    def close(self) -> None:
        if self.is_mock:
            self.clear_rules()


def deployment_from_json(item: dict[str, Any], known: set[str]) -> Deployment:
    values: dict[str, Any] = {
        k: (tuple(v) if isinstance(v, list) else v) for k, v in item.items() if k in known
    }
    return Deployment(**values)


def scope_rule(rule: dict[str, Any], session: str) -> dict[str, Any]:
    """The rule limited to ``session`` (unless it names a session itself)."""
    match = dict(rule.get("match") or {})
    match.setdefault("session", session)
    return {**rule, "match": match}


def is_mock(endpoint: str, timeout: float = 3.0) -> bool:
    """Whether ``endpoint`` answers ``GET /_mock/health`` like an aoai-mockserver."""
    try:
        with urllib.request.urlopen(f"{endpoint.rstrip('/')}/_mock/health", timeout=timeout) as response:
            return bool(response.status == 200 and json.loads(response.read()).get("status") == "ok")
    except (OSError, ValueError, AttributeError):
        return False
