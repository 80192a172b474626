"""The request pipeline: every Azure data-plane request passes these stages, in this order.

    1. context     request ids, the ``Call`` and the common headers (apim-request-id, ...)
    2. route       path -> surface, operation, deployment name   (404 Resource not found)
    3. auth        api-key or Bearer                              (401, two envelopes)
    4. api_version classic: required and known; v1: none/v1/preview (404 / 400)
    5. body        JSON (or multipart) checked; bytes seen before  (400 on malformed JSON)
                   are parsed only when read (``Call.body``)
       replay      a recorded exchange answers (mockserver.replay) (404 ReplayMiss + near miss);
                   a hit still meets the faults stage
    6. deployment  path segment or v1 body ``model``              (404 DeploymentNotFound,
                   and the model must serve the operation          400 OperationNotSupported)
    7. faults      scripted rules: a status, a delay, or a transport fault kept for ``send``
    8. validate    per-operation request checks                   (400 naming the param)
       moderate    prompt-side content-filter triggers             (400 content_filter, recording 04)
    9. ratelimit   TPM/RPM windows and the x-ratelimit-* headers  (429)
   10. handler     the endpoint renders JSON or SSE
   11. journal     every request, accepted or not, with its status and any fault (a ``JournalRecord``:
                   the entry is built when the journal is read)

A small complete answer leaves in one write with a head the mock rendered (``mockserver.fastpath.wire``);
streams and fault-paced answers are written as they are sent.

Replay comes after body (matching compares bodies) and before deployment, so recorded exchanges
replay for deployments the catalogue does not know (recording 05's 404 included); auth still runs
first, so a missing key is a 401 as on the recorded service, and a replayed answer still meets
the faults stage. While a cassette is loaded, route and api-version errors wait for the replay
stage (``defer``): a cassette may hold exchanges the generator does not know (the Responses API,
files, an api-version newer than ``versions.py``).

Faults come after deployment resolution so a rule can target one deployment, and before
validation and rate limiting so scheduled faults win deterministically (a gateway throttles
before the model validates).

Route matching runs before auth as an API gateway matches operations before it applies
policies (inferred); Azure's exact precedence between auth, api-version and deployment is not
known (azure-wire §15), so the order lives in ``STAGES`` and a reorder is a one-line change.

Files and batches are resource-scoped (no deployment stage). The lines of a batch come back through
this same pipeline as synthetic requests (``mockserver.batch.lines``), marked in their scope as
``aoai.batch``: they skip auth (the batch was authorised when it was created) and replay (a cassette
records the client's exchanges, never the lines), and meet everything else, faults included (a rule
can match ``batch``, ``batch_id`` or ``custom_id``).
"""

from __future__ import annotations

from .respond import ONE_WRITE, Pipeline
from .stages import STAGES, Stage

__all__ = ["ONE_WRITE", "STAGES", "Pipeline", "Stage"]
