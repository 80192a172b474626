"""Deterministic answer-like text.

The reply is built from the request's own words: the longer words of the last user message
become the topic, and sentences from a small bank of helpful-answer templates are stitched
around them. The same prompt, seed and choice index always give the same text.
"""

from __future__ import annotations

import random
import re

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


def reply(prompt: str, seed: int, index: int = 0, words: int | None = None) -> str:
    """An answer-like reply of roughly ``words`` words (seeded length of 30-90 words by default)."""
    if len(prompt) > CACHED_PROMPT:
        return compose_reply(prompt, seed, index, words)
    key = (prompt, seed, index, words)
    found = REPLIES.get(key)
    if found is None:
        found = compose_reply(prompt, seed, index, words)
        REPLIES.put(key, found, len(prompt) + len(found) + 200)
    return str(found)


def compose_reply(prompt: str, seed: int, index: int = 0, words: int | None = None) -> str:
    rng = random.Random(digest("text", seed, prompt, index))
    found = keywords(prompt) or FALLBACK_TOPIC
    topic = " ".join(found[:3]) if found is not FALLBACK_TOPIC else "your question"
    target = words if words is not None else rng.randint(30, 90)
    parts = [rng.choice(OPENERS).format(topic=topic)]
    count = len(parts[0].split())
    while count < target:
        a, b = pair(found, rng)
        sentence = rng.choice(SENTENCES).format(a=a, b=b)
        parts.append(sentence)
        count += len(sentence.split())
    parts.append(rng.choice(CLOSERS).format(topic=topic))
    return " ".join(parts)


def pair(words: list[str], rng: random.Random) -> tuple[str, str]:
    """Two different words when there are two to choose from."""
    if len(words) < 2:
        return words[0], "the details"
    a, b = rng.sample(words, 2)
    return a, b
