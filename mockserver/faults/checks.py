"""Every field of a fault action, checked when the rule is posted (or a scenario loaded).

A stored rule must always be applicable: a bad value found only when a request matches would turn
every matching request into an unscripted 500. So each action's fields are checked here, by kind,
and a bad one is a ``ConfigError`` naming the field (the control API answers 400 with it). Unknown
fields are refused too: a misspelt ``after_chunk`` would otherwise be ignored in silence.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import ConfigError
from ..filters.triggers import CATEGORIES
from ..filters.verdicts import SEVERITIES

MAX_SECONDS = 3600.0  # the longest scripted delay (an hour outlasts any client timeout)
MAX_RETRY_AFTER = 366 * 86400.0  # a retry-after of a year at most (Azure has sent 86400: azure-wire §3.5)
MAX_COUNT = 1_000_000_000  # after_chunks, after_bytes, bytes
# an HTTP status a scripted error may have: a final status whose response carries a body
NO_BODY_STATUSES = frozenset({204, 205, 304})
# RFC 9110 §5.6.2 token characters for header names
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# uvicorn refuses these in values (CR, LF and other controls except tab)
BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# the body's framing is the server's: a scripted length would not match the body it sends
# (``Connection: close`` may be scripted: uvicorn honours it)
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})
VARIANTS = ("tokens", "requests")
RETRY_AFTER_FORMATS = ("seconds", "http-date")
CUT_MODES = ("drop", "clean")
DISTRIBUTIONS = {"uniform": ("low", "high"), "normal": ("mean", "stddev"), "exponential": ("mean",)}
FILTER_CATEGORIES = CATEGORIES  # what a content_filter fault may name: the triggers' categories

STATUS_KEYS = frozenset(
    {"status", "headers", "body", "variant", "retry_after", "retry_after_format", "content_filter"}
)
# per transport kind: its fields (besides "kind") and their checks
TRANSPORT_FIELDS: dict[str, dict[str, str]] = {
    "latency": {"seconds": "seconds", "distribution": "distribution"},
    "stall": {"seconds": "seconds"},
    "reset": {},
    "close_mid_body": {"after_bytes": "count"},
    "stream_cut": {"after_chunks": "count", "mode": "mode"},
    "malformed_sse": {"after_chunks": "count"},
    "error_event": {"after_chunks": "count", "error": "object", "sse_event": "bool"},
    "dribble": {"bytes": "positive", "interval": "seconds"},
    "stream_timing": {"first_token": "seconds", "between_chunks": "seconds"},
    "stale_read": {"reads": "count"},
    "content_filter": {
        "category": "category",
        "severity": "severity",
        "at_char": "count",
        "after_chunks": "count",
        "unavailable": "bool",
    },
}


def fail(where: str, expected: str, value: Any) -> ConfigError:
    shown = repr(value)
    return ConfigError(f"{where} must be {expected}, got {shown[:80]}{'...' if len(shown) > 80 else ''}")


def is_number(value: Any) -> bool:
    """A JSON number; an int of any size is finite (``math.isfinite`` of a huge int overflows)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def number(value: Any, where: str, low: float, high: float, what: str) -> None:
    if not is_number(value) or not low <= value <= high:
        raise fail(where, f"{what} between {plain(low)} and {plain(high)}", value)


def plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def whole(value: Any, where: str, low: int, high: int = MAX_COUNT) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(where, f"a whole number between {low} and {high}", value)


def one_of(value: Any, allowed: tuple[str, ...], where: str) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise fail(where, f"one of {list(allowed)}", value)


