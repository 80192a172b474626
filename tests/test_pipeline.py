"""Pipeline stages as a client sees them: auth, api-version, routing, deployments, headers.

Expected bodies are Azure's (recordings 05, 06, 10 and azure-wire §1.4, §2.1), not the mock's output.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

import mockserver.config as config
from mockserver import create_app, load_settings

from .conftest import GA, chat_url

BODY = {"messages": [{"role": "user", "content": "Hello"}]}
INVALID_KEY_BODY = (
    b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. '
    b"Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
    b'for your resource."}}'
)  # recording 06, 224 bytes


@pytest.fixture(autouse=True, params=[True, False], ids=["fast-path", "plain-path"])
def fast_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test here runs with ``Settings.fast_path`` on and off: the same requests, the same answers."""
    defaults = config.default_settings
    monkeypatch.setattr(config, "default_settings", lambda: replace(defaults(), fast_path=request.param))
    return bool(request.param)


def keyed_client(**settings: object) -> TestClient:
    return TestClient(create_app(load_settings(**settings)))


# --- auth -----------------------------------------------------------------------------------


def test_missing_key_gets_recording_06_body_and_only_its_headers() -> None:
    response = keyed_client().post(chat_url(), json=BODY)
    assert response.status_code == 401
    assert response.content == INVALID_KEY_BODY
    assert len(response.content) == 224
    extra = set(response.headers) - {"apim-request-id", "content-type", "content-length", "date"}
    assert extra == set()
    assert response.headers["content-type"] == "application/json"


def test_wrong_key_is_rejected_when_keys_are_configured() -> None:
    client = keyed_client(keys=frozenset({"right"}))
    assert client.post(chat_url(), json=BODY, headers={"api-key": "wrong"}).status_code == 401
    assert client.post(chat_url(), json=BODY, headers={"api-key": "right"}).status_code == 200


@pytest.mark.parametrize("name", ["api-key", "Api-Key", "API-KEY"])
def test_key_header_name_is_case_insensitive(name: str) -> None:
    assert keyed_client().post(chat_url(), json=BODY, headers={name: "k"}).status_code == 200


def test_any_bearer_token_is_accepted_by_default_on_both_surfaces() -> None:
    client = keyed_client()
    headers = {"Authorization": "Bearer some-token"}
    assert client.post(chat_url(), json=BODY, headers=headers).status_code == 200
    v1 = client.post("/openai/v1/chat/completions", json={**BODY, "model": "gpt-4o"}, headers=headers)
    assert v1.status_code == 200


def test_key_as_bearer_only_on_v1_with_token_style_401_on_classic() -> None:
    client = keyed_client(keys=frozenset({"k1"}))
    headers = {"Authorization": "Bearer k1"}
    classic = client.post(chat_url(), json=BODY, headers=headers)
    assert classic.status_code == 401
    assert classic.json() == {
        "statusCode": 401,
        "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
        "(https://cognitiveservices.azure.com), or have expired.",
    }
    v1 = client.post("/openai/v1/chat/completions", json={**BODY, "model": "gpt-4o"}, headers=headers)
    assert v1.status_code == 200


def test_configured_keys_still_accept_jwt_shaped_entra_tokens() -> None:
    client = keyed_client(keys=frozenset({"k1"}))
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln"
    assert client.post(chat_url(), json=BODY, headers={"Authorization": f"Bearer {jwt}"}).status_code == 200
    assert client.post(chat_url(), json=BODY, headers={"Authorization": "Bearer opaque"}).status_code == 401


# --- api-version ----------------------------------------------------------------------------


def test_missing_api_version_is_404_resource_not_found(client: TestClient) -> None:
    response = client.post("/openai/deployments/gpt-4o/chat/completions", json=BODY)
    assert response.status_code == 404
    # APIM style, with the space after "message": (azure-wire §1.4)
    assert response.content == b'{"error":{"code":"404","message": "Resource not found"}}'


