"""Options, their ini twins and environment variables, the ``aoai`` marker, modes and blocking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver import create_app, load_settings
from mockserver.server import ServerThread

from .plugin_support import assert_outcomes, header_line, not_a_mock

pytestmark = pytest.mark.live

SEED_PROBE = """
def test_seed(aoai_mock):
    print("SEED", aoai_mock.state.settings.seed)
"""


def seed_of(result: pytest.RunResult) -> int:
    line = next(line for line in result.outlines if "SEED" in line)
    return int(line.split("SEED")[1].split()[0])


def test_header_shows_the_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    assert header_line(result) == (
        "aoai-mockserver: mode=inprocess, target=in-process (httpx/httpx2 interception), seed=default, "
        "block-real-azure=off"
    )


def test_options_appear_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "aoai-mockserver*",
            "*--aoai-mode=inprocess|server|external*",
            "*--aoai-base-url=URL*",
            "*--aoai-seed=N*",
            "*--aoai-block-network*",
            "*--aoai-record-mode=none|once|new_episodes|all*",
        ]
    )
    result.stdout.fnmatch_lines(["*aoai_mode (string):*"])


def test_precedence_marker_cli_ini_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(SEED_PROBE)
    monkeypatch.setenv("AOAI_MOCK_SEED", "1")
    assert seed_of(pytester.runpytest("-s")) == 1  # env
    pytester.makeini("[pytest]\naoai_seed = 2\n")
    assert seed_of(pytester.runpytest("-s")) == 2  # ini > env
    result = pytester.runpytest("-s", "--aoai-seed", "3")
    assert seed_of(result) == 3  # CLI > ini
    assert "seed=3" in header_line(result)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.aoai(seed=4)
        def test_seed(aoai_mock):
            print("SEED", aoai_mock.state.settings.seed)
    """)
    assert seed_of(pytester.runpytest("-s", "--aoai-seed", "3")) == 4  # marker > CLI


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (
            ["--aoai-mode", "cloud"],
            "",
            "ERROR: --aoai-mode 'cloud' is not valid for --aoai-mode; valid: inprocess, server, external",
        ),
        (
            [],
            "aoai_mode = cloud",
            "ERROR: ini aoai_mode 'cloud' is not valid for --aoai-mode; valid: inprocess, server, external",
        ),
        (
            ["--aoai-seed", "abc"],
            "",
            "ERROR: --aoai-seed 'abc' is not valid for --aoai-seed; valid: a whole number",
        ),
        (
            ["--aoai-block-network", "maybe"],
            "",
            "ERROR: --aoai-block-network 'maybe' is not valid for --aoai-block-network; "
            "valid: on, true, 1, yes, off, false, 0, no",
        ),
        (["--aoai-mode", "external"], "", "ERROR: --aoai-mode external needs --aoai-base-url URL*"),
        (["--aoai-config", "missing.toml"], "", "ERROR: --aoai-config 'missing.toml': no such config file*"),
    ],
)
def test_bad_values_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


MARKER = """
import openai
import pytest

CHAT = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.mark.aoai(deployments=[{"name": "my-chat", "model": "gpt-4o-mini", "tpm": 6000}])
def test_deployments(aoai_mock):
    assert aoai_mock.deployment("my-chat").rpm == 36
    reply = aoai_mock.client().chat.completions.create(model="my-chat", messages=CHAT)
    assert reply.model == "gpt-4o-mini-2024-07-18"


@pytest.mark.aoai(deployments=[{"name": "only", "model": "gpt-4o"}], replace_catalogue=True)
def test_replace_catalogue(aoai_mock):
    assert [d.name for d in aoai_mock.deployments] == ["only"]


@pytest.mark.aoai(canned=[{"match": "weather in (\\\\w+)", "content": "Sunny."}])
def test_canned(aoai_mock):
    reply = aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.choices[0].message.content == "Sunny."


@pytest.mark.aoai(scenario="retry-429-then-ok")
def test_scenario(aoai_mock):
    aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert [e.status for e in aoai_mock.requests] == [429, 429, 200]


@pytest.mark.aoai(faults={"match": {"operation": "embeddings"}, "fault": {"status": 503}})
def test_faults(aoai_mock):
    client = aoai_mock.client(max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="text-embedding-3-small", input="x")
    client.chat.completions.create(model="gpt-4o", messages=CHAT)


@pytest.mark.aoai(faults={"match": {}, "fault": {"status": 500}, "times": 1})
def test_reset_keeps_the_marker_faults(aoai_mock):
    client = aoai_mock.client(max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=CHAT)
    aoai_mock.reset()
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=CHAT)


@pytest.mark.aoai(keys=["secret-1"], api_version="2024-06-01", freeze_time=1700000000)
def test_keys_version_time(aoai_mock):
    assert aoai_mock.api_key == "secret-1"
    reply = aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.created == 1700000000
    assert aoai_mock.requests.last.query["api-version"] == "2024-06-01"
    with pytest.raises(openai.AuthenticationError):
        aoai_mock.client(api_key="bad", max_retries=0).chat.completions.create(model="gpt-4o", messages=CHAT)


@pytest.mark.aoai(env=True)
def test_env(aoai_mock):
    reply = openai.AzureOpenAI().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert reply.choices


@pytest.mark.aoai(config="mock.toml")
def test_config_file(aoai_mock):
    assert aoai_mock.deployment("from-file") is not None
    assert aoai_mock.state.settings.seed == 5  # the module's marker beats the file's seed (99)


pytestmark = pytest.mark.aoai(seed=5)


def test_module_marker(aoai_mock):
    assert aoai_mock.state.settings.seed == 5


@pytest.mark.aoai(seed=6)
def test_closest_marker_wins(aoai_mock):
    assert aoai_mock.state.settings.seed == 6


@pytest.mark.aoai(rate_limits="report")
def test_same_marker_for_the_live_server(aoai_server):
    assert aoai_server.state.settings.rate_limits == "report"
    assert aoai_server.state.settings.seed == 5
"""

