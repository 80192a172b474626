"""Global Batch on the mock's clock: lifecycle, input validation, lines through the pipeline, output files."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.batch import inputs
from mockserver.state import MockState

from .conftest import KEY

VERSION = "2025-01-01-preview"  # recording 28
NOW = 1_750_000_000.0
RECORDED_KEYS = [  # recording 28, every batch body
    "cancelled_at",
    "cancelling_at",
    "completed_at",
    "completion_window",
    "created_at",
    "error_file_id",
    "expired_at",
    "expires_at",
    "failed_at",
    "finalizing_at",
    "id",
    "in_progress_at",
    "input_file_id",
    "errors",
    "metadata",
    "object",
    "output_file_id",
    "request_counts",
    "status",
    "endpoint",
]


def settings(**overrides: Any) -> Any:
    return load_settings(seed=5, freeze_time=NOW, **overrides)


@pytest.fixture
def http() -> TestClient:
    return TestClient(create_app(settings()), headers={"api-key": KEY})


def line(
    custom_id: str,
    content: str = "Hello",
    model: str = "gpt-4o-mini",
    url: str = "/chat/completions",
    **body: Any,
) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": url,
        "body": {"model": model, "messages": [{"role": "user", "content": content}], **body},
    }


def jsonl(*items: Any) -> bytes:
    return b"".join(
        (item if isinstance(item, bytes) else json.dumps(item).encode()) + b"\n" for item in items
    )


def upload(http: TestClient, content: bytes, name: str = "input.jsonl", purpose: str = "batch") -> str:
    response = http.post(
        f"/openai/files?api-version={VERSION}", data={"purpose": purpose}, files={"file": (name, content)}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def create(http: TestClient, content: bytes, **body: Any) -> dict[str, Any]:
    request = {
        "input_file_id": upload(http, content),
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        **body,
    }
    response = http.post(f"/openai/batches?api-version={VERSION}", json=request)
    assert response.status_code == 200, response.text
    return dict(response.json())


def get(http: TestClient, batch_id: str) -> dict[str, Any]:
    response = http.get(f"/openai/batches/{batch_id}?api-version={VERSION}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def advance(http: TestClient, seconds: float) -> None:
    assert http.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200


def content(http: TestClient, file_id: str) -> bytes:
    response = http.get(f"/openai/files/{file_id}/content?api-version={VERSION}")
    assert response.status_code == 200
    return response.content


def run_to_end(http: TestClient, batch_id: str) -> dict[str, Any]:
    for _ in range(10):
        batch = get(http, batch_id)
        if batch["status"] in ("completed", "failed", "cancelled", "expired"):
            return batch
        advance(http, 1.0)
    raise AssertionError(f"batch still {batch['status']}")


def test_the_lifecycle_follows_the_clock_as_recorded(http: TestClient) -> None:
    created = create(http, jsonl(line("request-1"), line("request-2")))
    assert list(created) == RECORDED_KEYS
    assert created["status"] == "validating"
    assert created["endpoint"] == "/chat/completions"
    assert created["request_counts"] == {"total": 0, "completed": 0, "failed": 0}
    assert created["output_file_id"] == ""
    assert created["error_file_id"] == ""
    assert created["created_at"] == int(NOW)
    assert created["expires_at"] == int(NOW) + 86_400
    assert created["id"].startswith("batch_")
    batch_id = created["id"]
    assert get(http, batch_id)["status"] == "validating"  # frozen: nothing moves until advanced
    advance(http, 0.5)
    halfway = get(http, batch_id)
    assert halfway["status"] == "validating"
    assert halfway["request_counts"]["total"] == 2
    advance(http, 0.5)
    running = get(http, batch_id)
    assert running["status"] == "in_progress"
    assert running["in_progress_at"] == int(NOW) + 1
    assert running["request_counts"] == {"total": 2, "completed": 2, "failed": 0}
    advance(http, 1.0)
    finalizing = get(http, batch_id)
    assert finalizing["status"] == "finalizing"
    assert finalizing["finalizing_at"] == int(NOW) + 2
    assert finalizing["output_file_id"] == ""
    advance(http, 1.0)
    done = get(http, batch_id)
    assert list(done) == RECORDED_KEYS
    assert done["status"] == "completed"
    assert done["completed_at"] == int(NOW) + 3
    assert done["output_file_id"].startswith("file-")
    assert done["error_file_id"].startswith("file-")
    assert [done[k] for k in ("cancelled_at", "cancelling_at", "expired_at", "failed_at", "errors")] == [
        None
    ] * 5


def test_batch_answers_are_indented_json_with_the_batch_service_headers(http: TestClient) -> None:
    response = http.post(
        f"/openai/batches?api-version={VERSION}",
        json={
            "input_file_id": upload(http, jsonl(line("a"))),
            "endpoint": "/chat/completions",
            "completion_window": "24h",
            "metadata": {"job": "nightly"},
        },
    )
    assert response.text == json.dumps(response.json(), indent=2)  # Content-Length of recording 28
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    for name in (
        "apim-request-id",
        "mise-correlation-id",
        "request-context",
        "vary",
        "x-aml-cluster",
        "x-ms-response-type",
        "x-request-time",
        "deployment-enqueued-tokens",
        "deployment-maximum-enqueued-tokens",
    ):
        assert name in response.headers, name
    assert response.json()["metadata"] == {"job": "nightly"}
    polled = http.get(f"/openai/batches/{response.json()['id']}?api-version={VERSION}")
    assert "deployment-enqueued-tokens" not in polled.headers  # create only


def test_the_output_file_has_the_recorded_line_form_not_in_input_order(http: TestClient) -> None:
    batch = create(http, jsonl(*(line(f"request-{n}", f"Question {n}") for n in range(1, 6))))
    done = run_to_end(http, batch["id"])
    raw = content(http, done["output_file_id"])
    rows = raw.decode().splitlines()
    assert raw.endswith(b"\n")
    assert len(rows) == 5
    parsed = [json.loads(row) for row in rows]
    assert [p["custom_id"] for p in parsed] != [f"request-{n}" for n in range(1, 6)]
    assert sorted(p["custom_id"] for p in parsed) == [f"request-{n}" for n in range(1, 6)]
    for row, item in zip(rows, parsed, strict=True):
        assert row == json.dumps(item)  # Python separators, as recorded
        assert list(item) == ["custom_id", "response", "error"]
        assert item["error"] is None
        assert list(item["response"]) == ["body", "request_id", "status_code"]
        assert item["response"]["status_code"] == 200
        assert list(item["response"]["body"]) == [
            "choices",
            "created",
            "id",
            "model",
            "object",
            "prompt_filter_results",
            "system_fingerprint",
            "usage",
        ]
    journal = http.get("/_mock/requests?operation=chat.completions").json()["requests"]
    by_custom_id = {e["custom_id"]: e for e in journal}
    assert {e["batch_id"] for e in journal} == {batch["id"]}
    for item in parsed:  # each line's request_id is the apim-request-id its request got
        assert item["response"]["request_id"] == by_custom_id[item["custom_id"]]["request_id"]
    assert content(http, done["error_file_id"]) == b""  # the error file exists even when empty


def test_the_same_batch_gives_the_same_output_bytes() -> None:
    outputs = []
    for _ in range(2):
        http = TestClient(create_app(settings()), headers={"api-key": KEY})
        done = run_to_end(http, create(http, jsonl(*(line(f"r{n}", f"Q {n}") for n in range(30))))["id"])
        outputs.append(content(http, done["output_file_id"]))
    assert outputs[0] == outputs[1]


def test_a_line_answered_with_an_error_goes_to_the_error_file(http: TestClient) -> None:
    batch = create(http, jsonl(line("ok-1"), line("bad", max_tokens="lots"), line("ok-2")))
    done = run_to_end(http, batch["id"])
    assert done["request_counts"] == {"total": 3, "completed": 2, "failed": 1}
    (error,) = [json.loads(row) for row in content(http, done["error_file_id"]).splitlines()]
    assert error["custom_id"] == "bad"
    assert error["error"] is None
    assert error["response"]["status_code"] == 400
    assert error["response"]["body"]["error"]["param"] == "max_tokens"
    assert sorted(json.loads(r)["custom_id"] for r in content(http, done["output_file_id"]).splitlines()) == [
        "ok-1",
        "ok-2",
    ]


def test_a_fault_rule_fails_chosen_lines_only(http: TestClient) -> None:
    batch = create(http, jsonl(*(line(f"r{n}") for n in range(4))))
    http.post(
        "/_mock/faults",
        json={
            "match": {"batch_id": batch["id"], "custom_id": "r2"},
            "fault": {"status": 429, "retry_after": 3},
        },
    )
    http.post("/_mock/faults", json={"match": {"batch": True, "custom_id": "r3"}, "fault": {"status": 500}})
    online = http.post(
        f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={VERSION}",
        json={"messages": [{"role": "user", "content": "Hello"}]},
    )
    assert online.status_code == 200  # batch rules leave online requests alone
    done = run_to_end(http, batch["id"])
    assert done["request_counts"] == {"total": 4, "completed": 2, "failed": 2}
    errors = {
        json.loads(r)["custom_id"]: json.loads(r) for r in content(http, done["error_file_id"]).splitlines()
    }
    assert errors["r2"]["response"]["status_code"] == 429  # a scripted 429 fails the line: not retried
    assert errors["r2"]["response"]["body"]["error"]["code"] == "429"
    assert errors["r3"]["response"]["status_code"] == 500
    faults = [
        e["fault"] for e in http.get("/_mock/requests").json()["requests"] if e["custom_id"] in ("r2", "r3")
    ]
    assert all(faults)


def test_content_filters_apply_to_lines() -> None:
    config = {"content_filters": [{"match": "forbidden", "category": "violence", "severity": "medium"}]}
    from mockserver.config import apply_mapping

    app = create_app(apply_mapping(settings(), config))
    http = TestClient(app, headers={"api-key": KEY})
    batch = create(http, jsonl(line("clean"), line("blocked", "something forbidden here")))
    http.post(
        "/_mock/faults",
        json={
            "match": {"batch": True, "custom_id": "clean"},
            "fault": {"kind": "content_filter", "category": "hate", "severity": "high"},
        },
    )
    done = run_to_end(http, batch["id"])
    (error,) = [json.loads(r) for r in content(http, done["error_file_id"]).splitlines()]
    assert error["custom_id"] == "blocked"
    assert error["response"]["status_code"] == 400
    assert error["response"]["body"]["error"]["code"] == "content_filter"  # the prompt filter (recording 04)
    (output,) = [json.loads(r) for r in content(http, done["output_file_id"]).splitlines()]
    choice = output["response"]["body"]["choices"][0]
    assert choice["finish_reason"] == "content_filter"  # the completion filter: a 200 with the verdict
    assert choice["content_filter_results"]["hate"] == {"filtered": True, "severity": "high"}


def test_a_transport_fault_on_a_line_gives_it_an_error_object(http: TestClient) -> None:
    batch = create(http, jsonl(line("cut"), line("fine")))
    http.post(
        "/_mock/faults", json={"match": {"custom_id": "cut", "batch": True}, "fault": {"kind": "reset"}}
    )
    done = run_to_end(http, batch["id"])
    (error,) = [json.loads(r) for r in content(http, done["error_file_id"]).splitlines()]
    assert error["response"] is None
    assert error["error"]["code"] == "server_error"


def test_canned_replies_answer_lines(http: TestClient) -> None:
    from mockserver.config import parse_canned

    app = http.app
    state = app.state  # type: ignore[attr-defined]
    state.settings = state.settings.with_changes(canned=(parse_canned({"match": "ping", "content": "pong"}),))
    done = run_to_end(http, create(http, jsonl(line("p", "ping")))["id"])
    (output,) = [json.loads(r) for r in content(http, done["output_file_id"]).splitlines()]
    assert output["response"]["body"]["choices"][0]["message"]["content"] == "pong"


def test_lines_have_a_quota_apart_from_online_calls(http: TestClient) -> None:
    def remaining() -> int:
        response = http.post(
            f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={VERSION}",
            json={"messages": [{"role": "user", "content": "x"}]},
        )
        return int(response.headers["x-ratelimit-remaining-requests"])

    before = remaining()
    run_to_end(http, create(http, jsonl(*(line(f"r{n}") for n in range(5))))["id"])
    assert before - remaining() == 1  # Global Batch has its own quota: online calls are not disturbed


def test_the_rate_limiter_paces_lines_instead_of_failing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from mockserver.batch import lines
    from mockserver.config import apply_mapping

    monkeypatch.setattr(lines, "THROTTLE_WAIT", 0.02)
    config = {
        "deployments": [{"name": "slow", "model": "gpt-4o-mini", "rpm": 6}]
    }  # 1 request per 10 s window
    app = create_app(apply_mapping(settings(), config))
    http = TestClient(app, headers={"api-key": KEY})
    batch = create(http, jsonl(line("first", model="slow"), line("second", model="slow")))
    advance(http, 1)
    polled: dict[str, Any] = {}
    poll = threading.Thread(target=lambda: polled.update(get(http, batch["id"])))
    poll.start()  # runs the lines: the second one is throttled and waits for the window
    time.sleep(0.3)
    app.state.clock.advance(10)  # the limiter's window is on the mock's clock: the wait ends
    poll.join(10)
    assert polled["request_counts"] == {"total": 2, "completed": 2, "failed": 0}  # paced, not failed
    statuses = [
        e["status"] for e in http.get("/_mock/requests?operation=chat.completions").json()["requests"]
    ]
    assert statuses.count(200) == 2
    assert 429 in statuses


def test_a_throttled_line_waits_and_is_sent_again() -> None:
    from mockserver.batch import lines

    class Flaky:
        """An app whose first answer is the rate limiter's 429 (no fault), then a 200."""

        def __init__(self) -> None:
            self.calls = 0

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            self.calls += 1
            scope["aoai.batch"]["call"] = type("C", (), {"fault": None})()
            status = 429 if self.calls == 1 else 200
            await send(
                {"type": "http.response.start", "status": status, "headers": [(b"apim-request-id", b"id")]}
            )
            await send({"type": "http.response.body", "body": b'{"ok": true}'})

    app = Flaky()
    record = {"id": "batch_x", "operation": "chat.completions", "surface": "v1", "api_version": None}
    outcome = asyncio.run(lines.run(app, record, line("x")))
    assert app.calls == 2
    assert outcome.ok


