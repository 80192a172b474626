"""The transport fault kinds a rule's action may name (``{"kind": ...}``), and what each does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A fault kind. ``waits``: the faults stage waits it out before the answer (``effects``);
    ``needs_socket``: its point is timing or a slow socket, so it needs a live server (in-process
    requests are buffered and client timeouts never fire, style.md §3.3)."""

    name: str
    does: str
    waits: bool = False
    needs_socket: bool = False


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "latency",
            "delay before the response: seconds, or distribution {type: uniform|normal|exponential, ...}",
            waits=True,
            needs_socket=True,
        ),
        Kind(
            "stall",
            "wait `seconds` before answering (outlast the client's timeout), then answer normally",
            waits=True,
            needs_socket=True,
        ),
        Kind("reset", "connection reset before any byte"),
        Kind("close_mid_body", "send headers and `after_bytes` of the body, then close the connection"),
        Kind(
            "stream_cut",
            'after `after_chunks` SSE events: mode "drop" closes the connection, "clean" ends without [DONE]',
        ),
        Kind("malformed_sse", "after `after_chunks` events, a broken `data:` line, then the rest"),
        Kind(
            "error_event",
            'after `after_chunks` events, `data: {"error": ...}` (or `event: error` with sse_event)',
        ),
        Kind("dribble", "the body in `bytes` sized pieces every `interval` seconds", needs_socket=True),
        Kind(
            "stream_timing",
            "`first_token` seconds before the first chunk, `between_chunks` between chunks",
            needs_socket=True,
        ),
        Kind("stale_read", "Responses: the next `reads` GETs or chained creates of this id miss"),
        Kind(
            "content_filter",
            "completion-side filtering: category, severity, after_chunks (see content filters)",
        ),
    )
}
TRANSPORT_KINDS = tuple(KINDS)
WAITING_KINDS = frozenset(name for name, kind in KINDS.items() if kind.waits)
SERVER_ONLY_KINDS = tuple(name for name, kind in KINDS.items() if kind.needs_socket)
