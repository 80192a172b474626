"""A response as Azure streams it: ``event: <type>`` + ``data: <compact json>`` per event,
``sequence_number`` from 0, no ``[DONE]`` (recordings 16, 18).

Text (16): created, in_progress, output_item.added, content_part.added, output_text.delta...,
output_text.done, content_part.done, output_item.done, completed. A function call (18):
output_item.added, function_call_arguments.delta..., .done, output_item.done (no content parts).
Reasoning items stream their summary parts with the ``reasoning_summary_*`` events, and an answer cut
short ends with ``response.incomplete`` (neither recorded: the event names are the spec's and the
SDKs'). A mid-stream failure ends with ``response.failed`` carrying ``error``, or an ``error`` event.
"""

from __future__ import annotations

from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import Any

from ..synth.sse import dumps
from .render import indented

FAILED = {"code": "server_error", "message": "The server had an error while processing your request."}
SEQ_MARK, DELTA_MARK = "@@aoai-mock-seq@@", "@@aoai-mock-delta@@"
FINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}


def frame(payload: dict[str, Any]) -> bytes:
    kind: str = payload["type"]
    return b"event: " + kind.encode() + b"\ndata: " + dumps(payload).encode() + b"\n\n"


class Sequence:
    """Numbers the events from 0."""

    def __init__(self) -> None:
        self.next = 0

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        payload = {"type": kind, "sequence_number": self.next, **fields}
        self.next += 1
        return payload

    def deltas(self, kind: str, where: dict[str, Any], pieces: list[str]) -> Iterator[bytes]:
        """The delta events of one item, framed from one template: they differ only in their number
        and text, so each is spliced, JSON-escaped exactly as ``dumps`` would (as chat's chunks are)."""
        template = frame({"type": kind, "sequence_number": SEQ_MARK, **where, "delta": DELTA_MARK})
        head, rest = template.split(b'"' + SEQ_MARK.encode() + b'"', 1)
        middle, tail = rest.split(DELTA_MARK.encode(), 1)
        for piece in pieces:
            yield b"%b%d%b%b%b" % (head, self.next, middle, encode_basestring(piece)[1:-1].encode(), tail)
            self.next += 1


def stream(
    started: dict[str, Any], final: dict[str, Any], pieces: list[list[str]]
) -> Iterator[dict[str, Any] | bytes]:
    """Every event of one response, as a payload or already framed (the deltas), numbered in order:
    ``started`` is the object while in progress, ``final`` complete; ``pieces[i]``: the deltas of
    output item ``i`` (its text or arguments, token by token)."""
    seq = Sequence()
    yield seq.event("response.created", response=started)
    yield seq.event("response.in_progress", response=started)
    for index, item in enumerate(final["output"]):
        yield from item_events(seq, index, item, pieces[index] if index < len(pieces) else [])
    yield seq.event(FINAL.get(final["status"], "response.completed"), response=final)


def item_events(
    seq: Sequence, index: int, item: dict[str, Any], pieces: list[str]
) -> Iterator[dict[str, Any] | bytes]:
    kind, item_id = item["type"], item["id"]
    yield seq.event("response.output_item.added", output_index=index, item=opening(item))
    if kind == "message":
        for part_index, part in enumerate(item["content"]):
            where = {"item_id": item_id, "output_index": index, "content_index": part_index}
            yield seq.event(
                "response.content_part.added", **where, part={**part, "annotations": [], "text": ""}
            )
            yield from seq.deltas("response.output_text.delta", where, pieces)
            for number, annotation in enumerate(part["annotations"]):
                yield seq.event(
                    "response.output_text.annotation.added",
                    **where,
                    annotation_index=number,
                    annotation=annotation,
                )
            yield seq.event("response.output_text.done", **where, text=part["text"])
            yield seq.event("response.content_part.done", **where, part=part)
    elif kind == "function_call":
        where = {"item_id": item_id, "output_index": index}
        yield from seq.deltas("response.function_call_arguments.delta", where, pieces)
        yield seq.event("response.function_call_arguments.done", **where, arguments=item["arguments"])
    elif kind == "web_search_call":
        for stage in ("in_progress", "searching", "completed"):
            yield seq.event(f"response.web_search_call.{stage}", output_index=index, item_id=item_id)
    elif kind == "reasoning":
        for summary_index, part in enumerate(item["summary"]):
            where = {"item_id": item_id, "output_index": index, "summary_index": summary_index}
            yield seq.event("response.reasoning_summary_part.added", **where, part={**part, "text": ""})
            yield seq.event("response.reasoning_summary_text.delta", **where, delta=part["text"])
            yield seq.event("response.reasoning_summary_text.done", **where, text=part["text"])
            yield seq.event("response.reasoning_summary_part.done", **where, part=part)
    yield seq.event("response.output_item.done", output_index=index, item=item)


def opening(item: dict[str, Any]) -> dict[str, Any]:
    """An item as ``output_item.added`` shows it: in progress, nothing generated yet (16, 18)."""
    if item["type"] == "message":
        return {**item, "status": "in_progress", "content": []}
    if item["type"] == "function_call":
        return {**item, "status": "in_progress", "arguments": ""}
    if item["type"] == "reasoning":
        return {**item, "summary": []}
    if item["type"] == "web_search_call":
        return {"id": item["id"], "type": item["type"], "status": "in_progress"}
    return item


def failure(
    seq_number: int, started: dict[str, Any], error: dict[str, Any] | None, as_event: bool
) -> dict[str, Any]:
    """The end of a stream that fails mid-way: ``response.failed`` (status failed, ``error``), or with
    ``as_event`` OpenAI's ``error`` event (type, code, message, param)."""
    detail = {
        "code": (error or FAILED).get("code") or "server_error",
        "message": (error or FAILED).get("message"),
    }
    if as_event:
        return {"type": "error", "sequence_number": seq_number, **detail, "param": None}
    failed = {**started, "status": "failed", "error": detail}
    return {"type": "response.failed", "sequence_number": seq_number, "response": failed}


def pretty(body: Any) -> bytes:
    """The JSON answers: 2-space indented, non-ASCII escaped (the recordings' Content-Length)."""
    return indented(body)
