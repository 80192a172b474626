"""Fault rules: which requests get a scripted failure, and which one.

A rule is ``{"match": {...}, <behaviour>}``. ``match`` keys (all optional, all must hold):
``operation``, ``deployment``, ``api_version``, ``stream`` (bool), ``headers`` ({name: value}),
``session`` (the ``x-mock-session`` header; requests without it only see unscoped rules), and for
the lines of a batch (``mockserver.batch``) ``batch`` (bool: a batch line or not), ``batch_id`` and
``custom_id``.

Behaviour, one of:
* ``"sequence": [action, action, "pass", ...]`` successive matching requests take the next item;
  after the last item the rule passes requests through;
* ``"fault": action`` with ``"times": N`` (the first N matching requests), ``"probability": p``
  (seeded), or neither (always).

Rules are tried in the order they were added; the first matching rule whose action is not
``"pass"`` applies. An action is ``"pass"``, a status fault ``{"status": 429, "headers": {...},
"body": ..., "variant": "tokens"|"requests", "retry_after": seconds, "retry_after_format":
"seconds"|"http-date"}`` or a transport fault ``{"kind": ...}`` (see ``TRANSPORT_KINDS``; timing
kinds take ``seconds``, stream kinds ``after_chunks``).
Decisions are taken under a lock when the request arrives, so "first 2 fail" fails exactly 2
requests however many arrive at once.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from ..call import Call
from ..errors import ConfigError
from . import checks
from .kinds import KINDS, SERVER_ONLY_KINDS, TRANSPORT_KINDS, WAITING_KINDS, Kind

__all__ = [
    "KINDS",
    "PASS",
    "SERVER_ONLY_KINDS",
    "TRANSPORT_KINDS",
    "WAITING_KINDS",
    "FaultRule",
    "FaultStore",
    "Kind",
]


MATCH_KEYS = frozenset(
    {
        "operation",
        "deployment",
        "api_version",
        "stream",
        "headers",
        "session",
        "batch",
        "batch_id",
        "custom_id",
    }
)
RULE_KEYS = frozenset({"match", "sequence", "fault", "times", "probability", "id", "name"})
PASS = "pass"


@dataclass(frozen=True)
class Match:
    operation: str | None = None
    deployment: str | None = None
    api_version: str | None = None
    stream: bool | None = None
    headers: tuple[tuple[str, str], ...] = ()
    session: str | None = None
    batch: bool | None = None
    batch_id: str | None = None
    custom_id: str | None = None

    def matches(self, call: Call) -> bool:
        return (
            self.session == call.session
            and (self.operation is None or self.operation == call.operation)
            and (self.deployment is None or self.deployment == call.deployment_name)
            and (self.api_version is None or self.api_version == call.api_version)
            and (self.stream is None or self.stream == call.stream)
            and all(call.headers.get(name) == value for name, value in self.headers)
            and self.matches_batch(call)
        )

    def matches_batch(self, call: Call) -> bool:
        return (
            (self.batch is None or self.batch == (call.batch_id is not None))
            and (self.batch_id is None or self.batch_id == call.batch_id)
            and (self.custom_id is None or self.custom_id == call.custom_id)
        )


@dataclass
class FaultRule:
    """A parsed rule with its own hit counter; ``decide`` picks the action for one request."""

    id: str
    match: Match
    sequence: tuple[Any, ...] = ()
    fault: Any = None
    times: int | None = None
    probability: float | None = None
    source: dict[str, Any] = field(default_factory=dict)
    hits: int = 0
    applied: int = 0

    def decide(self, seed: int) -> Any:
        """The action for the next matching request (``PASS`` when none); call under the store lock."""
        index = self.hits
        self.hits += 1
        if self.sequence:
            action = self.sequence[index] if index < len(self.sequence) else PASS
        elif self.times is not None:
            action = self.fault if index < self.times else PASS
        elif self.probability is not None:
            action = self.fault if roll(seed, self.id, index) < self.probability else PASS
        else:
            action = self.fault
        if action != PASS:
            self.applied += 1
        return action

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.source, "hits": self.hits, "applied": self.applied}

    def decider(self) -> tuple[str, str]:
        """How a shared backend decides for this rule without it (``stores.redis.faults``): a kind
        letter and its parameter. s: sequence as 1 (act) / 0 (pass) per position; t: times; p:
        probability (``roll``); a: always."""
        if self.sequence:
            return "s", "".join("0" if action == PASS else "1" for action in self.sequence)
        if self.times is not None:
            return "t", str(self.times)
        if self.probability is not None:
            return "p", repr(float(self.probability))
        return "a", ""

    def action_at(self, index: int) -> Any:
        """The action a decision at match ``index`` applies (it was not "pass")."""
        return self.sequence[index] if self.sequence else self.fault


ROLL_DIGITS = 13  # hex digits of the draw: 52 bits, exact in a double (Lua's numbers too)
ROLL_SCALE = float(16**ROLL_DIGITS)


def roll(seed: int, rule_id: str, index: int) -> float:
    """The ``probability`` draw for a rule's ``index``-th match, in [0, 1): a function of the seed,
    the rule and the match count only, so every instance (and the Redis backend's script, which
    computes the same SHA-1 with ``redis.sha1hex``) draws the same for the same request."""
    text = hashlib.sha1(f"{seed}:{rule_id}:{index}".encode(), usedforsecurity=False).hexdigest()
    return int(text[:ROLL_DIGITS], 16) / ROLL_SCALE


def parse_match(data: Any) -> Match:
    if not isinstance(data, dict):
        raise ConfigError(f"'match' must be an object, got {repr(data)[:80]}")
    unknown = set(data) - MATCH_KEYS
    if unknown:
        raise ConfigError(f"unknown match key(s) {sorted(map(str, unknown))}; valid: {sorted(MATCH_KEYS)}")
    for key in ("operation", "deployment", "api_version", "session"):
        if data.get(key) is not None:
            checks.check_text(data[key], f"match.{key}")
    if data.get("stream") is not None and not isinstance(data["stream"], bool):
        raise checks.fail("match.stream", "true or false", data["stream"])
    if data.get("headers") is not None:
        checks.check_headers(data["headers"], "match.headers")
    headers = tuple((str(k).lower(), str(v)) for k, v in (data.get("headers") or {}).items())
    if data.get("batch") is not None and not isinstance(data["batch"], bool):
        raise ConfigError(f"match 'batch' must be true or false, got {data['batch']!r}")
    return Match(
        data.get("operation"),
        data.get("deployment"),
        data.get("api_version"),
        data.get("stream"),
        headers,
        data.get("session"),
        data.get("batch"),
        data.get("batch_id"),
        data.get("custom_id"),
    )


def check_action(action: Any, where: str = "fault") -> Any:
    """``action`` when every field is valid (``mockserver.faults.checks``); else a ConfigError naming it."""
    if action == PASS:
        return action
    if not isinstance(action, dict) or ("status" in action) == ("kind" in action):
        raise ConfigError(
            f'{where}: an action is "pass", {{"status": N, ...}} or {{"kind": K, ...}}; '
            f"got {repr(action)[:80]}"
        )
    if "status" in action:
        checks.check_status_action(action, where)
    else:
        checks.check_transport_action(action, where)
    return action


def parse_rule(data: Any, rule_id: str) -> FaultRule:
    """Validate a rule mapping (the JSON of the control API and scenario files)."""
    if not isinstance(data, dict):
        raise ConfigError(f"a fault rule must be an object, got {repr(data)[:80]}")
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise ConfigError(f"unknown rule key(s) {sorted(map(str, unknown))}; valid: {sorted(RULE_KEYS)}")
    if ("sequence" in data) == ("fault" in data):
        raise ConfigError("a rule needs exactly one of 'sequence' or 'fault'")
    if "sequence" in data and not isinstance(data["sequence"], list):
        raise checks.fail("sequence", "a list of actions", data["sequence"])
    sequence = tuple(check_action(a, f"sequence[{i}]") for i, a in enumerate(data.get("sequence") or ()))
    if "sequence" in data and not sequence:
        raise ConfigError("'sequence' must not be empty")
    fault = check_action(data["fault"]) if "fault" in data else None
    times, probability = data.get("times"), data.get("probability")
    if times is not None:
        checks.whole(times, "times", 0)
    if probability is not None:
        checks.number(probability, "probability", 0, 1, "a number")
    for key in ("id", "name"):
        if data.get(key) is not None:
            checks.check_text(data[key], key)
    source = {k: v for k, v in data.items() if k != "id"}
    return FaultRule(
        str(data.get("id") or rule_id),
        parse_match(data.get("match", {})),
        sequence,
        fault,
        times,
        probability,
        source,
    )


class FaultStore:
    """The active rules, in the order they were added; the first matching rule decides."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rules: list[FaultRule] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)

    def add(self, data: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
        """Add one rule or a list; returns their ids."""
        items = data if isinstance(data, list) else [data]
        with self.lock:
            rules = [parse_rule(item, f"fault-{next(self.ids)}") for item in items]
            self.rules.extend(rules)
        return [rule.id for rule in rules]

    def load_once(self, data: list[dict[str, Any]]) -> list[str]:
        """The start-up scenarios' rules: added once for the resource (one process: ``add``)."""
        return self.add(data)

    def remove(self, rule_id: str) -> bool:
        with self.lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            return len(self.rules) < before

    def clear(self) -> None:
        """No rules, and generated ids start again at ``fault-1``: a ``probability`` rule's draws
        depend on its id, so the same rules after a reset make the same decisions."""
        with self.lock:
            self.rules.clear()
            self.ids = itertools.count(1)

    def decide(self, call: Call) -> tuple[FaultRule, Any] | None:
        """The first matching rule whose action is not "pass", with that action.

        Every matching rule up to that one counts the request; rules after it do not see it.
        """
        with self.lock:
            for rule in self.rules:
                if rule.match.matches(call):
                    action = rule.decide(self.seed)
                    if action != PASS:
                        return rule, action
        return None

    async def choose(self, call: Call, settle: bool = False) -> tuple[FaultRule, Any] | None:
        """``decide`` as the state interface's hot path (``stores.base.FaultRules``): always now."""
        return self.decide(call)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return [rule.to_dict() for rule in self.rules]
