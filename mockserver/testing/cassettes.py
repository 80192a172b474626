"""A handle's cassette: ``@pytest.mark.aoai(cassette=...)`` with the record modes none / once /
new_episodes / all (``mockserver.replay.attach`` does the work).

* A local handle (in-process, or an app on the session server) attaches the cassette to its own
  app for the test with ``use_cassette``: replayed answers come from the cassette, "recorded" ones
  are what the mock answered.
* An external handle gets a ``recording_proxy`` in front of the target (a real Azure resource, or a
  shared mock): the handle's clients go to the proxy, which replays, forwards and records.

The handle keeps the ``CassetteUse``: it reports each replay miss once (as ``CassetteMiss``, an
``AssertionError`` naming the near miss) when the mode only replays, and ends the cassette (saving
what was recorded, stopping the proxy) when the handle closes.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from ..replay.attach import recording_proxy, use_cassette
from ..replay.use import CassetteMiss, CassetteUse
from .backends import LocalBackend, RemoteBackend
from .spec import MockSpec

if TYPE_CHECKING:
    from ..app import MockApp

__all__ = ["CassetteMethods", "CassetteMiss", "CassetteUse", "external_cassette", "local_cassette"]


def local_cassette(app: MockApp, path: Path, mode: str, speed: float = 0.0) -> CassetteUse:
    """Serve and/or record ``path`` for ``app`` until ``close()``. ``CassetteNotFound`` (a
    ``ConfigError``) when ``mode`` only replays and the file does not exist."""
    stack = ExitStack()
    use = stack.enter_context(use_cassette(app, path, mode, speed=speed))
    use.stack = stack
    return use


def external_cassette(
    upstream: str, path: Path, mode: str, speed: float = 0.0, tls: Any = None
) -> CassetteUse:
    """A recording proxy in front of ``upstream`` for ``path`` until ``close()`` (on https with ``tls``);
    the handle's clients go to ``CassetteUse.endpoint``."""
    stack = ExitStack()
    use = stack.enter_context(recording_proxy(upstream, path, mode, tls=tls, speed=speed))
    use.stack = stack
    return use


class CassetteMethods:
    """``MockAzure``'s cassette methods; the handle provides the attributes annotated here."""

    backend: LocalBackend | RemoteBackend
    cassette: CassetteUse | None
    spec: MockSpec

    def close(self) -> None:
        raise NotImplementedError

    def with_spec_cassette(self, default_mode: str = "none") -> Self:
        """The handle using its spec's cassette (``record_mode`` or ``default_mode``); closed if that
        fails."""
        path = self.spec.cassette_file()
        if path is None:
            return self
        try:
            self.use_cassette(path, self.spec.record_mode or default_mode, self.spec.replay_speed or 0.0)
        except BaseException:
            self.close()
            raise
        return self

    def check_cassette(self) -> None:
        """Raise a ``CassetteMiss`` for the cassette misses not reported yet (the plugin calls this when
        the test body ends, so a miss fails the test even if the code under test swallowed the 404)."""
        missed = self.cassette.take_error() if self.cassette is not None else None
        if missed is not None:
            raise missed

    def use_cassette(self, path: str | Path, mode: str = "none", speed: float = 0.0) -> CassetteUse:
        """Replay and/or record ``path`` until the handle closes (a local mock: this process's app).
        ``CassetteNotFound`` when ``mode`` only replays and ``path`` does not exist."""
        if not isinstance(self.backend, LocalBackend):
            raise TypeError(
                "use_cassette needs a mock of this process; an external target gets its cassette "
                "through a recording proxy (see mockserver.testing.cassettes.external_cassette)"
            )
        if self.cassette is not None:
            raise RuntimeError(f"this handle already uses {self.cassette.path}")
        self.cassette = local_cassette(self.backend.app, Path(path), mode, speed)
        return self.cassette
