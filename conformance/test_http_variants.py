"""The plain-http variants, kept tested now that the Go and Java drivers talk https.

* ``go-http`` and ``java-http``: openai-go (with ``azure.WithUnsafeAllowHTTP``) and openai-java on the
  target's http endpoint, through a few vectors that exercise the connection (auth, a retry, a stream,
  a reset, the v1 surface), judged by the same rules as their https columns. Not in the matrix.
* Java's h2c offer (sdk-behaviour §8): a default ``java.net.http.HttpClient`` adds ``Connection: Upgrade,
  HTTP2-Settings`` / ``Upgrade: h2c`` to requests on http URLs; the mock must answer in HTTP/1.1 with the
  body intact on whichever HTTP implementation serves it (httptools under the speed extra, h11 without;
  tests/test_h2c.py checks both on a raw socket).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from .drivers import REGISTRY, Driver, DriverCall
from .drivers.java_azure import JavaAzure
from .drivers.process import CALL_TIMEOUT, without
from .harness import judge, observe, skip_reason
from .targets import Target
from .vectors import BY_ID

pytestmark = [pytest.mark.client, pytest.mark.server_only]
VECTORS = ("auth-header", "retry-after-ms", "stream-error-event", "connection-reset", "v1-endpoint")


@pytest.fixture(scope="module")
def http_drivers(target: Target) -> dict[str, Driver]:
    return {name: REGISTRY[name](target) for name in ("go-http", "java-http")}


def usable(driver: Driver, request: pytest.FixtureRequest, target: Target) -> None:
    reason = skip_reason(request.node, target, request.config) or driver.unavailable()
    if reason:
        pytest.skip(f"driver {driver.name}: {reason}")


@pytest.mark.needs_faults
@pytest.mark.parametrize("vector_id", VECTORS)
@pytest.mark.parametrize("name", ["go-http", "java-http"])
def test_the_http_variant(
    name: str,
    vector_id: str,
    http_drivers: dict[str, Driver],
    target: Target,
    session_id: str,
    request: pytest.FixtureRequest,
) -> None:
    driver = http_drivers[name]
    usable(driver, request, target)
    assert driver.scheme == "http"
    vector = BY_ID[vector_id]
    rule = vector.rule_for(driver.sdk, driver.version)
    attempts = rule.expect.attempts if rule and rule.expect.attempts else 1
    outcome, seen = observe(vector, driver, target, session_id, attempts)
    cell = judge(vector, driver, seen)
    assert cell.verdict in ("pass", "differs"), f"{name} on {vector_id}: {cell.detail}\n{outcome.to_json()}"
    assert seen.paths
    assert all(path.startswith("/openai/") for path in seen.paths)


def test_java_h2c_offer_keeps_the_body(
    target: Target, session_id: str, request: pytest.FixtureRequest
) -> None:
    driver = JavaAzure(target)
    usable(driver, request, target)
    call = DriverCall(
        operation="chat",
        endpoint=target.endpoint,
        deployment=target.deployments.chat,
        api_key=target.api_key or "",
        params={"max_tokens": 9},
        headers={"x-mock-session": session_id},
    )
    done = subprocess.run(
        driver.command("h2c"),
        input=json.dumps(call.to_json()),
        capture_output=True,
        text=True,
        env=without(driver.hidden_env),
        timeout=CALL_TIMEOUT,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-1500:]
    outcome = json.loads(lines[-1])
    assert outcome["runtime"].endswith("HTTP_2"), outcome  # a default client: it offers the upgrade
    assert (outcome["ok"], outcome["status"]) == (True, 200), outcome["result"]["body"][:300]
    assert outcome["result"]["version"] == "HTTP_1_1"
    assert json.loads(outcome["result"]["body"])["object"] == "chat.completion"
    (entry,) = target.journal(session_id, expect=1)
    assert entry["headers"].get("upgrade") == "h2c"
    assert "http2-settings" in entry["headers"]
    assert entry["status"] == 200
    assert entry["body"]["max_tokens"] == 9  # the body arrived whole


def test_the_variants_are_not_in_a_default_run() -> None:
    from .drivers import DEFAULT_DRIVERS

    assert {"go", "java", "go-azopenai", "java-azure"} <= set(DEFAULT_DRIVERS)
    assert not {"go-http", "java-http"} & set(DEFAULT_DRIVERS)
