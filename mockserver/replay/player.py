"""Serve recorded exchanges: find the interaction for a request, answer with its JSON or SSE events.

``Player.lookup`` matches a request against every loaded interaction (``matching``). Identical
requests recorded several times (a retry sequence: 429, 429, 200) are answered in recorded order;
once all are used, the last one repeats (noted in the journal). A miss explains itself: the
closest recorded request and every facet that differed.

Timing: ``speed`` scales the recorded delays. 0 answers at once; 1 waits as recorded (the headers
at ``response.t``, each SSE event at its ``t``, measured from when the request arrived); 0.5 plays
twice as fast, 2 half as fast. Events are sent one per ASGI message, so the recorded chunk
boundaries reach the client.

The player knows nothing of the server: ``mockserver.pipeline.replay`` is the pipeline's ``replay``
stage that asks it, and the recording proxy asks it too.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import Response as HttpResponse
from starlette.responses import StreamingResponse

from ..errors import AzureError
from .bodies import kept_headers, render_json
from .cassette import Cassette, Event, Interaction, Request, Response
from .cursor import Cursor, Miss, ReplayCursor
from .formats import load
from .matching import RequestView, explain, view
from .options import DEFAULT_MATCH_ON, check_match_on, valid_speed
from .scrub import Scrubber

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["Hit", "Miss", "Player", "ReplayCursor", "Replayed", "replay_miss"]

MISS = "aoai-mock replay: no recorded exchange matches {request}. {detail}"
CLOSEST = "Closest: {cassette} #{index} ({recorded}), which differs in {reasons}."
EMPTY = "The cassette(s) {names} hold no exchanges."
EXHAUSTED = "All {count} recorded answers to it were already replayed (repeats are off)."
REPLAYED = "replayed {cassette} #{index}"
REPEATED = "replayed {cassette} #{index} again (all {count} recorded answers to this request were used)"


def replay_miss(message: str) -> AzureError:
    """An unmatched request: Azure's gateway envelope (recording 05's shape) carrying the near miss."""
    return AzureError(404, {"error": {"code": "ReplayMiss", "message": message}}, family="gateway")


@dataclass(frozen=True)
class Entry:
    cassette: str
    index: int  # 1-based within its cassette, as a reader counts
    interaction: Interaction
    view: RequestView
    scrubber: Scrubber


@dataclass(frozen=True)
class Hit:
    entry: Entry
    note: str


@dataclass(frozen=True)
class Replayed:
    """The recorded answer a request gets (``Call.replayed``); the pipeline sends it after the
    faults stage."""

    player: Player
    interaction: Interaction

    def response(self, start: float) -> HttpResponse:
        return self.player.response(self.interaction, start)


class Player:
    """Recorded interactions from one or more cassettes, served in order.

    speed: factor applied to recorded delays (0 = no waiting, 1 = as recorded).
    fallthrough: unmatched requests go on to the generator instead of a 404 ``ReplayMiss``.
    match_on: the facets compared (``matching.MATCHERS``).
    allow_repeats: after the recorded answers to a request are used up, repeat the last one.
    """

    def __init__(
        self,
        cassettes: Sequence[Cassette],
        *,
        speed: float = 0.0,
        fallthrough: bool = False,
        match_on: Sequence[str] = DEFAULT_MATCH_ON,
        allow_repeats: bool = True,
    ) -> None:
        if not valid_speed(speed):
            raise ValueError(f"replay speed must be 0 or more, got {speed}")
        self.cassettes = list(cassettes)
        self.speed = float(speed)
        self.fallthrough = fallthrough
        self.match_on = check_match_on(match_on)
        self.allow_repeats = allow_repeats
        self.entries = [entry for cassette in self.cassettes for entry in entries_of(cassette)]
        self.cursor: Cursor = ReplayCursor()  # what it remembers between requests (MockState may share it)
        self.lock = threading.Lock()

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path], **options: Any) -> Player:
        return cls([load(p) for p in paths], **options)

    @classmethod
    def from_settings(cls, settings: Settings) -> Player:
        return cls.from_paths(
            settings.replay,
            speed=settings.replay_speed,
            fallthrough=settings.replay_fallthrough,
            match_on=settings.replay_match_on,
        )

    @property
    def misses(self) -> list[str]:
        """The messages of the misses since the last rewind, in order."""
        return [miss.message for miss in self.cursor.missed]

    def rewind(self) -> None:
        """Every recorded answer is available again (``POST /_mock/reset``)."""
        with self.lock:
            self.cursor.reset()

    def stats(self) -> dict[str, Any]:
        """What was replayed and what missed since the last rewind (``GET /_mock/replay``)."""
        with self.lock:
            hits = self.cursor.hits  # one read (a shared cursor's is a round trip)
            interactions = [
                {
                    "cassette": e.cassette,
                    "index": e.index,
                    "request": e.view.describe(),
                    "status": e.interaction.response.status,
                    "hits": hits.get(position, 0),
                }
                for position, e in enumerate(self.entries)
            ]
            misses = [
                {"request": m.request, "message": m.message, "closest": m.closest} for m in self.cursor.missed
            ]
        return {
            "cassettes": [{"name": c.name, "interactions": len(c.interactions)} for c in self.cassettes],
            "speed": self.speed,
            "fallthrough": self.fallthrough,
            "match_on": list(self.match_on),
            "hits": sum(i["hits"] for i in interactions),
            "misses": misses,
            "interactions": interactions,
        }

    def lookup(self, request: Request) -> Hit | Miss:
        """The interaction for ``request`` (an incoming request, not yet scrubbed), or why there is none."""
        matches, closest, incoming = self.candidates(request)
        return self.pick(matches, closest, incoming, self.cursor.take_now(matches, self.allow_repeats))

    async def lookup_shared(self, request: Request) -> Hit | Miss:
        """``lookup`` for the pipeline: the cursor may be a shared store (``stores``), awaited."""
        matches, closest, incoming = self.candidates(request)
        return self.pick(matches, closest, incoming, await self.cursor.take(matches, self.allow_repeats))

    def candidates(self, request: Request) -> tuple[list[int], tuple[int, list[str]] | None, RequestView]:
        matches: list[int] = []
        closest: tuple[int, list[str]] | None = None  # position, reasons: fewest failing facets
        views: dict[Scrubber, RequestView] = {}  # the incoming request as each cassette scrubs it
        for position, entry in enumerate(self.entries):
            if entry.scrubber not in views:
                views[entry.scrubber] = scrubbed(request, entry.scrubber)
            reasons = explain(entry.view, views[entry.scrubber], self.match_on)
            if not reasons:
                matches.append(position)
            elif closest is None or len(reasons) < len(closest[1]):
                closest = (position, reasons)
        return matches, closest, view(request)

    def pick(
        self,
        matches: list[int],
        closest: tuple[int, list[str]] | None,
        incoming: RequestView,
        taken: tuple[int, bool] | None,
    ) -> Hit | Miss:
        if taken is not None:
            entry = self.entries[taken[0]]
            if taken[1]:
                return Hit(entry, REPLAYED.format(cassette=entry.cassette, index=entry.index))
            return Hit(entry, REPEATED.format(cassette=entry.cassette, index=entry.index, count=len(matches)))
        near: dict[str, Any] | None = None
        if matches:
            detail = EXHAUSTED.format(count=len(matches))
        elif closest is None:
            detail = EMPTY.format(names=", ".join(c.name for c in self.cassettes) or "(none)")
        else:
            entry = self.entries[closest[0]]
            near = {
                "cassette": entry.cassette,
                "index": entry.index,
                "recorded": entry.view.describe(),
                "differs": closest[1],
            }
            detail = CLOSEST.format(
                cassette=entry.cassette,
                index=entry.index,
                recorded=entry.view.describe(),
                reasons="; ".join(closest[1]),
            )
        message = MISS.format(request=incoming.describe(), detail=detail)
        miss = Miss(message, incoming.describe(), near)
        self.cursor.missed.append(miss)
        return miss

    # --- answering ---------------------------------------------------------------------------

    def delay(self, t: float | None, start: float) -> float:
        """Seconds to wait so that something recorded at ``t`` happens at ``start + t * speed``."""
        if t is None or self.speed == 0:
            return 0.0
        return max(0.0, start + t * self.speed - time.monotonic())

    def response(self, interaction: Interaction, start: float) -> HttpResponse:
        """The recorded response as a Starlette response; a stream paces its events by ``speed``."""
        recorded = interaction.response
        headers = kept_headers(recorded.headers)
        if recorded.kind == "events":
            return StreamingResponse(
                self.events(recorded.events, start), status_code=recorded.status, headers=headers
            )
        if recorded.chunked:  # no Content-Length: the server sends it chunked, as recorded
            chunks = iter([body_bytes(recorded)])
            return StreamingResponse(chunks, status_code=recorded.status, headers=headers)
        return HttpResponse(body_bytes(recorded), status_code=recorded.status, headers=headers)

    async def events(self, events: list[Event], start: float) -> AsyncIterator[bytes]:
        for event in events:
            wait = self.delay(event.t, start)
            if wait > 0:
                await asyncio.sleep(wait)
            yield event.raw.encode("utf-8")


def entries_of(cassette: Cassette) -> list[Entry]:
    settings = cassette.meta.get("scrub") or {}
    scrubber = Scrubber(body_fields=tuple(settings.get("body_fields") or ()))
    return [
        Entry(cassette.name, index, item, scrubbed(item.request, scrubber), scrubber)
        for index, item in enumerate(cassette.interactions, start=1)
    ]


def scrubbed(request: Request, scrubber: Scrubber) -> RequestView:
    """The view of ``request`` after the cassette's scrubbing, so sanitized fields still match."""
    body = scrubber.json(request.body) if request.kind == "json" else request.body
    return view(Request(request.method, request.path, scrubber.query(request.query), {}, request.kind, body))


def body_bytes(response: Response) -> bytes:
    if response.kind == "json":
        return render_json(response.body, response.json_style).encode("utf-8")
    if response.kind == "base64":
        return base64.b64decode(response.body)
    return str(response.body).encode("utf-8")
