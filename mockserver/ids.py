"""Deterministic identifiers and the clock.

Body ids (``chatcmpl-…``, ``call_…``) derive from the server seed and the request content, so
the same request with the same seed gives the same body. Request ids (``apim-request-id``)
derive from the seed and a per-server counter, so a run with a fixed seed is repeatable.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
from collections.abc import Callable
from functools import lru_cache

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def digest(*parts: object) -> bytes:
    h = hashlib.blake2b(digest_size=32)
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\x00")
    return h.digest()


def base62(data: bytes, length: int) -> str:
    """``length`` base62 characters, one per digest byte (``length`` <= 32)."""
    return "".join([ALPHABET[byte % 62] for byte in data[:length]])


def chat_id(*parts: object) -> str:
    """``chatcmpl-`` + 29 base62 characters, as in recordings 02 and 11."""
    return "chatcmpl-" + base62(digest("chat", *parts), 29)


def completion_id(*parts: object) -> str:
    return "cmpl-" + base62(digest("cmpl", *parts), 29)


def tool_call_id(*parts: object) -> str:
    """``call_`` + 24 base62 characters (recording 14: ``call_sRnaLIJDeqxzZwBfvLVpA9ip``)."""
    return "call_" + base62(digest("call", *parts), 24)


@lru_cache(maxsize=256)
def fingerprint(model: str) -> str:
    """A stable ``fp_`` + 10 hex system fingerprint per model (recordings 03, 11, 12)."""
    return "fp_" + digest("fp", model).hex()[:10]


class Clock:
    """Wall-clock time, or a frozen time when ``frozen`` is set; injectable for tests.

    ``advance`` moves the mock's time forward for both readings (``POST /_mock/clock/advance``): a
    test can make a batch finish or a stored object expire without waiting, and a frozen clock
    stays still until advanced."""

    def __init__(
        self,
        frozen: float | None = None,
        source: Callable[[], float] = time.time,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self.frozen = frozen
        self.source = source
        self.ticks = ticks
        self.offset = 0.0

    def now(self) -> float:
        """Epoch seconds for ``created`` fields (frozen when configured), plus any advance."""
        return (self.frozen if self.frozen is not None else self.source()) + self.offset

    def monotonic(self) -> float:
        """Seconds for rate windows and retry gaps (injectable, never frozen), plus any advance."""
        return self.ticks() + self.offset

    def advance(self, seconds: float) -> None:
        if not 0 <= seconds < math.inf:  # also refuses NaN
            raise ValueError(f"the clock moves forward by a finite number of seconds, not {seconds!r}")
        self.offset += seconds

    def rewind(self) -> None:
        """Undo every ``advance`` (``MockState.reset``)."""
        self.offset = 0.0


class RequestIds:
    """A seeded source of version-4 UUIDs: the same seed gives the same sequence."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(digest("req", seed))
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            bits = self.rng.getrandbits(128)
        return format_uuid4(f"{bits:032x}")

    def pair(self) -> tuple[str, str]:
        """Two distinct request ids (apim-request-id, x-request-id), from one draw of 32 bytes."""
        with self.lock:
            text = self.rng.randbytes(32).hex()
        return format_uuid4(text[:32]), format_uuid4(text[32:])

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(digest("req", self.seed))


# the RFC 4122 variant: the top two bits of the clock sequence are 10, so its first digit is 8-b
VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def format_uuid4(text: str) -> str:
    """32 random hex digits as a version-4, RFC 4122 variant UUID string."""
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{VARIANT[text[16]]}{text[17:20]}-{text[20:32]}"
