"""Our own fuzz suite (issue 11): hostile requests on every route of both surfaces and the control API.

Properties, checked on every example:

* no status >= 500 that no rule scripted (the journal entry of a 5xx names its fault);
* every error is Azure-shaped (the model or gateway envelope, the bare token 401, Azure Storage's
  XML for image links) or, under ``/_mock``, the control API's ``{"error": {"code", "message"}}``;
* no unhandled error: nothing in ``state.errors``, no ERROR record in the log (a traceback), no
  exception out of the app;
* the mock answers a normal request afterwards, and the whole journal still encodes and parses.

Seeded (``derandomize``) and bounded: the budget below is 20,000 examples, each two to four requests
(about 4 minutes, serially, on the shared 2-core development machine). ``AOAI_FUZZ_SCALE=10 pytest -m slow tests/test_fuzz.py``
runs the ``slow`` variant, ten times as many. Routes come from the routing tables
(``tests/fuzz_strategies.py``), so new endpoints are fuzzed as they land.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app, load_settings
from mockserver.app import MockApp
from tests import fuzz_strategies as fz
from tests.conftest import GA

BUDGET = {"bodies": 6000, "raw": 2000, "requests": 4000, "uploads": 2500, "rules": 3000, "control": 2500}
SCALE = float(os.environ.get("AOAI_FUZZ_SCALE", "1"))
NORMAL = {"messages": [{"role": "user", "content": "are you still there?"}]}
NORMAL_URL = f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={GA}"
PACED = ("latency", "stall", "dribble", "stream_timing")


def budget(name: str, slow: bool = False) -> settings:
    examples = max(1, int(BUDGET[name] * (SCALE if slow else 1)))
    if "AOAI_FUZZ_EXAMPLES" in os.environ:  # a quick look while developing
        examples = int(os.environ["AOAI_FUZZ_EXAMPLES"])
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


class Errors(logging.Handler):
    """ERROR records (tracebacks) from any logger while the fuzz runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Client:
    """A synchronous face on ``httpx.AsyncClient`` over the ASGI app, in one event loop for the whole
    run (Starlette's TestClient starts a thread per request: ten times slower). App exceptions
    propagate, as they would into uvicorn's log."""

    def __init__(self, app: MockApp) -> None:
        self.runner = asyncio.Runner()
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.runner.run(self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self.runner.run(self.client.aclose())
        self.runner.close()


class Harness:
    def __init__(self) -> None:
        self.app: MockApp = create_app(
            load_settings(seed=11, freeze_time=1_750_000_000.0, tokenizer="approx")
        )
        self.client = Client(self.app)
        self.log = Errors()

    @property
    def state(self) -> Any:
        return self.app.state

    def fresh(self) -> None:
        self.state.reset()
        self.log.records.clear()

    def check(self, response: Any, control: bool = False) -> None:
        status = response.status_code
        assert not self.state.errors, f"internal error: {self.state.errors[-1]!r}"
        assert not self.log.records, f"logged: {self.log.records[-1].getMessage()}"
        scripted = False
        if not control and self.state.journal.last is not None:
            scripted = self.state.journal.last.fault is not None
        if status >= 500:
            assert scripted, f"unscripted {status}: {response.text[:300]}"
        if status >= 400 and not scripted and response.request.method != "HEAD":
            assert_error_shape(response, control)

    def still_answers(self) -> None:
        response = self.client.post(NORMAL_URL, json=NORMAL, headers={"api-key": "k"})
        assert response.status_code == 200, response.text[:300]
        journal = self.client.get("/_mock/requests")
        assert journal.status_code == 200
        json.loads(journal.content)
        assert not self.state.errors and not self.log.records


MISSED_MODEL = {"error": {"message": "Missed model deployment"}}


def assert_error_shape(response: Any, control: bool) -> None:
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/xml"):  # an image link: Azure Storage's error
        assert b"<Error><Code>" in response.content
        return
    if kind == "" and response.status_code == 400:  # a Responses create without a model: Azure sends
        assert json.loads(response.content) == MISSED_MODEL  # no Content-Type (recording 26)
        return
    assert kind.startswith("application/json"), f"{response.status_code} as {kind!r}: {response.text[:200]}"
    body = json.loads(response.content)
    if control:
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
        return
    if "statusCode" in body:  # the Entra token 401 (azure-wire §2.1)
        assert set(body) == {"statusCode", "message"}
        return
    error = body["error"]
    assert isinstance(error, dict) and isinstance(error.get("message"), str), body


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    made = Harness()
    root = logging.getLogger()
    root.addHandler(made.log)
    try:
        yield made
    finally:
        root.removeHandler(made.log)
        made.client.close()


def send(
    h: Harness, method: str, path: str, params: dict[str, str], headers: dict[str, str], **kw: Any
) -> Any:
    encoded = {k: v.encode("latin-1") for k, v in headers.items()}
    return h.client.request(method, path, params=params, headers=encoded, **kw)


# --- the data plane ------------------------------------------------------------------------------


def run_bodies(h: Harness, data: st.DataObject) -> None:
    h.fresh()
    path, operation = data.draw(fz.paths())
    body = data.draw(fz.bodies(operation))
    params = fz.query(data.draw)
    response = send(
        h,
        "POST",
        path,
        params,
        {"api-key": "k", "content-type": "application/json"},
        content=json.dumps(body).encode(),
    )
    h.check(response)
    h.still_answers()


def run_raw(h: Harness, data: st.DataObject) -> None:
    h.fresh()
    path, _ = data.draw(fz.paths())
    raw = data.draw(fz.RAW_BODIES)
    kind = data.draw(fz.CONTENT_TYPES)
    response = send(h, "POST", path, fz.query(data.draw), {"api-key": "k", "content-type": kind}, content=raw)
    h.check(response)
    h.still_answers()


def run_requests(h: Harness, data: st.DataObject) -> None:
    h.fresh()
    path, operation = data.draw(fz.paths())
    method = data.draw(st.sampled_from(["POST", "POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]))
    headers = data.draw(fz.headers())
    content = (
        json.dumps(data.draw(fz.bodies(operation))).encode() if method in ("POST", "PUT", "PATCH") else None
    )
    if content is not None and "content-type" not in {k.lower() for k in headers}:
        headers["content-type"] = data.draw(fz.CONTENT_TYPES)
    response = send(h, method, path, fz.query(data.draw), headers, content=content)
    h.check(response)
    h.still_answers()


def run_uploads(h: Harness, data: st.DataObject) -> None:
    h.fresh()
    operation = data.draw(st.sampled_from([*fz.UPLOADS, "audio.speech"]))
    tail = next(t for t, op in fz.PATHS.items() if op == operation)
    deployment = data.draw(st.sampled_from(["whisper", "tts", "gpt-4o"]))
    version = data.draw(st.sampled_from([GA, "2025-03-01-preview", "2024-02-15-preview"]))
    fields, files = data.draw(fz.forms())
    response = h.client.post(
        f"/openai/deployments/{deployment}/{tail}",
        params={"api-version": version},
        headers={"api-key": "k"},
        data=fields,
        files=files or {"none": ("", b"", "")},
    )
    h.check(response)
    h.still_answers()


def run_rules(h: Harness, data: st.DataObject) -> None:
    h.fresh()
    rule = data.draw(fz.rules())
    posted = h.client.post("/_mock/faults", content=json.dumps(rule).encode())
    assert posted.status_code in (201, 400), posted.text
    h.check(posted, control=True)
    stored = h.client.get("/_mock/faults").json()["faults"]
    if any(slow(r) for r in stored):  # a long scripted delay is valid; do not sit through it
        h.client.delete("/_mock/faults")
    stream = data.draw(st.booleans())
    try:
        response = h.client.post(NORMAL_URL, json={**NORMAL, "stream": stream}, headers={"api-key": "k"})
    except ConnectionResetError:  # a scripted reset or cut, in-process (transport.ScriptedDisconnect)
        assert any(r.get("fault", r.get("sequence")) for r in stored)
    else:
        h.check(response)
    h.client.delete("/_mock/faults")
    h.still_answers()


def slow(rule: dict[str, Any]) -> bool:
    """Whether the rule can pace or delay an answer (they default to real waits, even unset)."""
    actions = [rule.get("fault"), *(rule.get("sequence") or [])]
    return any(isinstance(a, dict) and a.get("kind") in PACED for a in actions)


CONTROL_PATHS = (
    "/_mock/health",
    "/_mock/reset",
    "/_mock/requests",
    "/_mock/deployments",
    "/_mock/faults",
    "/_mock/faults/fault-1",
    "/_mock/scenarios",
    "/_mock/clock",
    "/_mock/clock/advance",
    "/_mock/images/abc/generated_00.png",
    "/_mock/x",
    "/_mock/",
    "/_mock/faults/%00",
)


def control_paths() -> list[str]:
    """The control routes from the control API's own table (with placeholders filled), and some more."""
    from mockserver.endpoints.admin import admin_router

    from mockserver.state import MockState

    routes = [getattr(r, "path", "") for r in admin_router(MockState(load_settings())).routes]
    filled = [
        p.replace("{rule_id}", "fault-1").replace("{request_id}", "r").replace("{name}", "generated_00.png")
        for p in routes
        if p
    ]
    return sorted({*filled, *CONTROL_PATHS})


def run_control(h: Harness, data: st.DataObject) -> None:
    h.fresh()
    path = data.draw(st.sampled_from(control_paths()))
    method = data.draw(st.sampled_from(["GET", "POST", "DELETE", "PUT", "HEAD"]))
    params = data.draw(
        st.dictionaries(
            st.sampled_from(["sz", "k", "st", "se", "sig", "session", "operation"]),
            st.one_of(st.sampled_from(["1024x1024", "²x2", "0" * 32, "g" * 32]), fz.HEADER_VALUES),
            max_size=4,
        )
    )
    body = data.draw(
        st.one_of(
            st.none(),
            fz.RAW_BODIES,
            fz.json_values(leaves=6).map(lambda v: json.dumps(v).encode()),
            st.fixed_dictionaries({"name": fz.scalars()}).map(lambda v: json.dumps(v).encode()),
            st.fixed_dictionaries({"seconds": fz.scalars()}).map(lambda v: json.dumps(v).encode()),
        )
    )
    response = h.client.request(method, path, params=params, content=body)
    if path.startswith("/_mock/images/") and response.status_code < 500:
        assert (
            response.headers["content-type"] in ("application/xml", "image/png")
            or response.status_code == 405
        )
    else:
        h.check(response, control=True)
    h.still_answers()


CASES: dict[str, Callable[[Harness, st.DataObject], None]] = {
    "bodies": run_bodies,
    "raw": run_raw,
    "requests": run_requests,
    "uploads": run_uploads,
    "rules": run_rules,
    "control": run_control,
}


def make_test(name: str, slow_run: bool) -> Callable[..., None]:
    @budget(name, slow_run)
    @given(data=st.data())
    def test(harness: Harness, data: st.DataObject) -> None:
        CASES[name](harness, data)

    test.__name__ = f"test_fuzz_{name}" + ("_slow" if slow_run else "")
    return test


test_fuzz_bodies = make_test("bodies", False)
test_fuzz_raw = make_test("raw", False)
test_fuzz_requests = make_test("requests", False)
test_fuzz_uploads = make_test("uploads", False)
test_fuzz_rules = make_test("rules", False)
test_fuzz_control = make_test("control", False)

for _name in BUDGET:
    globals()[f"test_fuzz_{_name}_slow"] = pytest.mark.slow(make_test(_name, True))