def test_unknown_api_version_is_400(client: TestClient) -> None:
    response = client.post(chat_url(version="2099-01-01"), json=BODY)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "BadRequest", "message": "API version not supported"}}


@pytest.mark.parametrize(
    "version",
    [
        "2022-12-01",
        "2023-05-15",
        "2024-02-01",
        "2024-06-01",
        GA,
        "2023-12-01-preview",
        "2024-09-01-preview",
        "2025-04-01-preview",
    ],
)
def test_known_versions_are_accepted(client: TestClient, version: str) -> None:
    assert client.post(chat_url(version=version), json=BODY).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_completion_tokens", 10),
        ("stream_options", {"include_usage": True}),
        ("parallel_tool_calls", True),
    ],
)
def test_parameters_newer_than_the_version_are_unrecognized(
    client: TestClient, field: str, value: object
) -> None:
    body = {**BODY, field: value, "stream": True} if field == "stream_options" else {**BODY, field: value}
    old = client.post(chat_url(version="2024-08-01-preview"), json=body)
    assert old.status_code == 400
    assert old.json()["error"]["message"] == f"Unrecognized request argument supplied: {field}"
    assert client.post(chat_url(version="2024-09-01-preview"), json=body).status_code == 200


def test_v1_accepts_none_v1_and_preview_but_not_a_dated_version(client: TestClient) -> None:
    body = {**BODY, "model": "gpt-4o"}
    for query in ("", "?api-version=v1", "?api-version=preview"):
        assert client.post(f"/openai/v1/chat/completions{query}", json=body).status_code == 200
    dated = client.post(f"/openai/v1/chat/completions?api-version={GA}", json=body)
    assert dated.status_code == 400
    assert dated.json()["error"] == {"code": "BadRequest", "message": "API version not supported"}


def test_models_needs_an_api_version_on_the_classic_surface(client: TestClient) -> None:
    assert client.get("/openai/models").status_code == 404
    listing = client.get(f"/openai/models?api-version={GA}").json()
    assert listing["object"] == "list"
    assert {"gpt-4o-2024-08-06", "text-embedding-3-small"} <= {m["id"] for m in listing["data"]}
    assert client.get("/openai/v1/models").status_code == 200


# --- routing and deployments ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/openai/deployments/gpt-4o/chat/complete",
        "/v1/chat/completions",
        "/openai/deployments/gpt-4o",
        "/",
        "/openai/v1/nothing",
    ],
)
def test_unknown_routes_are_resource_not_found(client: TestClient, path: str) -> None:
    response = client.post(f"{path}?api-version={GA}", json=BODY)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


def test_wrong_method_is_resource_not_found(client: TestClient) -> None:
    assert client.get(chat_url()).status_code == 404


def test_unknown_deployment_url_encoded_is_deployment_not_found(client: TestClient) -> None:
    response = client.post(chat_url("invalid%20model%20name"), json=BODY)
    assert response.status_code == 404
    assert response.json() == {  # recording 05
        "error": {
            "code": "DeploymentNotFound",
            "message": "The API deployment for this resource does not exist. If you created the deployment "
            "within the last 5 minutes, please wait a moment and try again.",
        }
    }
    assert "x-ms-region" in response.headers
    assert "x-request-id" not in response.headers


def test_double_slash_paths_are_answered_like_recordings_04_and_08(client: TestClient) -> None:
    response = client.post("http://testserver/" + chat_url(), json=BODY)
    assert response.request.url.path.startswith("//openai/")
    assert response.status_code == 200


