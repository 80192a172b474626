"""api-version policy: which versions exist and which request fields each one knows.

Sources: azure-wire §1.3 (GA and preview lists from the spec folders and LIFECYCLE, and the
feature-gating changelog), §1.2 (v1 surface accepts none, ``v1`` or ``preview``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import AzureError, api_version_not_supported, resource_not_found, unrecognized_argument

GA_VERSIONS = ("2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21")
# the api-version the mock's clients, banner and fixtures use when none is named: the newest GA
DEFAULT_GA = GA_VERSIONS[-1]
PREVIEW_VERSIONS = (
    "2022-03-01-preview",
    "2022-06-01-preview",
    "2023-03-15-preview",
    "2023-06-01-preview",
    "2023-07-01-preview",
    "2023-08-01-preview",
    "2023-09-01-preview",
    "2023-10-01-preview",
    "2023-12-01-preview",
    "2024-02-15-preview",
    "2024-03-01-preview",
    "2024-04-01-preview",
    "2024-05-01-preview",
    "2024-07-01-preview",
    "2024-08-01-preview",
    "2024-09-01-preview",
    "2024-10-01-preview",
    "2024-12-01-preview",
    "2025-01-01-preview",
    "2025-02-01-preview",
    "2025-03-01-preview",
    "2025-04-01-preview",
)
DATED_VERSIONS = frozenset(GA_VERSIONS + PREVIEW_VERSIONS)
V1_VERSIONS = frozenset({"v1", "preview"})

# Request fields and the first preview that knows them (azure-wire §1.3, LIFECYCLE changelog).
# A GA version knows a field if it is dated on or after that preview (2024-10-21 GA includes
# the 2024-09-01-preview chat fields: recording 11 sends stream_options on 2024-10-21).
CHAT_FIELD_SINCE = {
    "max_completion_tokens": "2024-09-01",
    "parallel_tool_calls": "2024-09-01",
    "stream_options": "2024-09-01",
    "store": "2024-12-01",
    "metadata": "2024-12-01",
    "reasoning_effort": "2024-12-01",
    "user_security_context": "2024-12-01",
    "prediction": "2025-01-01",
    "audio": "2025-01-01",
    "modalities": "2025-01-01",
}
# json_schema response_format: "structured outputs" from 2024-08-01-preview.
JSON_SCHEMA_SINCE = "2024-08-01"
TIMESTAMP_GRANULARITIES_SINCE = "2024-04-01"
SPEECH_EXTRA_FORMATS_SINCE = "2024-04-01"  # wav and pcm for TTS


def date_of(version: str) -> str:
    """The sortable date part of a dated version ("2024-09-01-preview" -> "2024-09-01")."""
    return version[:10]


def is_preview(version: str) -> bool:
    return version.endswith("-preview")


def knows(version: str | None, since: str) -> bool:
    """True when ``version`` is v1/None (newest surface) or dated on/after ``since``.

    GA 2024-10-21 is the one GA dated after the 2024-09 previews; older GAs (2024-06-01,
    2024-02-01) do not have the preview-only fields (reports litellm#8638, promptfoo#3781).
    """
    if version is None or version in V1_VERSIONS:
        return True
    return date_of(version) >= since


def check_classic(version: str | None) -> AzureError | None:
    """Missing -> 404 Resource not found; unknown -> 400 API version not supported (azure-wire §1.4)."""
    if version is None:
        return resource_not_found()
    if version not in DATED_VERSIONS:
        return api_version_not_supported()
    return None


def check_v1(version: str | None) -> AzureError | None:
    """/openai/v1 accepts none, "v1" or "preview"; anything dated gets 400 (azure-wire §1.2)."""
    if version is None or version in V1_VERSIONS:
        return None
    return api_version_not_supported()


def check_fields(version: str | None, present: Iterable[str], since: dict[str, str]) -> None:
    """Reject the first field the version does not know, the way Azure does."""
    for name in present:
        first = since.get(name)
        if first is not None and not knows(version, first):
            raise unrecognized_argument(name)
