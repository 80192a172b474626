"""Deterministic token log-probabilities in the chat shape of recording 11.

Each entry is ``{"bytes","logprob","token","top_logprobs"}`` (alphabetical, recording 11);
the chosen token leads its own ``top_logprobs`` list, followed by plausible alternatives.
"""

from __future__ import annotations

import random
from typing import Any

from ..ids import digest

ALTERNATIVES = (" the", " a", ".", ",", " and", " to", " of", " is", " it", " in", "\n", " that")


def entry(token: str, logprob: float, top: list[dict[str, Any]] | None) -> dict[str, Any]:
    item: dict[str, Any] = {"bytes": list(token.encode()), "logprob": logprob, "token": token}
    if top is not None:
        item["top_logprobs"] = top
    return item


def token_logprobs(pieces: list[str], top_n: int, seed: object) -> list[dict[str, Any]]:
    """One entry per token piece, with ``top_n`` alternatives each."""
    rng = random.Random(digest("logprobs", seed))
    result = []
    for piece in pieces:
        logprob = -round(rng.expovariate(4.0), 8)
        alternatives = [a for a in ALTERNATIVES if a != piece]
        rng.shuffle(alternatives)
        top = [entry(piece, logprob, None)]
        for alt in alternatives[: max(0, top_n - 1)]:
            top.append(entry(alt, round(top[-1]["logprob"] - rng.uniform(0.5, 3.0), 8), None))
        # a top_logprobs element has no nested top_logprobs (recording 11)
        result.append(entry(piece, logprob, top[:top_n]))
    return result


def legacy_logprobs(pieces: list[str], top_n: int, seed: object, offset: int = 0) -> dict[str, Any]:
    """Legacy completions ``logprobs``: tokens, token_logprobs, top_logprobs, text_offset."""
    entries = token_logprobs(pieces, max(top_n, 1), seed)
    offsets, position = [], offset
    for piece in pieces:
        offsets.append(position)
        position += len(piece)
    return {
        "tokens": pieces,
        "token_logprobs": [e["logprob"] for e in entries],
        "top_logprobs": [{t["token"]: t["logprob"] for t in e["top_logprobs"][:top_n]} for e in entries],
        "text_offset": offsets,
    }
