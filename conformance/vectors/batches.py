"""The batch-flow vectors (issue 16): a whole Files and Batch flow through the SDK, on both surfaces."""

from __future__ import annotations

from ..expect import Expect, Vector
from .sdks import stainless

# The batch flow: two lines answer, one meets a scripted 429, one a prompt content filter (400)
BATCH_FAULTS = (
    {"match": {"batch": True, "custom_id": "throttled"}, "fault": {"status": 429, "retry_after": 1}},
    {
        "match": {"batch": True, "custom_id": "filtered"},
        "fault": {"status": 400, "content_filter": {"category": "violence", "severity": "medium"}},
    },
)
BATCH_DONE = Expect(
    ok=True,
    result=(
        ("status", "completed"),
        ("output", ["ok-1", "ok-2"]),
        ("errors", [["filtered", 400], ["throttled", 429]]),
        ("listed", True),
        ("cancel", ["cancelling", "cancelled"]),
        ("deleted", True),
    ),
)
BATCH_ONLY = {
    "http": "raw HTTP makes one request; the flow is the SDKs' (files, batches, polling, download)",
    "openai-go": "the batch flow vector covers the Python and Node SDKs (issue 16)",
    "openai-java": "the batch flow vector covers the Python and Node SDKs (issue 16)",
    "azopenai-go": "the Go azopenai driver has no batch operation yet (issue 16 drove Python and Node)",
    "azure-ai-openai-java": "the Java azure-ai-openai driver has no batch operation yet (issue 16 drove "
    "Python and Node)",
}


def batch_vector(surface: str) -> Vector:
    where = "the v1 surface (plain OpenAI client)" if surface == "v1" else "the classic surface"
    return Vector(
        id="batch-flow" if surface == "classic" else "batch-flow-v1",
        behaviour=f"files.create, batches.create, poll to completed, files.content and parse, batches.list, "
        f"batches.cancel of a second batch, files.delete, on {where}; lines meet a 429 and a content filter",
        source="issue 16; recordings 28 (lifecycle, output lines) and 04 (the filter's 400)",
        operation="batch",
        surface=surface,
        faults=BATCH_FAULTS,
        not_for=BATCH_ONLY,
        rules=stainless(BATCH_DONE),
    )


BATCHES: tuple[Vector, ...] = (batch_vector("classic"), batch_vector("v1"))