CONFIG = """
[server]
seed = 99

[[deployments]]
name = "from-file"
model = "gpt-4o"
"""


def test_marker_configures_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MARKER)
    pytester.makefile(".toml", mock=CONFIG)
    assert_outcomes(pytester.runpytest(), passed=12)


BAD_MARKERS = """
import pytest


@pytest.mark.aoai(sead=1)
def test_typo(aoai_mock):
    pass


@pytest.mark.aoai(1)
def test_positional(aoai_mock):
    pass


@pytest.mark.aoai(rate_limits="sometimes")
def test_bad_value(aoai_mock):
    pass


@pytest.mark.aoai(scenario="no-such-scenario")
def test_unknown_scenario(aoai_mock):
    pass
"""


def test_marker_errors_list_the_valid_values(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BAD_MARKERS)
    result = pytester.runpytest()
    assert_outcomes(result, errors=4)
    out = result.stdout.str()
    for message in [
        "aoai-mockserver: unknown @pytest.mark.aoai / MockAzure argument(s) ['sead']; valid: ['api_version', "
        "'canned', 'cassette', 'config', 'deployments', 'env', 'faults', 'freeze_time', 'keys', "
        "'rate_limits', 'record_mode', 'replace_catalogue', 'replay_speed', 'scenario', 'seed', 'tls', "
        "'tokenizer']",
        "aoai-mockserver: @pytest.mark.aoai takes keyword arguments only, e.g. @pytest.mark.aoai(seed=1); "
        "got (1,)",
        "aoai-mockserver: rate_limits must be one of ['enforce', 'report', 'off'], got 'sometimes'",
        "aoai-mockserver: no scenario file or built-in scenario 'no-such-scenario'; built-in: [",
    ]:
        assert message in out, out
    assert "pytest_plugin.py" not in out  # the message, not a traceback through the plugin


def test_config_option_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SEED_PROBE)
    pytester.mkdir("conf")
    pytester.path.joinpath("conf", "mock.toml").write_text(CONFIG)
    assert seed_of(pytester.runpytest("-s", "--aoai-config", "conf/mock.toml")) == 99
    pytester.makeini("[pytest]\naoai_config = conf/mock.toml\n")
    result = pytester.runpytest("-s", "--aoai-seed", "7")
    assert seed_of(result) == 7  # --aoai-seed beats the config file's seed
    assert "config=" in header_line(result)


SETTINGS_OVERRIDE = """
import pytest
from mockserver import load_settings


@pytest.fixture(scope="session")
def aoai_settings():
    return load_settings(seed=123, rate_limits="off")


def test_uses_the_overridden_settings(aoai_mock):
    assert aoai_mock.state.settings.seed == 123
    assert aoai_mock.state.settings.rate_limits == "off"
"""


def test_aoai_settings_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SETTINGS_OVERRIDE.split("\n\ndef test_")[0])
    pytester.makepyfile("def test_" + SETTINGS_OVERRIDE.split("\n\ndef test_")[1])
    assert_outcomes(pytester.runpytest(), passed=1)


MODES = """
def test_mode(aoai_mock):
    chat = aoai_mock.client().chat.completions
    reply = chat.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert reply.choices
    print("MODE", aoai_mock.mode, aoai_mock.endpoint, aoai_mock.requests.call_count)
"""


def test_server_mode_runs_aoai_mock_on_the_live_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MODES)
    result = pytester.runpytest("-s", "--aoai-mode", "server")
    assert_outcomes(result, passed=1)
    result.stdout.fnmatch_lines(["*MODE server http://127.0.0.1:* 1*"])
    assert "mode=server, target=live server on 127.0.0.1" in header_line(result)


