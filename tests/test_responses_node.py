"""The openai npm package against the Responses API on both surfaces, over HTTP to a live mock: create,
retrieve, input items, the stream helper's final response, a tool call and the second turn sending its
output, structured output, background and cancel, delete (``conformance/drivers/node/responses_flow.mjs``).

The package is the conformance suite's (installed once into its cache by ``npm``); without Node the test
is skipped, saying why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.drivers.node_openai import installed_openai

from .conftest import LiveServer

pytestmark = pytest.mark.live
FLOW = Path(__file__).resolve().parent.parent / "conformance" / "drivers" / "node" / "responses_flow.mjs"


@pytest.mark.parametrize("surface", ["classic", "v1"])
def test_the_node_sdk_runs_the_responses_flow(live_server: LiveServer, surface: str) -> None:
    folder, problem = installed_openai()
    if folder is None:
        pytest.skip(f"openai-node: {problem}")
    node = shutil.which("node")
    assert node is not None
    call = {"endpoint": live_server.endpoint, "api_key": "test-key", "surface": surface}
    env = {**os.environ, "AOAI_CONFORMANCE_NODE_MODULES": str(folder)}
    done = subprocess.run(
        [node, str(FLOW)],
        input=json.dumps(call),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["created"]["id"].startswith("resp_")
    assert seen["created"]["status"] == "completed"
    assert seen["created"]["text"]
    assert seen["retrieved"] is True
    assert seen["items"] == ["Tell me about tropical fruit"]
    assert seen["stream"]["first"] == "response.created"
    assert seen["stream"]["last"] == "response.completed"
    assert seen["stream"]["status"] == "completed"
    assert seen["stream"]["text"]
    assert seen["tools"]["first"] == "function_call"
    assert set(seen["tools"]["args"]) == {"city"}
    assert seen["tools"]["second"] == "message"
    assert seen["tools"]["chained"] is True
    assert isinstance(seen["structured"]["animals"], list)
    assert seen["background"] == {"created": "queued", "cancelled": "cancelled"}
    assert seen["deleted"] == 404
