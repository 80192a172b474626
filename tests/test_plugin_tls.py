"""The plugin's live mocks on https: ``@pytest.mark.aoai(tls=True)``, ``--aoai-tls`` and its ini and
env twins; the handle's ``ca_path``; ``client()``, ``async_client()`` and ``env()`` trusting the mock's
CA with no step of the user's. Black-box through pytester, the CA in a temporary cache dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from .plugin_support import assert_outcomes, header_line

pytestmark = pytest.mark.live

PER_TEST = """
import asyncio
import os
import subprocess
import sys

import httpx
import pytest

CHAT = [{"role": "user", "content": "Hello"}]
CHILD = (
    "from openai import AzureOpenAI\\n"
    "reply = AzureOpenAI().chat.completions.create(model='gpt-4o',\\n"
    "    messages=[{'role': 'user', 'content': 'hi'}])\\n"
    "print(reply.choices[0].message.content)\\n"
)


@pytest.mark.aoai(tls=True)
def test_the_marker_serves_https(aoai_server):
    assert aoai_server.endpoint.startswith("https://127.0.0.1:")
    assert aoai_server.ca_path == Path(os.environ["XDG_CACHE_HOME"]) / "aoai-mockserver" / "tls" / "ca.pem"
    reply = aoai_server.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.choices[0].message.content
    assert aoai_server.requests.call_count == 1


@pytest.mark.aoai(tls=True)
def test_the_async_client_trusts_it_too(aoai_server):
    async def chat():
        client = aoai_server.async_client()
        try:
            return await client.chat.completions.create(model="gpt-4o", messages=CHAT)
        finally:
            await client.close()

    assert asyncio.run(chat()).choices[0].message.content


@pytest.mark.aoai(tls=True)
def test_env_makes_a_child_process_trust_it(aoai_server):
    env = aoai_server.env()
    assert env["AZURE_OPENAI_ENDPOINT"] == aoai_server.endpoint
    assert env["NODE_EXTRA_CA_CERTS"] == str(aoai_server.ca_path)
    bundle = Path(env["SSL_CERT_FILE"]).read_text()
    assert aoai_server.ca_path.read_text() in bundle
    assert bundle.count("BEGIN CERTIFICATE") > 50  # the public CAs too
    done = subprocess.run([sys.executable, "-c", CHILD], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert aoai_server.requests.call_count == 1


@pytest.mark.aoai(tls=True)
def test_what_it_emits_names_https(aoai_server):
    with aoai_server.client() as client:
        image = client.images.generate(model="dall-e-3", prompt="a cat")
    assert image.data[0].url.startswith(aoai_server.endpoint + "/_mock/images/")
    assert httpx.head(image.data[0].url, verify=str(aoai_server.ca_path)).status_code == 200


def test_plain_http_by_default(aoai_server):
    assert aoai_server.endpoint.startswith("http://127.0.0.1:")
    assert aoai_server.ca_path is None
    assert "SSL_CERT_FILE" not in aoai_server.env()
    assert aoai_server.client().chat.completions.create(model="gpt-4o", messages=CHAT).choices
"""

WHOLE_RUN = """
import pytest

CHAT = [{"role": "user", "content": "Hello"}]


def test_live_mocks_are_https(aoai_server):
    assert aoai_server.endpoint.startswith("https://")
    assert aoai_server.client().chat.completions.create(model="gpt-4o", messages=CHAT).choices


@pytest.mark.aoai(tls=False)
def test_the_marker_still_decides(aoai_server):
    assert aoai_server.endpoint.startswith("http://")
    assert aoai_server.ca_path is None


def test_in_process_is_unchanged(aoai_mock):
    assert aoai_mock.endpoint == "https://aoai-mock.openai.azure.com" and aoai_mock.ca_path is None
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def test_the_marker_serves_a_test_on_https(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(f"from pathlib import Path\n{PER_TEST}")
    assert_outcomes(pytester.runpytest(), passed=5)


@pytest.mark.parametrize("how", ["cli", "ini", "env"])
def test_aoai_tls_serves_the_whole_run_on_https(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    pytester.makepyfile(WHOLE_RUN)
    args: list[str] = []
    if how == "cli":
        args = ["--aoai-tls"]
    elif how == "ini":
        pytester.makeini("[pytest]\naoai_tls = on\n")
    else:
        monkeypatch.setenv("AOAI_MOCK_TLS", "1")
    result = pytester.runpytest(*args)
    assert_outcomes(result, passed=3)
    assert "tls=on" in header_line(result)


def test_server_mode_with_aoai_tls_serves_aoai_mock_on_https(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_https(aoai_mock):\n"
        "    assert aoai_mock.mode == 'server' and aoai_mock.endpoint.startswith('https://')\n"
        "    assert aoai_mock.client().embeddings.create(model='text-embedding-3-small', input='hi').data\n"
    )
    assert_outcomes(pytester.runpytest("--aoai-mode", "server", "--aoai-tls"), passed=1)


def test_bad_values_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.aoai(tls='yes')\ndef test_bad(aoai_server):\n    pass\n"
    )
    result = pytester.runpytest("--aoai-tls", "maybe")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "'maybe' is not valid for --aoai-tls" in "\n".join(result.errlines)
    result = pytester.runpytest()
    assert_outcomes(result, errors=1)
    assert "tls must be True or False, got 'yes'" in "\n".join(result.outlines)
