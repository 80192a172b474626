"""File uploads and listings: the form, the purposes, expiry and Azure's size and count limits.

Sources:

* Purposes (upload): AUTH-SPEC ``Files_Upload`` (fine-tune, fine-tune-results, assistants,
  assistants_output, batch) on the classic surface; V1-SPEC ``AzureCreateFileRequestMultiPart``
  (assistants, batch, fine-tune, evals) on /openai/v1. ``batch_output`` is written by the service,
  never uploaded. ``user_data`` is in neither spec (an Azure SDK maintainer called it "coming soon"
  in Apr 2025, openai-python#2300), so it is refused like any unknown purpose. ``batch`` needs
  2024-07-01-preview or later on the classic surface (LIFECYCLE: the batch API's first version).
* Listing by purpose: AUTH-SPEC ``Files_List`` (the upload purposes plus batch_output).
* Unknown or refused purposes: 400 ``invalidPayload`` "Invalid value for purpose." (reports
  AI-in-a-Box#46, litellm#6582, azure-sdk-for-net#44913); a fine-tune file not named .jsonl:
  "fileName contains an invalid filename: wrong suffix." (AI-in-a-Box#46; applied to batch input
  too, inferred).
* ``expires_after``: ``seconds`` 1209600-2592000 (14-30 days) and ``anchor`` ``created_at``
  (batch docs, Python and REST). The openai SDK sends the nested form fields as
  ``expires_after[seconds]`` (its bracket encoding); Azure's REST sample sends
  ``expires_after.seconds``; both are read.
* Limits: batch input files at most 200 MB (global-batch-limits); any file at most 512 MB (QUOTAS,
  azure-wire §12); at most 500 batch files without expiry per resource, 10,000 with one (batch
  docs); over the count: 400 ``quotaExceeded`` "The quota for files without expiry is reached.
  The maximum is 500." (report azure-sdk-for-java#47401). A body over the 512 MB cap gets the 413 of
  ``errors.content_too_large`` as soon as it passes the cap (the upload is never held beyond it).
"""

from __future__ import annotations

from typing import Any

from ..call import Call, FileListing, FileUpload
from ..errors import AzureError, authoring_error, content_too_large, invalid_payload
from ..state import MockState
from ..versions import date_of

MB = 1024 * 1024
MAX_FILE_BYTES = 512 * MB  # QUOTAS: Assistants / fine-tuning file size 512 MB
MAX_BATCH_FILE_BYTES = 200 * MB  # global-batch-limits: maximum input file size 200 MB
MAX_BATCH_FILES = 500  # without expiry; 10,000 with one (batch docs)
MAX_EXPIRING_BATCH_FILES = 10_000
EXPIRY_SECONDS = (1_209_600, 2_592_000)  # 14 to 30 days
CLASSIC_PURPOSES = ("fine-tune", "fine-tune-results", "assistants", "assistants_output", "batch")
V1_PURPOSES = ("assistants", "batch", "fine-tune", "evals")
LIST_PURPOSES = (
    "fine-tune",
    "fine-tune-results",
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "evals",
)
BATCH_PURPOSES = ("batch", "batch_output")  # the files the 500 / 10,000 counts cover
JSONL_PURPOSES = ("fine-tune", "batch")
BATCH_SINCE = "2024-07-01"
INVALID_PURPOSE = "Invalid value for purpose."
WRONG_SUFFIX = "fileName contains an invalid filename: wrong suffix."
NOT_MULTIPART = "Invalid Content-Type header ({}), expected multipart/form-data."


def upload_request(call: Call, state: MockState) -> FileUpload:
    """The upload in ``call.form``, or the Azure error for it (size limits are checked while storing)."""
    form = call.form
    if form is None:
        raise invalid_payload(NOT_MULTIPART.format(call.content_type or "none"))
    upload = form.get("file")
    if upload is None or not hasattr(upload, "filename"):
        raise invalid_payload("The 'file' field is required and must be a file.")
    purpose = form.get("purpose")
    if not isinstance(purpose, str) or not purpose:
        raise invalid_payload("The 'purpose' field is required.")
    check_purpose(purpose, call)
    filename = upload.filename or ""
    if purpose in JSONL_PURPOSES and not filename.lower().endswith(".jsonl"):
        raise invalid_payload(WRONG_SUFFIX)
    if purpose == "batch" and (upload.size or 0) > MAX_BATCH_FILE_BYTES:
        raise too_large(MAX_BATCH_FILE_BYTES, upload.size)
    return FileUpload(upload, filename, purpose, expiry(form))


def check_purpose(purpose: str, call: Call) -> None:
    allowed = V1_PURPOSES if call.surface == "v1" else CLASSIC_PURPOSES
    if purpose not in allowed:
        raise invalid_payload(INVALID_PURPOSE)
    if purpose == "batch" and call.surface != "v1" and date_of(call.api_version or "") < BATCH_SINCE:
        raise invalid_payload(INVALID_PURPOSE)


def expiry(form: Any) -> int | None:
    """``expires_after`` from ``expires_after[seconds]`` / ``[anchor]`` or the dotted names."""
    seconds = form.get("expires_after[seconds]", form.get("expires_after.seconds"))
    anchor = form.get("expires_after[anchor]", form.get("expires_after.anchor"))
    if seconds is None and anchor is None:
        return None
    if anchor != "created_at":
        raise invalid_payload(
            f"Invalid value for expires_after.anchor: '{anchor}'. Supported values are: 'created_at'."
        )
    try:
        value = int(str(seconds))
    except ValueError:
        raise invalid_payload(
            f"Invalid value for expires_after.seconds: '{seconds}'. Expected an integer."
        ) from None
    low, high = EXPIRY_SECONDS
    if not low <= value <= high:
        raise invalid_payload(
            f"Invalid value for expires_after.seconds: {value}. Expected a value between "
            f"{low} and {high} (14 to 30 days)."
        )
    return value


def too_large(limit: int, size: int | None) -> AzureError:
    return content_too_large(limit, size or limit + 1)


def quota_exceeded(expiring: bool, limit: int) -> AzureError:
    kind = "with" if expiring else "without"
    return authoring_error(
        400, "quotaExceeded", f"The quota for files {kind} expiry is reached. The maximum is {limit}."
    )


def list_purpose(call: Call) -> str | None:
    """The ``purpose`` filter of a listing (None: every file)."""
    purpose = call.query.get("purpose")
    if purpose is not None and purpose not in LIST_PURPOSES:
        raise invalid_payload(INVALID_PURPOSE)
    return purpose


def validate_upload(call: Call, state: MockState) -> FileUpload:
    return upload_request(call, state)


def validate_list(call: Call, state: MockState) -> FileListing:
    return FileListing(list_purpose(call))
