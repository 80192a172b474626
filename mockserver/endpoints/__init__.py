"""Endpoint handlers: operation -> ``async handler(call, state) -> Response``.

Handlers only render; the pipeline (``mockserver.pipeline``) has already authenticated,
resolved and validated the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from ..call import Call
from ..catalogue import (
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    IMAGES,
    LIST_MODELS,
    SPEECH,
    TRANSCRIPTIONS,
    TRANSLATIONS,
)
from ..state import MockState
from .audio import audio_speech, transcriptions, translations
from .chat import chat_completions
from .completions import completions
from .embeddings import embeddings
from .images import images_generations
from .models import models

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
}
