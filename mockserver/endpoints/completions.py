"""``POST .../completions`` (legacy; recording 13 for the shape and its non-alphabetical key order).

Streaming is not recorded for this operation: the chunks reuse the non-stream choice shape with
``finish_reason`` on the last chunk, preceded by a prompt-annotation event and followed by
``[DONE]``, by analogy with chat (inferred).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from ..call import Call, CompletionsRequest
from ..config import Deployment
from ..filters.annotations import choice_results, prompt_filter_results
from ..ids import completion_id
from ..state import MockState
from ..synth.chat import stop_list
from ..synth.logprobs import legacy_logprobs
from ..synth.sse import DONE, event
from ..synth.text import reply
from ..synth.tokens import Tokenizer
from .render import json_response, sse_response


@dataclass
class TextChoice:
    index: int
    prompt: str
    pieces: list[str]
    finish_reason: str


def plan(
    body: dict[str, Any], request: CompletionsRequest, tokenizer: Tokenizer, seed: int
) -> list[TextChoice]:
    n = body.get("n") or 1
    limit = request.max_tokens
    choices = []
    for p, prompt in enumerate(request.prompts):
        for j in range(n):
            text = "\n\n" + reply(prompt, seed + (body.get("seed") or 0), j)  # recording 13 starts with \n\n
            finish = "stop"
            for stop in stop_list(body.get("stop")):
                text = text.split(stop, 1)[0]
            pieces = tokenizer.pieces(text)
            if limit is not None and len(pieces) > limit:
                pieces, finish = pieces[:limit], "length"
            choices.append(TextChoice(p * n + j, prompt, pieces, finish))
    return choices


def choice_json(
    body: dict[str, Any],
    choice: TextChoice,
    cid: str,
    pieces: list[str] | None = None,
    finish: str | None = None,
) -> dict[str, Any]:
    pieces = choice.pieces if pieces is None else pieces
    text = "".join(pieces)
    echo = bool(body.get("echo")) and pieces is choice.pieces
    logprobs = None
    if body.get("logprobs") is not None:
        logprobs = legacy_logprobs(
            pieces, body["logprobs"], (cid, choice.index), len(choice.prompt) if echo else 0
        )
    return {
        "text": (choice.prompt + text) if echo else text,
        "index": choice.index,
        "finish_reason": finish,
        "logprobs": logprobs,
        "content_filter_results": choice_results(),
    }


async def completions(call: Call, state: MockState) -> Response:
    deployment = call.deployment
    assert deployment is not None
    body: dict[str, Any] = call.body
    request = call.request_as(CompletionsRequest)
    choices = plan(body, request, state.tokenizer(deployment), state.settings.seed)
    cid = completion_id(state.settings.seed, call.raw_body, deployment.name)
    created = int(state.clock.now())
    prompts = len(request.prompts)
    if call.stream:
        events = stream(body, choices, cid, created, deployment, prompts)
        return sse_response(call, state, events, "completions")
    completion = sum(len(c.pieces) for c in choices)
    payload = {
        "id": cid,
        "object": "text_completion",
        "created": created,
        "model": deployment.response_model,
        "prompt_filter_results": prompt_filter_results(prompts),
        "choices": [choice_json(body, c, cid, finish=c.finish_reason) for c in choices],
        "usage": {
            "prompt_tokens": call.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": call.prompt_tokens + completion,
        },
    }
    return json_response(call, state, payload, "completions")


async def stream(
    body: dict[str, Any],
    choices: list[TextChoice],
    cid: str,
    created: int,
    deployment: Deployment,
    prompts: int,
) -> AsyncIterator[bytes]:
    yield event(
        {
            "id": "",
            "object": "",
            "created": 0,
            "model": "",
            "prompt_filter_results": prompt_filter_results(prompts),
            "choices": [],
        }
    )
    for choice in choices:
        for i, piece in enumerate(choice.pieces):
            last = i == len(choice.pieces) - 1
            item = choice_json(body, choice, cid, [piece], choice.finish_reason if last else None)
            yield event(
                {
                    "id": cid,
                    "object": "text_completion",
                    "created": created,
                    "model": deployment.response_model,
                    "choices": [item],
                }
            )
    yield DONE
