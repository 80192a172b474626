"""The client-behaviour vectors and what each SDK is expected to do, keyed by SDK and version range.

Every vector is a scripted server behaviour (fault rules for the mock, scoped to one test's
``x-mock-session``) plus a client call. Expectations come from ``sdk-behaviour.md`` (the section
is named in ``source``), written per SDK (``openai-python``, ``openai-node``; ``http`` is the raw
driver, which shows what the wire carried) and per version range (PEP 440 specifiers). The Azure-maintained
SDKs' rules (legacy Go azopenai on azcore, Java azure-ai-openai on azure-core) live in ``vectors.azure``
and are added to each vector here.

Where an SDK's source (what sdk-behaviour.md read) and its observed behaviour differ, the rule
keeps both: ``expect`` is the source, ``observed`` what the installed version does, and ``note``
says why. The test accepts the observed behaviour and the matrix shows the difference; a result
that matches neither fails. Nothing is hidden by loosening an expectation.

Retry-after values are small so the run stays fast; the cap vectors use values whose expected
handling does not wait (121 s makes Python give up at once). Vectors that would really wait long
for some SDK (90 s) are ``slow`` for that SDK only.
"""

from __future__ import annotations

from dataclasses import replace

from ..expect import SLOW_GAP, Expect, Observed, Rule, Vector, check
from .azure import AZURE_NOT_FOR, AZURE_RULES
from .batches import BATCHES
from .requests import REQUESTS
from .responses import RESPONSES
from .retries import RETRIES
from .sdks import NOT_RETRIED, RETRIED, status_vector
from .transport import TRANSPORT

__all__ = ["BY_ID", "SLOW_GAP", "VECTORS", "Expect", "Observed", "Rule", "Vector", "check"]


def with_azure_sdks(vector: Vector) -> Vector:
    """``vector`` with the Azure-maintained SDKs' rules and exclusions (``vectors.azure``)."""
    return replace(
        vector,
        rules=vector.rules + AZURE_RULES.get(vector.id, ()),
        not_for={**vector.not_for, **AZURE_NOT_FOR.get(vector.id, {})},
    )


VECTORS: tuple[Vector, ...] = tuple(
    with_azure_sdks(vector)
    for vector in (
        *(status_vector(s) for s in RETRIED + NOT_RETRIED),
        *RETRIES,
        *TRANSPORT,
        *REQUESTS,
        *BATCHES,
        *RESPONSES,
    )
)
BY_ID = {vector.id: vector for vector in VECTORS}
