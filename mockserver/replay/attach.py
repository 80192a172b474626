"""Cassettes for the pytest plugin: ``@pytest.mark.aoai(cassette="name")`` with vcrpy-style record modes.

The plugin calls three things (nothing here imports pytest):

``cassette_path(name, test_file)``
    Where a marker's cassette lives: ``<test dir>/cassettes/<name>.json`` (an absolute path, or one
    with a suffix such as ``.yaml`` / ``.txt`` for foreign formats, is taken as given).

``use_cassette(app, path, mode)`` -> context manager yielding a ``CassetteSession``
    For a mock this process owns (``aoai_mock`` in-process, or ``aoai_server``: both have a
    ``MockApp``). Replaying sets ``app.state.replay`` (the pipeline's ``replay`` stage serves it).
    "Recording" in-process means recording what the mock itself answered (there is no real upstream):
    ``app.pipeline`` is wrapped for the duration by ``CaptureApp``, which keeps every exchange the
    cassette did not answer. On exit the previous player and pipeline come back and, if anything was
    recorded, the cassette is saved. ``session.check()`` raises ``CassetteMiss`` (an
    ``AssertionError``) naming every unmatched request and its near miss.

``recording_proxy(upstream, path, mode)`` -> context manager yielding a ``RecordingProxy``
    For an external target (``--aoai-mode external`` against real Azure): a ``RecorderApp`` on
    127.0.0.1 and a free port in front of ``upstream``; point the test's clients at
    ``proxy.endpoint``. This is the same proxy as ``aoai-mock record``.

Record modes (``replay.modes``): none (default: replay only; a missing cassette is an error),
once, new_episodes, all. The command-line option should pass its value through
``RecordMode.parse`` (a ``ConfigError`` lists the valid values; turn it into ``pytest.UsageError``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..http import read_all
from ..types import Message, Receive, Scope, Send
from .capture import InteractionBuilder, request_from_wire
from .cassette import Cassette, CassetteNotFound, Interaction
from .formats import load
from .modes import RECORD_MODES, ModePlan, RecordMode, plan
from .options import DEFAULT_MATCH_ON
from .scrub import Scrubber

if TYPE_CHECKING:
    from ..app import MockApp
    from .player import Player
    from .proxy import RecorderApp

__all__ = [
    "RECORD_MODES",
    "CaptureApp",
    "CassetteMiss",
    "CassetteSession",
    "RecordMode",
    "RecordingProxy",
    "cassette_path",
    "recording_proxy",
    "use_cassette",
]

DEFAULT_DIRECTORY = "cassettes"
NO_CASSETTE = (
    "cassette {path} does not exist and record mode '{mode}' only replays; record it first "
    "(record mode 'once' or 'new_episodes'), or fix the name"
)
MISSES = "{count} request(s) had no recorded answer in cassette {path} (record mode '{mode}'):\n{lines}"


class CassetteMiss(AssertionError):
    """Requests that a replay-only cassette could not answer (each with its near miss)."""


def cassette_path(name: str, test_file: str | Path, directory: str = DEFAULT_DIRECTORY) -> Path:
    """``<test dir>/<directory>/<name>.json``; absolute names and names with a suffix are kept."""
    path = Path(name)
    if not path.suffix:
        path = path.with_suffix(".json")
    if path.is_absolute():
        return path
    return Path(test_file).parent / directory / path


@dataclass
class CassetteSession:
    """What ``use_cassette`` yields: the cassette, the mode's plan, the player, what was recorded."""

    path: Path
    plan: ModePlan
    cassette: Cassette
    player: Player | None = None
    recorded: list[Interaction] = field(default_factory=list)

    @property
    def misses(self) -> list[str]:
        return list(self.player.misses) if self.player is not None else []

    def keep(self, interaction: Interaction) -> None:
        self.recorded.append(interaction)
        self.cassette.append(interaction)

    def save(self) -> Path | None:
        """Write the cassette if anything was recorded (vcrpy writes only new interactions too)."""
        return self.cassette.save(self.path) if self.recorded else None

    def check(self) -> None:
        """Raise ``CassetteMiss`` when a replay-only cassette missed requests."""
        misses = self.misses
        if misses and not self.plan.forward:
            lines = "\n".join(f"  - {m}" for m in misses)
            raise CassetteMiss(
                MISSES.format(count=len(misses), path=self.path, mode=self.plan.mode.value, lines=lines)
            )


