"""The Azure-maintained SDKs' seed samples against the mock over https, as contract checks.

Each driver program has a ``samples`` mode: its SDK's own samples (chat, streaming chat, chat with an
image part, embeddings, an image URL and a HEAD on it, legacy completions, speech, transcription) as a
user runs them, changed only in endpoint and key, the client trusting the mock's CA the way the README
says (Go: ``SSL_CERT_FILE``; Java: a keytool-made PKCS12 truststore and ``-Djavax.net.ssl.trustStore``).
Go's run with nil client options. The mock is the test's own ``aoai-mock serve --tls --config
conformance/mock.toml`` (the CA in the conformance cache), whatever the target; its journal then shows that
every sample's request arrived over https, authenticated, and was answered 200.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .drivers import go_azopenai, java_azure
from .drivers.builds import java_trust, truststore
from .drivers.java_openai import JAVA_ENV
from .drivers.process import CLIENT_ENV, cache_root, without
from .serve import ServeProcess
from .target_kinds import MOCK_CONFIG, MOCK_KEY

pytestmark = pytest.mark.samples
SAMPLE_TIMEOUT = 300
# the operations each sample sends, in order (the HEAD on the image URL goes to /_mock/images/...)
OPERATIONS = [
    "chat.completions",
    "chat.completions",
    "chat.completions",
    "embeddings",
    "images.generations",
    "completions",
    "audio.speech",
    "audio.transcriptions",
]
# the environment variables of azopenai's example_client_*_test.go, per sample family -> deployment
GO_EXAMPLES = {
    "AOAI_CHAT_COMPLETIONS": "gpt-4o",
    "AOAI_VISION": "gpt-4-vision-preview",  # recording 32's deployment name (mock.toml)
    "AOAI_EMBEDDINGS": "text-embedding-3-small",
    "AOAI_DALLE": "dall-e-3",
    "AOAI_COMPLETIONS": "gpt-35-turbo-instruct",
    "AOAI_TTS": "tts",
    "AOAI_WHISPER": "whisper",
}


class Served:
    """``aoai-mock serve --tls`` as users run it, with its journal read over its control API."""

    def __init__(self) -> None:
        self.process = ServeProcess(
            "--tls", "--tls-dir", str(cache_root() / "tls"), "--config", str(MOCK_CONFIG)
        )
        assert self.process.ca is not None
        self.endpoint = self.process.endpoint
        self.ca_path = self.process.ca

    def journal(self) -> list[dict[str, Any]]:
        answer = httpx.get(self.endpoint + "/_mock/requests", verify=self.process.verify, timeout=10)
        return sorted(answer.json()["requests"], key=lambda entry: entry["monotonic"])


@pytest.fixture
def mock() -> Iterator[Served]:
    served = Served()
    yield served
    served.process.stop()


def run_samples(command: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=SAMPLE_TIMEOUT, check=False
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no sample ran (exit {done.returncode}): {done.stderr[-1500:]}"
    failed = [line for line in lines if not line["ok"]]
    assert not failed, f"samples failed: {failed}\n{done.stderr[-1500:]}"
    assert done.returncode == 0, done.stderr[-1500:]
    return lines


def check_journal(mock: Served) -> list[dict[str, Any]]:
    calls = mock.journal()
    assert [entry["operation"] for entry in calls] == OPERATIONS
    assert {entry["status"] for entry in calls} == {200}
    assert {entry["query"].get("api-version") for entry in calls} == {
        "2025-01-01-preview"
    }  # the SDKs' own (§8)
    assert all("api-key" in entry["headers"] for entry in calls)
    vision = calls[2]["body"]["messages"][-1]["content"]
    assert [part["type"] for part in vision] == ["text", "image_url"]
    return calls


def test_go_azopenai_samples_pass_over_tls_with_nil_options(mock: Served) -> None:
    binary, problem = go_azopenai.built_driver()
    if binary is None:
        pytest.skip(f"driver go-azopenai: {problem}")
    env = without(CLIENT_ENV)
    env["SSL_CERT_FILE"] = mock.ca_path
    for prefix, deployment in GO_EXAMPLES.items():
        env.update(
            {
                f"{prefix}_ENDPOINT": mock.endpoint,
                f"{prefix}_API_KEY": MOCK_KEY,
                f"{prefix}_MODEL": deployment,
            }
        )
    lines = run_samples([str(binary), "samples"], env)
    assert [line["sample"] for line in lines] == [
        "chat",
        "chat_stream",
        "chat_image",
        "embeddings",
        "image_url_head",
        "completions",
        "speech_flac",
        "transcription",
    ]
    assert lines[4]["detail"].startswith(f"HEAD {mock.endpoint}/_mock/images/")  # the image URL names https
    calls = check_journal(mock)
    assert all(entry["headers"]["user-agent"].startswith("azsdk-go-azopenai.Client/v") for entry in calls)


def test_java_azure_samples_pass_over_tls_with_the_jvm_trusting_the_ca(mock: Served) -> None:
    jar, problem = java_azure.built_driver()
    if jar is None:
        pytest.skip(f"driver java-azure: {problem}")
    store, problem = truststore(Path(mock.ca_path))
    if store is None:
        pytest.skip(f"driver java-azure: {problem}")
    env = {
        **without(JAVA_ENV),
        "AZURE_OPENAI_ENDPOINT": mock.endpoint,
        "AZURE_OPENAI_KEY": MOCK_KEY,
        "AOAI_SAMPLE_VISION_DEPLOYMENT": "gpt-4-vision-preview",
    }
    lines = run_samples(
        ["java", "-XX:TieredStopAtLevel=1", *java_trust(store), "-jar", str(jar), "samples"], env
    )
    assert [line["sample"] for line in lines] == [
        "chat",
        "chat_stream",
        "chat_image",
        "embeddings",
        "image_url_head",
        "completions",
        "speech_wav",
        "transcription",
    ]
    assert lines[4]["detail"].startswith(f"HEAD {mock.endpoint}/_mock/images/")
    calls = check_journal(mock)
    assert all(entry["headers"]["user-agent"].startswith("azsdk-java-azure-ai-openai/") for entry in calls)
    assert all(entry["headers"].get("x-ms-client-request-id") for entry in calls)  # RequestIdPolicy (§4.3)


def test_java_azure_over_plain_http_is_refused_by_the_sdk_itself(mock: Served) -> None:
    """sdk-behaviour §8: azure-core's KeyCredentialPolicy refuses http, which is why the mock serves https."""
    jar, problem = java_azure.built_driver()
    if jar is None:
        pytest.skip(f"driver java-azure: {problem}")
    env = {
        **without(JAVA_ENV),
        "AZURE_OPENAI_ENDPOINT": mock.endpoint.replace("https://", "http://"),
        "AZURE_OPENAI_KEY": MOCK_KEY,
        "AZURE_REQUEST_RETRY_COUNT": "0",
    }
    done = subprocess.run(
        ["java", "-XX:TieredStopAtLevel=1", "-jar", str(jar), "samples"],
        env=env,
        capture_output=True,
        text=True,
        timeout=SAMPLE_TIMEOUT,
        check=False,
    )
    first = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
    assert not first["ok"]
    assert "Key credentials require HTTPS to prevent leaking the key." in first["error"]
    assert not mock.journal()  # nothing was sent
