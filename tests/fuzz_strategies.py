"""Hypothesis strategies for hostile requests (issue 11): bodies, headers, paths, uploads, rules.

Routes come from the mock's own tables (``routing`` operations, the control API's Starlette routes),
so a route added there is fuzzed without a change here; a new operation without a seed body below
is fuzzed from random bodies. Values lean hostile: wrong types, boundary and huge numbers, control
and non-ASCII characters, deep and wide structures, JSON-Schema keywords with absurd values, audio
headers that lie about their length.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from hypothesis import strategies as st

from mockserver import routing
from mockserver.catalogue import (
    BATCHES_CREATE,
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    IMAGES,
    RESPONSES_CREATE,
    SPEECH,
    TRANSCRIPTIONS,
    TRANSLATIONS,
)
from mockserver.validation.audio import SPEECH_KNOWN
from mockserver.validation.chat import KNOWN as CHAT_KNOWN
from mockserver.validation.completions import KNOWN as COMPLETIONS_KNOWN
from mockserver.validation.embeddings import KNOWN as EMBEDDINGS_KNOWN
from mockserver.validation.images import DALLE_KNOWN, GPT_IMAGE_KNOWN
from mockserver.versions import GA_VERSIONS, PREVIEW_VERSIONS

DEPLOYMENTS = (
    "gpt-4o",
    "gpt-4o-mini",
    "o3-mini",
    "text-embedding-3-small",
    "dall-e-3",
    "whisper",
    "tts",
    "gpt-35-turbo-instruct",
    "gpt-image-1",
    "nope",
    "",
    "a%20b",
    "..",
    "%00",
    "x" * 300,
)
SEEDS: dict[str, dict[str, Any]] = {  # a valid body per operation, mutated by the strategies
    CHAT: {"messages": [{"role": "user", "content": "hello"}]},
    COMPLETIONS: {"prompt": "hello"},
    EMBEDDINGS: {"input": "hello"},
    IMAGES: {"prompt": "a cat"},
    SPEECH: {"input": "hello", "voice": "alloy"},
    RESPONSES_CREATE: {"model": "gpt-4o", "input": "hello"},
    BATCHES_CREATE: {"input_file_id": "file-abc123", "endpoint": "/chat/completions", "completion_window": "24h"},
}
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    CHAT: CHAT_KNOWN,
    COMPLETIONS: COMPLETIONS_KNOWN,
    EMBEDDINGS: EMBEDDINGS_KNOWN,
    IMAGES: DALLE_KNOWN | GPT_IMAGE_KNOWN,
    SPEECH: SPEECH_KNOWN,
}
UPLOADS = (TRANSCRIPTIONS, TRANSLATIONS)
SCHEMA_KEYS = (
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "$defs",
    "definitions",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "format",
    "additionalProperties",
    "not",
    "prefixItems",
    "pattern",
    "multipleOf",
)
NASTY_TEXT = (
    "",
    " ",
    "\x00",
    "²",
    "٣",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "NaN",
    "Infinity",
    "-1",
    "1e999",
    "null",
    "true",
    "[]",
    "{}",
    "a" * 5000,
    "\r\n",
    "%00",
    "../../etc/passwd",
    "<Error/>",
    "€",
    "json_schema",
    "function",
    "user",
    "assistant",
    "tool",
    "image_url",
    "verbose_json",
    "srt",
)
NASTY_NUMBERS = (
    0,
    -1,
    1,
    2,
    3,
    4,
    5,
    16,
    127,
    128,
    129,
    255,
    4096,
    4097,
    2**31 - 1,
    2**31,
    2**53 + 1,
    2**63,
    2**64,
    10**20,
    10**100,
    10**308,
    10**400,
    -(10**400),
    0.5,
    -0.0,
    1e-320,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    2.0000001,
    10**9,
)


def operation_paths() -> dict[str, str]:
    """Path tail -> operation, from the ``*_OPERATIONS`` tables of ``mockserver.routing`` that map a
    path tail under a deployment (the resource routes, keyed by their parts, are ``RESOURCE_PATHS``)."""
    found: dict[str, str] = {}
    for name in dir(routing):
        table = getattr(routing, name)
        if name.endswith("_OPERATIONS") and isinstance(table, dict):
            found.update({k: str(v) for k, v in table.items() if isinstance(k, str)})
    return found


def resource_paths() -> dict[str, str]:
    """Path after ``/openai/`` (or ``/openai/v1/``) -> operation, for the routes not under a deployment
    (models, files, batches, responses: ``routing.RESOURCE_OPERATIONS``), each id a plausible one."""
    ids = {"models": "gpt-4o", "files": "file-abc123", "batches": "batch_abc123", "responses": "resp_abc123"}
    found: dict[str, str] = {}
    for (collection, has_id, tail, _method), operation in routing.RESOURCE_OPERATIONS.items():
        parts = [collection, ids[collection] if has_id else "", tail]
        found["/".join(part for part in parts if part)] = operation
    return found


PATHS = operation_paths()
RESOURCE_PATHS = resource_paths()


SHORT_TEXT = st.text(st.sampled_from("aZ09 _-.:/\\\"'{}[]\x00\t\n²٣é€\u202e\U0001f600"), max_size=12)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NASTY_NUMBERS),
    st.sampled_from(NASTY_TEXT),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    SHORT_TEXT,
)


def scalars() -> st.SearchStrategy[Any]:
    return SCALARS


def keys(operation: str | None = None) -> st.SearchStrategy[str]:
    known = sorted(KNOWN_FIELDS.get(operation or "", frozenset())) or ["model"]
    return st.one_of(st.sampled_from(known), st.sampled_from(SCHEMA_KEYS), SHORT_TEXT)


def json_values(operation: str | None = None, leaves: int = 8) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys(operation), inner, max_size=3)
        ),
        max_leaves=leaves,
    )


@st.composite
def schemas(draw: st.DrawFn, depth: int = 0) -> Any:
    """JSON Schemas with hostile keyword values (huge minLength/minItems, wrong types, cycles)."""
    if depth > 3 or draw(st.integers(0, 5)) == 0:
        return draw(
            st.one_of(
                scalars(),
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(
                            ["string", "integer", "number", "boolean", "object", "array", "null", "nope"]
                        )
                    }
                ),
            )
        )
    schema: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(SCHEMA_KEYS), max_size=5, unique=True)):
        if key in ("properties", "$defs", "definitions"):
            schema[key] = draw(st.dictionaries(st.text(max_size=6), schemas(depth + 1), max_size=3))
        elif key in ("items", "not", "additionalProperties"):
            schema[key] = draw(schemas(depth + 1))
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            schema[key] = draw(st.lists(schemas(depth + 1), max_size=3))
        elif key == "$ref":
            schema[key] = draw(
                st.one_of(st.sampled_from(["#", "#/$defs/a", "#/properties/x", "#/definitions/"]), scalars())
            )
        elif key in ("minLength", "minItems", "maxLength", "maxItems"):
            schema[key] = draw(st.one_of(st.sampled_from([0, 1, 3, 10**6, 10**9, 10**18]), scalars()))
        else:
            schema[key] = draw(json_values(leaves=4))
    return schema


@st.composite
def bodies(draw: st.DrawFn, operation: str | None) -> Any:
    """A JSON body for ``operation``: its seed with hostile fields added, replaced or nested."""
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(json_values(operation))
    body: dict[str, Any] = json.loads(json.dumps(SEEDS.get(operation or "", {})))
    for key, value in draw(st.dictionaries(keys(operation), json_values(operation, 6), max_size=4)).items():
        body[key] = value
    if operation == CHAT and draw(st.booleans()):
        body[
            draw(st.sampled_from(["response_format", "tools", "messages", "data_sources", "tool_choice"]))
        ] = draw(chat_structures())
    if draw(st.booleans()):
        plant(draw, body, draw(json_values(operation, 4)))
    return body


@st.composite
def chat_structures(draw: st.DrawFn) -> Any:
    """The nested parts of a chat body, plausible enough to reach deep code."""
    name = draw(st.one_of(st.just("fn"), scalars()))
    return draw(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "type": st.just("json_schema"),
                    "json_schema": st.fixed_dictionaries(
                        {"name": st.one_of(st.just("x"), scalars()), "schema": schemas()}
                    ),
                }
            ),
            st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.just("function"),
                        "function": st.fixed_dictionaries({"name": st.just(name), "parameters": schemas()}),
                    }
                ),
                max_size=2,
            ),
            st.lists(
                st.fixed_dictionaries(
                    {
                        "role": st.sampled_from(["user", "assistant", "tool", "system", "x"]),
                        "content": st.one_of(scalars(), st.lists(json_values(CHAT, 4), max_size=3)),
                        "tool_calls": json_values(CHAT, 4),
                        "name": scalars(),
                    }
                ),
                min_size=1,
                max_size=3,
            ),
            st.lists(
                st.fixed_dictionaries({"type": scalars(), "parameters": json_values(CHAT, 4)}), max_size=2
            ),
            st.fixed_dictionaries(
                {"type": st.just("function"), "function": st.fixed_dictionaries({"name": scalars()})}
            ),
        )
    )


def plant(draw: st.DrawFn, node: Any, value: Any) -> None:
    """Put ``value`` somewhere inside ``node`` (a random existing position)."""
    for _ in range(6):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node, key=str)))
            if not isinstance(node[key], dict | list) or draw(st.booleans()):
                node[key] = value
                return
            node = node[key]
        elif isinstance(node, list) and node:
            index = draw(st.integers(0, len(node) - 1))
            if not isinstance(node[index], dict | list) or draw(st.booleans()):
                node[index] = value
                return
            node = node[index]
        else:
            return


RAW_BODIES = st.one_of(
    st.integers(1, 20_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 20_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.sampled_from(
        [
            b"NaN",
            b'{"messages":[{"role":"user","content":"hi"}],"temperature":NaN}',
            b'{"messages":[{"role":"user","content":"\\ud800"}]}',
            b'{"x":1e999}',
            b'{"x":-Infinity}',
            b'{"messages":[{"role":"user","content":"\\udc00\\ud800"}]}',
            b"\xff\xfe{\x00}\x00",
            b"\xef\xbb\xbf{}",
            b"",
            b"{",
            b'{"a":1,}',
            b"\x00",
            b'"\\ud83d"',
            b"1" * 5000,
            b'{"messages":[{"role":"user","content":"' + b"\\u0000" * 100 + b'"}]}',
        ]
    ),
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "APPLICATION/JSON",
        "image/png",
    ]
)
HEADER_VALUES = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"), max_size=60),
    st.sampled_from(["", " ", "x" * 8000, "é", "\t", "Bearer", "Bearer "]),
)


@st.composite
def headers(draw: st.DrawFn) -> dict[str, str]:
    result: dict[str, str] = {}
    auth = draw(st.integers(0, 5))
    if auth <= 2:
        result["api-key"] = "k" if auth < 2 else draw(HEADER_VALUES)
    elif auth == 3:
        result["authorization"] = "Bearer " + draw(HEADER_VALUES)
    elif auth == 4:
        result["Api-Key"] = "k"
    for name in draw(
        st.lists(
            st.sampled_from(
                [
                    "x-ms-client-request-id",
                    "x-mock-session",
                    "accept",
                    "host",
                    "x-api-key",
                    "proxy-authorization",
                    "ocp-apim-subscription-key",
                    "cookie",
                    "user-agent",
                    "x-stainless-retry-count",
                    "expect",
                ]
            ),
            max_size=3,
            unique=True,
        )
    ):
        result[name] = draw(HEADER_VALUES)
    return result


@st.composite
def paths(draw: st.DrawFn) -> tuple[str, str | None]:
    """(path, operation): a real route for an operation, or a mangled one (operation None)."""
    surface = draw(st.sampled_from(["deployments", "v1", "v1", "deployments", "resource", "resource-v1"]))
    if surface.startswith("resource"):
        tail, operation = draw(st.sampled_from(sorted(RESOURCE_PATHS.items())))
        path = f"/openai/v1/{tail}" if surface == "resource-v1" else f"/openai/{tail}"
    else:
        tail, operation = draw(st.sampled_from(sorted(PATHS.items())))
        deployment = draw(st.sampled_from(DEPLOYMENTS))
        path = f"/openai/deployments/{deployment}/{tail}" if surface == "deployments" else f"/openai/v1/{tail}"
    mangle = draw(st.integers(0, 8))
    if mangle == 0:
        path = draw(
            st.sampled_from(
                [
                    "/openai",
                    "/openai/",
                    "//openai//deployments//gpt-4o//chat/completions",
                    "/openai/models",
                    "/openai/models/gpt-4o",
                    "/openai/v1/models",
                    "/openai/v1/models/%C2%B2",
                    "/",
                    "/openai/deployments",
                    "/x" * 200,
                ]
            )
        )
        operation = None
    elif mangle == 1:
        path += "/" + draw(
            st.text(
                st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?#"), max_size=20
            )
        )
        operation = None
    return path, operation


def query(draw: st.DrawFn) -> dict[str, str]:
    version = draw(
        st.one_of(
            st.sampled_from([*GA_VERSIONS, *PREVIEW_VERSIONS, "v1", "preview", "latest"]),
            st.sampled_from(["", "2024-13-45", "²", "x" * 300]),
            st.none(),
        )
    )
    result = {} if version is None else {"api-version": version}
    if draw(st.integers(0, 6)) == 0:
        result[draw(st.sampled_from(["api-key", "subscription-key", "sig", "code"]))] = draw(HEADER_VALUES)
    return result


# --- uploads -------------------------------------------------------------------------------------


def flac(rate: int, total: int) -> bytes:
    packed = (rate << 44) | (1 << 41) | (15 << 36) | total  # rate, channels-1, bits-1, total samples
    return b"fLaC" + b"\x80\x00\x00\x22" + bytes(10) + packed.to_bytes(8, "big") + bytes(16)


def wav(byte_rate: int, data: int) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 16_000, byte_rate, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", (36 + data) & 0xFFFFFFFF)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data)
        + bytes(min(data, 64))
    )


def mp4(timescale: int, duration: int, version: int) -> bytes:
    if version == 1:
        mvhd = bytes([1, 0, 0, 0]) + bytes(16) + struct.pack(">IQ", timescale, duration) + bytes(80)
    else:
        mvhd = bytes(4) + bytes(8) + struct.pack(">II", timescale, duration) + bytes(80)
    box = struct.pack(">I4s", 8 + len(mvhd), b"mvhd") + mvhd
    return (
        struct.pack(">I4s", 16, b"ftyp")
        + b"isom"
        + bytes(4)
        + struct.pack(">I4s", 8 + len(box), b"moov")
        + box
    )


def ogg(granule: int) -> bytes:
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<H", 312) + bytes(8)
    page = b"OggS\x00\x02" + struct.pack("<q", 0) + bytes(12) + bytes([1, len(head)]) + head
    last = b"OggS\x00\x04" + struct.pack("<q", granule) + bytes(12) + bytes([1, 1]) + b"\x00"
    return page + last


LYING_AUDIO = st.one_of(
    st.builds(
        flac, st.sampled_from([0, 1, 8000, 48_000, 655_350]), st.sampled_from([0, 1, 10**9, 2**36 - 1])
    ),
    st.builds(wav, st.sampled_from([0, 1, 32_000, 2**32 - 1]), st.sampled_from([0, 2, 10**9, 2**32 - 1])),
    st.builds(
        mp4, st.sampled_from([0, 1, 1000]), st.sampled_from([0, 1, 10**9, 2**32 - 1]), st.sampled_from([0, 1])
    ),
    st.builds(ogg, st.sampled_from([0, 1, 48_000 * 10**7, 2**63 - 1, -1])),
    st.binary(max_size=300),
    st.sampled_from(
        [b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f", b"\xff\xfb\x90\x00" * 40, b"\x1a\x45\xdf\xa3" + bytes(30)]
    ),
)
FORM_FIELDS = {
    "response_format": st.sampled_from(["json", "text", "srt", "verbose_json", "vtt", "x", ""]),
    "temperature": st.sampled_from(["0", "1", "0.5", "nan", "inf", "-inf", "1e999", "x", "", "2"]),
    "language": st.sampled_from(["en", "EN", "xx", "", "²"]),
    "timestamp_granularities[]": st.sampled_from(["word", "segment", "x"]),
    "prompt": st.text(max_size=30),
    "model": st.sampled_from(["whisper", "tts", ""]),
    "input": st.text(max_size=30),
    "voice": st.sampled_from(["alloy", "x"]),
    "speed": st.sampled_from(["1", "nan", "inf", "-inf", "0", "4", "1e999", "x"]),
}


@st.composite
def forms(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    data = draw(st.fixed_dictionaries({}, optional=FORM_FIELDS))
    files: dict[str, tuple[str, bytes, str]] = {}
    if draw(st.integers(0, 5)):
        name = draw(
            st.sampled_from(
                ["a.flac", "a.wav", "a.mp4", "a.ogg", "a.mp3", "a.m4a", "a", "a.txt", "².wav", ""]
            )
        )
        files["file"] = (
            name,
            draw(LYING_AUDIO),
            draw(st.sampled_from(["audio/flac", "application/octet-stream", ""])),
        )
    return data, files


# --- fault rules ---------------------------------------------------------------------------------

ACTION_FIELDS = (
    "status",
    "kind",
    "headers",
    "body",
    "variant",
    "retry_after",
    "retry_after_format",
    "content_filter",
    "seconds",
    "distribution",
    "after_bytes",
    "after_chunks",
    "mode",
    "error",
    "sse_event",
    "bytes",
    "interval",
    "first_token",
    "between_chunks",
    "category",
    "severity",
    "at_char",
    "unavailable",
)
KINDS = (
    "latency",
    "stall",
    "reset",
    "close_mid_body",
    "stream_cut",
    "malformed_sse",
    "error_event",
    "dribble",
    "stream_timing",
    "content_filter",
    "explode",
)
STATUSES = (
    100,
    101,
    199,
    200,
    204,
    301,
    304,
    399,
    400,
    401,
    403,
    404,
    408,
    413,
    429,
    431,
    500,
    502,
    503,
    504,
    599,
    600,
    0,
    -1,
)


@st.composite
def actions(draw: st.DrawFn) -> Any:
    choice = draw(st.integers(0, 6))
    if choice == 0:
        return draw(st.one_of(st.just("pass"), scalars()))
    action: dict[str, Any] = (
        {"status": draw(st.sampled_from(STATUSES))} if choice < 4 else {"kind": draw(st.sampled_from(KINDS))}
    )
    for field in draw(st.lists(st.sampled_from(ACTION_FIELDS), max_size=3, unique=True)):
        action[field] = draw(
            st.one_of(
                scalars(),
                st.dictionaries(
                    st.sampled_from(
                        ["x-a", "retry-after-ms", "Content-Length", "bad name", "type", "mean", "category"]
                    ),
                    st.one_of(scalars(), st.sampled_from(["v\r\nx", "☃", "normal"])),
                    max_size=2,
                ),
            )
        )
    return action


@st.composite
def rules(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values(leaves=6))
    rule: dict[str, Any] = {}
    if draw(st.booleans()):
        rule["sequence"] = draw(st.one_of(st.lists(actions(), max_size=3), scalars()))
    else:
        rule["fault"] = draw(actions())
    for key in draw(
        st.lists(
            st.sampled_from(["match", "times", "probability", "id", "name", "other"]), max_size=3, unique=True
        )
    ):
        rule[key] = draw(
            st.one_of(
                scalars(),
                st.dictionaries(
                    st.sampled_from(
                        ["operation", "deployment", "stream", "headers", "session", "api_version", "x"]
                    ),
                    scalars(),
                    max_size=3,
                ),
            )
        )
    return rule