def check_fields(action: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(k) for k in set(action) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {unknown}; valid: {sorted(allowed)}")


def check_status_action(action: dict[str, Any], where: str) -> None:
    check_fields(action, STATUS_KEYS, where)
    status = action["status"]
    if (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 200 <= status <= 599
        or status in NO_BODY_STATUSES
    ):
        raise fail(f"{where}.status", "an HTTP status 200-599 that has a body (not 204, 205 or 304)", status)
    if "headers" in action:
        check_headers(action["headers"], f"{where}.headers", allow_none=True)
    if "variant" in action:
        one_of(action["variant"], VARIANTS, f"{where}.variant")
    if "retry_after" in action:
        number(action["retry_after"], f"{where}.retry_after", 0, MAX_RETRY_AFTER, "a number of seconds")
    if "retry_after_format" in action:
        one_of(action["retry_after_format"], RETRY_AFTER_FORMATS, f"{where}.retry_after_format")
    if "content_filter" in action:
        check_filter_spec(action["content_filter"], f"{where}.content_filter")


def check_filter_spec(spec: Any, where: str) -> None:
    """``{"category": ..., "severity": ...}`` or ``{"jailbreak": true}`` (``hits_from_spec``)."""
    if not isinstance(spec, dict):
        raise fail(where, 'an object like {"category": "violence", "severity": "medium"}', spec)
    check_fields(spec, frozenset({"category", "severity", "jailbreak"}), where)
    if "category" in spec:
        one_of(spec["category"], FILTER_CATEGORIES, f"{where}.category")
    if "severity" in spec:
        one_of(spec["severity"], SEVERITIES, f"{where}.severity")
    if "jailbreak" in spec and not isinstance(spec["jailbreak"], bool):
        raise fail(f"{where}.jailbreak", "true or false", spec["jailbreak"])


def check_headers(headers: Any, where: str, allow_none: bool = False) -> None:
    """Header names that are HTTP tokens (not framing headers), values that fit on one line in Latin-1."""
    if not isinstance(headers, dict):
        raise fail(where, "an object of header names to values", headers)
    for name, value in headers.items():
        if not isinstance(name, str) or not TOKEN.fullmatch(name):
            raise fail(f"{where} name", "an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)", name)
        if name.lower() in FRAMING_HEADERS:
            raise ConfigError(
                f"{where}.{name}: the server sets framing headers itself "
                f"({sorted(FRAMING_HEADERS)} cannot be scripted)"
            )
        if value is None and allow_none:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise fail(f"{where}.{name}", "a string (or null to remove the header)", value)
        text = str(value)
        if BAD_VALUE.search(text) or (not text.isascii() and not latin1(text)):
            raise fail(f"{where}.{name}", "one line of Latin-1 text (no CR, LF or other controls)", value)


def latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def check_transport_action(action: dict[str, Any], where: str) -> None:
    kind = action["kind"]
    if not isinstance(kind, str) or kind not in TRANSPORT_FIELDS:
        raise ConfigError(
            f"{where}.kind: unknown fault kind {repr(kind)[:80]}; valid: {list(TRANSPORT_FIELDS)}"
        )
    fields = TRANSPORT_FIELDS[kind]
    check_fields(action, frozenset({"kind", *fields}), where)
    for name, check in fields.items():
        if name in action:
            FIELD_CHECKS[check](action[name], f"{where}.{name}")


def check_distribution(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise fail(where, f"an object with 'type' one of {list(DISTRIBUTIONS)}", value)
    kind = value.get("type", "uniform")
    one_of(kind, tuple(DISTRIBUTIONS), f"{where}.type")
    check_fields(value, frozenset({"type", *DISTRIBUTIONS[kind]}), where)
    for name in DISTRIBUTIONS[kind]:
        if name in value:
            number(value[name], f"{where}.{name}", 0, MAX_SECONDS, "a number of seconds")
    if kind == "uniform" and "low" in value and "high" in value and value["low"] > value["high"]:
        raise ConfigError(f"{where}: 'low' must not be above 'high'")


def check_error_object(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise fail(where, "an object (the SSE error event's 'error')", value)


def check_bool(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise fail(where, "true or false", value)


FIELD_CHECKS: dict[str, Any] = {
    "seconds": lambda v, w: number(v, w, 0, MAX_SECONDS, "a number of seconds"),
    "count": lambda v, w: whole(v, w, 0),
    "positive": lambda v, w: whole(v, w, 1),
    "mode": lambda v, w: one_of(v, CUT_MODES, w),
    "distribution": check_distribution,
    "object": check_error_object,
    "bool": check_bool,
    "category": lambda v, w: one_of(v, FILTER_CATEGORIES, w),
    "severity": lambda v, w: one_of(v, SEVERITIES, w),
}


def check_text(value: Any, where: str, limit: int = 256) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise fail(where, f"a string of at most {limit} characters", value)
