"""Generated replies: the same text as composing them with ``random.Random``'s own methods, and
tokenizer pieces of a reply equal to the pieces of its sentences in turn."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.ids import digest
from mockserver.synth import text
from mockserver.synth.tokens import bpe_available, get_tokenizer, joined_pieces


def with_stdlib_random(prompt: str, seed: int, index: int, words: int | None) -> str:
    """The reply as first written: randint, choice and sample of the standard library."""
    rng = random.Random(digest("text", seed, prompt, index))
    found = text.keywords(prompt) or text.FALLBACK_TOPIC
    topic = " ".join(found[:3]) if found is not text.FALLBACK_TOPIC else "your question"
    target = words if words is not None else rng.randint(30, 90)
    parts = [rng.choice(text.OPENERS).format(topic=topic)]
    count = len(parts[0].split())
    while count < target:
        a, b = (found[0], "the details") if len(found) < 2 else rng.sample(found, 2)
        sentence = rng.choice(text.SENTENCES).format(a=a, b=b)
        parts.append(sentence)
        count += len(sentence.split())
    parts.append(rng.choice(text.CLOSERS).format(topic=topic))
    return " ".join(parts)


WORDS = st.sampled_from(
    ["weather", "Paris", "retries", "backoff", "don't", "well-known", "tokens", "Azure", "quota", "the"]
)
PROMPTS = st.lists(WORDS | st.text(max_size=8), max_size=40).map(" ".join)
MANY_WORDS = " ".join(
    f"keyword{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(30)
)  # > 21: sample's set method


@settings(max_examples=600, deadline=None)
@given(
    PROMPTS | st.just(MANY_WORDS),
    st.integers(0, 2**40),
    st.integers(0, 3),
    st.none() | st.integers(1, 200),
)
def test_a_reply_is_the_one_random_randint_choice_and_sample_compose(
    prompt: str, seed: int, index: int, words: int | None
) -> None:
    assert text.compose_reply(prompt, seed, index, words) == with_stdlib_random(prompt, seed, index, words)


def test_every_sentence_ends_with_a_full_stop_and_begins_with_a_letter() -> None:
    """What ``joined_pieces`` relies on: the pre-tokenizers split before the space that follows."""
    for template in (*text.OPENERS, *text.SENTENCES, *text.CLOSERS):
        assert template[-1] in ".?!" and template[0].isalpha(), template


TOKENIZERS = ["approx"] + (["bpe"] if bpe_available() else [])


@pytest.mark.parametrize("mode", TOKENIZERS)
@settings(max_examples=300, deadline=None)
@given(prompt=PROMPTS, seed=st.integers(0, 2**40))
def test_the_pieces_of_a_reply_are_the_pieces_of_its_sentences_in_turn(
    mode: str, prompt: str, seed: int
) -> None:
    tokenizer = get_tokenizer(mode, "o200k_base")
    reply = text.reply(prompt, seed)
    assert " ".join(reply.parts) == reply
    assert joined_pieces(tokenizer, reply.parts) == list(tokenizer.pieces(reply))
