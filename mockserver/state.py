"""``MockState``: everything one mock server instance remembers between requests."""

from __future__ import annotations

from .config import Deployment, Settings
from .ids import Clock, RequestIds
from .journal import Journal
from .ratelimit import UsageMeter
from .synth.tokens import Tokenizer, get_tokenizer


class MockState:
    """Settings plus the mutable stores (journal, meters, ids), each with its own reset."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = Clock(settings.freeze_time)
        self.request_ids = RequestIds(settings.seed)
        self.journal = Journal(settings.journal_size)
        self.meter = UsageMeter(self.clock)
        self.errors: list[BaseException] = []

    def tokenizer(self, deployment: Deployment) -> Tokenizer:
        return get_tokenizer(self.settings.tokenizer, deployment.encoding)

    def reset(self) -> None:
        """Forget requests, usage and collected errors; settings stay."""
        self.journal.reset()
        self.meter.reset()
        self.request_ids.reset()
        self.errors.clear()
