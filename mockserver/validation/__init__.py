"""Per-operation request validation: operation -> validator(call, state).

A validator raises an ``AzureError`` or fills in what later stages need (prompt tokens for the
rate meter and usage, normalised inputs for the handler).
"""

from __future__ import annotations

from collections.abc import Callable

from ..call import Call
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

Validator = Callable[[Call, MockState], None]


def chat(call: Call, state: MockState) -> None:
    assert call.deployment is not None
    body = validate_chat(call.body, call.deployment, call.api_version)
    call.prompt_tokens = check_context(body, call.deployment, state.tokenizer(call.deployment))
    # Azure's rate-limit estimate: prompt tokens plus the requested max tokens (azure-wire §3.5)
    call.estimated_tokens = call.prompt_tokens + int(
        body.get("max_completion_tokens") or body.get("max_tokens") or 0
    )


def completions(call: Call, state: MockState) -> None:
    assert call.deployment is not None
    prompts = validate_completions(call.body)
    tokenizer = state.tokenizer(call.deployment)
    call.prompt_tokens = sum(tokenizer.count(p) for p in prompts)
    max_tokens = call.body.get("max_tokens", DEFAULT_MAX_TOKENS) or 0
    call.estimated_tokens = call.prompt_tokens + max_tokens * (call.body.get("n") or 1)


def embeddings(call: Call, state: MockState) -> None:
    assert call.deployment is not None
    inputs = validate_embeddings(call.body, call.deployment)
    tokenizer = state.tokenizer(call.deployment)
    call.prompt_tokens = sum(
        len(i) if isinstance(i, list) else tokenizer.count(content_text(i)) for i in inputs
    )
    call.estimated_tokens = call.prompt_tokens


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
}
