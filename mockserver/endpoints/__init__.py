"""Endpoint handlers: operation -> ``async handler(call, state) -> Response``.

Handlers only render; the pipeline (``mockserver.pipeline``) has already authenticated,
resolved and validated the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from ..call import Call
from ..catalogue import (
    BATCHES_CANCEL,
    BATCHES_CREATE,
    BATCHES_LIST,
    BATCHES_RETRIEVE,
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    FILES_CONTENT,
    FILES_CREATE,
    FILES_DELETE,
    FILES_LIST,
    FILES_RETRIEVE,
    IMAGES,
    LIST_MODELS,
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
from .audio import audio_speech, transcriptions, translations
from .batches import batches_cancel, batches_create, batches_list, batches_retrieve
from .chat import chat_completions
from .completions import completions
from .embeddings import embeddings
from .files import files_content, files_create, files_delete, files_list, files_retrieve
from .images import images_generations
from .models import models
from .responses import responses_create
from .responses_objects import responses_cancel, responses_delete, responses_input_items, responses_retrieve

Handler = Callable[[Call, MockState], Awaitable[Response]]

HANDLERS: dict[str, Handler] = {
    CHAT: chat_completions,
    COMPLETIONS: completions,
    EMBEDDINGS: embeddings,
    LIST_MODELS: models,
    IMAGES: images_generations,
    TRANSCRIPTIONS: transcriptions,
    TRANSLATIONS: translations,
    SPEECH: audio_speech,
    FILES_CREATE: files_create,
    FILES_LIST: files_list,
    FILES_RETRIEVE: files_retrieve,
    FILES_DELETE: files_delete,
    FILES_CONTENT: files_content,
    BATCHES_CREATE: batches_create,
    BATCHES_LIST: batches_list,
    BATCHES_RETRIEVE: batches_retrieve,
    BATCHES_CANCEL: batches_cancel,
    RESPONSES_CREATE: responses_create,
    RESPONSES_RETRIEVE: responses_retrieve,
    RESPONSES_DELETE: responses_delete,
    RESPONSES_INPUT_ITEMS: responses_input_items,
    RESPONSES_CANCEL: responses_cancel,
}
