"""Several ``aoai-mock serve`` processes on one Redis act as one Azure resource (README "Scale-out").

Three instances share a namespace: requests spread over them meet one set of fault counters, one
rate window per deployment and one journal; reset and rules from any instance apply to all; a batch
runs its lines once whichever instances look at it. ``--workers`` forks workers on one port; the
memory backend refuses it, and an unreachable Redis is one line at start.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conformance.serve import ServeProcess

from .conftest import KEY
from .redis_support import RedisServer, free_port, namespace
from .state_helpers import SMALL, VERSION, add_fault, chat, config_file, create_batch, file_content, journal

BATCH_NOW = "[batch]\nvalidating = 0\nin_progress = 0\nfinalizing = 0\n"


def start(url: str, ns: str, config: str, *extra: str) -> ServeProcess:
    """An instance, warmed up. A first chat request with the BPE tokenizer loads its tables and holds
    the loop for a second or more on a loaded machine, long enough for the Redis calls waiting behind
    it to time out: the approximate tokenizer loads nothing, and whatever else a first request costs
    is paid before a test's load. Tests reset its journal line away."""
    options = ("--config", config, "--seed", "5", "--tokenizer", "approx")  # approx: no tables to load
    server = ServeProcess("--state", url, "--namespace", ns, *options, *extra)
    with httpx.Client(base_url=server.endpoint, timeout=60) as http:
        chat(http, text="warm-up")
    return server


@pytest.fixture(scope="module")
def cluster(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[httpx.Client]]:
    path = tmp_path_factory.mktemp("scaleout") / "mock.toml"
    config_file(path)
    path.write_text(path.read_text() + BATCH_NOW)
    ns = namespace()
    servers = [start(redis_server.url, ns, str(path)) for _ in range(3)]
    clients = [httpx.Client(base_url=s.endpoint, timeout=30) for s in servers]
    yield clients
    for client in clients:
        client.close()
    for server in servers:
        server.stop()


@pytest.fixture
def mocks(cluster: list[httpx.Client]) -> list[httpx.Client]:
    assert cluster[1].post("/_mock/reset").status_code == 200  # a reset on one instance applies to all
    return cluster


def spread(mocks: list[httpx.Client], count: int, **options: str) -> list[int]:
    """``count`` chat requests, the n-th to instance n % 3, eight at a time."""
    with ThreadPoolExecutor(8) as pool:
        return list(
            pool.map(lambda n: chat(mocks[n % len(mocks)], text=f"request {n}", **options), range(count))
        )


def test_200_concurrent_requests_over_3_instances_are_journaled_once_each(mocks: list[httpx.Client]) -> None:
    assert spread(mocks, 200) == [200] * 200
    views = [journal(mock) for mock in mocks]
    assert all(len(view) == 200 for view in views)
    # the same journal from every instance (``monotonic`` is on each reader's own clock)
    rows = [
        [(e["seq"], e["request_id"], e["instance"], e["status"], e["body"]) for e in view] for view in views
    ]
    assert rows[0] == rows[1] == rows[2]
    texts = sorted(e["body"]["messages"][0]["content"] for e in views[0])
    assert texts == sorted(f"request {n}" for n in range(200))
    seqs = [e["seq"] for e in views[0]]
    assert seqs == list(range(seqs[0], seqs[0] + 200))
    assert len({e["instance"] for e in views[0]}) == 3
    assert len({e["request_id"] for e in views[0]}) == 200


def test_first_2_fail_exactly_twice_in_20_requests_over_3_instances(mocks: list[httpx.Client]) -> None:
    add_fault(mocks[0], {"match": {"deployment": "gpt-4o"}, "fault": {"status": 500}, "times": 2})
    statuses = spread(mocks, 20)
    assert statuses.count(500) == 2 and statuses.count(200) == 18
    assert [r["applied"] for r in mocks[2].get("/_mock/faults").json()["faults"]] == [2]


def test_rpm_60_admits_one_window_across_instances(mocks: list[httpx.Client]) -> None:
    statuses = [chat(mocks[n % 3], SMALL) for n in range(15)]
    assert statuses.count(200) == 10 and statuses.count(429) == 5
    assert statuses[:10] == [200] * 10


def test_session_rules_stay_in_their_session_on_every_instance(mocks: list[httpx.Client]) -> None:
    add_fault(mocks[0], {"match": {"session": "alpha"}, "fault": {"status": 503}})
    assert [chat(m, session="alpha") for m in mocks] == [503, 503, 503]
    assert [chat(m, session="beta") for m in mocks] == [200, 200, 200]
    assert [e["status"] for e in journal(mocks[2], session="alpha")] == [503, 503, 503]


def test_a_rule_removed_on_one_instance_is_gone_on_all(mocks: list[httpx.Client]) -> None:
    rule = add_fault(mocks[0], {"match": {}, "fault": {"status": 500}})
    assert chat(mocks[1]) == 500
    assert mocks[2].delete(f"/_mock/faults/{rule}").status_code == 200
    assert [chat(m) for m in mocks] == [200, 200, 200]


