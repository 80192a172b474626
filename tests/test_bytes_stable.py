"""No byte of any answer changes with speed work (issue 18): 1,000 seeded varied requests, each answer's
status, headers in order and body, against the digests the code gave before (tests/bytes_corpus.py)."""

from __future__ import annotations

import json

import pytest

from tests.bytes_corpus import COUNT, DIGESTS, answers

RECORDED: dict[str, list[str]] = json.loads(DIGESTS.read_text(encoding="utf-8"))


def differing(tokenizer: str, got: list[str]) -> list[int]:
    return [i for i, (want, have) in enumerate(zip(RECORDED[tokenizer], got, strict=True)) if want != have]


@pytest.mark.parametrize(("tokenizer", "fast_path"), [("approx", True), ("approx", False), ("bpe", True)])
def test_answers_keep_their_bytes(tokenizer: str, fast_path: bool) -> None:
    got = answers(tokenizer, fast_path=fast_path)
    assert len(got) == COUNT == len(RECORDED[tokenizer])
    changed = differing(tokenizer, got)
    assert not changed, f"{len(changed)} of {COUNT} answers changed bytes; first: request {changed[:5]}"
