"""The object store (stored responses, files, batches) and the mock's clock that moves it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.testclient import TestClient

from mockserver import create_app, load_settings
from mockserver.ids import Clock
from mockserver.objects import SPOOL_BYTES, BlobTooLarge, MemoryObjects

from .conftest import chat_url


async def pieces(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def collect(reader: AsyncIterator[bytes] | None) -> bytes:
    assert reader is not None
    return b"".join([chunk async for chunk in reader])


def test_a_stored_object_comes_back_equal_but_never_the_callers_own_dict() -> None:
    store = MemoryObjects(Clock())
    value = {"id": "resp_1", "output": [{"text": "café"}]}
    asyncio.run(store.put("responses", "resp_1", value))
    value["output"].clear()  # the caller changes its dict after storing it
    got = asyncio.run(store.get("responses", "resp_1"))
    assert got == {"id": "resp_1", "output": [{"text": "café"}]}
    assert asyncio.run(store.get("files", "resp_1")) is None  # kinds do not share keys


def test_objects_expire_on_the_mock_clock_without_waiting() -> None:
    clock = Clock(frozen=1_700_000_000.0)
    store = MemoryObjects(clock)
    asyncio.run(store.put("responses", "a", {"n": 1}, ttl=30 * 86400))
    asyncio.run(store.put("responses", "b", {"n": 2}))  # no ttl: kept until deleted or reset
    clock.advance(30 * 86400 - 1)
    assert asyncio.run(store.get("responses", "a")) == {"n": 1}
    clock.advance(1)
    assert asyncio.run(store.get("responses", "a")) is None
    assert asyncio.run(store.items("responses")) == [("b", {"n": 2})]


def test_each_kind_is_bounded_and_the_oldest_go_first() -> None:
    store = MemoryObjects(Clock(), max_items=3)
    for n in range(5):
        asyncio.run(store.put("batches", f"b{n}", {"n": n}))
    assert [key for key, _ in asyncio.run(store.items("batches"))] == ["b2", "b3", "b4"]
    assert asyncio.run(store.delete("batches", "b3")) is True
    assert asyncio.run(store.delete("batches", "b3")) is False


def test_a_large_blob_is_spooled_to_disk_and_read_back_in_chunks() -> None:
    store = MemoryObjects(Clock())
    chunk = bytes(range(256)) * 4096  # 1 MiB
    size = asyncio.run(
        store.put_blob("files", "file-1", pieces(chunk, chunk, b"end"), limit=10 * SPOOL_BYTES)
    )
    assert size == 2 * len(chunk) + 3
    assert store.blobs["files", "file-1"]._rolled  # type: ignore[attr-defined]  # on disk, not in memory
    assert asyncio.run(collect(store.read_blob("files", "file-1"))) == chunk + chunk + b"end"
    assert store.read_blob("files", "missing") is None


def test_a_blob_over_its_limit_keeps_nothing() -> None:
    store = MemoryObjects(Clock())
    asyncio.run(store.put_blob("files", "f", pieces(b"old"), limit=10))
    with pytest.raises(BlobTooLarge):
        asyncio.run(store.put_blob("files", "f", pieces(b"12345", b"678901"), limit=10))
    assert asyncio.run(collect(store.read_blob("files", "f"))) == b"old"  # the earlier blob stays


def test_reset_empties_the_store_and_undoes_clock_advances() -> None:
    app = create_app(load_settings(freeze_time=1_700_000_000.0))
    asyncio.run(app.state.objects.put("files", "f", {"id": "f"}))
    app.state.clock.advance(60)
    app.state.reset()
    assert asyncio.run(app.state.objects.get("files", "f")) is None
    assert app.state.clock.now() == 1_700_000_000.0


@pytest.fixture
def control() -> TestClient:
    return TestClient(create_app(load_settings(freeze_time=1_700_000_000.0)), headers={"api-key": "k"})


def test_clock_advance_moves_created_fields_forward(control: TestClient) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}]}
    assert control.post(chat_url(), json=body).json()["created"] == 1_700_000_000
    advanced = control.post("/_mock/clock/advance", json={"seconds": 90})
    assert advanced.status_code == 200
    assert advanced.json() == {"now": 1_700_000_090.0, "advanced": 90.0, "frozen": True}
    assert control.get("/_mock/clock").json()["now"] == 1_700_000_090.0
    assert control.post(chat_url(), json=body).json()["created"] == 1_700_000_090


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "10"}, {"seconds": True}, {}, [], "NaN"])
def test_clock_advance_refuses_what_is_not_a_forward_move(control: TestClient, body: object) -> None:
    answer = control.post("/_mock/clock/advance", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequest"
    assert control.get("/_mock/clock").json()["advanced"] == 0.0


def test_clock_advance_refuses_nan_and_infinity_literals(control: TestClient) -> None:
    for literal in (b'{"seconds": NaN}', b'{"seconds": Infinity}', b"not json"):
        answer = control.post("/_mock/clock/advance", content=literal)
        assert answer.status_code == 400, literal
    assert control.get("/_mock/clock").json()["advanced"] == 0.0
