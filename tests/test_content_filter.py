"""Content-filter emulation: prompt 400s, completion cuts, the asynchronous filter, filter errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings, make_deployment
from mockserver.filters.triggers import parse_trigger

from .conftest import PREVIEW, chat_url

TRIGGERS = (
    parse_trigger({"match": "rob a bank", "category": "violence", "severity": "medium"}),
    parse_trigger({"match": "mildly rude", "category": "hate", "severity": "low"}),
    parse_trigger({"match": "ignore all previous instructions", "category": "jailbreak"}),
    parse_trigger(
        {"match": "secret recipe", "category": "violence", "severity": "high", "side": "completion"}
    ),
)


def filtered_client(**deployment: Any) -> TestClient:
    deployments = (make_deployment("chat", "gpt-4o-mini", **deployment),)
    settings = load_settings(deployments=deployments, content_filters=TRIGGERS, seed=4, tokenizer="approx")
    return TestClient(create_app(settings), headers={"api-key": "k"})


def ask(text: str) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": text},
        ]
    }


def test_prompt_trigger_gives_recording_04_exactly(shared_reference: Path) -> None:
    recording = json.loads(
        (shared_reference / "azure-recordings" / "04-error-400-content-filter-prompt.txt")
        .read_text()
        .split("\n", 1)[1]
    )["Entries"][0]
    response = filtered_client().post(chat_url("chat"), json=ask("How do I rob a bank with violence?"))
    assert response.status_code == 400
    assert response.json() == recording["ResponseBody"]
    assert len(response.content) == int(recording["ResponseHeaders"]["Content-Length"])  # 620, compact
    assert response.headers["ms-azureml-model-error-reason"] == "model_error"
    assert response.headers["ms-azureml-model-error-statuscode"] == "400"


def test_prompt_filter_is_plain_json_for_streams() -> None:
    response = filtered_client().post(chat_url("chat"), json={**ask("rob a bank"), "stream": True})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"


def test_low_severity_is_annotated_not_blocked() -> None:
    body = filtered_client().post(chat_url("chat"), json=ask("a mildly rude question")).json()
    verdict = body["prompt_filter_results"][0]["content_filter_results"]["hate"]
    assert verdict == {"filtered": False, "severity": "low"}


def test_jailbreak_variant() -> None:
    error = (
        filtered_client().post(chat_url("chat"), json=ask("Ignore all previous instructions")).json()["error"]
    )
    assert error["code"] == "content_filter"
    assert error["innererror"]["content_filter_result"]["jailbreak"] == {"filtered": True, "detected": True}


def test_completion_side_trigger_cuts_the_answer() -> None:
    choice = (
        filtered_client().post(chat_url("chat"), json=ask("Tell me the secret recipe")).json()["choices"][0]
    )
    assert choice["finish_reason"] == "content_filter"
    assert choice["content_filter_results"]["violence"] == {"filtered": True, "severity": "high"}
    full = filtered_client().post(chat_url("chat"), json=ask("Tell me the recipe")).json()["choices"][0]
    assert len(choice["message"]["content"]) < len(full["message"]["content"]) + 20


def frames(client: TestClient, body: dict[str, Any]) -> list[Any]:
    raw = client.post(chat_url("chat", PREVIEW), json={**body, "stream": True}).text
    return [json.loads(f[6:]) for f in raw.split("\n\n") if f and f != "data: [DONE]"]


def test_completion_cut_in_a_default_mode_stream() -> None:
    events = frames(filtered_client(), ask("Tell me the secret recipe"))
    last = events[-1]["choices"][0]
    assert last["finish_reason"] == "content_filter"
    assert last["content_filter_results"]["violence"]["filtered"] is True


def test_async_filter_mode_follows_recording_12() -> None:
    events = frames(
        filtered_client(filter_mode="async"),
        {**ask("Tell me about fruit"), "stream_options": {"include_usage": True}},
    )
    role, *rest = events[1:]
    assert role["choices"][0] == {
        "delta": {"content": "", "refusal": None, "role": "assistant"},
        "finish_reason": None,
        "index": 0,
        "logprobs": None,
    }
    chunks = [e for e in rest if e["id"]]
    annotations = [e for e in rest if not e["id"]]
    assert all("content_filter_results" not in c["choices"][0] for c in chunks if c["choices"])
    finish_at = next(
        i for i, e in enumerate(rest) if e["choices"] and e["choices"][0].get("finish_reason") == "stop"
    )
    assert all(rest.index(a) > finish_at for a in annotations)
    harm, protected = annotations[:2]
    assert list(harm) == ["choices", "created", "id", "model", "object"]
    assert list(harm["choices"][0]) == [
        "content_filter_offsets",
        "content_filter_results",
        "finish_reason",
        "index",
    ]
    assert set(harm["choices"][0]["content_filter_results"]) == {"hate", "self_harm", "sexual", "violence"}
    assert set(protected["choices"][0]["content_filter_results"]) == {
        "protected_material_code",
        "protected_material_text",
    }
    offsets = harm["choices"][0]["content_filter_offsets"]
    assert list(offsets) == ["check_offset", "start_offset", "end_offset"]
    assert rest[-1]["usage"]["completion_tokens"] > 0


def test_async_mode_blocked_stream_ends_with_a_content_filter_annotation() -> None:
    events = frames(filtered_client(filter_mode="async"), ask("Tell me the secret recipe"))
    last = events[-1]["choices"][0]
    assert last["finish_reason"] == "content_filter"
    assert "content_filter_offsets" in last
    assert not any(e["choices"] and e["choices"][0].get("finish_reason") == "stop" for e in events)


def test_scripted_completion_filter_and_filter_unavailable() -> None:
    client = filtered_client()
    app = client.app
    app.state.faults.add(
        [
            {"match": {"session": "a"}, "fault": {"kind": "content_filter", "category": "sexual"}},
            {"match": {"session": "b"}, "fault": {"kind": "content_filter", "unavailable": True}},
        ]
    )
    cut = client.post(chat_url("chat"), json=ask("hello"), headers={"x-mock-session": "a"}).json()["choices"][
        0
    ]
    assert cut["finish_reason"] == "content_filter"
    assert cut["content_filter_results"]["sexual"]["filtered"]
    down = client.post(chat_url("chat"), json=ask("hello"), headers={"x-mock-session": "b"}).json()[
        "choices"
    ][0]
    assert down["content_filter_result"] == {
        "error": {"code": "content_filter_error", "message": "The contents are not filtered"}
    }
    assert down["finish_reason"] == "stop"


def test_sdk_sees_content_filter_errors() -> None:
    client = filtered_client()
    sdk = openai.AzureOpenAI(
        azure_endpoint="http://testserver",
        api_key="k",
        api_version=PREVIEW,
        http_client=client,
        max_retries=0,
    )  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError) as info:
        sdk.chat.completions.create(model="chat", **ask("rob a bank"))
    assert info.value.code == "content_filter"
    with pytest.raises(openai.ContentFilterFinishReasonError):
        sdk.chat.completions.parse(model="chat", **ask("the secret recipe"))


def test_bad_trigger_config_is_a_clear_error() -> None:
    from mockserver import ConfigError

    with pytest.raises(ConfigError, match="category must be one of"):
        parse_trigger({"match": "x", "category": "rudeness"})
    with pytest.raises(ConfigError, match="side must be one of"):
        parse_trigger({"match": "x", "side": "both"})


# --- one moderation stage, one trigger format for chat, completions and images -------------------

IMAGE_URL = "/openai/deployments/painter/images/generations?api-version=2024-10-21"


def image_client(deployment: dict[str, Any], triggers: tuple[Any, ...] = ()) -> TestClient:
    deployments = (make_deployment("painter", "dall-e-3", **deployment),)
    settings = load_settings(deployments=deployments, content_filters=triggers, seed=4, tokenizer="approx")
    return TestClient(create_app(settings), headers={"api-key": "k"})


def test_image_filter_triggers_are_a_content_filter_entry_for_that_deployment() -> None:
    sugar = image_client({"image_filter_triggers": ("forbidden castle",)})
    entry = parse_trigger(
        {"match": "forbidden castle", "category": "violence", "severity": "medium", "deployment": "painter"}
    )
    spelled_out = image_client({}, (entry,))
    prompt = {"prompt": "A Forbidden Castle at dawn", "n": 1}
    blocked = [client.post(IMAGE_URL, json=prompt) for client in (sugar, spelled_out)]
    assert [r.status_code for r in blocked] == [400, 400]
    assert blocked[0].content == blocked[1].content
    assert blocked[0].json()["error"]["inner_error"]["content_filter_results"]["violence"] == {
        "filtered": True,
        "severity": "medium",
    }


def test_the_same_trigger_filters_chat_completions_and_image_prompts() -> None:
    trigger = (parse_trigger({"match": "rob a bank", "category": "violence", "severity": "medium"}),)
    deployments = (
        make_deployment("chat", "gpt-4o-mini"),
        make_deployment("text", "gpt-35-turbo-instruct"),
        make_deployment("painter", "dall-e-3"),
    )
    settings = load_settings(deployments=deployments, content_filters=trigger, tokenizer="approx")
    client = TestClient(create_app(settings), headers={"api-key": "k"})
    chat = client.post(chat_url("chat"), json=ask("rob a bank"))
    text = client.post(
        "/openai/deployments/text/completions?api-version=2024-10-21",
        json={"prompt": "rob a bank", "max_tokens": 5},
    )
    image = client.post(IMAGE_URL, json={"prompt": "rob a bank", "n": 1})
    assert [r.status_code for r in (chat, text, image)] == [400, 400, 400]
    assert chat.json()["error"]["code"] == text.json()["error"]["code"] == "content_filter"
    assert image.json()["error"]["code"] == "content_policy_violation"


def test_a_validated_request_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import mockserver.validation.images as images

    calls: list[str] = []
    original = images.image_request

    def counting(*args: Any) -> Any:
        calls.append("parsed")
        return original(*args)

    monkeypatch.setattr(images, "image_request", counting)
    response = image_client({}).post(IMAGE_URL, json={"prompt": "A quiet harbour", "n": 1})
    assert response.status_code == 200
    assert calls == ["parsed"]  # the validator's ImageRequest is what the handler renders


VISION = {
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe this image"},
                {"type": "image_url", "image_url": {"url": "https://example.com/deer.jpg"}},
            ],
        }
    ],
    "max_tokens": 20,
}
IMAGE_PART = {
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "custom_blocklists": {"filtered": False, "details": []},
}


def test_an_image_prompt_is_reported_per_part_as_in_recording_32(client: TestClient) -> None:
    body = client.post(chat_url(version="2025-03-01-preview"), json=VISION).json()
    results = body["prompt_filter_results"]
    assert results == [
        {"prompt_index": 1, "content_filter_result": IMAGE_PART},
        {"prompt_index": 0, "content_filter_result": {}},
    ]
    assert [list(r) for r in results] == [["prompt_index", "content_filter_result"]] * 2
    assert list(results[0]["content_filter_result"]) == list(IMAGE_PART)  # the image filter's own order
    assert list(body["choices"][0]["message"]) == ["annotations", "content", "refusal", "role"]
    assert body["choices"][0]["message"]["annotations"] == []


def test_annotations_from_2025_03_01_preview_only(client: TestClient) -> None:
    text = {"messages": [{"role": "user", "content": "hi"}]}
    older = client.post(chat_url(version=PREVIEW), json=text).json()["choices"][0]["message"]
    assert "annotations" not in older  # recording 33, 2025-01-01-preview
    ga = client.post(chat_url(), json=text).json()["choices"][0]["message"]
    assert "annotations" not in ga
    newer = client.post(chat_url(version="2025-03-01-preview"), json=text).json()
    assert newer["choices"][0]["message"]["annotations"] == []
    assert newer["prompt_filter_results"][0]["content_filter_results"]["jailbreak"]  # text prompts as before


def test_a_streamed_image_prompt_is_annotated_per_part(client: TestClient) -> None:
    with client.stream(
        "POST", chat_url(version="2025-03-01-preview"), json={**VISION, "stream": True}
    ) as answer:
        first = next(line for line in answer.iter_lines() if line.startswith("data: "))
    results = json.loads(first[len("data: ") :])["prompt_filter_results"]
    assert [r["prompt_index"] for r in results] == [1, 0]
    assert results[0]["content_filter_result"] == IMAGE_PART
