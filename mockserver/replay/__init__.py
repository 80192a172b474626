"""Record and replay: cassettes of real exchanges, served offline with their streams and timing.

cassette.py        the format (versioned JSON): dataclasses, loads, dumps, save
bodies.py          how bodies are kept: headers, JSON style, multipart summaries, SSE events
formats.py         load a cassette in any supported format (ours, or imported on the fly)
capture.py         wire pieces -> a scrubbed ``Interaction`` (SSE events timed)
matching.py        small explaining matchers, one facet each
player.py          find the interaction for a request; answer with JSON or paced SSE events
from_test_proxy.py Azure SDK test-proxy recordings
from_vcrpy.py      vcrpy / pytest-recording cassettes
modes.py           record modes none / once / new_episodes / all
scrub.py           what never reaches a cassette (secrets, the resource host, chosen fields)
proxy.py           the recording proxy in front of a real resource (``aoai-mock record``)
attach.py          a cassette for a test's mock (``use_cassette``) or upstream (``recording_proxy``)
commands.py        the ``record`` and ``import`` subcommands
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import load_export

if TYPE_CHECKING:
    from .cassette import (
        FORMAT,
        VERSION,
        Cassette,
        CassetteError,
        CassetteNotFound,
        Event,
        Interaction,
        Request,
        Response,
        loads,
    )
    from .formats import import_file, load
    from .from_test_proxy import import_test_proxy
    from .from_vcrpy import import_vcrpy
    from .matching import MATCHERS
    from .modes import RECORD_MODES, RecordMode
    from .options import DEFAULT_MATCH_ON
    from .player import Player

__all__ = [
    "DEFAULT_MATCH_ON",
    "FORMAT",
    "MATCHERS",
    "RECORD_MODES",
    "VERSION",
    "Cassette",
    "CassetteError",
    "CassetteNotFound",
    "Event",
    "Interaction",
    "Player",
    "RecordMode",
    "Request",
    "Response",
    "import_file",
    "import_test_proxy",
    "import_vcrpy",
    "load",
    "loads",
]

# Names load on first use: ``config`` and the plugin's options import ``replay.options`` and
# ``replay.modes``, which should not import the player (and Starlette) with them.
EXPORTS = {
    "FORMAT": "cassette",
    "VERSION": "cassette",
    "Cassette": "cassette",
    "CassetteError": "cassette",
    "CassetteNotFound": "cassette",
    "Event": "cassette",
    "Interaction": "cassette",
    "Request": "cassette",
    "Response": "cassette",
    "loads": "cassette",
    "load": "formats",
    "import_file": "formats",
    "import_test_proxy": "from_test_proxy",
    "import_vcrpy": "from_vcrpy",
    "MATCHERS": "matching",
    "RECORD_MODES": "modes",
    "RecordMode": "modes",
    "DEFAULT_MATCH_ON": "options",
    "Player": "player",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, EXPORTS, name, globals())
