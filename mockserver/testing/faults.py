"""``FaultControl``: a handle's fault API (``mock.faults``), one rule format for every mode."""

from __future__ import annotations

from typing import Any, Protocol

from ..faults.rules import SERVER_ONLY_KINDS, TRANSPORT_KINDS
from .errors import SERVER_ONLY_FAULT, ServerOnlyFault

INPROCESS_KINDS = tuple(k for k in TRANSPORT_KINDS if k not in SERVER_ONLY_KINDS)


class RuleStore(Protocol):
    def add_rules(self, rules: list[dict[str, Any]]) -> list[str]: ...
    def remove_rule(self, rule_id: str) -> bool: ...
    def clear_rules(self) -> None: ...
    def rules(self) -> list[dict[str, Any]]: ...


def actions(rule: Any) -> list[Any]:
    if not isinstance(rule, dict):
        return []
    return [*rule.get("sequence", ()), *([rule["fault"]] if "fault" in rule else [])]


def check_inprocess(rules: list[Any]) -> None:
    """Refuse server-only fault kinds on an in-process mock, naming the alternative."""
    for rule in rules:
        for action in actions(rule):
            if isinstance(action, dict) and action.get("kind") in SERVER_ONLY_KINDS:
                message = SERVER_ONLY_FAULT.format(kind=action["kind"], valid=list(INPROCESS_KINDS))
                raise ServerOnlyFault(message)


class FaultControl:
    """Scripted failures: ``add`` takes rules in the ``mockserver.faults`` format and returns their ids.

    A rule is ``{"match": {...}, "fault": action, "times": N}`` or ``{"match": {...}, "sequence": [...]}``;
    an action is ``"pass"``, ``{"status": 429, ...}`` or ``{"kind": "reset", ...}``.
    """

    def __init__(self, store: RuleStore, inprocess: bool) -> None:
        self.store = store
        self.inprocess = inprocess

    def add(self, rules: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
        """Add one rule or a list; returns their ids (for ``remove``)."""
        items = rules if isinstance(rules, list) else [rules]
        if self.inprocess:
            check_inprocess(items)
        return self.store.add_rules(items)

    def remove(self, rule_id: str) -> bool:
        return self.store.remove_rule(rule_id)

    def clear(self) -> None:
        self.store.clear_rules()

    def snapshot(self) -> list[dict[str, Any]]:
        """The active rules with their ``hits`` and ``applied`` counters."""
        return self.store.rules()

    def __len__(self) -> int:
        return len(self.snapshot())


def make_match(
    operation: str | None,
    deployment: str | None,
    api_version: str | None,
    stream: bool | None,
    headers: dict[str, str] | None,
) -> dict[str, Any]:
    values = {
        "operation": operation,
        "deployment": deployment,
        "api_version": api_version,
        "stream": stream,
        "headers": headers,
    }
    return {k: v for k, v in values.items() if v is not None}


def make_action(status: int | None, kind: str | None, params: dict[str, Any]) -> dict[str, Any]:
    if (status is None) == (kind is None):
        raise TypeError("give exactly one of status=... (an HTTP error) or kind=... (a transport fault)")
    head: dict[str, Any] = {"status": status} if status is not None else {"kind": kind}
    return {**head, **{k: v for k, v in params.items() if v is not None}}


class FaultShortcuts:
    """``MockAzure``'s one-line fault methods, over its ``faults`` (a ``FaultControl``)."""

    faults: FaultControl

    def fail(
        self,
        status: int | None = None,
        *,
        kind: str | None = None,
        times: int | None = 1,
        operation: str | None = None,
        deployment: str | None = None,
        api_version: str | None = None,
        stream: bool | None = None,
        match_headers: dict[str, str] | None = None,
        **params: Any,
    ) -> str:
        """Fail the next ``times`` matching requests (every one when ``times=None``); returns the rule id.

        status: an HTTP error with Azure's body for it (429 gets retry-after and the rate-limit body).
        kind: a transport fault instead (``reset``, ``stream_cut``, ...; see ``mockserver.faults``).
        params: the action's options: ``headers``, ``body``, ``retry_after``, ``retry_after_format``,
            ``variant``, ``after_chunks``, ``seconds``, ...
        operation / deployment / api_version / stream / match_headers: which requests (default: all).
        """
        match = make_match(operation, deployment, api_version, stream, match_headers)
        rule: dict[str, Any] = {"match": match, "fault": make_action(status, kind, params)}
        if times is not None:
            rule["times"] = times
        return self.faults.add(rule)[0]

    def fail_sequence(
        self,
        actions: list[Any],
        *,
        operation: str | None = None,
        deployment: str | None = None,
        api_version: str | None = None,
        stream: bool | None = None,
        match_headers: dict[str, str] | None = None,
    ) -> str:
        """Successive matching requests take the next action (``"pass"``, ``{"status": ...}``,
        ``{"kind": ...}``); after the last one requests pass. Returns the rule id."""
        match = make_match(operation, deployment, api_version, stream, match_headers)
        return self.faults.add({"match": match, "sequence": list(actions)})[0]

    def load_scenario(self, name: str) -> list[str]:
        """Add the rules of a built-in scenario (or a scenario file); returns their ids."""
        from ..faults.scenarios import load_scenario

        return self.faults.add(load_scenario(name)["rules"])