def test_a_batch_runs_each_line_once_across_instances(mocks: list[httpx.Client]) -> None:
    batch = create_batch(mocks[0], 250)  # due at once: every instance's ticker tries to run it
    url = f"/openai/batches/{batch['id']}?api-version={VERSION}"
    deadline = time.monotonic() + 60
    record = batch
    while time.monotonic() < deadline and record["status"] != "completed":
        record = [m.get(url, headers={"api-key": KEY}).json() for m in mocks][int(time.monotonic()) % 3]
        time.sleep(0.1)
    assert record["status"] == "completed", record
    assert record["request_counts"] == {"total": 250, "completed": 250, "failed": 0}
    lines = file_content(mocks[1], record["output_file_id"]).splitlines()
    assert sorted(line.split(b'"custom_id": "')[1].split(b'"')[0] for line in lines) == sorted(
        f"r{n}".encode() for n in range(250)
    )
    ran = [e for e in journal(mocks[2]) if e["batch_id"] == batch["id"]]
    assert len(ran) == 250  # no line ran twice


def test_workers_fork_on_one_port_and_share_the_counters(redis_server: RedisServer, tmp_path: Path) -> None:
    server = start(redis_server.url, namespace(), config_file(tmp_path / "mock.toml"), "--workers", "2")
    try:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
        assert len(children) == 2
        fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection each time: either worker
        with httpx.Client(base_url=server.endpoint, timeout=30, limits=fresh) as http:
            assert http.post("/_mock/reset").status_code == 200  # the warm-up line
            add_fault(http, {"match": {}, "fault": {"status": 500}, "times": 2})
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda n: chat(http, text=f"w{n}"), range(40)))
            assert statuses.count(500) == 2
            assert len(journal(http)) == 40
    finally:
        server.stop()


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_workers_with_the_memory_backend_refuse_in_one_line_naming_state() -> None:
    done = run_serve("--workers", "2")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--state" in done.stderr


def test_an_unreachable_redis_at_start_is_one_line() -> None:
    done = run_serve("--state", f"redis://127.0.0.1:{free_port()}/0")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "cannot reach the state store" in done.stderr and "Traceback" not in done.stderr


def test_killing_one_instance_mid_load_loses_only_its_in_flight_requests(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    ns, config = namespace(), config_file(tmp_path / "mock.toml")
    victim, survivor = start(redis_server.url, ns, config), start(redis_server.url, ns, config)
    with httpx.Client(base_url=survivor.endpoint, timeout=30) as http:
        assert http.post("/_mock/reset").status_code == 200  # the warm-up lines
    answered: list[str] = []
    failed: list[str] = []
    try:
        with (
            httpx.Client(base_url=victim.endpoint, timeout=10) as a,
            httpx.Client(base_url=survivor.endpoint, timeout=30) as b,
        ):

            def send(n: int) -> None:
                text = f"load {n}"
                try:
                    status = chat(a if n % 2 else b, text=text)
                except httpx.TransportError:
                    failed.append(text)
                    return
                (answered if status == 200 else failed).append(text)

            with ThreadPoolExecutor(6) as pool:
                futures = [pool.submit(send, n) for n in range(160)]
                while len(answered) + len(failed) < 60:
                    time.sleep(0.005)
                victim.process.kill()  # SIGKILL mid-load: whatever it had in flight is gone
                for future in futures:
                    future.result()
            entries = journal(b)
    finally:
        victim.stop()
        survivor.stop()
    texts = [e["body"]["messages"][0]["content"] for e in entries]
    assert len(texts) == len(set(texts))  # nothing doubled
    assert set(answered) <= set(texts)  # every answer a client got is in the journal
    assert set(texts) <= set(answered) | set(failed)  # and nothing that was never sent
    assert {f"load {n}" for n in range(0, 160, 2)} <= set(answered)  # the survivor kept serving
    assert len(failed) >= 40  # the victim's share after the kill failed, with what it had in flight


def test_a_recorded_answer_replays_once_across_instances(redis_server: RedisServer) -> None:
    """The example cassette answers "Say hello." with a 429, then a 200: the second instance asked
    gets the 200, as a second request to one mock would (the replay cursor is shared)."""
    cassette = str(Path(__file__).resolve().parent.parent / "fixtures" / "cassettes" / "example-session.json")
    ns = namespace()
    servers = [
        ServeProcess("--state", redis_server.url, "--namespace", ns, "--replay", cassette) for _ in range(2)
    ]
    retry = {"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 5}
    url = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
    try:
        statuses = []
        for server in (*servers, servers[0]):
            with httpx.Client(base_url=server.endpoint, timeout=30) as http:
                statuses.append(http.post(url, json=retry, headers={"api-key": KEY}).status_code)
        assert statuses == [429, 200, 200]  # then the last answer repeats
        with httpx.Client(base_url=servers[1].endpoint, timeout=30) as http:
            replayed = http.get("/_mock/replay").json()
            assert sum(i["hits"] for i in replayed["interactions"]) == 3
            assert http.post("/_mock/reset").status_code == 200
        with httpx.Client(base_url=servers[0].endpoint, timeout=30) as http:
            assert http.post(url, json=retry, headers={"api-key": KEY}).status_code == 429  # rewound for all
    finally:
        for server in servers:
            server.stop()
