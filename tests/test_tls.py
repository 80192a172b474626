"""TLS on localhost (mockserver.tls): the local CA kept on disk, the server certificates it signs, the
user's own pair, https answers that name the mock by its https endpoint, and bad input that gets one
line and exit 2 rather than a traceback."""

from __future__ import annotations

import json
import os
import socket
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conformance.serve import ServeProcess
from mockserver import create_app, load_settings
from mockserver.cli import main
from mockserver.replay.plugin_support import recording_proxy
from mockserver.server import ServerThread
from mockserver.tls import CA_CERT, CA_KEY, ServerTLS, default_dir, local_tls, user_tls

from .conftest import GA

CHAT = f"/openai/deployments/gpt-4o/chat/completions?api-version={GA}"
BODY = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}


def trusting(tls: ServerTLS) -> httpx.Client:
    assert tls.ca_path is not None
    return httpx.Client(verify=ssl.create_default_context(cafile=str(tls.ca_path)), timeout=10)


def alt_names(certfile: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(certfile.read_bytes())
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(v) for v in alt.get_values_for_type(x509.IPAddress)} | set(
        alt.get_values_for_type(x509.DNSName)
    )


@pytest.fixture
def tls(tmp_path: Path) -> ServerTLS:
    return local_tls(tmp_path / "tls")


@pytest.fixture
def server(tls: ServerTLS) -> Iterator[ServerThread]:
    thread = ServerThread(create_app(load_settings(seed=1)), tls=tls).start()
    yield thread
    thread.stop()


# --- the CA and the certificates ------------------------------------------------------------------


def test_the_ca_is_made_once_and_kept(tmp_path: Path) -> None:
    first = local_tls(tmp_path)
    ca = (tmp_path / CA_CERT).read_bytes()
    second = local_tls(tmp_path)
    assert (tmp_path / CA_CERT).read_bytes() == ca  # a client told to trust it once keeps trusting it
    assert second == first  # the server certificate is reused while it still fits
    assert stat.S_IMODE((tmp_path / CA_KEY).stat().st_mode) == 0o600
    assert stat.S_IMODE(first.keyfile.stat().st_mode) == 0o600


def test_the_server_certificate_names_the_local_hosts_and_any_other(tmp_path: Path) -> None:
    local = local_tls(tmp_path)
    assert alt_names(local.certfile) == {"127.0.0.1", "::1", "localhost"}
    named = local_tls(tmp_path, ["mock.test"])
    assert alt_names(named.certfile) == {"127.0.0.1", "::1", "localhost", "mock.test"}
    assert named.certfile != local.certfile
    assert local.certfile.is_file()
    assert named.ca_path == local.ca_path


def test_the_certificates_carry_what_strict_verifiers_need(tls: ServerTLS) -> None:
    assert tls.ca_path is not None
    ca = x509.load_pem_x509_certificate(tls.ca_path.read_bytes())
    leaf = x509.load_pem_x509_certificate(tls.certfile.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in usage
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)  # Python 3.13 strict mode
    leaf.verify_directly_issued_by(ca)


def test_the_default_folder_is_in_the_user_cache_and_honours_xdg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_dir() == tmp_path / "aoai-mockserver" / "tls"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir() == Path.home() / ".cache" / "aoai-mockserver" / "tls"


def test_a_ca_key_that_is_not_the_certificates_is_named(tmp_path: Path) -> None:
    local_tls(tmp_path)
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / CA_KEY).write_bytes(other)
    with pytest.raises(ValueError, match=r"is not the key of .*ca\.pem; delete both"):
        local_tls(tmp_path, ["another.test"])


# --- serving https --------------------------------------------------------------------------------


def test_https_answers_and_names_itself_with_https(server: ServerThread, tls: ServerTLS) -> None:
    assert server.endpoint.startswith("https://127.0.0.1:")
    with trusting(tls) as http:
        chat = http.post(server.endpoint + CHAT, json=BODY, headers={"api-key": "k"})
        assert chat.status_code == 200
        assert chat.json()["object"] == "chat.completion"
        images = http.post(
            server.endpoint + f"/openai/deployments/dall-e-3/images/generations?api-version={GA}",
            json={"prompt": "a cat"},
            headers={"api-key": "k"},
        )
        url = images.json()["data"][0]["url"]
        assert url.startswith(server.endpoint + "/_mock/images/")  # the scheme it is served on
        assert http.head(url).status_code == 200
        ca = http.get(server.endpoint + "/_mock/tls/ca.pem")
    assert tls.ca_path is not None
    assert ca.status_code == 200
    assert ca.content == tls.ca_path.read_bytes()
    assert ca.headers["content-type"] == "application/x-pem-file"


def test_the_journal_sees_https(server: ServerThread, tls: ServerTLS) -> None:
    with trusting(tls) as http:
        http.post(server.endpoint + CHAT, json=BODY, headers={"api-key": "k"})
    (entry,) = server.app.state.journal.calls
    assert entry.status == 200


