"""Deterministic answer-like text.

The reply is built from the request's own words: the longer words of the last user message
become the topic, and sentences from a small bank of helpful-answer templates are stitched
around them. The same prompt, seed and choice index always give the same text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from ..bounded import BoundedCache
from ..ids import digest

STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "even",
        "every",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "more",
        "most",
        "much",
        "must",
        "only",
        "other",
        "ought",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "whom",
        "with",
        "would",
        "your",
        "yours",
        "please",
        "tell",
        "explain",
        "give",
        "write",
        "make",
        "show",
        "want",
        "need",
        "like",
        "know",
        "help",
        "using",
        "used",
        "use",
    ]
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")

OPENERS = (
    "Here is a short answer about {topic}.",
    "Good question about {topic}.",
    "Let's look at {topic} step by step.",
    "In short, {topic} comes down to a few ideas.",
    "Sure, here is an overview of {topic}.",
)
SENTENCES = (
    "The key point is that {a} and {b} are closely related in practice.",
    "Most people start with {a}, because it gives the quickest useful result.",
    "A common mistake is to treat {a} in isolation instead of in context.",
    "It helps to check the assumptions behind {b} before going further.",
    "In many cases {a} is simpler than it first appears.",
    "If you are unsure, try a small example with {b} and compare the results.",
    "Keep in mind that {a} can behave differently under load or at scale.",
    "The documentation for {b} usually lists the limits you need to know.",
    "One practical approach is to measure first and then adjust {a}.",
    "For most projects, a clear plan for {b} saves time later.",
    "You can think of {a} as a building block for {b}.",
    "There is no single right answer, but {a} is a sensible default.",
    "When something fails, look at {b} first, then at {a}.",
    "Small, repeatable steps make {a} easier to reason about.",
)
CLOSERS = (
    "Let me know if you would like more detail on {topic}.",
    "I hope this helps with {topic}.",
    "That should give you a solid starting point.",
    "Feel free to ask a follow-up question.",
)
FALLBACK_TOPIC = ["the problem", "the approach", "the details", "the result"]


def keywords(prompt: str) -> list[str]:
    """Distinct content words of ``prompt`` in order, keeping their case (case-insensitive dedupe)."""
    seen: dict[str, str] = {}
    for word in WORD.findall(prompt):
        word = word.strip("'-")
        lower = word.lower()
        if lower not in STOPWORDS and len(lower) >= 4:
            seen.setdefault(lower, word)
    return list(seen.values())


# pure and deterministic: repeated prompts (test suites, retries) are free; bounded by bytes (a cache
# keyed by whole prompts would keep every 300,000-character prompt), long prompts are not kept
REPLIES = BoundedCache(4096)
CACHED_PROMPT = 8192


class Reply(str):
    """A generated reply: its text, and the sentences it was joined from (``" ".join(parts)``).
    Every sentence ends with "." and the next begins with a letter, so a tokenizer's pieces of the
    reply are the pieces of its sentences in turn (``synth.tokens.joined_pieces``); an edited copy
    (cut at a stop sequence, wrapped in JSON) is a plain ``str`` again."""

    parts: tuple[str, ...]


def reply(prompt: str, seed: int, index: int = 0, words: int | None = None) -> Reply:
    """An answer-like reply of roughly ``words`` words (seeded length of 30-90 words by default)."""
    if len(prompt) > CACHED_PROMPT:
        return compose_reply(prompt, seed, index, words)
    key = (prompt, seed, index, words)
    found = REPLIES.get(key)
    if found is None:
        found = compose_reply(prompt, seed, index, words)
        REPLIES.put(key, found, len(prompt) + 2 * len(found) + 200)
    return found  # type: ignore[no-any-return]


def compose_reply(prompt: str, seed: int, index: int = 0, words: int | None = None) -> Reply:
    """The draws are ``random.Random``'s own (CPython 3.11's ``randint``, ``choice`` and ``sample``
    on the same generator, in the same order: tests/test_text.py checks them against it), taken
    through ``below``: a varied prompt composes its reply in half the time."""
    bits = random.Random(digest("text", seed, prompt, index)).getrandbits
    found = keywords(prompt) or FALLBACK_TOPIC
    topic = " ".join(found[:3]) if found is not FALLBACK_TOPIC else "your question"
    target = words if words is not None else 30 + below(bits, 61)  # randint(30, 90)
    parts = [OPENERS[below(bits, len(OPENERS))].format(topic=topic)]
    count = len(parts[0].split())
    while count < target:
        a, b = pair(found, bits)
        sentence = SENTENCES[below(bits, len(SENTENCES))].format(a=a, b=b)
        parts.append(sentence)
        count += len(sentence.split())
    parts.append(CLOSERS[below(bits, len(CLOSERS))].format(topic=topic))
    text = Reply(" ".join(parts))
    text.parts = tuple(parts)
    return text


def below(bits: Callable[[int], int], n: int) -> int:
    """``Random._randbelow(n)`` for ``n > 0``: ``n.bit_length()`` bits, drawn again while too large."""
    k = n.bit_length()
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r


def pair(words: list[str], bits: Callable[[int], int]) -> tuple[str, str]:
    """Two different words when there are two to choose from: ``Random.sample(words, 2)``."""
    n = len(words)
    if n < 2:
        return words[0], "the details"
    first = below(bits, n)
    if n <= 21:  # sample's pool method: the first pick's slot takes the last word
        second = below(bits, n - 1)
        return words[first], words[n - 1] if second == first else words[second]
    second = below(bits, n)  # its set method: draw again until the pick is new
    while second == first:
        second = below(bits, n)
    return words[first], words[second]
