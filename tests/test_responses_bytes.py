"""No byte of any Responses answer changes with speed work (issue 15's bench target): 300 seeded creates
of many shapes, a third of them repeated (the memoised create), each with its retrieve and input items
and some deletes, against the digests the code gave before (tests/responses_corpus.py)."""

from __future__ import annotations

import json

import pytest

from tests.responses_corpus import DIGESTS, answers

RECORDED: list[str] = json.loads(DIGESTS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fast_path", [True, False])
def test_responses_answers_keep_their_bytes(fast_path: bool) -> None:
    got = answers(fast_path=fast_path)
    assert len(got) == len(RECORDED)
    changed = [i for i, (want, have) in enumerate(zip(RECORDED, got, strict=True)) if want != have]
    assert not changed, f"{len(changed)} of {len(got)} answers changed bytes; first: {changed[:5]}"
