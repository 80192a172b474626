"""Files on both surfaces: upload, list, get, delete, content, as recordings 27, 28 and 31 show them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.testing.handle import MockAzure

from .conftest import KEY

CURRENT = "2024-10-01-preview"  # recording 27
OLD = "2024-07-01-preview"  # recording 31
MODERN_KEYS = ["status", "bytes", "purpose", "filename", "id", "created_at", "object"]
OLD_KEYS = ["object", "id", "purpose", "filename", "bytes", "created_at", "status", "status_details"]
NOW = 1_750_000_000


@pytest.fixture
def http() -> TestClient:
    app = create_app(load_settings(seed=3, freeze_time=float(NOW)))
    return TestClient(app, headers={"api-key": KEY})


def upload(
    http: TestClient,
    content: bytes = b'{"a": 1}\n',
    *,
    purpose: str = "batch",
    name: str = "input.jsonl",
    version: str | None = CURRENT,
    v1: bool = False,
    fields: dict[str, str] | None = None,
) -> httpx.Response:
    path = "/openai/v1/files" if v1 else f"/openai/files?api-version={version}"
    return http.post(
        path,
        data={"purpose": purpose, **(fields or {})},
        files={"file": (name, content, "application/octet-stream")},
    )


def test_an_upload_answers_201_with_location_and_the_2025_key_order(http: TestClient) -> None:
    response = upload(http, b"x" * 32, name="intentionally-bad-batch-input.jsonl")
    assert response.status_code == 201  # recording 27
    body = response.json()
    assert list(body) == MODERN_KEYS
    assert body["status"] == "processed"
    assert body["bytes"] == 32
    assert body["purpose"] == "batch"
    assert body["id"].startswith("file-")
    assert len(body["id"]) == len("file-") + 32
    assert body["created_at"] == NOW
    assert (
        response.headers["location"] == f"http://testserver/openai/files/{body['id']}?api-version={CURRENT}"
    )
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    for name in ("api-supported-versions", "apim-request-id", "x-ms-middleware-request-id", "x-ms-region"):
        assert name in response.headers
    assert "2024-10-21" in response.headers["api-supported-versions"].split(",")


GO_UPLOAD = (  # recording 31's request body (azopenai v0.6.2): the file part first, its filename empty
    b'--boundary-for-recordings\r\nContent-Disposition: form-data; name="file"; filename=""\r\n'
    b"Content-Type: application/octet-stream\r\n\r\nhello world\r\n--boundary-for-recordings\r\n"
    b'Content-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--boundary-for-recordings--\r\n'
)


def test_an_older_api_version_answers_200_with_the_2024_key_order(http: TestClient) -> None:
    response = http.post(
        f"/openai/files?api-version={OLD}",
        content=GO_UPLOAD,
        headers={"content-type": "multipart/form-data; boundary=boundary-for-recordings"},
    )
    assert response.status_code == 200  # recording 31: not 201, no Location
    assert "location" not in response.headers
    assert list(response.json()) == OLD_KEYS
    assert response.json()["status_details"] is None
    assert response.json()["filename"] == ""
    assert response.json()["bytes"] == 11
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))


def test_get_delete_and_delete_again_as_recorded(http: TestClient) -> None:
    file_id = upload(http).json()["id"]
    got = http.get(f"/openai/files/{file_id}?api-version={CURRENT}")
    assert got.status_code == 200
    assert list(got.json()) == MODERN_KEYS
    unknown = http.delete(
        "/openai/files/file-a9af382070ec4dc0b18503df04f3773f?api-version=2025-03-01-preview"
    )
    assert unknown.status_code == 200  # recording 27: an unknown id is not an error
    assert unknown.json() == {
        "object": "file",
        "deleted": False,
        "id": "file-a9af382070ec4dc0b18503df04f3773f",
    }
    assert list(unknown.json()) == ["object", "deleted", "id"]
    deleted = http.delete(f"/openai/files/{file_id}?api-version=2025-03-01-preview")
    assert deleted.json() == {"object": "file", "deleted": True, "id": file_id}
    again = http.delete(f"/openai/files/{file_id}?api-version=2025-03-01-preview")
    assert again.json()["deleted"] is False
    missing = http.get(f"/openai/files/{file_id}?api-version={CURRENT}")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "notFound", "message": f"File with id '{file_id}' not found."}
    }


def test_content_comes_back_byte_for_byte_with_a_content_disposition(http: TestClient) -> None:
    content = bytes(range(256)) * 1000 + b"\r\n\x00end"  # binary, over a read chunk
    file_id = upload(http, content, purpose="assistants", name="blob.bin").json()["id"]
    response = http.get(f"/openai/files/{file_id}/content?api-version={CURRENT}")
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-length"] == str(len(content))
    assert (
        response.headers["content-disposition"] == "attachment; filename=blob.bin; filename*=UTF-8''blob.bin"
    )


def test_a_non_ascii_file_name_is_percent_encoded_in_the_starred_parameter(http: TestClient) -> None:
    file_id = upload(http, b"x", purpose="assistants", name="résumé notes.txt").json()["id"]
    disposition = http.get(f"/openai/files/{file_id}/content?api-version={CURRENT}").headers[
        "content-disposition"
    ]
    assert (
        disposition == "attachment; filename=r_sum__notes.txt; filename*=UTF-8''r%C3%A9sum%C3%A9%20notes.txt"
    )


def test_the_list_filters_by_purpose_and_refuses_an_unknown_one(http: TestClient) -> None:
    batch_id = upload(http).json()["id"]
    assistants_id = upload(http, b"x", purpose="assistants", name="a.txt").json()["id"]
    everything = http.get(f"/openai/files?api-version={CURRENT}").json()
    assert list(everything) == ["object", "data"]
    assert everything["object"] == "list"
    assert [f["id"] for f in everything["data"]] == [assistants_id, batch_id]  # newest first
    batch_only = http.get(f"/openai/files?api-version={CURRENT}&purpose=batch").json()
    assert [f["id"] for f in batch_only["data"]] == [batch_id]
    bad = http.get(f"/openai/files?api-version={CURRENT}&purpose=vision")
    assert bad.status_code == 400  # azure-sdk-for-net#44913: listing by Vision purpose
    assert bad.json() == {"error": {"code": "invalidPayload", "message": "Invalid value for purpose."}}


@pytest.mark.parametrize(
    ("purpose", "name", "version", "v1", "message"),
    [
        ("user_data", "a.pdf", CURRENT, False, "Invalid value for purpose."),
        ("user_data", "a.pdf", None, True, "Invalid value for purpose."),
        ("batch_output", "a.jsonl", CURRENT, False, "Invalid value for purpose."),
        ("evals", "a.jsonl", CURRENT, False, "Invalid value for purpose."),  # v1 only
        ("batch", "a.jsonl", "2024-06-01", False, "Invalid value for purpose."),  # before the batch API
        ("fine-tune", "train.txt", CURRENT, False, "fileName contains an invalid filename: wrong suffix."),
        ("batch", "input.csv", CURRENT, False, "fileName contains an invalid filename: wrong suffix."),
    ],
)
def test_purposes_azure_refuses(
    http: TestClient, purpose: str, name: str, version: str | None, v1: bool, message: str
) -> None:
    response = upload(http, b"{}", purpose=purpose, name=name, version=version, v1=v1)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalidPayload", "message": message}}


@pytest.mark.parametrize("purpose", ["assistants", "batch", "fine-tune", "evals"])
def test_the_v1_surface_takes_its_purposes(http: TestClient, purpose: str) -> None:
    response = upload(http, b"{}\n", purpose=purpose, name="data.jsonl", v1=True)
    assert response.status_code == 201
    assert response.json()["purpose"] == purpose
    assert response.headers["location"].endswith(f"/openai/v1/files/{response.json()['id']}")


@pytest.mark.parametrize("form", ["brackets", "dots"])
def test_expires_after_in_either_form_sets_expires_at(http: TestClient, form: str) -> None:
    names = (
        ("expires_after[seconds]", "expires_after[anchor]")
        if form == "brackets"
        else ("expires_after.seconds", "expires_after.anchor")
    )
    body = upload(http, fields={names[0]: "1209600", names[1]: "created_at"}).json()
    assert list(body) == [
        "status",
        "bytes",
        "purpose",
        "filename",
        "expires_at",
        "id",
        "created_at",
        "object",
    ]
    assert body["expires_at"] == NOW + 1_209_600


def test_an_expiring_file_is_gone_once_the_clock_passes_expires_at(http: TestClient) -> None:
    file_id = upload(
        http, fields={"expires_after[seconds]": "1209600", "expires_after[anchor]": "created_at"}
    ).json()["id"]
    http.post("/_mock/clock/advance", json={"seconds": 1_209_600})
    assert http.get(f"/openai/files/{file_id}?api-version={CURRENT}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        (
            {"expires_after[seconds]": "3600", "expires_after[anchor]": "created_at"},
            "between 1209600 and 2592000",
        ),
        ({"expires_after[seconds]": "1209600", "expires_after[anchor]": "last_active_at"}, "'created_at'"),
        ({"expires_after.seconds": "two weeks", "expires_after.anchor": "created_at"}, "Expected an integer"),
    ],
)
def test_a_bad_expiry_is_a_400(http: TestClient, fields: dict[str, str], fragment: str) -> None:
    response = upload(http, fields=fields)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidPayload"
    assert fragment in response.json()["error"]["message"]


def test_hostile_bodies_get_azure_shaped_400s(http: TestClient) -> None:
    url = f"/openai/files?api-version={CURRENT}"
    not_multipart = http.post(url, json={"purpose": "batch"})
    assert not_multipart.status_code == 400
    assert not_multipart.json()["error"] == {
        "code": "invalidPayload",
        "message": "Invalid Content-Type header (application/json), expected multipart/form-data.",
    }
    broken = http.post(
        url,
        content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno end",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code == 400
    assert "error" in broken.json()
    no_purpose = http.post(url, files={"file": ("a.jsonl", b"{}")})
    assert no_purpose.json()["error"]["message"] == "The 'purpose' field is required."
    no_file = http.post(url, data={"purpose": "batch"}, files={"other": ("a.jsonl", b"{}")})
    assert no_file.json()["error"]["message"] == "The 'file' field is required and must be a file."
    text_file = http.post(url, data={"purpose": "batch", "file": "not a file"}, files={"x": ("a", b"")})
    assert text_file.status_code == 400


def test_an_upload_over_the_cap_is_a_413_before_it_is_read(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mockserver.pipeline.stages as stages

    monkeypatch.setitem(stages.BODY_LIMITS, "files.create", 4096)
    declared = upload(http, b"x" * 10_000, purpose="assistants", name="big.bin")
    assert declared.status_code == 413
    assert declared.json()["error"]["message"].startswith("Maximum content size limit (4096) exceeded")

    def body() -> Any:
        boundary = b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
        yield boundary + b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        for _ in range(10):
            yield b"y" * 1000
        yield b"\r\n--b--\r\n"

    streamed = http.post(
        f"/openai/files?api-version={CURRENT}",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413  # chunked, no Content-Length: counted as it arrives
    assert http.get(f"/openai/files?api-version={CURRENT}").json()["data"] == []  # nothing stored


def test_a_batch_file_over_200_mb_is_a_413(http: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import mockserver.endpoints.files as endpoint
    import mockserver.validation.files as rules

    monkeypatch.setattr(rules, "MAX_BATCH_FILE_BYTES", 100)
    monkeypatch.setattr(endpoint, "MAX_BATCH_FILE_BYTES", 100)
    response = upload(http, b"{}\n" * 50)
    assert response.status_code == 413
    assert (
        upload(http, b"x" * 150, purpose="assistants", name="a.bin").status_code == 201
    )  # 512 MB for others


def test_more_than_500_batch_files_without_expiry_is_quota_exceeded(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mockserver.endpoints.files as endpoint

    monkeypatch.setattr(endpoint, "MAX_BATCH_FILES", 2)
    assert upload(http).status_code == 201
    assert upload(http).status_code == 201
    refused = upload(http)
    assert refused.status_code == 400  # azure-sdk-for-java#47401
    assert refused.json() == {
        "error": {
            "code": "quotaExceeded",
            "message": "The quota for files without expiry is reached. The maximum is 2.",
        }
    }
    expiring = upload(
        http, fields={"expires_after[seconds]": "1209600", "expires_after[anchor]": "created_at"}
    )
    assert expiring.status_code == 201  # files with an expiry count against the 10,000
    assert upload(http, purpose="assistants", name="a.txt").status_code == 201


def test_the_journal_keeps_name_purpose_and_size_never_the_bytes(http: TestClient) -> None:
    secret = b"do-not-journal-" * 100
    upload(http, secret, purpose="assistants", name="notes.txt")
    entries = http.get("/_mock/requests").json()["requests"]
    (entry,) = [e for e in entries if e["operation"] == "files.create"]
    assert entry["body"] == {
        "purpose": "assistants",
        "file": {"filename": "notes.txt", "content_type": "application/octet-stream", "size": len(secret)},
    }
    assert b"do-not-journal" not in json.dumps(entries).encode()


def test_faults_apply_to_the_files_api_like_any_operation(http: TestClient) -> None:
    http.post(
        "/_mock/faults", json={"match": {"operation": "files.create"}, "fault": {"status": 503}, "times": 1}
    )
    assert upload(http).status_code == 503
    assert upload(http).status_code == 201


def test_the_sdk_uploads_lists_reads_and_deletes_on_both_surfaces() -> None:
    with MockAzure.inprocess() as mock:
        for client in (
            mock.client(api_version="2025-01-01-preview"),
            openai.OpenAI(
                base_url=mock.base_url, api_key="k", http_client=mock.http_client(openai.DefaultHttpxClient)
            ),
        ):
            created = client.files.create(
                file=("data.jsonl", b'{"x": 1}\n'),
                purpose="batch",
                expires_after={"anchor": "created_at", "seconds": 1_209_600},
            )
            assert created.expires_at == created.created_at + 1_209_600
            assert client.files.retrieve(created.id).filename == "data.jsonl"
            assert client.files.content(created.id).content == b'{"x": 1}\n'
            listed = [f.id for f in client.files.list(purpose="batch")]  # auto-pagination ends
            assert listed.count(created.id) == 1
            assert client.files.delete(created.id).deleted is True
            with pytest.raises(openai.NotFoundError):
                client.files.retrieve(created.id)


HOSTILE = [
    (
        "POST",
        "/openai/files",
        {"content": b"\x00\xff" * 100, "headers": {"content-type": "multipart/form-data"}},
    ),
    (
        "POST",
        "/openai/files",
        {"content": b"--x\r\n\r\n", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    ),
    ("POST", "/openai/files", {"content": b"[1, 2]", "headers": {"content-type": "application/json"}}),
    ("POST", "/openai/files", {"content": b"", "headers": {"content-type": "text/plain"}}),
    ("GET", "/openai/files?purpose=%00&limit=-1&after=%ff", {}),
    ("GET", "/openai/files/%00%2F..", {}),
    ("GET", "/openai/files/nope/content", {}),
    ("PUT", "/openai/files", {}),
    ("POST", "/openai/batches", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("POST", "/openai/batches", {"content": b"[]", "headers": {"content-type": "application/json"}}),
    (
        "POST",
        "/openai/batches",
        {
            "content": b'{"input_file_id": 7, "endpoint": [], "completion_window": null}',
            "headers": {"content-type": "application/json"},
        },
    ),
    (
        "POST",
        "/openai/batches",
        {
            "content": b'{"input_file_id": "f", "endpoint": "/chat/completions", '
            b'"completion_window": "24h", "metadata": "x"}',
            "headers": {"content-type": "application/json"},
        },
    ),
    (
        "POST",
        "/openai/batches",
        {"content": b"x" * (2 * 1024 * 1024), "headers": {"content-type": "application/json"}},
    ),
    ("GET", "/openai/batches?limit=abc&after=%00", {}),
    ("GET", "/openai/batches/%ff%fe", {}),
    (
        "POST",
        "/openai/batches/x/cancel",
        {"content": b"garbage", "headers": {"content-type": "application/json"}},
    ),
    ("DELETE", "/openai/batches/x", {}),
]


@pytest.mark.parametrize(("method", "path", "request_args"), HOSTILE)
@pytest.mark.parametrize("surface", ["classic", "v1"])
def test_hostile_input_on_the_new_routes_is_an_azure_shaped_4xx(
    http: TestClient, method: str, path: str, request_args: dict[str, Any], surface: str
) -> None:
    if surface == "v1":
        path = path.replace("/openai/", "/openai/v1/", 1)
    else:
        path += ("&" if "?" in path else "?") + f"api-version={CURRENT}"
    response = http.request(method, path, **request_args)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    body = response.json()
    assert isinstance(body, dict)
    assert "error" in body
    assert not http.app.state.errors  # type: ignore[attr-defined]


def test_an_app_dropped_with_its_files_stored_closes_them_without_a_warning() -> None:
    """The state and its batch runner hold each other, so a dropped app goes to the cycle collector,
    which finalizes its objects in any order; a stored file must not warn that it was left open
    (filterwarnings = error makes that warning fail whichever test is running when it comes)."""
    import gc

    for _ in range(5):  # each app holds files of both sizes: in memory and spooled to disk
        http = TestClient(create_app(load_settings(seed=3)), headers={"api-key": KEY})
        assert upload(http).status_code == 201
        assert upload(http, b"x" * (2 * 1024 * 1024), purpose="assistants", name="big.bin").status_code == 201
        del http
    gc.collect()  # a file that warns here fails this test (pytest reports the unraisable warning)
