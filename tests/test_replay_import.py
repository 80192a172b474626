"""Importers: every shared reference recording, imported, replays its recorded response body exactly;
vcrpy / pytest-recording cassettes import too (YAML through ``yaml.safe_load`` only).
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver import create_app, load_settings
from mockserver.cli import main
from mockserver.replay import CassetteError, Player, Request, import_file, import_test_proxy, load

from .replay_helpers import KEY, Answer, call, multipart, resend

# 33 files: 01-14 hold 16 entries (07 and 10 two each); 15-33 (Responses, files, batches, two Go chat
# shapes) hold 46: 15 four, 17/19/23/30 two each, 27 and 29 six each, 28 eleven, the rest one each.
RECORDED_ENTRIES = 62


def recordings(shared: Path) -> list[Path]:
    return sorted((shared / "azure-recordings").glob("*.txt"))


@pytest.mark.shared
def test_every_shared_recording_replays_its_body_exactly(shared_reference: Path) -> None:
    replayed = 0
    for path in recordings(shared_reference):
        raw = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[1])["Entries"]
        cassette = load(path)  # the test-proxy format is detected and imported
        app = create_app(load_settings(replay=(str(path),)))
        assert len(cassette.interactions) == len(raw)
        for entry, interaction in zip(raw, cassette.interactions, strict=True):
            answer = resend_recorded(app, entry, interaction.request)
            assert answer.status == entry["StatusCode"], (path.name, answer.body[:300])
            body = entry["ResponseBody"]
            if isinstance(body, list):  # a stream: the exact list of SSE events, one per chunk
                assert [c.decode() for c in answer.chunks] == body, path.name
                assert answer.headers["content-type"] == entry["ResponseHeaders"]["Content-Type"]
            elif isinstance(body, str):  # not JSON (file content, no Content-Type): base64 (README)
                assert answer.body == base64.b64decode(body), path.name
            else:
                assert answer.json() == body, path.name
            assert app.state.journal.last.notes[0].startswith(f"replayed {path.name} #")
            replayed += 1
    assert replayed == RECORDED_ENTRIES


def resend_recorded(app: Any, entry: dict[str, Any], request: Request) -> Answer:
    """The recorded request again; a multipart body the recording holds (base64, 31) is sent as
    recorded, since its file content is matched by hash and cannot be rebuilt from the summary."""
    content_type = entry["RequestHeaders"].get("Content-Type", "")
    if isinstance(entry.get("RequestBody"), str) and content_type.startswith("multipart/"):
        headers = {"api-key": KEY, "content-type": content_type}
        body = base64.b64decode(entry["RequestBody"])
        return call(app, request.method, request.path, request.query, headers, body)
    return resend(app, request)


def recording(shared: Path, number: str) -> Path:
    return next(p for p in recordings(shared) if p.name.startswith(number))


@pytest.mark.shared
def test_quirky_paths_are_kept_as_recorded_and_match_normalised(shared_reference: Path) -> None:
    double = recording(shared_reference, "04")
    request = load(double).interactions[0].request
    assert request.path == "//openai/deployments/gpt-4/chat/completions"  # kept as recorded
    encoded = load(recording(shared_reference, "05")).interactions[0].request
    assert encoded.path == "/openai/deployments/invalid%20model%20name/chat/completions"
    app = create_app(load_settings(replay=(str(double), str(recording(shared_reference, "05")))))
    request.path = "/openai/deployments/gpt-4/chat/completions"  # the single-slash form matches too
    assert resend(app, request).status == 400
    encoded.path = "/openai/deployments/invalid model name/chat/completions"  # decoded by the client
    assert resend(app, encoded).status == 404
    assert resend(app, encoded).json()["error"]["code"] == "DeploymentNotFound"


@pytest.mark.shared
def test_recording_09_matches_any_file_but_not_other_text_fields(shared_reference: Path) -> None:
    path = recording(shared_reference, "09")
    interaction = load(path).interactions[0]
    assert interaction.request.kind == "form"
    assert interaction.request.body["file"] == {
        "filename": "testdata/sampledata_audiofiles_myVoiceIsMyPassportVerifyMe01.m4a",
        "content_type": "application/octet-stream",
    }
    assert interaction.request.body["temperature"] == "0.000000"
    assert "file elided" in (interaction.note or "")
    app = create_app(load_settings(replay=(str(path),)))
    for audio in (b"one", b"another file"):
        content_type, body = multipart(interaction.request.body, audio)
        answer = call(
            app,
            "POST",
            interaction.request.path,
            interaction.request.query,
            {"api-key": "k", "content-type": content_type},
            body,
        )
        assert answer.status == 200
        assert answer.json()["text"].startswith("My voice is my passport")
    other = {**interaction.request.body, "language": "fr"}
    content_type, body = multipart(other)
    answer = call(
        app,
        "POST",
        interaction.request.path,
        interaction.request.query,
        {"api-key": "k", "content-type": content_type},
        body,
    )
    assert answer.status == 404
    assert "language: recorded 'en', got 'fr'" in answer.json()["error"]["message"]


@pytest.mark.shared
def test_recording_12_excerpt_marker_is_kept_verbatim_or_dropped_on_request(shared_reference: Path) -> None:
    path = recording(shared_reference, "12")
    kept = load(path).interactions[0]
    assert any(e.raw.startswith("<<< EXCERPT") for e in kept.response.events)
    assert "not SSE events" in (kept.note or "")
    dropped = import_file(path, drop_non_events=True).interactions[0]
    assert len(dropped.response.events) == len(kept.response.events) - 1
    assert all(e.raw.startswith("data: ") for e in dropped.response.events)


@pytest.mark.shared
def test_recording_07_keeps_azure_pretty_printing(shared_reference: Path) -> None:
    path = recording(shared_reference, "07")
    interactions = load(path).interactions
    assert [i.response.json_style for i in interactions] == ["pretty+lf", "pretty+lf"]
    answer = resend(create_app(load_settings(replay=(str(path),))), interactions[0].request)
    entry = json.loads(path.read_text().split("\n", 1)[1])["Entries"][0]
    assert len(answer.body) == int(entry["ResponseHeaders"]["Content-Length"])  # byte-exact length


@pytest.mark.shared
def test_import_command_writes_one_cassette_from_many(
    shared_reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [str(p) for p in recordings(shared_reference)]
    out = tmp_path / "all.json"
    assert main(["import", *sources, "--cassette", str(out)]) == 0
    assert f"{RECORDED_ENTRIES} interaction(s)" in capsys.readouterr().out
    cassette = load(out)
    assert len(cassette.interactions) == RECORDED_ENTRIES
    assert cassette.meta["imported_from"][0]["format"] == "azure-test-proxy"
    assert cassette.meta["imported_from"][0]["source"].startswith("source: Azure/azure-sdk-assets")


# --- synthetic recordings (no ../shared needed) ------------------------------------------------


def test_test_proxy_base64_multipart_body_is_summarised_with_file_hashes() -> None:
    content_type, body = multipart(
        {"model": "whisper", "file": {"filename": "a.wav", "content_type": "audio/wav"}}, b"RIFF...."
    )
    recording = {
        "Entries": [
            {
                "RequestUri": "https://Sanitized.openai.azure.com/openai/deployments/whisper/audio/transcriptions"
                "?api-version=2024-10-21",
                "RequestMethod": "POST",
                "RequestHeaders": {"Content-Type": content_type},
                "RequestBody": base64.b64encode(body).decode(),
                "StatusCode": 200,
                "ResponseHeaders": {"Content-Type": "text/plain"},
                "ResponseBody": "hello",
            }
        ]
    }
    interaction = import_test_proxy(json.dumps(recording)).interactions[0]
    assert interaction.request.body["model"] == "whisper"
    assert interaction.request.body["file"]["size"] == 8
    assert len(interaction.request.body["file"]["sha256"]) == 64
    assert interaction.response.kind == "text"


VCR_YAML = """\
interactions:
- request:
    body: '{"messages": [{"role": "user", "content": "hi"}], "model": "gpt-4o"}'
    headers:
      api-key:
      - real-secret
      Content-Type:
      - application/json
    method: POST
    uri: https://myres.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21
  response:
    body:
      string: !!binary |
        {gzipped}
    headers:
      Content-Encoding:
      - gzip
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
- request:
    body: '{"messages": [{"role": "user", "content": "hi"}], "model": "gpt-4o", "stream": true}'
    headers: {}
    method: POST
    uri: https://myres.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21
  response:
    body:
      string: "data: {\\"a\\":1}\\n\\ndata: [DONE]\\n\\n"
    headers:
      Content-Type:
      - text/event-stream
    status:
      code: 200
      message: OK