@pytest.fixture
def external_mock() -> Iterator[str]:
    """A standalone mock server, as a team might run for several suites."""
    server = ServerThread(create_app(load_settings(seed=11))).start()
    yield server.endpoint
    server.stop()


EXTERNAL = """
import pytest

CHAT = [{"role": "user", "content": "x"}]


def test_external_with_faults_and_journal(aoai_mock):
    assert aoai_mock.mode == "external"
    aoai_mock.fail(500, times=1)
    client = aoai_mock.client(max_retries=1)
    client.chat.completions.create(model="gpt-4o", messages=CHAT)
    assert [e.status for e in aoai_mock.requests] == [500, 200]
    assert all(e.session == aoai_mock.session for e in aoai_mock.requests)


def test_sessions_are_isolated(aoai_mock):
    assert not aoai_mock.requests.called
    assert aoai_mock.faults.snapshot() == []
    aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    aoai_mock.reset()
    assert not aoai_mock.requests.called


def test_aoai_server_goes_to_the_external_target_too(aoai_server):
    assert aoai_server.mode == "external"


@pytest.mark.aoai(seed=3)
def test_settings_markers_are_skipped(aoai_mock):
    pass


@pytest.mark.aoai(scenario="retry-429-then-ok")
def test_scenarios_are_scoped_to_the_session(aoai_mock):
    aoai_mock.client().chat.completions.create(model="gpt-4o", messages=CHAT)
    assert [e.status for e in aoai_mock.requests] == [429, 429, 200]
"""


def test_external_mode_against_a_mock(pytester: pytest.Pytester, external_mock: str) -> None:
    pytester.makepyfile(EXTERNAL)
    result = pytester.runpytest("--aoai-base-url", external_mock, "-rs")
    assert_outcomes(result, passed=4, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.aoai(seed=...) configures the mock's settings; the external "
            f"target {external_mock} keeps its own*"
        ]
    )
    assert f"mode=external, target={external_mock}" in header_line(result)


NOT_A_MOCK = """
def test_needs_the_journal(aoai_mock):
    aoai_mock.requests.call_count


def test_needs_faults(aoai_mock):
    aoai_mock.fail(429)


def test_plain_client_use(aoai_mock):
    assert aoai_mock.endpoint.startswith("http://127.0.0.1:")
    assert aoai_mock.api_key == "real-key-from-env"
"""


def test_external_mode_against_a_real_resource_skips_what_needs_the_mock(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "real-key-from-env")
    pytester.makepyfile(NOT_A_MOCK)
    with not_a_mock() as url:
        pytester.makeini(f"[pytest]\naoai_mode = external\naoai_base_url = {url}\n")
        result = pytester.runpytest("-rs")
    assert_outcomes(result, passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [f"*the request journal needs the mock's control API, and {url} is not an aoai-mockserver*"]
    )


BLOCKING = """
import httpx
import openai
import pytest


def test_forgot_the_fixture():
    client = openai.AzureOpenAI(azure_endpoint="https://my-real-resource.openai.azure.com", api_key="k",
                                api_version="2024-10-21", max_retries=0)
    try:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    except openai.APIConnectionError:
        pass  # the code under test swallows errors: the test still fails


def test_raw_httpx_to_cognitive_services():
    httpx.get("https://westeurope.api.cognitiveservices.azure.com/openai/models")


def test_the_mock_still_works(aoai_mock):
    aoai_mock.client().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])


def test_other_hosts_are_not_blocked():
    import os

    assert httpx.get(os.environ["OTHER_HOST_URL"]).status_code == 404
"""


def test_blocking_real_azure_calls(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(BLOCKING)
    with not_a_mock() as url:
        monkeypatch.setenv("OTHER_HOST_URL", url)
        result = pytester.runpytest("--aoai-block-network")
    assert_outcomes(result, passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*RealAzureCallBlocked: aoai-mockserver blocked a real Azure OpenAI call to "
            "https://my-real-resource.openai.azure.com/openai/deployments/gpt-4o/chat/completions*",
            "*RealAzureCallBlocked: aoai-mockserver blocked a real Azure OpenAI call to "
            "https://westeurope.api.cognitiveservices.azure.com/openai/models*",
        ]
    )
    assert "block-real-azure=on" in header_line(result)


def test_blocking_from_ini_and_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    monkeypatch.setenv("AOAI_MOCK_BLOCK_NETWORK", "on")
    assert "block-real-azure=on" in header_line(pytester.runpytest())
    pytester.makeini("[pytest]\naoai_block_network = false\n")
    assert "block-real-azure=off" in header_line(pytester.runpytest())  # ini > env
    assert "block-real-azure=on" in header_line(pytester.runpytest("--aoai-block-network"))  # CLI > ini
