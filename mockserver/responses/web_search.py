"""The ``web_search_preview`` tool as recording 25 (Mar 2026) shows it: the tool echoed with its
options, a ``web_search_call`` item (``ws_``; status ``searching`` as recorded) before the message, and
the message citing what it found (``url_citation``). The mock searches nothing: the query is the
prompt's keywords, the source one made-up page on ``example.com`` named after them."""

from __future__ import annotations

from typing import Any

from ..synth.text import keywords
from .ids import ResponseIds

TOOLS = ("web_search_preview", "web_search")
LOCATION = {"type": "approximate", "city": None, "country": "US", "region": None, "timezone": None}


def searches(body: dict[str, Any]) -> bool:
    tools = [t for t in body.get("tools") or () if isinstance(t, dict) and t.get("type") in TOOLS]
    return bool(tools) and body.get("tool_choice") != "none"


def tool_echo(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": tool["type"],
        "search_context_size": tool.get("search_context_size", "medium"),
        "user_location": tool.get("user_location") or dict(LOCATION),
    }


def search_item(ids: ResponseIds, prompt: str) -> dict[str, Any]:
    query = " ".join(keywords(prompt)[:8]) or prompt[:80]
    return {
        "id": ids.make("ws"),
        "type": "web_search_call",
        "status": "searching",
        "action": {"type": "search", "queries": [query], "query": query},
    }


def cited(text: str, query: str) -> tuple[str, dict[str, Any]]:
    """``text`` with a markdown link to its source appended, and the ``url_citation`` annotation of it."""
    slug = "-".join(query.lower().split()) or "results"
    title, url = f"About {query or 'the question'}", f"https://www.example.com/search/{slug}"
    link = f" ([source]({url}))"
    annotation = {
        "type": "url_citation",
        "end_index": len(text) + len(link),
        "start_index": len(text) + 1,
        "title": title,
        "url": url,
    }
    return text + link, annotation
