"""The README's snippets ("TLS" and "Pointing SDKs at the mock"), run as written against a mock of their own.

Each snippet follows a ``<!-- snippet: NAME -->`` line in README.md. Its endpoint (http://127.0.0.1:8000,
or https://127.0.0.1:8000 for the TLS ones) is replaced by a live mock's; nothing else is changed. The
journal then shows what each client sent: the classic URL with the api-version and ``api-key``, and the
v1 URL with a Bearer key and no api-version.

The TLS snippets run against ``aoai-mock``'s https server whose CA is where the README says it is by
default, ``~/.cache/aoai-mockserver/tls/ca.pem``, under a temporary HOME; each client trusts it exactly as
the README's TLS table says (``SSL_CERT_FILE``, ``NODE_EXTRA_CA_CERTS``, the README's keytool command and
JVM options). The Go programs are built with ``go build`` against the conformance drivers' go.mod, and the
Java ones run by ``java`` (source-file mode) on the conformance drivers' shaded jars.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .drivers import go_azopenai, go_openai, java_azure, java_openai
from .drivers.builds import BUILD_TIMEOUT, go_env
from .drivers.node_openai import installed_openai
from .drivers.process import CLIENT_ENV, without
from .recordings import ROOT

pytestmark = pytest.mark.readme
README = ROOT / "README.md"
README_ENDPOINT = "http://127.0.0.1:8000"
README_TLS_ENDPOINT = "https://127.0.0.1:8000"
README_CA = "~/.cache/aoai-mockserver/tls/ca.pem"  # where the README says the CA is by default
SNIPPET = re.compile(r"<!-- snippet: ([\w-]+) -->\n```\w*\n(.*?)```", re.DOTALL)
RUN_TIMEOUT = 120


def snippets() -> dict[str, str]:
    return dict(SNIPPET.findall(README.read_text(encoding="utf-8")))


@pytest.fixture
def mock() -> Iterator[Any]:
    """The standalone server's defaults (built-in deployments, any key) on a free port."""
    from mockserver import create_app, load_settings
    from mockserver.server import ServerThread

    server = ServerThread(create_app(load_settings())).start()
    yield server
    server.stop()


def journal(server: Any) -> list[Any]:
    return sorted(server.app.state.journal.calls, key=lambda entry: entry.monotonic)


def check_requests(server: Any) -> None:
    classic, v1 = journal(server)
    assert (classic.path, classic.query.get("api-version"), classic.status) == (
        "/openai/deployments/gpt-4o/chat/completions",
        "2024-10-21",
        200,
    )
    assert "api-key" in classic.headers
    assert (v1.path, v1.query.get("api-version"), v1.status) == ("/openai/v1/chat/completions", None, 200)
    assert "authorization" in v1.headers
    assert "api-key" not in v1.headers


def test_readme_has_the_snippets() -> None:
    assert {"python", "javascript"} <= set(snippets())


def test_python_snippet(mock: Any) -> None:
    code = snippets()["python"].replace(README_ENDPOINT, mock.endpoint)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 2, done.stdout
    check_requests(mock)