def test_operation_the_model_cannot_serve_is_400_operation_not_supported(client: TestClient) -> None:
    response = client.post(f"/openai/deployments/gpt-4o/embeddings?api-version={GA}", json={"input": "x"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "OperationNotSupported"
    assert error["message"].startswith(
        "The embeddings operation does not work with the specified model, gpt-4o"
    )


def test_v1_takes_the_deployment_from_the_body_model(client: TestClient) -> None:
    response = client.post("/openai/v1/chat/completions", json={**BODY, "model": "gpt-4o-mini"})
    assert response.status_code == 200
    assert response.headers["x-ms-deployment-name"] == "gpt-4o-mini"
    assert response.json()["model"] == "gpt-4o-mini-2024-07-18"
    missing = client.post("/openai/v1/chat/completions", json=BODY)
    assert missing.status_code == 400
    assert missing.json()["error"]["param"] == "model"
    unknown = client.post("/openai/v1/chat/completions", json={**BODY, "model": "nope"})
    assert unknown.json()["error"]["code"] == "DeploymentNotFound"


# --- headers --------------------------------------------------------------------------------


def test_success_headers_follow_the_recordings(client: TestClient) -> None:
    response = client.post(chat_url(), json=BODY, headers={"x-ms-client-request-id": "mine-123"})
    headers = response.headers
    for name in (
        "apim-request-id",
        "x-request-id",
        "x-ms-region",
        "azureml-model-session",
        "x-ms-rai-invoked",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "strict-transport-security",
        "x-content-type-options",
        "cache-control",
    ):
        assert name in headers
    assert headers["x-ms-client-request-id"] == "mine-123"
    assert headers["apim-request-id"] != headers["x-request-id"]
    assert headers["content-type"] == "application/json"
    for openai_only in ("openai-processing-ms", "openai-version", "openai-organization", "server"):
        assert openai_only not in headers  # azure-wire §4.3


def test_client_request_id_defaults_to_apim_request_id(client: TestClient) -> None:
    headers = client.post(chat_url(), json=BODY).headers
    assert headers["x-ms-client-request-id"] == headers["apim-request-id"]


def test_rate_limit_headers_count_down(client: TestClient) -> None:
    first = client.post(chat_url(), json=BODY).headers
    second = client.post(chat_url(), json=BODY).headers
    assert int(second["x-ratelimit-remaining-requests"]) == int(first["x-ratelimit-remaining-requests"]) - 1
    assert int(second["x-ratelimit-remaining-tokens"]) < int(first["x-ratelimit-remaining-tokens"])
    assert first["x-ratelimit-limit-requests"] == str(450_000 * 6 // 1000)


# --- bad bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe"])
def test_malformed_json_is_an_azure_shaped_400(client: TestClient, raw: bytes) -> None:
    response = client.post(chat_url(), content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "could not parse the JSON body" in error["message"]


def test_journal_records_rejected_requests_with_masked_keys() -> None:
    app = create_app(load_settings())
    TestClient(app).post(chat_url(), json=BODY, headers={"api-key": "secret-value", "x-mock-session": "j"})
    TestClient(app).post(chat_url(), json=BODY)
    entries = app.state.journal.calls
    assert [e.status for e in entries] == [200, 401]
    assert entries[0].headers["api-key"] == "***"
    assert "secret-value" not in json.dumps([e.to_dict() for e in entries])
    assert entries[0].session == "j"
    assert entries[0].operation == "chat.completions"
    assert entries[0].response["object"] == "chat.completion"


def test_repeated_bodies_are_journaled_as_sent_and_each_entry_owns_its_copy() -> None:
    app = create_app(load_settings())
    client = TestClient(app, headers={"api-key": "k"})
    sent = {**BODY, "stream": False, "user": "u-1"}
    answers = [client.post(chat_url(), json=sent) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["choices"] == answers[2].json()["choices"]
    bodies = [e.body for e in app.state.journal.calls]
    assert bodies == [sent] * 3
    bodies[0]["user"] = "changed by a test"
    assert [e.body["user"] for e in app.state.journal.calls] == ["changed by a test", "u-1", "u-1"]
    broken = client.post(chat_url(), content=b'{"messages": [')
    assert broken.status_code == 400  # bytes never seen before are still parsed and checked
