"""Parity: replay the requests of the reference recordings to the mock and compare structure.

Each recorded exchange (``../shared/reference/azure-recordings``) is replayed with its method,
path, query, headers (auth swapped for a credential the mock accepts, except on the 401
recording, which replays the recorded one) and body, first in-process, then a subset against a
live ``aoai-mock serve`` for the real HTTP framing. ``tests/shapes.py`` compares the answers:
status, headers, keys and key order, value types, SSE event kinds.

The recordings are the truth. Where they disagree with each other the mock follows the newest
one, and the older recordings' differences are listed in ``KNOWN_DIFFERENCES`` with the
reason; an allowance that no longer matches anything fails too, so the list cannot go stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from conformance import shapes
from conformance.contract import rendering_problems
from conformance.recordings import load_entries
from mockserver import Settings, create_app, load_settings, make_deployment

from .conftest import LiveServer

PARITY_KEY = "parity-key"
# A JWT-shaped stand-in for the Entra token of the Bearer recordings on the classic surface (10).
ENTRA_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzIn0.c2ln"
AUTH_HEADERS = frozenset({"api-key", "authorization"})
DROPPED_REQUEST_HEADERS = AUTH_HEADERS | {"content-length", "host", "connection"}


@dataclass(frozen=True)
class Exchange:
    """One recorded exchange: recording number, entry index, what it covers."""

    id: str
    recording: str
    entry: int
    what: str


EXCHANGES = (
    Exchange("01", "01", 0, "chat, gpt-4, JSON"),
    Exchange("02", "02", 0, "chat stream, gpt-4, classic"),
    Exchange("03", "03", 0, "chat stream on /openai/v1, Bearer"),
    Exchange("05", "05", 0, "404 DeploymentNotFound"),
    Exchange("06", "06", 0, "401 invalid key on a stream request"),
    Exchange("07-base64", "07", 0, "embeddings base64, dimensions=1"),
    Exchange("07-float", "07", 1, "embeddings float, dimensions=1"),
    Exchange("10-unsupported", "10", 1, "400 OperationNotSupported (images on a chat deployment)"),
    Exchange("11", "11", 0, "chat stream, include_usage + logprobs, GA 2024-10-21"),
    Exchange("13", "13", 0, "legacy completions"),
    Exchange("14", "14", 0, "chat stream, tool_choice required, streamed tool-call deltas"),
)
BY_ID = {exchange.id: exchange for exchange in EXCHANGES}
# The live subset: every stream (chunked framing) and one of each JSON kind.
LIVE_IDS = ("02", "03", "11", "14", "01", "07-float", "13", "05", "06")

# Deployments named as in the recordings, bound to the model each recording's response shows
# (azure-wire §5.2: responses carry the underlying model, not the deployment name).
PARITY_DEPLOYMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "gpt-4-0613": ("gpt-4", {}),  # 01, 02: "model":"gpt-4", system_fingerprint null
    # 03: v1 "model":"gpt-4" is served by gpt-4-turbo-2024-04-09 (response model, fp_ fingerprint)
    "gpt-4": ("gpt-4", {"version": "turbo-2024-04-09", "response_model": "gpt-4-turbo-2024-04-09"}),
    "gpt-4o-0806": ("gpt-4o", {}),  # 11, 14: "model":"gpt-4o-2024-08-06"
    "gpt-35-turbo-0613": ("gpt-35-turbo", {}),  # 06: exists, so the 401 is about the key alone
    "gpt-4-1106-preview": ("gpt-4", {}),  # 10 entry 2: the message names the model "gpt-4"
}
# text-embedding-3-small (07) and gpt-35-turbo-instruct (13) are built-in deployments.

# Differences the mock keeps on purpose, per exchange, each with its reason. Exact lines only.
NEWER_LIMIT_HEADERS = (
    "Azure added x-ms-deployment-name and x-ratelimit-limit-* in 2025: present in recordings 12 "
    "(Apr 2025) and 03 (Nov 2025, the newest), absent from 01/02 (Feb 2025) and 11/14 (Dec 2024)"
)
NO_JAILBREAK = (
    "prompt results carry jailbreak in 11, 12, 14 and in the newest recording 03 (Nov 2025); the "
    "Feb 2025 Go recordings 01, 02, 13 predate it on that resource"
)
DOTNET_HEADERS = (
    "the .NET recordings 11 and 14 lack Access-Control-Allow-Origin and Cache-Control, which 01, 02 "
    "and the newest 03 carry (azure-wire §4.2: service or recorder, unknown)"
)
DOTNET_CHARSET = (
    "11 and 14 (Dec 2024) send 'text/event-stream; charset=utf-8'; 02 and the newest 03 (Nov 2025) send "
    "'text/event-stream', which the mock follows (azure-wire §4.1)"
)
LIMIT_LINES = (
    "header x-ms-deployment-name: unexpected",
    "header x-ratelimit-limit-requests: unexpected",
    "header x-ratelimit-limit-tokens: unexpected",
)
DOTNET_LINES = ("header access-control-allow-origin: unexpected", "header cache-control: unexpected")
JAILBREAK = "prompt_filter_results[0].content_filter_results.jailbreak: unexpected"
DOTNET_SSE_TYPE = (
    "header content-type: value differs (recorded 'text/event-stream; charset=utf-8', "
    "mock 'text/event-stream')"
)

KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "01": {**dict.fromkeys(LIMIT_LINES, NEWER_LIMIT_HEADERS), JAILBREAK: NO_JAILBREAK},
    "02": {**dict.fromkeys(LIMIT_LINES, NEWER_LIMIT_HEADERS), f"event[annotation] {JAILBREAK}": NO_JAILBREAK},
    "11": {
        **dict.fromkeys(LIMIT_LINES, NEWER_LIMIT_HEADERS),
        **dict.fromkeys(DOTNET_LINES, DOTNET_HEADERS),
        DOTNET_SSE_TYPE: DOTNET_CHARSET,
    },
    "13": {JAILBREAK: NO_JAILBREAK},
    "14": {
        **dict.fromkeys(LIMIT_LINES, NEWER_LIMIT_HEADERS),
        **dict.fromkeys(DOTNET_LINES, DOTNET_HEADERS),
        DOTNET_SSE_TYPE: DOTNET_CHARSET,
    },
}


# --- recordings and requests ----------------------------------------------------------------


def load_entry(exchange: Exchange) -> dict[str, Any]:
    """The recorded entry, read as the conformance suite reads it (one loader for the recordings;
    this harness replays each request with its own recorded headers, under ``shapes.STRICT``, where
    ``conformance.recordings`` sends the recorded body to any target with that target's credentials)."""
    return dict(load_entries(exchange.recording)[exchange.entry])


@dataclass(frozen=True)
class Replay:
    method: str
    target: str  # path and query, still URL-encoded (recording 05: invalid%20model%20name)
    headers: dict[str, str]
    body: bytes


def replay_request(entry: dict[str, Any]) -> Replay:
    uri = urlsplit(entry["RequestUri"])
    target = uri.path + (f"?{uri.query}" if uri.query else "")
    recorded = entry["RequestHeaders"]
    headers = {k: v for k, v in recorded.items() if k.lower() not in DROPPED_REQUEST_HEADERS}
    headers.update(credential(recorded, uri.path, entry["StatusCode"]))
    return Replay(entry["RequestMethod"], target, headers, json.dumps(entry["RequestBody"]).encode())


def credential(recorded: dict[str, str], path: str, status: int) -> dict[str, str]:
    """The recorded auth header with a value the mock accepts; the 401 recording keeps its own."""
    name = next(k for k in recorded if k.lower() in AUTH_HEADERS)
    if status == 401:
        return {name: recorded[name]}  # 06: the recorder's "redacted" is not an accepted key
    if name.lower() == "api-key":
        return {name: PARITY_KEY}
    # Bearer: the resource key on /openai/v1 (03), an Entra-shaped token on the classic surface (10)
    return {name: f"Bearer {PARITY_KEY if path.startswith('/openai/v1/') else ENTRA_TOKEN}"}


def parity_settings() -> Settings:
    base = load_settings(seed=5, freeze_time=1_750_000_000.0, tokenizer="bpe")
    extra = tuple(
        make_deployment(name, model, **fields) for name, (model, fields) in PARITY_DEPLOYMENTS.items()
    )
    return base.with_changes(deployments=base.deployments + extra, keys=frozenset({PARITY_KEY}))


def parity_toml() -> str:
    lines = ["[server]", f'keys = ["{PARITY_KEY}"]', "seed = 5", ""]
    for name, (model, fields) in PARITY_DEPLOYMENTS.items():
        lines += ["[[deployments]]", f'name = "{name}"', f'model = "{model}"']
        lines += [f'{key} = "{value}"' for key, value in fields.items()]
        lines.append("")
    return "\n".join(lines)


# --- comparison -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def differences(entry: dict[str, Any], answer: Answer) -> list[str]:
    problems = []
    if answer.status != entry["StatusCode"]:
        problems.append(f"status: recorded {entry['StatusCode']}, mock {answer.status}")
    problems += shapes.compare_headers(entry["ResponseHeaders"], answer.headers)
    recorded = entry["ResponseBody"]
    if isinstance(recorded, list):
        problems += shapes.framing_problems(recorded, "recorded")  # the reference itself must be sound
        problems += shapes.compare_streams(recorded, shapes.split_events(answer.text))
        return problems
    try:
        body = json.loads(answer.text)
    except ValueError:
        return [*problems, f"body: not JSON: {answer.text[:80]!r}"]
    problems += shapes.compare(recorded, body)
    problems += rendering_problems(entry, answer.text, body)
    return problems


def judge(exchange_id: str, problems: list[str]) -> list[str]:
    """Problems left after the known differences, plus allowances that matched nothing."""
    allowed = KNOWN_DIFFERENCES.get(exchange_id, {})
    left = [p for p in problems if p not in allowed]
    left += [f"allowance no longer needed: {line}" for line in allowed if line not in problems]
    return left


def ask_in_process(client: TestClient, replay: Replay) -> Answer:
    response = client.request(replay.method, replay.target, headers=replay.headers, content=replay.body)
    return Answer(response.status_code, dict(response.headers), response.text)


# --- fixtures -------------------------------------------------------------------------------


@dataclass
class Figures:
    """Matches per transport, for the summary line."""

    results: dict[str, dict[str, list[str]]]

    def line(self, transport: str) -> str:
        outcome = self.results.get(transport, {})
        matched = sum(1 for problems in outcome.values() if not problems)
        return f"parity ({transport}): {matched} of {len(outcome)} recorded exchanges match"


FIGURES = Figures({})


class SummaryPlugin:
    """Adds the parity figures to pytest's terminal summary."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for transport in FIGURES.results:
            terminalreporter.write_line(FIGURES.line(transport))


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("parity-summary"):
        manager.register(SummaryPlugin(), "parity-summary")


@pytest.fixture(scope="module")
def in_process_results(shared_reference: Path) -> dict[str, list[str]]:
    """Every exchange replayed in-process once; per-exchange tests read their own line."""
    client = TestClient(create_app(parity_settings()))
    results: dict[str, list[str]] = {}
    for exchange in EXCHANGES:
        entry = load_entry(exchange)
        try:
            results[exchange.id] = judge(
                exchange.id, differences(entry, ask_in_process(client, replay_request(entry)))
            )
        except Exception as exc:  # one broken exchange must not hide the others' results
            results[exchange.id] = [f"replay failed: {exc!r}"]
    FIGURES.results["in-process"] = results
    return results


@pytest.fixture(scope="module")
def parity_server(shared_reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    config = tmp_path_factory.mktemp("parity") / "parity.toml"
    config.write_text(parity_toml(), encoding="utf-8")
    server = LiveServer("--config", str(config), "--tokenizer", "bpe")
    yield server
    server.stop()


# --- tests ----------------------------------------------------------------------------------

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("exchange_id", [e.id for e in EXCHANGES])
def test_exchange_matches_recording(exchange_id: str, in_process_results: dict[str, list[str]]) -> None:
    problems = in_process_results[exchange_id]
    assert not problems, f"{exchange_id} ({BY_ID[exchange_id].what}) differs:\n  " + "\n  ".join(problems)


def test_parity_figure(in_process_results: dict[str, list[str]]) -> None:
    line = FIGURES.line("in-process")
    print(line)
    assert len(in_process_results) == len(EXCHANGES)
    assert all(not problems for problems in in_process_results.values()), line


def test_known_differences_name_replayed_exchanges() -> None:
    assert set(KNOWN_DIFFERENCES) <= set(BY_ID), "an allowance names an exchange that is not replayed"
    assert all(reason for lines in KNOWN_DIFFERENCES.values() for reason in lines.values())


@pytest.mark.live
@pytest.mark.parametrize("exchange_id", LIVE_IDS)
def test_live_exchange_matches_recording(exchange_id: str, parity_server: LiveServer) -> None:
    """Over real HTTP: the same comparison, plus chunked framing for streams and lengths for JSON."""
    entry = load_entry(BY_ID[exchange_id])
    replay = replay_request(entry)
    with (
        httpx.Client(base_url=parity_server.endpoint, timeout=10) as http,
        http.stream(replay.method, replay.target, headers=replay.headers, content=replay.body) as response,
    ):
        raw = b"".join(response.iter_raw())
        answer = Answer(response.status_code, dict(response.headers), raw.decode())
    problems = judge(exchange_id, differences(entry, answer)) + transport_problems(entry, response, raw)
    FIGURES.results.setdefault("live", {})[exchange_id] = problems
    assert not problems, f"{exchange_id} over HTTP differs:\n  " + "\n  ".join(problems)


def transport_problems(entry: dict[str, Any], response: httpx.Response, raw: bytes) -> list[str]:
    """Streams are chunked without Content-Length; JSON carries a Content-Length (azure-wire §6.1, §4.2)."""
    recorded = {k.lower(): v for k, v in entry["ResponseHeaders"].items()}
    chunked = response.headers.get("transfer-encoding") == "chunked"
    problems = []
    if recorded.get("transfer-encoding") == "chunked" and not chunked:
        problems.append("framing: the recording is chunked, the mock is not")
    if "content-length" in recorded and response.headers.get("content-length") != str(len(raw)):
        problems.append(
            f"framing: Content-Length {response.headers.get('content-length')} for {len(raw)} bytes"
        )
    if "content-length" not in recorded and "content-length" in response.headers:
        problems.append("framing: the mock sends Content-Length on a stream")
    return problems


# --- the comparator itself ------------------------------------------------------------------


def test_compare_names_each_difference_by_path() -> None:
    recorded = {
        "choices": [{"delta": {"content": "", "role": "assistant"}, "index": 0}],
        "created": 1,
        "usage": {"completion_tokens": 1, "prompt_tokens": 2},
    }
    mock = {
        "choices": [{"delta": {"content": "x"}, "index": 1}],
        "created": "1",
        "usage": {"prompt_tokens": 2, "completion_tokens": 1},
        "extra": None,
    }
    assert shapes.compare(recorded, mock) == [
        "extra: unexpected",
        "choices[0].delta.role: missing",
        "choices[0].delta.content: emptiness differs (recorded '', mock 'x')",
        "choices[0].index: value differs (recorded 0, mock 1)",
        "created: type differs (recorded int, mock str)",
        "usage: key order differs (recorded completion_tokens, prompt_tokens; "
        "mock prompt_tokens, completion_tokens)",
    ]
    # volatile values (ids, text, numbers, token bytes) are compared by type only
    assert shapes.compare({"id": "a", "n": 1.5, "bytes": [1, 2]}, {"id": "b", "n": 2.5, "bytes": [3]}) == []
    assert shapes.compare({"embedding": [1.0]}, {"embedding": [1.0, 2.0]}) == [
        "embedding: length differs (recorded 1, mock 2)"
    ]


def test_compare_streams_by_event_kind() -> None:
    def events(*payloads: Any) -> list[str]:
        return [f"data: {p if p == shapes.DONE else shapes.compact(p)}\n\n" for p in payloads]

    annotation = {"choices": [], "created": 0, "id": "", "prompt_filter_results": []}
    role = {"choices": [{"delta": {"content": "", "role": "assistant"}, "finish_reason": None}], "id": "c"}
    text = {"choices": [{"delta": {"content": "hi"}, "finish_reason": None}], "id": "c"}
    finish = {"choices": [{"delta": {}, "finish_reason": "stop"}], "id": "c"}
    recorded = events(annotation, role, text, text, finish, shapes.DONE)
    assert shapes.compare_streams(recorded, events(annotation, role, text, finish, shapes.DONE)) == []
    bad_text = {"choices": [{"delta": {"content": "hi"}, "finish_reason": None}], "id": "c", "usage": None}
    assert shapes.compare_streams(recorded, events(annotation, bad_text, bad_text, finish)) == [
        "events: sequence differs (recorded annotation, role, content+, finish, done; "
        "mock annotation, content+, finish)",
        "event[content] usage: unexpected",
    ]
    assert shapes.compare_streams(recorded, ['data: {"id": "c"}\n\n'])[0].startswith(
        "mock event 0: not 'data: <compact json>"
    )


def test_compare_headers_by_name_case_insensitively() -> None:
    recorded = {
        "X-Request-ID": "b273931d-0946-46a0-b603-7758626ddc5e",
        "x-ms-client-request-id": "Sanitized",
        "Date": "Tue, 04 Feb 2025",
        "x-ratelimit-remaining-tokens": "6688",
        "x-ms-rai-invoked": "true",
    }
    mock = {
        "x-request-id": "not-a-uuid",
        "X-MS-CLIENT-REQUEST-ID": "anything",
        "x-ratelimit-remaining-tokens": "n",
        "x-ms-rai-invoked": "false",
        "x-extra": "1",
    }
    assert shapes.compare_headers(recorded, mock) == [
        "header x-extra: unexpected",
        "header x-ms-rai-invoked: value differs (recorded 'true', mock 'false')",
        "header x-ratelimit-remaining-tokens: not an integer like the recording ('n')",
        "header x-request-id: not a UUID like the recording ('not-a-uuid')",
    ]


def test_allowances_must_still_be_needed() -> None:
    assert judge("13", [JAILBREAK, "status: recorded 200, mock 500"]) == ["status: recorded 200, mock 500"]
    assert judge("13", []) == [f"allowance no longer needed: {JAILBREAK}"]
