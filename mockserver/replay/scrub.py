"""Sanitizers: what never reaches a cassette (secrets, the resource host, chosen body fields).

Modelled on the Azure SDK test-proxy sanitizers, which replace secrets with ``Sanitized`` /
``redacted`` and hosts with ``Sanitized.openai.azure.com`` (every reference recording shows them,
azure-wire §14), and on vcrpy's ``filter_headers`` / ``filter_query_parameters``:

* headers: ``api-key``, ``Authorization``, ``Cookie``, ``Set-Cookie``, ``Ocp-Apim-Subscription-Key``
  (any case: the Go SDK sends ``Api-Key``, recording 01) get the value ``Sanitized``;
* query parameters: SAS signatures and tokens (``sig``, ``se``, ``sv``, ``token``, ``api-key``,
  ``code``, ...), in the request URL *and* in every URL inside bodies and headers (DALL-E image URLs
  carry a SAS query string; recording 10 shows it sanitized to ``?sanitized``);
* the upstream host (``myres.openai.azure.com``) wherever it appears: replaced by a placeholder;
* user-chosen JSON body fields, as dotted paths (``user``, ``messages.*.content``, ``metadata.email``),
  replaced by ``Sanitized`` in request and response bodies.

The same ``Scrubber`` runs over incoming requests at replay time (``replay.player``), so a field
that was sanitized when recording still matches the real value sent later.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SANITIZED = "Sanitized"  # the test-proxy's default replacement value (recordings 01, 03, 09, 11)
PLACEHOLDER_HOST = "Sanitized.openai.azure.com"  # the test-proxy's host placeholder (recordings 01-03)
SECRET_HEADERS = frozenset(
    {
        "api-key",
        "authorization",
        "cookie",
        "set-cookie",
        "ocp-apim-subscription-key",
        "proxy-authorization",
        "x-api-key",
    }
)
SECRET_QUERY = frozenset(
    {
        # Azure Storage SAS (image URLs): signature, expiry, version, start, permissions, resource, key ids
        "sig",
        "se",
        "sv",
        "st",
        "sp",
        "sr",
        "skoid",
        "sktid",
        "skt",
        "ske",
        "sks",
        "skv",
        # tokens and keys some clients put in query strings
        "token",
        "access_token",
        "api-key",
        "api_key",
        "key",
        "subscription-key",
        "code",
    }
)
# the rule set as cassettes name it (its module was mockserver.scrub when the first were made)
RULES = "mockserver.scrub: secret headers, SAS/token query parameters, the upstream host, body_fields"
URL_QUERY = re.compile(r"(?P<sep>[?&])(?P<name>[A-Za-z0-9_.-]+)=(?P<value>[^&#\s\"'<>]*)")


@dataclass(frozen=True)
class Scrubber:
    """Replace secrets before anything is stored.

    host: the upstream host (``name.openai.azure.com`` or ``127.0.0.1:8001``), replaced by
        ``placeholder`` wherever it appears; None when unknown (replay-time scrubbing).
    body_fields: dotted JSON paths replaced by ``Sanitized`` (``*`` matches every list item or key).
    """

    host: str | None = None
    body_fields: tuple[str, ...] = ()
    placeholder: str = PLACEHOLDER_HOST

    @classmethod
    def for_upstream(cls, upstream: str, body_fields: Iterable[str] = ()) -> Scrubber:
        return cls(host=urlsplit(upstream).netloc or None, body_fields=tuple(body_fields))

    def config(self) -> dict[str, Any]:
        """What a cassette keeps about its scrubbing (never the real host)."""
        return {"body_fields": list(self.body_fields), "host_placeholder": self.placeholder, "rules": RULES}

    # --- pieces ------------------------------------------------------------------------------

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {k: (SANITIZED if k.lower() in SECRET_HEADERS else self.text(v)) for k, v in headers.items()}

    def query(self, query: dict[str, str]) -> dict[str, str]:
        return {k: (SANITIZED if k.lower() in SECRET_QUERY else self.text(v)) for k, v in query.items()}

    def text(self, text: str) -> str:
        """The host replaced and secret query parameters of any URL in ``text`` sanitized."""
        if self.host:  # host:port first, then the bare host name
            bare = self.host if self.host.endswith("]") else self.host.rsplit(":", 1)[0]  # IPv6 kept whole
            pattern = "|".join(re.escape(name) for name in dict.fromkeys([self.host, bare]))
            text = re.sub(pattern, self.placeholder, text, flags=re.IGNORECASE)
        return URL_QUERY.sub(secret_param, text) if ("?" in text or "&" in text) else text

    def json(self, value: Any) -> Any:
        """A copy of a JSON value with every string scrubbed and ``body_fields`` sanitized."""
        value = self.strings(value)
        for path in self.body_fields:
            value = replace_path(value, path.split("."))
        return value

    def strings(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.strings(v) for v in value]
        if isinstance(value, dict):
            return {k: self.strings(v) for k, v in value.items()}
        return value

    def event(self, event: str) -> str:
        """One raw SSE event: text scrubbing, and body fields inside its JSON ``data:`` payload."""
        event = self.text(event)
        head = ""
        if event.startswith("event: ") and "\ndata: {" in event:  # a Responses event (recordings 16, 18)
            name, _, event = event.partition("\n")
            head = name + "\n"
        if not self.body_fields or not event.startswith("data: {"):
            return head + event
        payload, _, tail = event[len("data: ") :].partition("\n")
        try:
            data = json.loads(payload)
        except ValueError:
            return event
        scrubbed = self.json(data)
        if scrubbed == data:
            return head + event
        return head + "data: " + json.dumps(scrubbed, separators=(",", ":"), ensure_ascii=False) + "\n" + tail


def secret_param(match: re.Match[str]) -> str:
    if match.group("name").lower() not in SECRET_QUERY:
        return match.group(0)
    return f"{match.group('sep')}{match.group('name')}={SANITIZED}"


def replace_path(value: Any, parts: list[str]) -> Any:
    """``value`` with the field at the dotted ``parts`` replaced by ``Sanitized`` (if present)."""
    if not parts:
        return SANITIZED
    head, rest = parts[0], parts[1:]
    if isinstance(value, dict):
        keys = list(value) if head == "*" else [head] if head in value else []
        return {k: (replace_path(v, rest) if k in keys else v) for k, v in value.items()}
    if isinstance(value, list):
        if head == "*":
            return [replace_path(v, rest) for v in value]
        if head.isdigit() and int(head) < len(value):
            index = int(head)
            return [replace_path(v, rest) if i == index else v for i, v in enumerate(value)]
    return value
