"""``MockState``: everything one mock server instance remembers between requests.

Each kind of memory is one store with a ``reset``, reached only through its own methods, so that a
shared backend (several workers acting as one resource) can stand behind each one:

    journal     journal.Journal: requests and answers (``add``, ``filter``, ``since``)
    faults      faults.rules.FaultStore: rules and their hit counters (``add``, ``decide``, ``remove``)
    limiter     ratelimit.RateLimiter: per-deployment usage windows (``admit``, ``peek``)
    objects     objects.MemoryObjects: stored responses, files, batches
    cassette    replay.slot.CassetteSlot: what replays (its ``Player.cursor`` is what it remembers)
    request_ids ids.RequestIds: the seeded id sequence
    memo        fastpath.memo.Memo: speed only, safe to lose
"""

from __future__ import annotations

from collections import deque

from .batch.runner import BatchRunner
from .config import Deployment, Settings
from .fastpath.memo import Memo
from .faults.rules import FaultStore
from .faults.scenarios import load_scenario
from .ids import Clock, RequestIds
from .journal import Journal
from .limits import MAX_KEPT_ERRORS
from .objects import MemoryObjects
from .ratelimit import RateLimiter
from .replay.player import Player
from .replay.slot import CassetteSlot
from .synth.text import REPLIES
from .synth.tokens import PIECES, Tokenizer, get_tokenizer


class MockState:
    """Settings plus the mutable stores (journal, faults, rate windows, ids), each with a reset."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.freeze_time)
        self.request_ids = RequestIds(settings.seed)
        self.journal = Journal(settings.journal_size)
        self.limiter = RateLimiter(self.clock, settings.rate_limits)
        self.faults = FaultStore(settings.seed)
        # unscripted internal errors for tests to re-raise: the newest MAX_KEPT_ERRORS
        self.errors: deque[BaseException] = deque(maxlen=MAX_KEPT_ERRORS)
        self.memo = Memo()
        self.objects = MemoryObjects(self.clock)  # stored responses, files, batches (mockserver.objects)
        self.batches = BatchRunner(self)  # does the work of batches that is due (mockserver.batch)
        self.load_scenarios()
        # the cassette attached (``serve --replay``, ``use_cassette``): the pipeline reads it per request
        self.cassette: CassetteSlot | None = None
        if settings.replay:
            self.cassette = CassetteSlot(Player.from_settings(settings))

    def load_scenarios(self) -> None:
        for ref in self.settings.scenarios:
            self.faults.add(load_scenario(ref)["rules"])

    def tokenizer(self, deployment: Deployment) -> Tokenizer:
        return get_tokenizer(self.settings.tokenizer, deployment.encoding)

    def reset(self) -> None:
        """Back to the start state: no journal, no usage, no stored objects, start-up scenarios only,
        ids restarted, the clock's advances undone."""
        self.journal.reset()
        self.limiter.reset()
        self.faults.clear()
        self.load_scenarios()
        self.request_ids.reset()
        self.errors.clear()
        self.memo.reset()  # reset releases what the caches held (the token-piece cache too)
        PIECES.clear()
        REPLIES.clear()
        self.objects.reset()
        self.batches.reset()
        self.clock.rewind()
        if self.replay is not None:
            self.replay.rewind()  # every recorded answer can be replayed again

    @property
    def replay(self) -> Player | None:
        """What replays recorded answers: the attached cassette's player, or None."""
        return self.cassette.player if self.cassette is not None else None

    @replay.setter
    def replay(self, player: Player | None) -> None:
        """Attach ``player`` alone (replay, record nothing), or detach with None."""
        self.cassette = CassetteSlot(player) if player is not None else None