@contextmanager
def use_cassette(
    app: MockApp,
    path: str | Path,
    mode: str | RecordMode = RecordMode.NONE,
    *,
    speed: float = 0.0,
    match_on: Sequence[str] = DEFAULT_MATCH_ON,
    body_fields: Sequence[str] = (),
) -> Iterator[CassetteSession]:
    """Serve and/or record ``path`` for ``app`` while the block runs (see the module docstring).

    app: the test's ``MockApp`` (``handle.backend.app`` for a local handle).
    mode: none | once | new_episodes | all.
    speed: replay timing factor (0: at once; 1: as recorded; only a live server shows the pacing).
    match_on: the facets compared (``replay.matching.MATCHERS``).
    body_fields: dotted JSON paths scrubbed to ``Sanitized`` in what is recorded.
    """
    from .player import Player

    path = Path(path)
    steps = plan(mode, path)
    if not steps.forward and not path.is_file():
        raise CassetteNotFound(NO_CASSETTE.format(path=path, mode=steps.mode.value))
    existing = load(path) if path.is_file() and (steps.replay or steps.keep_existing) else None
    scrubber = Scrubber(body_fields=tuple(body_fields))
    cassette = Cassette(
        list(existing.interactions) if existing and steps.keep_existing else [],
        session_meta(existing, scrubber),
        path,
    )
    player = (
        Player([existing], speed=speed, fallthrough=steps.forward, match_on=match_on)
        if steps.replay and existing is not None
        else None
    )
    session = CassetteSession(path, steps, cassette, player)
    previous_player, previous_pipeline = app.state.replay, app.pipeline
    app.state.replay = player
    if steps.record:
        app.pipeline = cast(Any, CaptureApp(previous_pipeline, session.keep, scrubber))
    try:
        yield session
    finally:
        app.state.replay, app.pipeline = previous_player, previous_pipeline
        session.save()


def session_meta(existing: Cassette | None, scrubber: Scrubber) -> dict[str, Any]:
    from .proxy import cassette_meta

    meta = cassette_meta(existing, scrubber)
    meta["upstream"] = "in-process aoai-mockserver (what the mock answered)"
    return meta


class CaptureApp:
    """ASGI middleware recording what ``app`` answers (skipping what the cassette replayed)."""

    def __init__(self, app: Any, sink: Callable[[Interaction], None], scrubber: Scrubber) -> None:
        self.app = app
        self.sink = sink
        self.scrubber = scrubber

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_all(receive)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        scrubber = Scrubber(host=headers.get("host") or None, body_fields=self.scrubber.body_fields)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        request = request_from_wire(
            scope["method"],
            raw_path,
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            body,
            scrubber,
        )
        builder = InteractionBuilder(request, scrubber)
        started = time.perf_counter()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
                builder.start(message["status"], pairs, time.perf_counter() - started)
            elif message["type"] == "http.response.body":
                builder.chunk(message.get("body", b""), time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, replay_body(body, receive), capture)
        finally:
            if builder.status and not scope.get("aoai.replayed"):
                self.sink(builder.finish())


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then defers to the real one (disconnects)."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


@dataclass
class RecordingProxy:
    """A running recording proxy: ``endpoint`` for clients; ``app`` is the ``RecorderApp``."""

    endpoint: str
    app: RecorderApp

    @property
    def misses(self) -> list[str]:
        return list(self.app.player.misses) if self.app.player is not None else []

    def check(self) -> None:
        if self.misses and not self.app.plan.forward:
            lines = "\n".join(f"  - {m}" for m in self.misses)
            raise CassetteMiss(
                MISSES.format(
                    count=len(self.misses), path=self.app.path, mode=self.app.plan.mode.value, lines=lines
                )
            )


@contextmanager
def recording_proxy(
    upstream: str, path: str | Path, mode: str | RecordMode = RecordMode.NONE, **options: Any
) -> Iterator[RecordingProxy]:
    """A ``RecorderApp`` in front of ``upstream`` on 127.0.0.1 and a free port, for the block.

    options: ``RecorderApp`` keyword arguments (``speed``, ``match_on``, ``scrubber``, ``credentials``).
    """
    from ..server import ServerThread
    from .proxy import RecorderApp

    path = Path(path)
    steps = plan(mode, path)
    if not steps.forward and not path.is_file():
        raise CassetteNotFound(NO_CASSETTE.format(path=path, mode=steps.mode.value))
    app = RecorderApp(upstream, path, mode=steps.mode.value, **options)
    thread = ServerThread(app).start()
    try:
        yield RecordingProxy(thread.endpoint, app)
    finally:
        thread.stop()