def test_plain_http_on_the_tls_port_is_refused_and_the_server_keeps_serving(
    server: ServerThread, tls: ServerTLS
) -> None:
    plain = server.endpoint.replace("https://", "http://")
    answer = httpx.post(plain + CHAT, json=BODY, headers={"api-key": "k"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "PlainHttpOnTlsPort"
    assert server.endpoint in error["message"]
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:  # raw: no client quirks
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n")
        raw = b""
        while chunk := sock.recv(4096):
            raw += chunk
    assert raw.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"connection: close" in raw
    with trusting(tls) as http:
        assert http.get(server.endpoint + "/_mock/health").status_code == 200


def test_a_client_that_does_not_trust_the_ca_fails_and_the_server_keeps_serving(
    server: ServerThread, tls: ServerTLS
) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(server.endpoint + "/_mock/health", verify=ssl.create_default_context())
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass  # connects and hangs up without a byte
    with trusting(tls) as http:
        assert http.get(server.endpoint + "/_mock/health").status_code == 200


def test_a_plain_mock_has_no_ca_to_serve() -> None:
    thread = ServerThread(create_app(load_settings())).start()
    try:
        answer = httpx.get(thread.endpoint + "/_mock/tls/ca.pem")
    finally:
        thread.stop()
    assert answer.status_code == 404
    assert "not served over TLS" in answer.json()["error"]["message"]


def test_the_users_own_certificate(tmp_path: Path) -> None:
    issued = local_tls(tmp_path / "theirs")  # stands in for a certificate from the user's own CA
    own = user_tls(issued.certfile, issued.keyfile)
    assert own.ca_path is None
    thread = ServerThread(create_app(load_settings()), tls=own).start()
    try:
        with trusting(issued) as http:
            assert http.get(thread.endpoint + "/_mock/health").status_code == 200
            answer = http.get(thread.endpoint + "/_mock/tls/ca.pem")
    finally:
        thread.stop()
    assert answer.status_code == 404
    assert "--tls-cert" in answer.json()["error"]["message"]


def test_the_recording_proxy_listens_on_tls(tmp_path: Path, tls: ServerTLS) -> None:
    upstream = ServerThread(create_app(load_settings())).start()
    try:
        with recording_proxy(upstream.endpoint, tmp_path / "c.json", "all", tls=tls) as proxy:
            assert proxy.endpoint.startswith("https://")
            with trusting(tls) as http:
                answer = http.post(proxy.endpoint + CHAT, json=BODY, headers={"api-key": "k"})
    finally:
        upstream.stop()
    assert answer.status_code == 200
    assert json.loads((tmp_path / "c.json").read_text())["interactions"]


# --- the command line -----------------------------------------------------------------------------


def encrypted_key(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    return path


def bad_inputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    issued = local_tls(tmp_path / "ca")
    other = local_tls(tmp_path / "other")
    afile = tmp_path / "a-file"
    afile.write_text("not a folder")
    cert, key = str(issued.certfile), str(issued.keyfile)
    return [
        (["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", key], "missing.pem: no such file"),
        (
            ["--tls-cert", cert, "--tls-key", str(tmp_path / "missing-key.pem")],
            "missing-key.pem: no such file",
        ),
        (["--tls-cert", str(tmp_path), "--tls-key", key], "cannot be read: Is a directory"),
        (
            ["--tls-cert", cert, "--tls-key", str(other.keyfile)],
            "does not match the certificate in --tls-cert",
        ),
        (["--tls-cert", key, "--tls-key", key], "holds no PEM certificate"),
        (["--tls-cert", cert, "--tls-key", cert], "holds no PEM private key"),
        (["--tls-cert", cert, "--tls-key", str(encrypted_key(tmp_path / "enc.pem"))], "is encrypted"),
        (["--tls-cert", cert], "--tls-cert and --tls-key go together"),
        (["--tls", "--tls-dir", str(afile / "tls")], "cannot be used: Not a directory"),
        (["--tls-dir", str(tmp_path)], "--tls-dir needs --tls"),
    ]


def test_bad_tls_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args, fragment in bad_inputs(tmp_path):
        assert main(["serve", "--port", "0", *args]) == 2, args
        err = capsys.readouterr().err
        assert fragment in err, (args, err)
        assert err.count("\n") == 1, err  # one line, no traceback
        assert err.startswith("aoai-mock: "), err


def unwritable_dir(tmp_path: Path) -> Path:
    """A folder that exists but cannot be written: 0500 for a normal user; root writes anyway, but not
    into sysfs."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
        return folder
    probe = Path("/sys/.aoai-mock-probe")
    try:
        probe.touch()
    except OSError:
        return Path("/sys")
    probe.unlink()
    pytest.skip("no folder here that root cannot write")


def test_an_unwritable_tls_dir_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = unwritable_dir(tmp_path)
    assert main(["serve", "--tls", "--tls-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"the TLS directory {folder} cannot be used: " in err
    assert "Permission denied" in err or "Operation not permitted" in err or "Read-only" in err


def test_record_takes_the_same_tls_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "record",
        "--upstream",
        "http://127.0.0.1:9",
        "--cassette",
        str(tmp_path / "c.json"),
        "--port",
        "0",
    ]
    assert main([*args, "--tls-cert", str(tmp_path / "none.pem"), "--tls-key", "x"]) == 2
    err = capsys.readouterr().err
    assert "none.pem: no such file" in err
    assert err.count("\n") == 1


def test_serve_tls_prints_the_ca_and_how_to_trust_it(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    server = ServeProcess("--tls", "--tls-dir", str(folder))
    try:
        head = "\n".join(server.banner)
        health = httpx.get(server.endpoint + "/_mock/health", verify=server.verify)
    finally:
        server.stop()
    assert server.endpoint.startswith("https://127.0.0.1:")
    assert server.ca == str(folder / CA_CERT)
    assert health.status_code == 200
    for expected in (
        f"SSL_CERT_FILE={folder / CA_CERT}",
        f"NODE_EXTRA_CA_CERTS={folder / CA_CERT}",
        "keytool -importcert",
        "-Djavax.net.ssl.trustStore=",
        "/_mock/tls/ca.pem",
    ):
        assert expected in head, expected


def test_serve_tls_uses_the_user_cache_dir_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = ServeProcess("--tls")
    server.stop()
    assert server.ca == str(tmp_path / "aoai-mockserver" / "tls" / CA_CERT)
