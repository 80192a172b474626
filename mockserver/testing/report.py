"""The "aoai-mockserver journal" section added to a failing test's report."""

from __future__ import annotations

import json
from typing import Any

from ..journal import JournalEntry
from ..ui.timeline import text_timeline

SECTION = "aoai-mockserver journal"
LAST = 10
EXCERPT = 240
NO_REQUESTS = (
    "no request reached the mock ({endpoint}). Is the code under test pointed at it? Pass "
    "azure_endpoint=mock.endpoint (or use mock.client() / mock.env()){hint}"
)
INPROCESS_HINT = (
    "; in-process mode only sees httpx/httpx2 clients of this process: use aoai_server for "
    "subprocesses and other HTTP libraries"
)


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(index: int, entry: JournalEntry) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in entry.query.items())
    target = f"{entry.path}?{query}" if query else entry.path
    line = f"#{index} {entry.method} {target} -> {entry.status or 'no response'}"
    if entry.fault:
        line += f"  [fault {entry.fault}]"
    lines = [line, f"    request:  {excerpt(entry.body)}", f"    response: {excerpt(entry.response)}"]
    lines.extend(f"    note: {note}" for note in entry.notes)
    return lines


def journal_section(entries: list[JournalEntry], endpoint: str, mode: str, last: int = LAST) -> str:
    """The last ``last`` requests with status, fault, and body/response excerpts, then the retry
    timeline of the requests that were retried or failed (``mockserver.ui.timeline``)."""
    if not entries:
        return NO_REQUESTS.format(endpoint=endpoint, hint=INPROCESS_HINT if mode == "inprocess" else "")
    shown = entries[-last:]
    first = len(entries) - len(shown) + 1
    head = f"{len(entries)} request(s) to {endpoint} ({mode})"
    head += f", the last {len(shown)}:" if first > 1 else ":"
    lines = [head]
    for offset, entry in enumerate(shown):
        lines.extend(describe(first + offset, entry))
    timeline = text_timeline(entries)
    if timeline:
        lines += ["", *timeline]
    return "\n".join(lines)
