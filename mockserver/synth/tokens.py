"""Token counting and splitting.

Two tokenizers behind one interface:

* ``BpeTokenizer``: the real o200k_base / cl100k_base BPE from the ``bpe-openai`` package, which
  ships its vocabularies (no download). Installed with ``pip install aoai-mockserver[tokenizer]``.
  Loaded lazily on first use, once per encoding (about 130 MiB resident for o200k_base).
* ``ApproxTokenizer``: the documented approximation used otherwise. Text is split the way the
  GPT pre-tokenizer splits it (an optional leading space plus a run of letters, 1-3 digits, a run
  of punctuation, or whitespace); a piece of up to 8 characters counts as one token and longer
  pieces as one token per 6 characters. On English prose it lands within about 10% of
  o200k_base (see tests/test_tokens.py).

Chat prompt counts add OpenAI's chat framing: 3 tokens per message, 1 per ``name``, plus 3 to
prime the reply. Recording 01 checks it: 35 content tokens + 3 + 1 (role) + 3 = 42 prompt tokens.
"""

from __future__ import annotations

import importlib.util
import json
import re
import warnings
from functools import cache
from typing import Any, Protocol

from ..bounded import BoundedCache, memoised

PIECE = re.compile(r"'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d{1,3}| ?[^\s\w]+|\s+(?!\S)|\s+", re.UNICODE)
LONG_PIECE = 8
CHARS_PER_TOKEN = 6


class Tokenizer(Protocol):
    name: str

    def pieces(self, text: str) -> list[str]: ...

    def count(self, text: str) -> int: ...


class ApproxTokenizer:
    """Pre-tokenizer split plus a length rule; deterministic and dependency-free."""

    name = "approx"

    def pieces(self, text: str) -> list[str]:
        return list(approx_pieces(text) if len(text) <= CACHED_TEXT else split_pieces(text))

    def count(self, text: str) -> int:
        return len(approx_pieces(text) if len(text) <= CACHED_TEXT else split_pieces(text))


# pure: the same texts recur (prompts, generated replies); bounded by bytes, not only entries
PIECES = BoundedCache(8192)
CACHED_TEXT = 8192  # longer texts (a 300,000-character prompt) are split again, not kept: they rarely recur


def pieces_size(text: str, pieces: tuple[str, ...]) -> int:
    """Bytes an entry holds: the text (as the key and again in the pieces) and a pointer per piece."""
    return 2 * len(text) + 64 * len(pieces) + 200


@memoised(PIECES, pieces_size)
def approx_pieces(text: str) -> tuple[str, ...]:
    return split_pieces(text)


def split_pieces(text: str) -> tuple[str, ...]:
    found: list[str] = PIECE.findall(text)
    if not found or max(map(len, found)) <= LONG_PIECE:
        return tuple(found)  # prose: every piece is one token (no loop over pieces in Python)
    result: list[str] = []
    for piece in found:
        if len(piece) <= LONG_PIECE:
            result.append(piece)
        else:
            result.extend(piece[i : i + CHARS_PER_TOKEN] for i in range(0, len(piece), CHARS_PER_TOKEN))
    return tuple(result)


# the sentences of generated replies recur across varied prompts (the same templates and topic words)
SENTENCE_PIECES = BoundedCache(8192)


def joined_pieces(tokenizer: Tokenizer, parts: tuple[str, ...]) -> list[str]:
    """``tokenizer.pieces(" ".join(parts))`` for sentences that each end with "." (or "?", "!") and
    begin with a letter (``synth.text.Reply``): both tokenizers' pre-tokenizers split before a space
    that follows punctuation and precedes a letter, and BPE merges never cross that split, so the
    pieces of the join are the pieces of the first sentence and of each later one with its space.
    Each sentence's pieces are kept (tests/test_text.py compares this with the whole reply's)."""
    result: list[str] = []
    name = tokenizer.name
    for i, part in enumerate(parts):
        key = (name, i > 0, part)  # a later sentence is split with the space before it
        found = SENTENCE_PIECES.get(key)
        if found is None:
            text = " " + part if i > 0 else part
            found = tuple(tokenizer.pieces(text))
            SENTENCE_PIECES.put(key, found, pieces_size(text, found))
        result += found
    return result


class BpeTokenizer:
    """Real BPE tokens; pieces that split a UTF-8 character are merged so each piece is text."""

    def __init__(self, encoding_name: str) -> None:
        # bpe-openai 0.1.4 loads its vocabularies (on import and on first use) with the deprecated
        # importlib.resources.open_binary; under a test suite's ``filterwarnings = error`` that
        # warning would turn the first request into a 500, so it is silenced here, where the mock
        # (not the user) owns the call.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import bpe_openai  # type: ignore[import-untyped]

            self.encoding = bpe_openai.get_encoding(encoding_name)
            self.encoding.encode("load the vocabulary now")  # it is read lazily, on first use
        self.name = encoding_name

    def pieces(self, text: str) -> list[str]:
        ids = self.encoding.encode(text, disallowed_special=())
        result: list[str] = []
        pending = b""
        for chunk in self.encoding.decode_tokens_bytes(ids):
            pending += chunk
            try:
                result.append(pending.decode("utf-8"))
            except UnicodeDecodeError:
                continue
            pending = b""
        if pending:
            result.append(pending.decode("utf-8", errors="replace"))
        return result

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))


def bpe_available() -> bool:
    """Whether bpe-openai is installed (checked without importing it: the import loads a vocabulary)."""
    return importlib.util.find_spec("bpe_openai") is not None


@cache
def get_tokenizer(mode: str, encoding_name: str) -> Tokenizer:
    """The tokenizer for ``mode`` ("auto", "bpe", "approx") and a model's encoding."""
    if mode == "bpe" or (mode == "auto" and bpe_available()):
        return BpeTokenizer(encoding_name)
    return ApproxTokenizer()


def content_text(content: Any) -> str:
    """The text of a message ``content``: a string or a list of parts (image parts add nothing)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


IMAGE_PART_TOKENS = 85  # a low-detail image tile, OpenAI's published figure


def count_message(tokenizer: Tokenizer, message: dict[str, Any]) -> int:
    total = 3 + tokenizer.count(str(message.get("role", "")))
    total += tokenizer.count(content_text(message.get("content")))
    if isinstance(message.get("content"), list):
        total += IMAGE_PART_TOKENS * sum(
            1 for p in message["content"] if isinstance(p, dict) and p.get("type") == "image_url"
        )
    if message.get("name"):
        total += 1 + tokenizer.count(str(message["name"]))
    for call in message.get("tool_calls") or ():
        total += tokenizer.count(json.dumps(call.get("function", {}), separators=(",", ":")))
    return total


def count_chat_prompt(tokenizer: Tokenizer, body: dict[str, Any]) -> int:
    total = 3 + sum(count_message(tokenizer, m) for m in body.get("messages", ()) if isinstance(m, dict))
    if body.get("tools"):
        total += tokenizer.count(json.dumps(body["tools"], separators=(",", ":")))
    return total