def test_javascript_snippet(mock: Any) -> None:
    folder, problem = installed_openai()
    if folder is None:
        pytest.skip(f"the JavaScript snippet needs the npm openai package: {problem}")
    script = folder / "readme-snippet.mjs"
    script.write_text(snippets()["javascript"].replace(README_ENDPOINT, mock.endpoint), encoding="utf-8")
    done = subprocess.run(
        ["node", str(script)], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 2, done.stdout
    check_requests(mock)


# --- over TLS --------------------------------------------------------------------------------------


@pytest.fixture
def tls_mock(tmp_path: Path) -> Iterator[Any]:
    """``aoai-mock serve --tls`` with its defaults, the CA in the README's default place under a new HOME."""
    from mockserver import create_app, load_settings
    from mockserver.server import ServerThread
    from mockserver.tls import local_tls

    home = tmp_path / "home"
    tls = local_tls(Path(README_CA.replace("~", str(home))).parent)
    server = ServerThread(create_app(load_settings()), tls=tls).start()
    server.home = home  # type: ignore[attr-defined]
    yield server
    server.stop()


def tls_env(server: Any, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: HOME (for ``~``), none of the client variables, no XDG override."""
    env = {k: v for k, v in without(CLIENT_ENV).items() if k not in ("XDG_CACHE_HOME", "SSL_CERT_FILE")}
    env["HOME"] = str(server.home)
    return {**env, **{k: v.replace("~", str(server.home)) for k, v in extra.items()}}


def check_tls_request(server: Any, lines: int, stdout: str) -> None:
    assert len(stdout.strip().splitlines()) == lines, stdout
    calls = journal(server)
    assert [(c.path, c.status) for c in calls] == [
        ("/openai/deployments/gpt-4o/chat/completions", 200)
    ] * lines
    assert all("api-key" in c.headers for c in calls)


def run(
    command: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = RUN_TIMEOUT
) -> str:
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def tls_snippet(name: str, server: Any) -> str:
    code = snippets()[name]
    assert README_TLS_ENDPOINT in code, name
    return code.replace(README_TLS_ENDPOINT, server.endpoint)


def test_readme_has_the_tls_snippets() -> None:
    assert {
        "python-tls",
        "python-tls-context",
        "javascript-tls",
        "java-truststore",
        "go-openai",
        "go-azopenai",
        "java-openai",
        "java-azure",
    } <= set(snippets())


def test_python_over_tls_with_ssl_cert_file(tls_mock: Any) -> None:
    env = tls_env(tls_mock, SSL_CERT_FILE=README_CA)
    check_tls_request(tls_mock, 1, run([sys.executable, "-c", tls_snippet("python-tls", tls_mock)], env))


def test_python_over_tls_with_its_own_ssl_context(tls_mock: Any) -> None:
    env = tls_env(tls_mock)  # no SSL_CERT_FILE: the snippet's context alone trusts the CA
    check_tls_request(
        tls_mock, 1, run([sys.executable, "-c", tls_snippet("python-tls-context", tls_mock)], env)
    )


def test_python_over_tls_without_trust_fails(tls_mock: Any) -> None:
    env = tls_env(tls_mock)
    code = tls_snippet("python-tls", tls_mock).replace("api_version=", "max_retries=0, api_version=")
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in done.stderr


def test_javascript_over_tls(tls_mock: Any) -> None:
    folder, problem = installed_openai()
    if folder is None:
        pytest.skip(f"the JavaScript snippet needs the npm openai package: {problem}")
    script = folder / "readme-snippet-tls.mjs"
    script.write_text(tls_snippet("javascript-tls", tls_mock), encoding="utf-8")
    env = tls_env(tls_mock, NODE_EXTRA_CA_CERTS=README_CA)
    check_tls_request(tls_mock, 1, run(["node", str(script)], env, cwd=folder))


@pytest.mark.parametrize(("name", "module"), [("go-openai", go_openai), ("go-azopenai", go_azopenai)])
def test_go_over_tls(name: str, module: Any, tls_mock: Any, tmp_path: Path) -> None:
    go = shutil.which("go")
    if go is None:
        pytest.skip("the Go snippets need Go (go is not on PATH)")
    folder = tmp_path / name
    folder.mkdir()
    for file in ("go.mod", "go.sum"):  # the module versions the conformance drivers pin
        shutil.copyfile(module.HERE / file, folder / file)
    (folder / "main.go").write_text(tls_snippet(name, tls_mock), encoding="utf-8")
    run([go, "build", "-o", str(folder / "snippet"), "."], go_env(), cwd=folder, timeout=BUILD_TIMEOUT)
    check_tls_request(tls_mock, 1, run([str(folder / "snippet")], tls_env(tls_mock, SSL_CERT_FILE=README_CA)))


def java_options(server: Any) -> list[str]:
    """The README's keytool command, run as written, and the -D options of its java command."""
    commands = snippets()["java-truststore"].replace("\\\n", " ").strip().splitlines()
    keytool, java = commands
    run(["bash", "-c", keytool], tls_env(server))
    options = [word for word in shlex.split(java) if word.startswith("-D")]
    return [option.replace("$HOME", str(server.home)) for option in options]


@pytest.mark.parametrize(("name", "module"), [("java-openai", java_openai), ("java-azure", java_azure)])
def test_java_over_tls(name: str, module: Any, tls_mock: Any, tmp_path: Path) -> None:
    if shutil.which("keytool") is None:
        pytest.skip("the Java snippets need a JDK (keytool is not on PATH)")
    jar, problem = module.built_driver()
    if jar is None:
        pytest.skip(f"the Java snippet runs on the {name} driver's jar: {problem}")
    source = tmp_path / "Snippet.java"
    source.write_text(tls_snippet(name, tls_mock), encoding="utf-8")
    command = ["java", *java_options(tls_mock), "-cp", str(jar), str(source)]
    check_tls_request(tls_mock, 1, run(command, tls_env(tls_mock)))
    assert os.path.isfile(str(tls_mock.home / ".cache" / "aoai-mockserver" / "tls" / "aoai-mock.p12"))
