"""The stored batch, and the batch object Azure shows for it at a moment of the mock's clock.

Lifecycle (recordings 28, 29; BatchStatus of AUTH-SPEC), with V, P, F, C the ``[batch]`` durations
fixed when the batch was created (``config.BatchTimes``):

* ``validating`` from ``created_at`` for V seconds; ``request_counts.total`` is 0 at first and the
  number of lines from half-way through (recording 28: total 0 on the first poll, 2 on later ones);
* ``failed`` at ``created_at + V`` when the input file did not validate, with ``errors.data``;
* ``in_progress`` from ``in_progress_at = created_at + V`` for at least P seconds, and until the last
  line has run; the counts grow as lines finish;
* ``finalizing`` from ``finalizing_at`` (that moment) for F seconds, then ``completed`` with
  ``completed_at``, ``output_file_id`` and ``error_file_id`` (both ``""`` until then, recording 28;
  the error file exists even when empty);
* ``cancelling`` from ``cancelling_at`` (the cancel) for at least C seconds and until the lines in
  flight stop, then ``cancelled`` with ``cancelled_at``; with no line done both file ids are null
  (recording 29), otherwise the lines already done are in the files;
* ``expired`` at ``expires_at`` (``created_at`` + 24 h, recording 28) if the lines have not all run by
  then (only a clock advanced past it gets there; Azure's docs say it rarely expires jobs).

Key order is recording 28's: ``cancelled_at, cancelling_at, completed_at, completion_window,
created_at, error_file_id, expired_at, expires_at, failed_at, finalizing_at, id, in_progress_at,
input_file_id, errors, metadata, object, output_file_id, request_counts{total, completed, failed},
status, endpoint``. ``endpoint`` echoes the request's endpoint without ``/v1`` (``/v1/chat/completions``
comes back as ``/chat/completions``, recordings 28, 29).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import BatchTimes

BATCHES = "batches"  # the object store's kind
DAY = 86_400
TERMINAL = ("completed", "failed", "cancelled", "expired")


def new_record(
    batch_id: str,
    body: dict[str, Any],
    operation: str,
    url: str,
    now: float,
    times: BatchTimes,
    where: dict[str, Any],
) -> dict[str, Any]:
    """A new batch: ``where`` says how its lines are sent (surface, api_version, session)."""
    return {
        "id": batch_id,
        "input_file_id": body["input_file_id"],
        "endpoint": url,
        "operation": operation,
        "completion_window": body["completion_window"],
        "metadata": body.get("metadata"),
        "output_expires_after": body.get("output_expires_after"),
        "created": now,
        "expires_at": int(now) + DAY,
        "times": {
            "validating": times.validating,
            "in_progress": times.in_progress,
            "finalizing": times.finalizing,
            "cancelling": times.cancelling,
        },
        **where,
        "validated": None,  # {"total": n, "deployment": name} once the input file was read
        "errors": None,  # a list of errors.data items when it did not validate
        "next": 0,
        "completed": 0,
        "failed": 0,
        "windows": 0,  # the runner's windows of lines done, and its part blobs (batch.runner.keep)
        "parts": [],
        "merged": 0,
        "processed_at": None,  # clock time the last line ran and the files were written
        "cancelled": None,  # clock time of the cancel
        "stopped_at": None,  # clock time the lines stopped after a cancel or the expiry
        "output_file_id": None,
        "error_file_id": None,
        "claim": None,
    }


@dataclass(frozen=True)
class Phase:
    status: str
    in_progress_at: float | None = None
    finalizing_at: float | None = None
    completed_at: float | None = None
    failed_at: float | None = None
    expired_at: float | None = None
    cancelling_at: float | None = None
    cancelled_at: float | None = None


def phase(record: dict[str, Any], now: float) -> Phase:
    """The status at ``now`` and the timestamps reached by then."""
    times = record["times"]
    started = record["created"] + times["validating"]
    if record["cancelled"] is not None:
        return cancelling(record, now, started)
    if now < started:
        return Phase("validating")
    if record["errors"]:
        return Phase("failed", failed_at=started)
    processed = record["processed_at"]
    if processed is None:
        if now >= record["expires_at"]:
            return Phase("expired", in_progress_at=started, expired_at=record["expires_at"])
        return Phase("in_progress", in_progress_at=started)
    finalizing = max(started + times["in_progress"], processed)
    if now < finalizing:
        return Phase("in_progress", in_progress_at=started)
    done = finalizing + times["finalizing"]
    if now < done:
        return Phase("finalizing", in_progress_at=started, finalizing_at=finalizing)
    return Phase("completed", in_progress_at=started, finalizing_at=finalizing, completed_at=done)


def cancelling(record: dict[str, Any], now: float, started: float) -> Phase:
    asked = record["cancelled"]
    in_progress = started if started <= asked and not record["errors"] else None
    stopped = record["stopped_at"]
    if stopped is not None:
        done = max(asked + record["times"]["cancelling"], stopped)
        if now >= done:
            return Phase("cancelled", in_progress_at=in_progress, cancelling_at=asked, cancelled_at=done)
    return Phase("cancelling", in_progress_at=in_progress, cancelling_at=asked)


def status(record: dict[str, Any], now: float) -> str:
    return phase(record, now).status


def needs_work(record: dict[str, Any], now: float) -> bool:
    """Whether the runner has something to do for ``record`` at ``now``."""
    if record["cancelled"] is not None or (record["processed_at"] is None and now >= record["expires_at"]):
        return record["stopped_at"] is None
    if record["validated"] is None and record["errors"] is None:
        return True
    return not record["errors"] and record["processed_at"] is None and now >= started_at(record)


def started_at(record: dict[str, Any]) -> float:
    return float(record["created"] + record["times"]["validating"])


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The batch object as Azure sends it at ``now`` (recording 28's key order)."""
    at = phase(record, now)
    total = visible_total(record, now, at.status)
    final = at.status in ("finalizing", "completed", "cancelled", "expired")
    return {
        "cancelled_at": stamp(at.cancelled_at),
        "cancelling_at": stamp(at.cancelling_at),
        "completed_at": stamp(at.completed_at),
        "completion_window": record["completion_window"],
        "created_at": int(record["created"]),
        "error_file_id": file_id(record, at.status, "error_file_id"),
        "expired_at": stamp(at.expired_at),
        "expires_at": record["expires_at"],
        "failed_at": stamp(at.failed_at),
        "finalizing_at": stamp(at.finalizing_at),
        "id": record["id"],
        "in_progress_at": stamp(at.in_progress_at),
        "input_file_id": record["input_file_id"],
        "errors": {"object": "list", "data": record["errors"]} if at.status == "failed" else None,
        "metadata": record["metadata"],
        "object": "batch",
        "output_file_id": file_id(record, at.status, "output_file_id"),
        "request_counts": {
            "total": total,
            "completed": record["completed"] if final or at.status in ("in_progress", "cancelling") else 0,
            "failed": record["failed"] if final or at.status in ("in_progress", "cancelling") else 0,
        },
        "status": at.status,
        "endpoint": record["endpoint"],
    }


