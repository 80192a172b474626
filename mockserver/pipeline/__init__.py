"""The request pipeline: every Azure data-plane request passes these stages, in ``STAGES`` order.

    stage        what it does                                       what it refuses
    route        path -> surface, operation, deployment name        404 Resource not found
    auth         api-key or Bearer                                  401 (two envelopes)
    api_version  classic: required and known; v1: none/v1/preview   404 / 400
    body         JSON (or multipart) read and checked; bytes seen   400 malformed JSON
                 before are parsed only when read (``Call.body``)
    replay       the attached cassette's recorded answer, if any    404 ReplayMiss + near miss
                 (``call.replayed``; the stages below marked * let a replayed call pass)
    deployment*  path segment or v1 body ``model``; the model must  404 DeploymentNotFound,
                 serve the operation                                400 OperationNotSupported
    faults       scripted rules: a status, a delay, or a transport  the scripted status
                 fault kept for ``send`` (a replayed answer too)
    validate*    per-operation request checks                       400 naming the param
    moderate*    prompt-side content-filter triggers                400 content_filter (recording 04)
    ratelimit*   TPM/RPM windows and the x-ratelimit-* headers      429

Then ``respond.Pipeline`` answers: the recording for a replayed call, else the operation's handler
(``mockserver.endpoints``); an ``AzureError`` from any stage renders as Azure renders it. The
journal records every request, accepted or not, with its status and any fault (a
``JournalRecord``: its entry is built when the journal is read). Stages live in ``stages.py``,
``replay.py`` and ``faults.py``; each takes ``(call, state)``, reads what earlier stages put on
the ``Call`` and either raises an ``AzureError`` or adds to the call.

Why this order:

* Replay comes after body (matching compares bodies) and before deployment, so recorded exchanges
  replay for deployments the catalogue does not know (recording 05's 404 included); auth still runs
  first, so a missing key is a 401 as on the recorded service. While a cassette is attached, route
  and api-version errors wait for the replay stage (``defer``): a cassette may hold exchanges the
  generator does not know (vector stores, an api-version newer than ``versions.py``).
* Faults come after deployment resolution so a rule can target one deployment, and before
  validation and rate limiting so scheduled faults win deterministically (a gateway throttles
  before the model validates).
* Route matching runs before auth as an API gateway matches operations before it applies
  policies (inferred); Azure's exact precedence between auth, api-version and deployment is not
  known (azure-wire §15), so the order lives in ``STAGES`` and a reorder is a one-line change.

A small complete answer leaves in one write with a head the mock rendered (``mockserver.fastpath``);
streams and fault-paced answers are written as they are sent.

How a new operation plugs in (the Responses API, files, batches), four small entries, no new stage:

1. ``catalogue.py``: its name (``RESPONSES = "responses"``), in ``ALL_OPERATIONS`` when deployments
   serve it, and its operationId in ``OPERATION_IDS`` for the 429 message.
2. ``routing.py``: its path under ``/openai/deployments/{d}/`` and ``/openai/v1/``
   (``DEPLOYMENT_OPERATIONS``), or a resource route like ``LIST_MODELS`` (``METHODS`` when not POST).
3. ``validation/``: ``validate_x(call, state) -> XRequest``, registered in ``VALIDATORS``. It raises
   the ``AzureError`` Azure sends for the first problem (``validation/rules.py`` has the checks) or
   returns a frozen dataclass (in ``call.py``, beside ``ChatRequest``) with everything the handler
   needs; subclass ``Metered`` when the rate limiter should charge tokens. The validate stage puts it
   on ``call.request``.
4. ``endpoints/``: ``async def x(call, state) -> Response``, registered in ``HANDLERS``. It reads
   ``call.request_as(XRequest)`` (never the body again), renders with ``endpoints.render``
   (``json_response``, ``sse_response``, a header profile from ``headers.PROFILES``) and keeps
   what outlives the request in ``state`` (``state.objects`` for stored responses, files, batches).

Auth, api-version, deployment resolution, faults, content filtering of the prompt (add the
operation to ``stages.prompt_texts`` when it has one), rate limits, replay, the journal and the
fast path then apply to it as to every other operation. Tests: a ``tests/test_x.py`` that drives
it through a client, and a parity entry when a recording of it exists.

The Responses API's create takes its deployment from the body's ``model`` on both surfaces (a body
without one gets recording 26's untyped 400); its validator returns an awaitable when the request
continues a stored response (``previous_response_id``), which the validate stage awaits. Files,
batches and the other Responses operations are resource-scoped (no deployment stage).

The lines of a batch come back through this same pipeline as synthetic requests
(``mockserver.batch.lines``), marked in their scope as ``aoai.batch``: they skip auth (the batch was
authorised when it was created) and replay (a cassette records the client's exchanges, never the
lines), and meet everything else, faults included (a rule can match ``batch``, ``batch_id`` or
``custom_id``).
"""

from __future__ import annotations

from .respond import ONE_WRITE, Pipeline
from .stages import STAGES, Stage

__all__ = ["ONE_WRITE", "STAGES", "Pipeline", "Stage"]
