"""``MockState``: everything one mock server instance remembers between requests.

Each kind of memory is one store with a ``reset``, reached only through its own methods, so that a
shared backend (several workers acting as one resource, ``mockserver.stores``) stands behind each:

    journal     stores.base.JournalStore: requests and answers (``append``, ``filter``, ``since``)
    faults      stores.base.FaultRules: rules and their hit counters (``add``, ``choose``, ``remove``)
    limiter     stores.base.Limits: per-deployment usage windows (``charge``, ``look``)
    objects     objects.ObjectStore: stored responses, files, batches
    claims      stores.base.Claims: which instance runs a batch's lines
    signing_key the image links' HMAC key (shared, so a link from one instance opens on another)
    cassette    replay.slot.CassetteSlot: what replays (its ``Player.cursor`` is what it remembers)
    request_ids ids.RequestIds: the seeded id sequence (per process)
    memo        fastpath.memo.Memo: speed only, safe to lose (per process)

The memory backend's stores are the in-process classes (``journal.Journal``, ``faults.rules.FaultStore``,
``ratelimit.RateLimiter``, ``objects.MemoryObjects``); ``settings.state`` picks another (``stores``).
"""

from __future__ import annotations

from collections import deque

from .batch.runner import BatchRunner
from .config import Deployment, Settings
from .fastpath.memo import Memo
from .faults.scenarios import load_scenario
from .ids import Clock, RequestIds, digest
from .limits import MAX_KEPT_ERRORS
from .replay.player import Player
from .replay.slot import CassetteSlot
from .stores import MEMORY, Stores, open_stores
from .synth.text import REPLIES
from .synth.tokens import PIECES, SENTENCE_PIECES, Tokenizer, get_tokenizer


class MockState:
    """Settings plus the mutable stores (journal, faults, rate windows, ids), each with a reset."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.freeze_time)
        self.stores: Stores = open_stores(settings, self.clock)
        shared = self.stores.backend != MEMORY  # instances share one store: their ids must differ
        self.request_ids = RequestIds(settings.seed if not shared else digest_seed(self.stores.instance))
        self.journal = self.stores.journal
        self.limiter = self.stores.limiter
        self.faults = self.stores.faults
        self.claims = self.stores.claims
        self.signing_key = self.stores.signing_key
        self.journal_lost = 0  # answers sent whose journal line the shared store did not take
        # unscripted internal errors for tests to re-raise: the newest MAX_KEPT_ERRORS
        self.errors: deque[BaseException] = deque(maxlen=MAX_KEPT_ERRORS)
        self.memo = Memo()
        self.objects = self.stores.objects  # stored responses, files, batches (mockserver.objects)
        self.batches = BatchRunner(self)  # does the work of batches that is due (mockserver.batch)
        self.load_scenarios()
        # the cassette attached (``serve --replay``, ``use_cassette``): the pipeline reads it per request
        self.cassette: CassetteSlot | None = None
        if settings.replay:
            player = Player.from_settings(settings)
            player.cursor = self.stores.cursor() or player.cursor  # shared by every instance on a store
            self.cassette = CassetteSlot(player)

    @property
    def instance(self) -> str:
        """This process's name in a shared journal (``JournalEntry.instance``) and in claims."""
        return self.stores.instance

    def load_scenarios(self) -> None:
        for ref in self.settings.scenarios:
            self.faults.load_once(load_scenario(ref)["rules"])

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
        SENTENCE_PIECES.clear()
        REPLIES.clear()
        reset_objects = getattr(self.objects, "reset", None)
        if reset_objects is not None:
            reset_objects()  # the in-process store empties at once; a shared one in ``clear``
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


def digest_seed(instance: str) -> int:
    """A request-id seed of its own for each instance sharing a store (ids never collide)."""
    return int.from_bytes(digest("instance", instance)[:8], "big")