@pytest.mark.parametrize(
    ("file", "code", "line_number"),
    [
        (jsonl(line("a"), b"{not json", line("b")), "invalid_json_line", "2"),
        (jsonl(line("a"), line("a")), "duplicate_custom_id", "2"),
        (jsonl(line("a"), line("b", url="/embeddings")), "url_mismatch", "2"),
        (jsonl(line("a"), line("b", model="gpt-4o")), "model_mismatch", "2"),
        (jsonl(line("a", model="no-such-deployment")), "model_not_found", None),
        (jsonl(line("a", model="text-embedding-3-small")), "invalid_request", None),
        (
            jsonl({"custom_id": "a", "method": "GET", "url": "/chat/completions", "body": {}}),
            "invalid_request",
            "1",
        ),
        (b"\n\n", "empty_file", None),
    ],
)
def test_an_input_file_azure_rejects_fails_the_batch(
    http: TestClient, file: bytes, code: str, line_number: str | None
) -> None:
    done = run_to_end(http, create(http, file)["id"])
    assert done["status"] == "failed"
    assert done["failed_at"] == int(NOW) + 1
    assert done["output_file_id"] is None
    assert done["error_file_id"] is None
    assert done["errors"]["object"] == "list"
    (error,) = done["errors"]["data"]
    assert error["code"] == code
    assert error["message"] == inputs.MESSAGES[code]
    assert error.get("line") == line_number


