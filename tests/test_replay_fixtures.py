"""Our example cassette (fixtures/cassettes/example-session.json): it replays, and it is reproducible."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver import create_app, load_settings
from mockserver.replay import load

from .replay_helpers import resend

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cassettes"
EXAMPLE = FIXTURES / "example-session.json"


def test_example_cassette_replays_every_exchange() -> None:
    """Each answer against the cassette's own text: events as recorded, a ``text`` body to the byte,
    a ``json`` body as the JSON it holds, serialised the way ``json_style`` says (the standard
    library's compact or 2-space form, not the player's renderer)."""
    cassette = load(EXAMPLE)
    recorded = json.loads(EXAMPLE.read_text(encoding="utf-8"))["interactions"]
    app = create_app(load_settings(replay=(str(EXAMPLE),)))
    statuses, bodies = [], []
    for interaction, raw in zip(cassette.interactions, recorded, strict=True):
        answer = resend(app, interaction.request)
        statuses.append(answer.status)
        bodies.append(answer.body)
        response = raw["response"]
        if "events" in response:
            assert [c.decode() for c in answer.chunks] == [
                f"data: {e['data']}\n\n" for e in response["events"]
            ]
        elif "text" in response:
            assert answer.body == response["text"].encode()
        else:
            assert json.loads(answer.body) == response["json"]
            style = response.get("json_style", "compact")
            expected = (
                json.dumps(response["json"], indent=2, ensure_ascii=False)
                if style.startswith("pretty")
                else json.dumps(response["json"], separators=(",", ":"), ensure_ascii=False)
            ) + ("\n" if style.endswith("+lf") else "")
            assert answer.body == expected.encode()
    assert statuses == [200, 429, 200, 200, 200, 200]
    assert bodies[1].startswith(b'{"error":{"code":"429","message": "Requests to the ')  # APIM spacing
    assert [e.notes for e in app.state.journal.calls][1:3] == [
        ["replayed example-session.json #2"],
        ["replayed example-session.json #3"],
    ]


def outline(path: Path) -> list[Any]:
    """The requests exactly; the responses by shape (generated ids and text follow the generator)."""
    data = json.loads(path.read_text())
    return [
        (
            item["request"],
            item["response"]["status"],
            sorted(item["response"]["headers"]),
            [k for k in item["response"] if k not in ("status", "headers", "t")],
            len(item["response"].get("events", ())),
        )
        for item in data["interactions"]
    ]


@pytest.mark.live
def test_example_cassette_is_reproducible(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_example", FIXTURES / "make_example.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.record_example(tmp_path / "again.json")
    assert outline(fresh) == outline(EXAMPLE)
    events = [e["t"] for e in json.loads(fresh.read_text())["interactions"][3]["response"]["events"]]
    assert events[1] >= 0.24  # the recorded time to first token
