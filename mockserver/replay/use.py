"""A cassette in use: opened for a record mode, replayed and/or recorded, reported and saved.

``open_cassette`` is the one setup every user of a cassette shares (the recording proxy, a test's
mock, the plugin): the mode's plan, the existing cassette when it is read, the ``Player`` that
replays it, and the new cassette that will be saved. ``CassetteUse`` is what they hold: it keeps
what was recorded, reports the misses of a replay-only mode once each (``CassetteMiss``, an
``AssertionError`` naming every near miss), and saves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from .cassette import Cassette, CassetteNotFound, Interaction
from .formats import load
from .modes import ModePlan, RecordMode, plan
from .options import DEFAULT_MATCH_ON
from .player import Player
from .scrub import Scrubber

if TYPE_CHECKING:
    from ..app import MockApp
    from .slot import CassetteSlot

NO_CASSETTE = (
    "cassette {path} does not exist and record mode '{mode}' only replays; record it first "
    "(record mode 'once' or 'new_episodes'), or fix the name"
)
MISSES = "{count} request(s) had no recorded answer in cassette {path} (record mode '{mode}'):\n{lines}"


class CassetteMiss(AssertionError):
    """Requests that a replay-only cassette could not answer (each with its near miss)."""


def misses_error(path: Path, mode_plan: ModePlan, misses: Sequence[str]) -> CassetteMiss | None:
    """The ``CassetteMiss`` for ``misses``, or None when there are none or the mode records them."""
    if not misses or mode_plan.forward:
        return None
    lines = "\n".join(f"  - {m}" for m in misses)
    return CassetteMiss(MISSES.format(count=len(misses), path=path, mode=mode_plan.mode.value, lines=lines))


@dataclass(eq=False)
class CassetteUse:
    """A cassette in use.

    path / plan: the file and what its record mode does with it (``mode`` names the mode).
    cassette: what will be saved (the kept interactions, then what is recorded).
    player: what replays the existing cassette, or None when the mode does not replay.
    endpoint: the recording proxy's, when the cassette sits in front of an external target.
    recorded: the interactions recorded so far.
    """

    path: Path
    plan: ModePlan
    cassette: Cassette
    player: Player | None = None
    endpoint: str | None = None
    recorded: list[Interaction] = field(default_factory=list)
    app: MockApp | None = None  # the mock a local cassette is attached to, and its slot before
    previous: CassetteSlot | None = None
    stack: ExitStack = field(default_factory=ExitStack)  # what ``close`` ends
    on_close: list[Callable[[], None]] = field(default_factory=list)
    reported: int = 0  # misses of the player already reported (or set aside)
    pending: list[str] = field(default_factory=list)  # misses set aside before a reset cleared them

    def __repr__(self) -> str:
        return f"<CassetteUse {self.path} mode={self.mode.value}>"

    @property
    def mode(self) -> RecordMode:
        return self.plan.mode

    @property
    def misses(self) -> list[str]:
        """Every miss of the player so far (since the last reset of a local mock)."""
        return list(self.player.misses) if self.player is not None else []

    def keep(self, interaction: Interaction) -> None:
        self.recorded.append(interaction)
        self.cassette.append(interaction)

    def save(self) -> Path | None:
        """Write the cassette if anything was recorded (vcrpy writes only new interactions too)."""
        return self.cassette.save(self.path) if self.recorded else None

    def check(self) -> None:
        """Raise ``CassetteMiss`` when a replay-only cassette missed requests."""
        error = misses_error(self.path, self.plan, self.misses)
        if error is not None:
            raise error

    def take_error(self) -> CassetteMiss | None:
        """A ``CassetteMiss`` for the misses not reported yet (each is reported once)."""
        missed = [*self.pending, *self.new_misses()]
        self.pending.clear()
        return misses_error(self.path, self.plan, missed)

    def new_misses(self) -> list[str]:
        misses = self.misses
        new = misses[self.reported :]
        self.reported = len(misses)
        return new

    def before_reset(self) -> None:
        """Keep the misses a reset (which rewinds a local player) is about to clear."""
        self.pending.extend(self.new_misses())

    def after_reset(self) -> None:
        self.reported = len(self.misses)

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """A block in which a local mock answers without the cassette (neither replayed nor
        recorded): the handle's warm-up request."""
        if self.app is None:
            yield
            return
        app, slot = self.app, self.app.cassette
        app.cassette = self.previous
        try:
            yield
        finally:
            app.cassette = slot

    def describe(self) -> str:
        """One line for the failure report."""
        if self.plan.replay and not self.plan.forward:
            action = "replaying only"
        elif self.plan.replay:
            action = "replaying what matches, recording the rest"
        else:
            action = "recording"
        return f"cassette {self.path} (record mode '{self.mode.value}': {action})"

    def close(self) -> None:
        """End the cassette (the mock gets its previous cassette back and what was recorded is saved,
        or the proxy stops), then run ``on_close``. Once."""
        try:
            self.stack.close()
        finally:
            while self.on_close:
                self.on_close.pop()()


def open_cassette(
    path: str | Path,
    mode: str | RecordMode,
    *,
    scrubber: Scrubber,
    speed: float = 0.0,
    match_on: Sequence[str] = DEFAULT_MATCH_ON,
    upstream: str | None = None,
) -> CassetteUse:
    """``path`` opened for ``mode``: a ``CassetteNotFound`` when the mode only replays and the file
    does not exist; else the existing cassette read when the mode replays or keeps it.

    scrubber: what recording scrubs (its settings go into the new cassette's ``meta``).
    upstream: ``meta.upstream`` when it is not the scrubbed host (an in-process mock).
    """
    path = Path(path)
    steps = plan(mode, path)
    if not steps.forward and not path.is_file():
        raise CassetteNotFound(NO_CASSETTE.format(path=path, mode=steps.mode.value))
    existing = load(path) if path.is_file() and (steps.replay or steps.keep_existing) else None
    meta = cassette_meta(existing, scrubber)
    if upstream is not None:
        meta["upstream"] = upstream
    kept = list(existing.interactions) if existing is not None and steps.keep_existing else []
    player = None
    if steps.replay and existing is not None:
        player = Player([existing], speed=speed, fallthrough=steps.forward, match_on=match_on)
    return CassetteUse(path, steps, Cassette(kept, meta, path), player)


def cassette_meta(existing: Cassette | None, scrubber: Scrubber) -> dict[str, Any]:
    """The new cassette's ``meta``: the existing one's, with this recording's tool, host and scrub
    settings (body fields accumulate across recordings)."""
    meta = dict(existing.meta) if existing is not None else {}
    fields = list(
        dict.fromkeys([*((meta.get("scrub") or {}).get("body_fields") or []), *scrubber.body_fields])
    )
    meta.update(
        {
            "recorded_with": f"aoai-mock {__version__}",
            "upstream": f"https://{scrubber.placeholder}",
            "recorded_at": meta.get("recorded_at") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "scrub": {**scrubber.config(), "body_fields": fields},
        }
    )
    return meta