def test_a_utf8_bom_gets_the_documented_generic_message(http: TestClient) -> None:
    done = run_to_end(http, create(http, b"\xef\xbb\xbf" + jsonl(line("a")))["id"])
    assert done["status"] == "failed"
    assert done["errors"]["data"][0]["message"].startswith(
        "Validation failed: A valid model deployment name couldn't be extracted from the input file."
    )


def test_more_than_100000_lines_is_too_many_tasks(http: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_TASKS", 3)
    done = run_to_end(http, create(http, jsonl(*(line(f"r{n}") for n in range(4))))["id"])
    assert done["errors"]["data"][0]["code"] == "too_many_tasks"


def test_cancel_while_validating_is_recording_29(http: TestClient) -> None:
    batch = create(http, jsonl(line("request-1"), line("request-2")))
    advance(http, 0.5)
    response = http.post(
        f"/openai/batches/{batch['id']}/cancel?api-version={VERSION}", headers={"content-length": "0"}
    )
    assert response.status_code == 200
    cancelling = response.json()
    assert list(cancelling) == RECORDED_KEYS
    assert cancelling["status"] == "cancelling"
    assert cancelling["cancelling_at"] == int(NOW)
    assert cancelling["output_file_id"] == ""
    assert cancelling["in_progress_at"] is None
    assert get(http, batch["id"])["status"] == "cancelling"
    advance(http, 1.0)
    cancelled = get(http, batch["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] == int(NOW) + 1
    assert cancelled["output_file_id"] is None
    assert cancelled["error_file_id"] is None
    assert cancelled["request_counts"] == {"total": 2, "completed": 0, "failed": 0}
    again = http.post(f"/openai/batches/{batch['id']}/cancel?api-version={VERSION}")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "unexpectedEntityState"


def test_cancel_keeps_the_lines_already_done(http: TestClient) -> None:
    batch = create(http, jsonl(*(line(f"r{n}") for n in range(250))))
    advance(http, 1.0)
    http.get(f"/openai/batches?api-version={VERSION}")  # a listing runs one window of lines
    cancelled_now = http.post(f"/openai/batches/{batch['id']}/cancel?api-version={VERSION}").json()
    assert cancelled_now["status"] == "cancelling"
    advance(http, 1.0)
    done = get(http, batch["id"])
    assert done["status"] == "cancelled"
    assert done["in_progress_at"] == int(NOW) + 1
    assert done["request_counts"] == {"total": 250, "completed": 100, "failed": 0}
    assert len(content(http, done["output_file_id"]).splitlines()) == 100
    assert content(http, done["error_file_id"]) == b""


def test_a_batch_not_done_in_24_hours_expires(http: TestClient) -> None:
    batch = create(http, jsonl(line("a")))
    advance(http, 86_400)
    expired = get(http, batch["id"])
    assert expired["status"] == "expired"
    assert expired["expired_at"] == batch["expires_at"]
    assert expired["output_file_id"] is None


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"completion_window": "48h"}, 400, "Supported values are: '24h'"),
        (
            {"endpoint": "/v1/embeddings"},
            400,
            "Supported values are: '/chat/completions', '/v1/chat/completions', '/responses', '/v1/responses'",
        ),
        ({"input_file_id": "file-missing"}, 404, "File with id 'file-missing' not found."),
        ({"metadata": {"k": 1}}, 400, "metadata.k"),
        ({"surprise": True}, 400, "Unrecognized request argument supplied: surprise"),
    ],
)
def test_a_create_azure_refuses(http: TestClient, body: dict[str, Any], status: int, fragment: str) -> None:
    request = {
        "input_file_id": upload(http, jsonl(line("a"))),
        "endpoint": "/chat/completions",
        "completion_window": "24h",
        **body,
    }
    response = http.post(f"/openai/batches?api-version={VERSION}", json=request)
    assert response.status_code == status
    assert fragment in json.dumps(response.json())


