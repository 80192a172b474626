"""Azure's header profiles compiled once per deployment and region (``HeaderTemplate``), so a
response fills in only its per-call values, as ASGI header pairs or as rendered header lines
(``wire.rendered_head_cycle``).

What the headers are is ``mockserver.headers`` (the profiles and their getters); this module only
makes them cheaper to produce, and every function returns what ``headers`` would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ..call import Call
from ..config import Deployment
from ..headers import GETTERS, PROFILES, Getter, RawHeaders
from .wire import header_line, valid_header, valid_values

# Headers whose value depends only on the deployment and the region: computed once per profile
STATIC = frozenset(
    {
        "Access-Control-Allow-Origin",
        "azureml-model-session",
        "Cache-Control",
        "ms-azureml-model-time",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "x-envoy-upstream-service-time",
        "x-ms-deployment-name",
        "x-ms-rai-invoked",
        "x-ms-region",
        "api-supported-versions",
        "Request-Context",
        "Vary",
        "x-aml-cluster",
        "x-ms-response-type",
        "x-request-time",
    }
)

# one header of a compiled profile: its name as given, its lower-cased wire name, and either the
# encoded value (static) or the getter that computes it per call
Slot = tuple[str, bytes, "bytes | Getter"]


@dataclass(frozen=True, slots=True)
class HeaderTemplate:
    """A profile compiled for one deployment and region.

    slots: every header in order; template: the raw header list with static values filled in and
    None where a per-call value goes; dynamic: (position in template, wire name, getter);
    lines: the same as rendered header lines (``name: value\r\n``, empty where a per-call value
    goes), or None when a static name or value is one uvicorn would refuse (``wire.valid_header``);
    form: all the lines as one %-format with a ``%s`` per per-call value (None with ``lines``)."""

    slots: tuple[Slot, ...]
    template: tuple[tuple[bytes, bytes] | None, ...]
    dynamic: tuple[tuple[int, bytes, Getter], ...]
    lines: tuple[bytes, ...] | None
    form: str | None


TEMPLATES: dict[tuple[str, str, str | None], HeaderTemplate] = {}
MAX_TEMPLATES = 1024


def compiled(profile: str, region: str, deployment: Deployment | None) -> HeaderTemplate:
    """``profile``'s headers with every static value computed and encoded once per deployment name
    (static values depend on nothing else); static headers without a value are left out here."""
    key = (profile, region, deployment.name if deployment is not None else None)
    plan = TEMPLATES.get(key)
    if plan is None:
        if len(TEMPLATES) >= MAX_TEMPLATES:
            TEMPLATES.clear()
        plan = TEMPLATES[key] = compile_profile(profile, region, deployment)
    return plan


def compile_profile(profile: str, region: str, deployment: Deployment | None) -> HeaderTemplate:
    probe = Call(
        method="", path="", query={}, headers={}, request_id="", x_request_id="", deployment=deployment
    )
    slots: list[Slot] = []
    for name in PROFILES[profile]:
        getter = GETTERS[name]
        if name in STATIC:
            value = getter(probe, region)
            if value is not None:
                slots.append((name, name.lower().encode("latin-1"), value.encode("latin-1")))
        else:
            slots.append((name, name.lower().encode("latin-1"), getter))
    template = tuple((wire, value) if isinstance(value, bytes) else None for _, wire, value in slots)
    dynamic = tuple(
        (index, wire, value) for index, (_, wire, value) in enumerate(slots) if not isinstance(value, bytes)
    )
    lines = tuple(header_line(*header) if header is not None else b"" for header in template)
    if not all(valid_header(*header) for header in template if header is not None):
        return HeaderTemplate(tuple(slots), template, dynamic, None, None)
    form = "".join(
        line.decode("latin-1").replace("%", "%%")
        if header is not None
        else header_line(slots[index][1], b"%s").decode("latin-1")
        for index, (line, header) in enumerate(zip(lines, template, strict=True))
    )
    return HeaderTemplate(tuple(slots), template, dynamic, lines, form)


def planned_raw_headers(call: Call, profile: str, region: str) -> RawHeaders:
    """The headers of ``profile`` with this call's values, ready for the ASGI ``headers`` list
    (names lower-cased, as Starlette sends them); headers without a value are left out."""
    plan = compiled(profile, region, call.deployment)
    result = list(plan.template)
    complete = True
    for index, wire_name, getter in plan.dynamic:
        text = getter(call, region)
        if text is None:
            complete = False
        else:
            result[index] = (wire_name, text.encode("latin-1"))
    return cast(RawHeaders, result) if complete else [header for header in result if header is not None]


def planned_header_lines(call: Call, profile: str, region: str) -> bytes | None:
    """The headers of ``profile`` with this call's values as header lines for ``wire``'s rendered
    head, or None when a name or value is one uvicorn would refuse (its own path then decides)."""
    plan = compiled(profile, region, call.deployment)
    if plan.lines is None or plan.form is None:
        return None
    values = [getter(call, region) for _, _, getter in plan.dynamic]
    present = [value for value in values if value is not None]
    if not valid_values(present):  # e.g. an echoed x-ms-client-request-id
        return None
    if len(present) == len(values):
        return (plan.form % tuple(present)).encode("latin-1")
    lines = list(plan.lines)  # some headers have no value for this call (rate limits off)
    for (index, wire_name, _), value in zip(plan.dynamic, values, strict=True):
        if value is not None:
            lines[index] = header_line(wire_name, value.encode("latin-1"))
    return b"".join(lines)


def planned_headers(call: Call, profile: str, region: str) -> dict[str, str]:
    """The headers of ``profile`` with this call's values, by name as the service spells them."""
    result = {}
    for name, _, value in compiled(profile, region, call.deployment).slots:
        text = value.decode("latin-1") if isinstance(value, bytes) else value(call, region)
        if text is not None:
            result[name] = text
    return result