version: 1
"""


def vcr_file(tmp_path: Path) -> Path:
    body = gzip.compress(json.dumps({"object": "chat.completion", "id": "x"}, separators=(",", ":")).encode())
    path = tmp_path / "test_chat.yaml"
    path.write_text(VCR_YAML.replace("{gzipped}", base64.b64encode(body).decode()))
    return path


def test_vcrpy_yaml_cassette_imports_and_replays(tmp_path: Path) -> None:
    pytest.importorskip("yaml", reason="PyYAML (the vcr extra) is not installed")
    path = vcr_file(tmp_path)
    cassette = load(path)
    assert cassette.meta["imported_from"] == "vcrpy"
    first, second = cassette.interactions
    assert first.response.body == {"object": "chat.completion", "id": "x"}  # gzip decoded
    assert "Content-Encoding" not in first.response.headers
    assert [e.raw for e in second.response.events] == ['data: {"a":1}\n\n', "data: [DONE]\n\n"]
    app = create_app(load_settings(replay=(str(path),)))
    assert resend(app, first.request).json() == {"object": "chat.completion", "id": "x"}
    assert resend(app, second.request).chunks == [b'data: {"a":1}\n\n', b"data: [DONE]\n\n"]


def test_vcrpy_json_serializer_and_old_httpx_layout(tmp_path: Path) -> None:
    data = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://x.openai.azure.com/openai/deployments/e/embeddings?api-version=2024-10-21",
                    "body": json.dumps({"input": "a"}),
                    "headers": {},
                },
                "response": {
                    "status_code": 200,
                    "headers": {"content-type": ["application/json"]},
                    "content": json.dumps({"data": []}, separators=(",", ":")),
                },
            }
        ],
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    (interaction,) = load(path).interactions
    assert interaction.response.kind == "json"
    assert interaction.response.body == {"data": []}
    assert interaction.request.body == {"input": "a"}
    data["interactions"][0]["response"]["content"] = '{"data":  []}'  # unusual spacing: kept byte for byte
    path.write_text(json.dumps(data))
    (interaction,) = load(path).interactions
    assert (interaction.response.kind, interaction.response.body) == ("text", '{"data":  []}')


def test_unsafe_yaml_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("yaml", reason="PyYAML (the vcr extra) is not installed")
    path = tmp_path / "evil.yaml"
    path.write_text("interactions: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(CassetteError, match="unsafe tags"):
        load(path)


@pytest.mark.shared
def test_player_from_foreign_paths_counts_every_entry(shared_reference: Path) -> None:
    player = Player.from_paths(recordings(shared_reference))
    assert len(player.entries) == RECORDED_ENTRIES