def test_an_input_file_of_another_purpose_is_refused(http: TestClient) -> None:
    file_id = upload(http, b"{}", name="a.txt", purpose="assistants")
    response = http.post(
        f"/openai/batches?api-version={VERSION}",
        json={"input_file_id": file_id, "endpoint": "/chat/completions", "completion_window": "24h"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidPayload"


def test_batches_need_2024_07_01_preview_or_later(http: TestClient) -> None:
    assert http.get("/openai/batches?api-version=2024-06-01").status_code == 404
    assert http.get("/openai/batches?api-version=2024-07-01-preview").status_code == 200
    assert http.get("/openai/v1/batches").status_code == 200


def test_the_list_pages_newest_first(http: TestClient) -> None:
    ids = []
    for _ in range(3):
        ids.append(create(http, jsonl(line("a")))["id"])
        advance(http, 1)
    first = http.get(f"/openai/batches?api-version={VERSION}&limit=2").json()
    assert list(first) == ["data", "first_id", "has_more", "last_id"]
    assert [b["id"] for b in first["data"]] == ids[::-1][:2]
    assert first["has_more"] is True
    assert first["first_id"] == ids[2]
    assert first["last_id"] == ids[1]
    rest = http.get(f"/openai/batches?api-version={VERSION}&limit=2&after={first['last_id']}").json()
    assert [b["id"] for b in rest["data"]] == [ids[0]]
    assert rest["has_more"] is False
    oldest = http.get(f"/openai/batches?api-version={VERSION}&$orderby=created_at asc").json()
    assert [b["id"] for b in oldest["data"]] == ids
    assert http.get(f"/openai/batches?api-version={VERSION}&limit=0").status_code == 400


def test_unknown_batches_are_404(http: TestClient) -> None:
    for method, path in (
        ("GET", "/openai/batches/batch_nope"),
        ("POST", "/openai/batches/batch_nope/cancel"),
    ):
        response = http.request(method, f"{path}?api-version={VERSION}")
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "notFound", "message": "Batch with id 'batch_nope' not found."}
        }


