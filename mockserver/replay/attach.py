"""Cassettes in tests: ``use_cassette`` for a mock of this process, ``recording_proxy`` in front of
an external target (``@pytest.mark.aoai(cassette="name")`` uses both; nothing here imports pytest).

``cassette_path(name, test_file)``
    Where a marker's cassette lives: ``<test dir>/cassettes/<name>.json`` (an absolute path, or one
    with a suffix such as ``.yaml`` / ``.txt`` for foreign formats, is taken as given).

``use_cassette(app, path, mode)`` -> context manager yielding a ``CassetteUse``
    For a mock this process owns (``aoai_mock`` in-process, or ``aoai_server``: both have a
    ``MockApp``). It sets the app's one cassette slot (``app.cassette``, ``replay.slot``): the
    pipeline's ``replay`` stage serves the cassette, and "recording" in-process means recording
    what the mock itself answered (there is no real upstream), every exchange the cassette did not
    answer. On exit the previous slot comes back and, if anything was recorded, the cassette is
    saved. ``use.check()`` raises ``CassetteMiss`` (an ``AssertionError``) naming every unmatched
    request and its near miss.

``recording_proxy(upstream, path, mode)`` -> context manager yielding a ``CassetteUse``
    For an external target (``--aoai-mode external`` against real Azure): a ``RecorderApp`` on
    127.0.0.1 and a free port in front of ``upstream``; point the test's clients at
    ``use.endpoint``. This is the same proxy as ``aoai-mock record``.

Record modes (``replay.modes``): none (default: replay only; a missing cassette is an error),
once, new_episodes, all. The command-line option should pass its value through
``RecordMode.parse`` (a ``ConfigError`` lists the valid values; turn it into ``pytest.UsageError``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .modes import RECORD_MODES, RecordMode
from .options import DEFAULT_MATCH_ON
from .scrub import Scrubber
from .slot import CassetteSlot
from .use import CassetteMiss, CassetteUse, open_cassette

if TYPE_CHECKING:
    from ..app import MockApp

__all__ = [
    "RECORD_MODES",
    "CassetteMiss",
    "CassetteUse",
    "RecordMode",
    "cassette_path",
    "recording_proxy",
    "use_cassette",
]

DEFAULT_DIRECTORY = "cassettes"
IN_PROCESS = "in-process aoai-mockserver (what the mock answered)"


def cassette_path(name: str, test_file: str | Path, directory: str = DEFAULT_DIRECTORY) -> Path:
    """``<test dir>/<directory>/<name>.json``; absolute names and names with a suffix are kept."""
    path = Path(name)
    if not path.suffix:
        path = path.with_suffix(".json")
    if path.is_absolute():
        return path
    return Path(test_file).parent / directory / path


@contextmanager
def use_cassette(
    app: MockApp,
    path: str | Path,
    mode: str | RecordMode = RecordMode.NONE,
    *,
    speed: float = 0.0,
    match_on: Sequence[str] = DEFAULT_MATCH_ON,
    body_fields: Sequence[str] = (),
) -> Iterator[CassetteUse]:
    """Serve and/or record ``path`` for ``app`` while the block runs (see the module docstring).

    app: the test's ``MockApp`` (``handle.app`` for a local handle).
    mode: none | once | new_episodes | all.
    speed: replay timing factor (0: at once; 1: as recorded; only a live server shows the pacing).
    match_on: the facets compared (``replay.matching.MATCHERS``).
    body_fields: dotted JSON paths scrubbed to ``Sanitized`` in what is recorded.
    """
    fields = tuple(body_fields)
    use = open_cassette(
        path, mode, scrubber=Scrubber(body_fields=fields), speed=speed, match_on=match_on, upstream=IN_PROCESS
    )
    use.app, use.previous = app, app.cassette
    app.cassette = CassetteSlot(use.player, use.keep if use.plan.record else None, fields)
    try:
        yield use
    finally:
        app.cassette = use.previous
        use.save()


@contextmanager
def recording_proxy(
    upstream: str, path: str | Path, mode: str | RecordMode = RecordMode.NONE, tls: Any = None, **options: Any
) -> Iterator[CassetteUse]:
    """A ``RecorderApp`` in front of ``upstream`` on 127.0.0.1 and a free port, for the block (https
    with ``tls``, a ``mockserver.tls.ServerTLS``).

    options: ``RecorderApp`` keyword arguments (``speed``, ``match_on``, ``scrubber``, ``credentials``).
    """
    from ..server import ServerThread
    from .proxy import RecorderApp

    app = RecorderApp(upstream, path, mode=RecordMode.parse(mode).value, **options)
    thread = ServerThread(app, tls=tls).start()
    app.use.endpoint = thread.endpoint
    try:
        yield app.use
    finally:
        thread.stop()
