"""The input file of a batch: its lines, read in chunks, and Azure's validation of them.

A line is ``{"custom_id", "method": "POST", "url", "body": {..., "model": <deployment>}}`` (batch docs,
"Input format"). Validation fails the whole batch with ``errors.data`` items ``{"code", "message"}``
(the docs' failed-batch sample) plus ``line`` where one line is at fault (a string, AUTH-SPEC
``BatchErrorData``). Codes and messages are the docs' "Error codes" table:

* ``invalid_json_line`` a line that is not JSON; ``invalid_request`` one that is not a request object
  (or names a deployment that cannot serve the endpoint); ``url_mismatch`` a url other than the
  batch's endpoint; ``model_mismatch`` a deployment other than the first line's; ``model_not_found``
  a deployment the resource does not have; ``duplicate_custom_id``; ``too_many_tasks`` over 100,000
  lines; ``empty_file`` no line at all (its message, triple space included, is the docs' sample);
* a file that starts with a UTF-8 byte-order mark gets the docs' "Known issues" message ("Validation
  failed: A valid model deployment name couldn't be extracted ..."); the docs give no code for it,
  ``model_not_found`` is used (inferred).

Blank lines are skipped. A line longer than ``MAX_LINE_BYTES`` is ``invalid_request`` (the mock's own
bound, so that no line is held whole beyond it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .. import files
from ..catalogue import CHAT, RESPONSES_CREATE
from ..config import Settings

MAX_TASKS = 100_000  # global-batch-limits: maximum requests per file
MAX_LINE_BYTES = 32 * 1024 * 1024
MAX_ERRORS = 100
BOM = b"\xef\xbb\xbf"
MESSAGES = {
    "invalid_json_line": (
        "A line (or multiple) in your input file wasn't able to be parsed as valid json. Please "
        "ensure no typos, proper opening and closing brackets, and quotes as per JSON standard, and "
        "resubmit the request."
    ),
    "too_many_tasks": (
        "The number of requests in the input file exceeds the maximum allowed value of 100,000. "
        "Please ensure your total requests are under 100,000 and resubmit the job."
    ),
    "url_mismatch": (
        "Either a row in your input file has a URL that doesn\u2019t match the rest of the rows, or the "
        "URL specified in the input file doesn\u2019t match the expected endpoint URL. Please ensure all "
        "request URLs are the same, and that they match the endpoint URL associated with your Azure "
        "OpenAI deployment."
    ),
    "model_not_found": (
        "The Azure OpenAI model deployment name that was specified in the model property of the "
        "input file wasn't found. Please ensure this name points to a valid Azure OpenAI model "
        "deployment."
    ),
    "duplicate_custom_id": (
        "The custom ID for this request is a duplicate of the custom ID in another request."
    ),
    "model_mismatch": (
        "The Azure OpenAI model deployment name that was specified in the model property of this "
        "request in the input file doesn't match the rest of the file. Please ensure that all "
        "requests in the batch point to the same Azure OpenAI model deployment in the model property "
        "of the request."
    ),
    "invalid_request": (
        "The schema of the input line is invalid or the deployment SKU is invalid. Please ensure the "
        "properties of the request in your input file match the expected input properties, and that "
        "the Azure OpenAI deployment SKU is globalbatch for batch API requests."
    ),
    "empty_file": "The input file is empty. Please ensure that the batch contains at least one   request.",
}
BOM_MESSAGE = (
    "Validation failed: A valid model deployment name couldn't be extracted from the input file. "
    "Please ensure that each row in the input file has a valid deployment name specified in the "
    "'model' field, and that the deployment name is consistent across all rows."
)


class LineTooLong(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(f"line {number} is longer than {MAX_LINE_BYTES} bytes")
        self.number = number


async def raw_lines(chunks: AsyncIterator[bytes]) -> AsyncGenerator[tuple[int, bytes]]:
    """(1-based line number, bytes) for every non-blank line, reading ``chunks`` as they come."""
    pieces: list[bytes] = []  # of the line not ended yet
    size = number = 0
    async for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            pieces.append(chunk[start:end])
            line, pieces, size = b"".join(pieces), [], 0
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise LineTooLong(number)
            if line.strip():
                yield number, line
            start = end + 1
        if start < len(chunk):
            pieces.append(chunk[start:])
            size += len(chunk) - start
            if size > MAX_LINE_BYTES:
                raise LineTooLong(number + 1)
    line = b"".join(pieces)
    if line.strip():
        yield number + 1, line


def error(code: str, line: int | None = None, message: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "message": message or MESSAGES[code]}
    if line is not None:
        item["line"] = str(line)
    return item


def normalise_url(url: str) -> str:
    """``/v1/chat/completions`` and ``/chat/completions`` name the same operation (batch docs use both)."""
    return url[3:] if url.startswith("/v1/") else url


@dataclass
class Checked:
    """What validation found: the lines, the deployment they name, and the errors."""

    total: int = 0
    deployment: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, item: dict[str, Any]) -> bool:
        """Add ``item``; True when enough errors were found to stop reading."""
        self.errors.append(item)
        return len(self.errors) >= MAX_ERRORS


async def validate(chunks: AsyncIterator[bytes], url: str, operation: str, settings: Settings) -> Checked:
    """Read the whole input file once, line by line, and check it the way Azure does."""
    checked = Checked()
    seen: set[str] = set()
    first = True
    try:
        async for number, raw in raw_lines(chunks):
            if first and raw.startswith(BOM):
                checked.fail(error("model_not_found", message=BOM_MESSAGE))
                return checked
            first = False
            checked.total += 1
            if checked.total > MAX_TASKS:
                checked.fail(error("too_many_tasks"))
                return checked
            problem = check_line(raw, number, url, checked, seen)
            if problem is not None and checked.fail(problem):
                return checked
    except LineTooLong as exc:
        checked.fail(error("invalid_request", exc.number))
        return checked
    if checked.total == 0:
        checked.fail(error("empty_file"))
    elif not checked.errors:
        deployment_problem(checked, operation, settings)
    return checked


def check_line(raw: bytes, number: int, url: str, checked: Checked, seen: set[str]) -> dict[str, Any] | None:
    try:
        line = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error("invalid_json_line", number)
    if not is_request(line):
        return error("invalid_request", number)
    if normalise_url(line["url"]) != normalise_url(url):
        return error("url_mismatch", number)
    model = line["body"]["model"]
    if checked.deployment is None:
        checked.deployment = model
    elif model != checked.deployment:
        return error("model_mismatch", number)
    if line["custom_id"] in seen:
        return error("duplicate_custom_id", number)
    seen.add(line["custom_id"])
    return None


def is_request(line: Any) -> bool:
    return (
        isinstance(line, dict)
        and isinstance(line.get("custom_id"), str)
        and line.get("method") == "POST"
        and isinstance(line.get("url"), str)
        and isinstance(line.get("body"), dict)
        and isinstance(line["body"].get("model"), str)
        and bool(line["body"]["model"])
    )


def deployment_problem(checked: Checked, operation: str, settings: Settings) -> None:
    deployment = settings.deployment(checked.deployment or "")
    if deployment is None:
        checked.fail(error("model_not_found"))
    elif not deployment.serves(CHAT if operation == RESPONSES_CREATE else operation):  # chat serves both
        checked.fail(error("invalid_request"))


async def requests(chunks: AsyncIterator[bytes], skip: int) -> AsyncGenerator[dict[str, Any]]:
    """The lines of an input file that validated, after the first ``skip``."""
    index = 0
    async for _, raw in raw_lines(chunks):
        index += 1
        if index > skip:
            yield json.loads(raw)


async def check_file(
    state: files.FileStores, settings: Settings, record: dict[str, Any]
) -> tuple[list[dict[str, Any]] | None, int, str | None]:
    """The batch's input file checked: its errors (None when valid), line count and deployment."""
    chunks = files.content(state, record["input_file_id"])
    if chunks is None:
        message = f"The input file {record['input_file_id']} could not be read: it was deleted."
        return [error("invalid_request", message=message)], 0, None
    checked = await validate(chunks, record["endpoint"], record["operation"], settings)
    return checked.errors or None, checked.total, checked.deployment


async def take(source: AsyncIterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    taken: list[dict[str, Any]] = []
    async for item in source:
        taken.append(item)
        if len(taken) == count:
            break
    return taken
