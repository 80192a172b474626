"""The built-in model table and deployment catalogue (works with no config file).

A deployment is a name bound to a model; the model decides what it can do. Values come from
azure-wire.md: response ``model`` strings from the recordings (01: gpt-4, 11: gpt-4o-2024-08-06,
12: gpt-4o-mini-2024-07-18, 13: gpt-3.5-turbo-instruct, 07: text-embedding-3-small), limits
from azure-wire §12 (QUOTAS). Context windows are the published model limits.
"""

from __future__ import annotations

from typing import Any

CHAT = "chat.completions"
COMPLETIONS = "completions"
EMBEDDINGS = "embeddings"
IMAGES = "images.generations"
TRANSCRIPTIONS = "audio.transcriptions"
TRANSLATIONS = "audio.translations"
SPEECH = "audio.speech"
LIST_MODELS = "models"  # GET /openai/models (a resource route, no deployment)
# Files and batches (AUTH-SPEC paths; the journal's operation names follow the SDKs' methods)
FILES_CREATE, FILES_LIST, FILES_RETRIEVE = "files.create", "files.list", "files.retrieve"
FILES_DELETE, FILES_CONTENT = "files.delete", "files.content"
BATCHES_CREATE, BATCHES_LIST = "batches.create", "batches.list"
BATCHES_RETRIEVE, BATCHES_CANCEL = "batches.retrieve", "batches.cancel"
# The Responses API (issue 15): create goes to the body's ``model``; the rest are resource-scoped
RESPONSES_CREATE, RESPONSES_RETRIEVE = "responses.create", "responses.retrieve"
RESPONSES_DELETE, RESPONSES_INPUT_ITEMS = "responses.delete", "responses.input_items"
RESPONSES_CANCEL = "responses.cancel"

ALL_OPERATIONS = (CHAT, COMPLETIONS, EMBEDDINGS, IMAGES, TRANSCRIPTIONS, TRANSLATIONS, SPEECH)

# operationIds as they appear in 429 messages (azure-wire §1.1, §3.5)
OPERATION_IDS = {
    CHAT: "ChatCompletions_Create",
    COMPLETIONS: "Completions_Create",
    EMBEDDINGS: "embeddings_create",
    IMAGES: "ImageGenerations_Create",
    TRANSCRIPTIONS: "Transcriptions_Create",
    TRANSLATIONS: "Translations_Create",
    SPEECH: "AudioSpeech_Create",
    RESPONSES_CREATE: "Responses_Create",
}

