"""``/openai/batches`` (classic, 2024-07-01-preview on) and ``/openai/v1/batches``: create, list, get, cancel.

The batch object is ``batch.record.view`` of the stored record at the mock's clock; each request that
reads a batch first lets the runner do the work that is due (``batch.runner``). Wire details from
recordings 28 and 29:

* every answer is 200 (create too), ``application/json; charset=utf-8`` with a Content-Length that is
  the body written with a 2-space indent (the README of the recordings: ``json.dumps(body, indent=2)``,
  non-ASCII escaped); the header set is the batch service's (``headers.PROFILES["batches"]``), and
  create adds ``deployment-enqueued-tokens`` and ``deployment-maximum-enqueued-tokens`` (the mock does
  not model the enqueued-token quota: 0 of the docs' default Global Batch quota for gpt-4o-mini, 1B);
* cancel takes no body (Content-Length 0) and answers ``cancelling`` with ``cancelling_at``;
* list pages by ``after`` and ``limit`` (default 20, AUTH-SPEC ``Batch_List``), newest first, or oldest
  first with ``$orderby=created_at asc``; its body is the batch docs' list sample: ``data, first_id,
  has_more, last_id``.

Unknown ids get 404 ``notFound`` (``errors.not_found``, inferred); an input file that is not a
``batch`` file, 400 ``invalidPayload``; cancelling a batch that already ended, 409
``unexpectedEntityState`` (AUTH-SPEC ``ErrorCode``; inferred).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from .. import files
from ..batch.record import TERMINAL, new_record, status, view
from ..batch.runner import READ_BUDGET
from ..call import BatchCreate, Call
from ..errors import authoring_error, invalid_payload, not_found
from ..state import MockState
from .render import BytesResponse

JSON_UTF8 = "application/json; charset=utf-8"
ENQUEUED_MAXIMUM = "1000000000"  # global-batch-limits: default Global Batch quota of gpt-4o-mini (1B tokens)
DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def batch_json(call: Call, state: MockState, body: Any, extra: dict[str, str] | None = None) -> Response:
    data = json.dumps(body, indent=2).encode()
    headers = {"Content-Type": JSON_UTF8, **(extra or {})}
    return BytesResponse(data, 200, call, "batches", state.settings.region, headers)


async def batches_create(call: Call, state: MockState) -> Response:
    request = call.request_as(BatchCreate)
    input_file = await files.get(state, request.body["input_file_id"])
    if input_file is None:
        raise not_found("File", request.body["input_file_id"])
    if input_file["purpose"] != "batch":
        raise invalid_payload(
            f"The input file {input_file['id']} has purpose '{input_file['purpose']}'; a batch "
            "needs a file uploaded with purpose 'batch'."
        )
    where = {"surface": call.surface, "api_version": call.api_version, "session": call.session}
    now = state.clock.now()
    record = new_record(
        "batch_" + state.request_ids.next(),
        request.body,
        request.operation,
        request.url,
        now,
        state.settings.batch,
        where,
    )
    await state.batches.create(record)
    extra = {"deployment-enqueued-tokens": "0", "deployment-maximum-enqueued-tokens": ENQUEUED_MAXIMUM}
    return batch_json(call, state, view(record, now), extra)


async def batches_retrieve(call: Call, state: MockState) -> Response:
    record = await state.batches.observe(call.resource_id or "", READ_BUDGET)
    if record is None:
        raise not_found("Batch", call.resource_id or "")
    return batch_json(call, state, view(record, state.clock.now()))


async def batches_cancel(call: Call, state: MockState) -> Response:
    batch_id = call.resource_id or ""
    record = await state.batches.load(batch_id)
    if record is None:
        raise not_found("Batch", batch_id)
    current = status(record, state.clock.now())
    if current in TERMINAL or current == "cancelling":
        raise authoring_error(
            409,
            "unexpectedEntityState",
            f"The batch {batch_id} cannot be cancelled: its status is '{current}'.",
        )
    record = await state.batches.cancel(batch_id) or record
    return batch_json(call, state, view(record, state.clock.now()))


async def batches_list(call: Call, state: MockState) -> Response:
    records = await state.batches.observe_all()
    records.sort(key=lambda record: record["created"], reverse=call.query.get("$orderby") != "created_at asc")
    after = call.query.get("after")
    if after is not None:
        ids = [record["id"] for record in records]
        records = records[ids.index(after) + 1 :] if after in ids else []
    limit = page_size(call.query.get("limit"))
    page = records[:limit]
    body = {
        "data": state.batches.views(page),
        "first_id": page[0]["id"] if page else None,
        "has_more": len(records) > limit,
        "last_id": page[-1]["id"] if page else None,
    }
    return batch_json(call, state, body)


def page_size(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise invalid_payload(
            f"Invalid value for limit: '{value}'. Expected an integer from 1 to {MAX_LIMIT}."
        )
    return int(value)
