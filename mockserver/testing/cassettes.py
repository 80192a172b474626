"""A handle's cassette: ``@pytest.mark.aoai(cassette=...)`` with the record modes none / once /
new_episodes / all (``mockserver.replay.attach`` does the work).

* A local handle (in-process, or an app on the session server) wraps its own app for the test with
  ``use_cassette``: replayed answers come from the cassette, "recorded" ones are what the mock answered.
* An external handle gets a ``recording_proxy`` in front of the target (a real Azure resource, or a
  shared mock): the handle's clients go to the proxy, which replays, forwards and records.

``CassetteUse`` is what the handle keeps: it reports each replay miss once (as ``CassetteMiss``, an
``AssertionError`` naming the near miss) when the mode only replays, and ends the cassette (saving
what was recorded, stopping the proxy) when the handle closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..replay.attach import MISSES, CassetteMiss, recording_proxy, use_cassette
from ..replay.modes import RecordMode

if TYPE_CHECKING:
    from ..app import MockApp
    from ..replay.modes import ModePlan

__all__ = ["CassetteMiss", "CassetteUse", "external_cassette", "local_cassette"]


class CassetteUse:
    """A cassette in use: ``source`` is a ``CassetteSession`` (local) or a ``RecordingProxy`` (external).

    path / mode: the cassette file and the record mode in force.
    endpoint: the proxy's endpoint for an external target, else None.
    """

    def __init__(
        self,
        path: Path,
        mode: RecordMode,
        source: Any,
        plan: ModePlan,
        stack: ExitStack,
        endpoint: str | None = None,
        app: MockApp | None = None,
        bare: tuple[Any, Any] | None = None,
    ) -> None:
        self.path = path
        self.mode = mode
        self.source = source
        self.plan = plan
        self.stack = stack
        self.endpoint = endpoint
        self.reported = 0  # misses of the player already reported (or set aside)
        self.pending: list[str] = []  # misses set aside before a reset cleared the player's list
        self.on_close: list[Callable[[], None]] = []
        self.app = app  # a local cassette's app, and its (replay, pipeline) without the cassette
        self.bare = bare

    def __repr__(self) -> str:
        return f"<CassetteUse {self.path} mode={self.mode.value}>"

    @property
    def misses(self) -> list[str]:
        """Every miss of the cassette's player so far (since the last reset of a local mock)."""
        return list(self.source.misses)

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

    def take_error(self) -> CassetteMiss | None:
        """A ``CassetteMiss`` for the misses not reported yet, when the mode only replays (a recording
        mode answers misses from the generator or upstream and records them: not an error)."""
        missed = [*self.pending, *self.new_misses()]
        self.pending.clear()
        if not missed or self.plan.forward:
            return None
        lines = "\n".join(f"  - {m}" for m in missed)
        return CassetteMiss(
            MISSES.format(count=len(missed), path=self.path, mode=self.plan.mode.value, lines=lines)
        )

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """A block in which a local app answers without the cassette (neither replayed nor recorded):
        the handle's warm-up request."""
        if self.app is None or self.bare is None:
            yield
            return
        app = self.app
        current = (app.state.replay, app.pipeline)
        app.state.replay, app.pipeline = self.bare
        try:
            yield
        finally:
            app.state.replay, app.pipeline = current

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
        """End the cassette: the app gets its pipeline back and what was recorded is saved, or the
        proxy stops. Once."""
        try:
            self.stack.close()
        finally:
            while self.on_close:
                self.on_close.pop()()


def local_cassette(app: MockApp, path: Path, mode: str, speed: float = 0.0) -> CassetteUse:
    """Serve and/or record ``path`` for ``app`` until ``close()``. ``CassetteNotFound`` (a
    ``ConfigError``) when ``mode`` only replays and the file does not exist."""
    record_mode = RecordMode.parse(mode)
    bare = (app.state.replay, app.pipeline)
    stack = ExitStack()
    session = stack.enter_context(use_cassette(app, path, record_mode, speed=speed))
    return CassetteUse(Path(path), record_mode, session, session.plan, stack, app=app, bare=bare)


def external_cassette(upstream: str, path: Path, mode: str, speed: float = 0.0) -> CassetteUse:
    """A recording proxy in front of ``upstream`` for ``path`` until ``close()``; the handle's clients
    go to ``CassetteUse.endpoint``."""
    record_mode = RecordMode.parse(mode)
    stack = ExitStack()
    proxy = stack.enter_context(recording_proxy(upstream, path, record_mode, speed=speed))
    return CassetteUse(Path(path), record_mode, proxy, proxy.app.plan, stack, endpoint=proxy.endpoint)