# model name -> defaults for a deployment of that model. Keys match config.Deployment fields.
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "gpt-4o": {
        "version": "2024-08-06",
        "response_model": "gpt-4o-2024-08-06",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 128_000,
        "max_output_tokens": 16_384,
        "encoding": "o200k_base",
        "tpm": 450_000,
    },
    "gpt-4o-mini": {
        "version": "2024-07-18",
        "response_model": "gpt-4o-mini-2024-07-18",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 128_000,
        "max_output_tokens": 16_384,
        "encoding": "o200k_base",
        "tpm": 2_000_000,
    },
    "gpt-4.1": {
        "version": "2025-04-14",
        "response_model": "gpt-4.1-2025-04-14",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 1_047_576,
        "max_output_tokens": 32_768,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
    },
    "gpt-4": {
        "version": "0613",
        "response_model": "gpt-4",
        "capabilities": (CHAT,),
        "context_window": 8_192,
        "max_output_tokens": 8_192,
        "encoding": "cl100k_base",
        "tpm": 40_000,
    },
    "gpt-35-turbo": {
        "version": "0125",
        "response_model": "gpt-35-turbo",
        "capabilities": (CHAT,),
        "context_window": 16_385,
        "max_output_tokens": 4_096,
        "encoding": "cl100k_base",
        "tpm": 240_000,
    },
    "o3-mini": {
        "version": "2025-01-31",
        "response_model": "o3-mini-2025-01-31",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 200_000,
        "max_output_tokens": 100_000,
        "encoding": "o200k_base",
        "tpm": 2_500_000,
        "reasoning": True,
    },
    # The models deployed for the Responses API today (Microsoft's model pages, "Azure OpenAI in
    # Foundry Models": gpt-4.1 series 1,047,576 context / 32,768 output; gpt-5 series 400,000 context /
    # 128,000 output; o4-mini 200,000 / 100,000). Every chat model serves Responses too.
    "gpt-4.1-mini": {
        "version": "2025-04-14",
        "response_model": "gpt-4.1-mini-2025-04-14",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 1_047_576,
        "max_output_tokens": 32_768,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
    },
    "gpt-4.1-nano": {
        "version": "2025-04-14",
        "response_model": "gpt-4.1-nano-2025-04-14",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 1_047_576,
        "max_output_tokens": 32_768,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
    },
    "gpt-5": {
        "version": "2025-08-07",
        "response_model": "gpt-5-2025-08-07",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 400_000,
        "max_output_tokens": 128_000,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
        "reasoning": True,
    },
    "gpt-5-mini": {
        "version": "2025-08-07",
        "response_model": "gpt-5-mini-2025-08-07",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 400_000,
        "max_output_tokens": 128_000,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
        "reasoning": True,
    },
    "gpt-5-nano": {
        "version": "2025-08-07",
        "response_model": "gpt-5-nano-2025-08-07",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 400_000,
        "max_output_tokens": 128_000,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
        "reasoning": True,
    },
    "o4-mini": {
        "version": "2025-04-16",
        "response_model": "o4-mini-2025-04-16",
        "modern": True,
        "capabilities": (CHAT,),
        "context_window": 200_000,
        "max_output_tokens": 100_000,
        "encoding": "o200k_base",
        "tpm": 1_000_000,
        "reasoning": True,
    },
    "gpt-35-turbo-instruct": {
        "version": "0914",
        "response_model": "gpt-3.5-turbo-instruct",
        "capabilities": (COMPLETIONS,),
        "context_window": 4_097,
        "max_output_tokens": 4_097,
        "encoding": "cl100k_base",
        "tpm": 240_000,
    },
    "text-embedding-3-small": {
        "version": "1",
        "response_model": "text-embedding-3-small",
        "capabilities": (EMBEDDINGS,),
        "context_window": 8_191,
        "max_output_tokens": 0,
        "encoding": "cl100k_base",
        "tpm": 350_000,
        "dimensions": 1536,
        "supports_dimensions": True,
    },
    "text-embedding-3-large": {
        "version": "1",
        "response_model": "text-embedding-3-large",
        "capabilities": (EMBEDDINGS,),
        "context_window": 8_191,
        "max_output_tokens": 0,
        "encoding": "cl100k_base",
        "tpm": 350_000,
        "dimensions": 3072,
        "supports_dimensions": True,
    },
    "text-embedding-ada-002": {
        "version": "2",
        "response_model": "text-embedding-ada-002",
        "capabilities": (EMBEDDINGS,),
        "context_window": 8_191,
        "max_output_tokens": 0,
        "encoding": "cl100k_base",
        "tpm": 350_000,
        "dimensions": 1536,
        "supports_dimensions": False,
    },
    # QUOTAS: "Default DALL-E 3 quota limits | 2 capacity units (6 requests per minute)". The
    # built-in media deployments carry a raised quota of 60 RPM so that test suites are not
    # throttled by default; set rpm = 6 (or 3 for audio) in a config file for Azure's defaults.
    "dall-e-3": {
        "version": "3.0",
        "response_model": "dall-e-3",
        "capabilities": (IMAGES,),
        "context_window": 0,
        "max_output_tokens": 0,
        "encoding": "cl100k_base",
        "tpm": 0,
        "rpm": 60,
    },
    "gpt-image-1": {
        "version": "2025-04-15",
        "response_model": "gpt-image-1",
        "capabilities": (IMAGES,),
        "context_window": 0,
        "max_output_tokens": 0,
        "encoding": "o200k_base",
        "tpm": 0,
        "rpm": 60,
    },
    # QUOTAS: "Default speech to text audio API quota limits | 3 requests per minute" (raised, above).
    "whisper": {
        "version": "001",
        "response_model": "whisper",
        "capabilities": (TRANSCRIPTIONS, TRANSLATIONS),
        "context_window": 0,
        "max_output_tokens": 0,
        "encoding": "cl100k_base",
        "tpm": 0,
        "rpm": 60,
    },
    "tts": {
        "version": "001",
        "response_model": "tts",
        "capabilities": (SPEECH,),
        "context_window": 0,
        "max_output_tokens": 0,
        "encoding": "cl100k_base",
        "tpm": 0,
        "rpm": 60,
    },
    "gpt-4o-mini-tts": {
        "version": "2025-03-20",
        "response_model": "gpt-4o-mini-tts",
        "capabilities": (SPEECH,),
        "context_window": 0,
        "max_output_tokens": 0,
        "encoding": "o200k_base",
        "tpm": 0,
        "rpm": 60,
        "speech_instructions": True,
    },
}

# deployment name -> model name; the catalogue served when no config file replaces it.
BUILTIN_DEPLOYMENTS: dict[str, str] = {
    "gpt-4o": "gpt-4o",
    "gpt-4o-mini": "gpt-4o-mini",
    "o3-mini": "o3-mini",
    "gpt-4.1": "gpt-4.1",
    "gpt-4.1-mini": "gpt-4.1-mini",
    "gpt-4.1-nano": "gpt-4.1-nano",
    "gpt-5": "gpt-5",
    "gpt-5-mini": "gpt-5-mini",
    "gpt-5-nano": "gpt-5-nano",
    "o4-mini": "o4-mini",
    "gpt-35-turbo-instruct": "gpt-35-turbo-instruct",
    "text-embedding-3-small": "text-embedding-3-small",
    "text-embedding-3-large": "text-embedding-3-large",
    "text-embedding-ada-002": "text-embedding-ada-002",
    "dall-e-3": "dall-e-3",
    "whisper": "whisper",
    "tts": "tts",
    # GPT-image-1 (b64_json only; DALLE-DOC in validation/images.py) and the TTS model that takes
    # ``instructions`` (azure-wire §9.2, third-party)
    "gpt-image-1": "gpt-image-1",
    "gpt-4o-mini-tts": "gpt-4o-mini-tts",
}
