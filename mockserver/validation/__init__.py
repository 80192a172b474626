"""Per-operation request validation: operation -> validator(call, state) -> typed request.

A validator raises the ``AzureError`` Azure sends for the first problem, or returns the request
as the handler will use it (``call.ChatRequest``, ``ImageRequest``, ...; the validate stage puts
it on ``Call.request``), with what the rate meter and the usage need (prompt tokens). Nothing a
validator parses is parsed again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..call import Call, ChatRequest, CompletionsRequest, EmbeddingsRequest, OperationRequest
from ..catalogue import (
    BATCHES_CANCEL,
    BATCHES_CREATE,
    BATCHES_LIST,
    BATCHES_RETRIEVE,
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    FILES_CREATE,
    FILES_LIST,
    IMAGES,
    RESPONSES_CANCEL,
    RESPONSES_CREATE,
    RESPONSES_DELETE,
    RESPONSES_INPUT_ITEMS,
    RESPONSES_RETRIEVE,
    SPEECH,
    TRANSCRIPTIONS,
    TRANSLATIONS,
)
from ..state import MockState
from ..synth.tokens import content_text
from .audio import validate_speech, validate_transcription, validate_translation
from .batches import validate_create, validate_version
from .chat import check_context, validate_chat
from .completions import DEFAULT_MAX_TOKENS, validate_completions
from .embeddings import validate_embeddings
from .files import validate_list, validate_upload
from .images import validate_images
from .responses import validate_create as validate_response
from .responses import validate_object

# a validator that reads stored objects (a chained response) returns an awaitable
Validator = Callable[[Call, MockState], OperationRequest | Awaitable[OperationRequest]]


def chat(call: Call, state: MockState) -> ChatRequest:
    assert call.deployment is not None
    body = validate_chat(call.body, call.deployment, call.api_version)
    prompt = check_context(body, call.deployment, state.tokenizer(call.deployment))
    # Azure's rate-limit estimate: prompt tokens plus the requested max tokens (azure-wire §3.5)
    output = int(body.get("max_completion_tokens") or body.get("max_tokens") or 0)
    return ChatRequest(prompt_tokens=prompt, estimated_tokens=prompt + output)


def completions(call: Call, state: MockState) -> CompletionsRequest:
    assert call.deployment is not None
    prompts = validate_completions(call.body)
    tokenizer = state.tokenizer(call.deployment)
    prompt = sum(tokenizer.count(p) for p in prompts)
    max_tokens = call.body.get("max_tokens", DEFAULT_MAX_TOKENS) or 0
    estimated = prompt + max_tokens * (call.body.get("n") or 1)
    return CompletionsRequest(
        prompts=tuple(prompts),
        max_tokens=call.body.get("max_tokens", DEFAULT_MAX_TOKENS),
        prompt_tokens=prompt,
        estimated_tokens=estimated,
    )


def embeddings(call: Call, state: MockState) -> EmbeddingsRequest:
    assert call.deployment is not None
    inputs = validate_embeddings(call.body, call.deployment)
    tokenizer = state.tokenizer(call.deployment)
    prompt = sum(len(i) if isinstance(i, list) else tokenizer.count(content_text(i)) for i in inputs)
    return EmbeddingsRequest(
        inputs=tuple(inputs),
        dimensions=call.body.get("dimensions"),
        encoding_format=call.body.get("encoding_format"),
        prompt_tokens=prompt,
        estimated_tokens=prompt,
    )


VALIDATORS: dict[str, Validator] = {
    CHAT: chat,
    COMPLETIONS: completions,
    EMBEDDINGS: embeddings,
    IMAGES: validate_images,
    TRANSCRIPTIONS: validate_transcription,
    TRANSLATIONS: validate_translation,
    SPEECH: validate_speech,
    FILES_CREATE: validate_upload,
    FILES_LIST: validate_list,
    BATCHES_CREATE: validate_create,
    BATCHES_LIST: validate_version,
    BATCHES_RETRIEVE: validate_version,
    BATCHES_CANCEL: validate_version,
    RESPONSES_CREATE: validate_response,
    RESPONSES_RETRIEVE: validate_object,
    RESPONSES_DELETE: validate_object,
    RESPONSES_INPUT_ITEMS: validate_object,
    RESPONSES_CANCEL: validate_object,
}