def test_faults_and_latency_apply_to_the_batch_api(http: TestClient) -> None:
    http.post(
        "/_mock/faults", json={"match": {"operation": "batches.create"}, "fault": {"status": 429}, "times": 1}
    )
    request = {
        "input_file_id": upload(http, jsonl(line("a"))),
        "endpoint": "/chat/completions",
        "completion_window": "24h",
    }
    assert http.post(f"/openai/batches?api-version={VERSION}", json=request).status_code == 429
    assert http.post(f"/openai/batches?api-version={VERSION}", json=request).status_code == 200
    operations = [e["operation"] for e in http.get("/_mock/requests").json()["requests"]]
    assert operations[:3] == ["files.create", "batches.create", "batches.create"]


def test_a_batch_on_the_v1_surface_runs_its_lines_there(http: TestClient) -> None:
    file_id = http.post(
        "/openai/v1/files",
        data={"purpose": "batch"},
        files={"file": ("in.jsonl", jsonl(line("a", url="/v1/chat/completions")))},
    ).json()["id"]
    batch = http.post(
        "/openai/v1/batches",
        json={"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"},
    ).json()
    for _ in range(5):
        advance(http, 1)
        done = http.get(f"/openai/v1/batches/{batch['id']}").json()
    assert done["status"] == "completed"
    assert done["request_counts"]["completed"] == 1
    (entry,) = http.get("/_mock/requests?operation=chat.completions").json()["requests"]
    assert entry["path"] == "/openai/v1/chat/completions"
    assert entry["deployment"] == "gpt-4o-mini"


