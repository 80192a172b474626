"""Every bound the mock puts on what a client sends, what it generates and what it keeps.

One table, so the README's "Limits" section and the code cannot drift apart. Where Azure documents
a number it is used and cited; where it does not, the figure is ours and marked (inferred). A
request over a limit gets the answer Azure gives for it where that is known (413, 431, 400), never a
500 and never minutes of work.

Request size
    MAX_UPLOAD_BYTES  multipart bodies (audio uploads): "The file size limit for the Whisper model
        is 25 MB" (WHISPER-DOC); the 413 reads "Maximum content size limit (26214400) exceeded
        (<n> bytes read)" (reports: OpenAI, retkowsky/Azure-AIGEN-demos#3), a limit on the bytes
        read, so the whole request body is counted, before it is parsed.
    MAX_JSON_BYTES  JSON bodies (inferred: Azure documents no cap on a JSON body; QUOTAS caps a
        message at 1,048,576 characters and 2048 messages, and gateways in front of model APIs cap
        bodies at 32 MiB, e.g. ngrok's AI gateway); a ``Content-Length`` over it is refused before a
        byte of the body is read, a chunked body as soon as it passes it. Configurable:
        ``[server] max_body_bytes``.
    MAX_CONTROL_BYTES  bodies of the control API (/_mock: fault rules, scenarios); ours.
    MAX_JSON_DEPTH  nesting of a JSON body (inferred: System.Text.Json, which Azure's .NET front
        ends use, stops at 64 by default; OpenAI allows 10 levels of nesting in a structured-output
        schema, which needs about 25 levels of JSON). Deeper bodies are malformed JSON (400).
    MAX_HEADER_BYTES  the request line and headers together: 431 past it (inferred: Azure Front
        Door and Application Gateway cap request headers at 32 KB; QUOTAS: too many custom headers
        give "HTTP 431 errors").
    HEADER_TIMEOUT_SECONDS  a client must finish sending its request head within this time, or the
        connection is closed (slowloris; inferred from Apache's mod_reqtimeout default header=20).

Generation (CPU) bounds
    MAX_GENERATED_CHARS  the most text one choice of a json_schema response or one tool call's
        arguments may take before its generator stops (a schema asking for a billion-character
        string or a billion items is cut there, then by ``max_tokens``: finish_reason "length" as
        Azure stops at its token limit). The request's own ``max_tokens`` bounds it first.
    CHARS_PER_TOKEN_BOUND  characters per token assumed when ``max_tokens`` bounds generation (a
        generous figure: no tokenizer's pieces are longer on average).
    MAX_SCHEMA_NODES  subschemas a json_schema may have (OpenAI: "up to 5000 object properties
        total"; ours counts every subschema); more is a 400.
    LOOP_STALL_SECONDS  a served mock's watchdog logs a warning when one request holds the event
        loop longer than this (``mockserver.watchdog``): the sign of a bound still missing.
    MAX_TRANSCRIPT_SECONDS  the longest audio the mock writes a transcript for (inferred: 25 MB of
        8 kbit/s audio, the lowest MP3 bitrate, is about 7.3 hours; the figure is above that); a
        header claiming more than the file's bytes can carry is not believed (see ``synth.media.probe``).

Memory
    MAX_JOURNAL_BYTES  request and response bodies the journal keeps, all entries together; the
        oldest entries go first (the entry count is ``[server] journal_size``).
    MAX_CACHE_BYTES  each cache (validation and rendering memo, token pieces) by the bytes of what
        it holds as well as by its number of entries.
    MAX_KEPT_ERRORS  unscripted internal errors kept for tests to re-raise (the newest).

Control API
    MAX_CLOCK_OFFSET  how far ``POST /_mock/clock/advance`` may move the clock ahead in all (100
        years: dates past the year 9999 cannot be written).
"""

from __future__ import annotations

MiB = 1024 * 1024

MAX_UPLOAD_BYTES = 26_214_400
MAX_JSON_BYTES = 32 * MiB
MAX_CONTROL_BYTES = 1 * MiB
MAX_JSON_DEPTH = 64
MAX_HEADER_BYTES = 32 * 1024
HEADER_TIMEOUT_SECONDS = 20.0

MAX_GENERATED_CHARS = 1 * MiB
CHARS_PER_TOKEN_BOUND = 16
MAX_SCHEMA_NODES = 5000
MAX_TRANSCRIPT_SECONDS = 8 * 3600.0
LOOP_STALL_SECONDS = 0.5

MAX_JOURNAL_BYTES = 64 * MiB
MAX_CACHE_BYTES = 16 * MiB
MAX_KEPT_ERRORS = 100

MAX_CLOCK_OFFSET = 100 * 365.25 * 86400