def visible_total(record: dict[str, Any], now: float, status: str) -> int:
    validated = record["validated"]
    if validated is None:
        return 0
    if status == "validating" and now < record["created"] + record["times"]["validating"] / 2:
        return 0
    return int(validated["total"])


def file_id(record: dict[str, Any], status: str, key: str) -> str | None:
    """``""`` until the batch ends (recording 28); the file's id once it has one; null when a
    cancelled or expired batch has no lines done, or for a failed one (recording 29)."""
    if status in ("completed", "cancelled", "expired"):
        return record[key]  # type: ignore[no-any-return]
    if status == "failed":
        return None
    return ""


def stamp(value: float | None) -> int | None:
    return None if value is None else int(value)


def next_change(record: dict[str, Any], now: float) -> float | None:
    """When the status of ``record`` next changes by the clock alone (None: it waits for work)."""
    if needs_work(record, now):
        return None
    at = phase(record, now)
    times = record["times"]
    if at.status == "validating":
        return started_at(record)
    if at.status == "in_progress" and record["processed_at"] is not None:
        return max(started_at(record) + float(times["in_progress"]), float(record["processed_at"]))
    if at.status == "finalizing" and at.finalizing_at is not None:
        return float(at.finalizing_at + times["finalizing"])
    if at.status == "cancelling" and record["stopped_at"] is not None:
        return max(float(record["cancelled"] + times["cancelling"]), float(record["stopped_at"]))
    return None