def test_two_instances_sharing_the_store_show_and_finish_the_same_batch() -> None:
    first = create_app(settings())
    second = create_app(settings())
    shared: MockState = first.state
    second.state.objects = shared.objects  # what issue 14's shared store will do
    second.state.clock = shared.clock
    a = TestClient(first, headers={"api-key": KEY})
    b = TestClient(second, headers={"api-key": KEY})
    batch = create(a, jsonl(line("x"), line("y")))
    assert get(b, batch["id"])["status"] == "validating"
    advance(a, 1.0)
    assert get(b, batch["id"])["status"] == "in_progress"  # instance b ran the lines
    advance(a, 2.0)
    done = get(a, batch["id"])
    assert done["status"] == "completed"
    assert done["request_counts"]["completed"] == 2
    assert len(content(a, done["output_file_id"]).splitlines()) == 2
    journal_b = [e for e in b.get("/_mock/requests").json()["requests"] if e["batch_id"]]
    assert len(journal_b) == 2


def test_the_batch_durations_come_from_the_config() -> None:
    from mockserver.config import apply_mapping

    app = create_app(
        apply_mapping(settings(), {"batch": {"validating": 10, "in_progress": 5, "finalizing": 0}})
    )
    http = TestClient(app, headers={"api-key": KEY})
    batch = create(http, jsonl(line("a")))
    advance(http, 9.9)
    assert get(http, batch["id"])["status"] == "validating"
    advance(http, 0.1)
    assert get(http, batch["id"])["status"] == "in_progress"
    advance(http, 5)
    done = get(http, batch["id"])
    assert done["status"] == "completed"
    assert done["completed_at"] == done["finalizing_at"] == int(NOW) + 15


def test_a_bad_batch_section_is_refused() -> None:
    from mockserver.config import apply_mapping
    from mockserver.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown \\[batch\\] key"):
        apply_mapping(settings(), {"batch": {"validation": 1}})
    with pytest.raises(ConfigError, match="must be a number of seconds"):
        apply_mapping(settings(), {"batch": {"finalizing": -1}})


def test_a_line_over_the_line_bound_fails_the_batch_without_being_held(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_LINE_BYTES", 200)
    done = run_to_end(http, create(http, jsonl(line("a"), line("b", "x" * 500)))["id"])
    assert done["status"] == "failed"
    assert done["errors"]["data"] == [
        {"code": "invalid_request", "message": inputs.MESSAGES["invalid_request"], "line": "2"}
    ]


def test_binary_garbage_as_input_fails_validation_not_the_server(http: TestClient) -> None:
    done = run_to_end(http, create(http, bytes(range(256)) * 40)["id"])
    assert done["status"] == "failed"
    assert done["errors"]["data"][0]["code"] == "invalid_json_line"
    assert not http.app.state.errors  # type: ignore[attr-defined]
