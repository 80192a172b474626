"""TLS on localhost: a local certificate authority kept on disk, the server certificates it signs, or
the user's own certificate and key; and the connection layer that speaks TLS on the mock's port.

Why: Microsoft's own SDKs refuse to send a key over plain http (azure-core's ``KeyCredentialPolicy``
throws "Key credentials require HTTPS to prevent leaking the key."; Go's azcore needs
``InsecureAllowCredentialWithHTTP``; sdk-behaviour §8), so a fake Azure must speak https.

* ``local_tls(directory, hosts)``: the CA (``ca.pem`` and its key ``ca-key.pem``, mode 0600) is made
  once and kept in ``directory`` (default ``default_dir()``: ``$XDG_CACHE_HOME/aoai-mockserver/tls``,
  else ``~/.cache/aoai-mockserver/tls``), so a client told to trust it once keeps trusting it. A
  server certificate for ``127.0.0.1``, ``::1``, ``localhost`` and the extra host names is issued
  next to it and reused while it covers those names, is signed by that CA and has 30 days left.
* ``user_tls(cert, key)``: the user's own PEM pair, checked (readable, a certificate, a key, the two
  matching) before the server starts.

Problems are ``TLSError`` (a ``ConfigError``): one line naming the file or folder and what is wrong.

The certificates are built with pyca ``cryptography``'s x509 builder (ECDSA P-256, which Go, Java 17,
Node, .NET and Python all accept) with the extensions strict verifiers insist on: the CA's critical
basicConstraints and keyCertSign usage; the server's subjectAltName (Go ignores the subject's CN),
serverAuth extended usage and authority key identifier (Python 3.13's strict verification needs it).

``TLSServer`` is uvicorn's server with its own accept loop. It waits for each client's first byte
(peeked, not read): a TLS handshake record (0x16) is handed to uvicorn's protocol through
``loop.connect_accepted_socket(..., ssl=...)`` (so ``scope["scheme"]`` is ``https``); anything else is a
plain-http request to a TLS port, answered with one 400 that says to use https, and closed. The server
keeps serving either way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import functools
import hashlib
import ipaddress
import json
import os
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from .errors import ConfigError

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
WILDCARDS = ("0.0.0.0", "::", "")
CA_YEARS = 10
SERVER_DAYS = 397  # under the 398 days browsers and Apple's TLS policy accept for a server certificate
RENEW_DAYS = 30
HANDSHAKE = 0x16  # the TLS record type of a ClientHello
HANDSHAKE_TIMEOUT = 10.0
# an idle client need not answer our close_notify: within uvicorn's 1 s graceful shutdown, give up on it
SHUTDOWN_TIMEOUT = 0.5
REFUSED_LINGER = 5.0  # seconds a refused plain-http connection may stay half-closed for its reader


class TLSError(ConfigError):
    """A certificate, key or TLS folder that cannot be used (one line, names the file)."""


def default_dir() -> Path:
    """``aoai-mockserver/tls`` in ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "aoai-mockserver" / "tls"


@dataclass(frozen=True)
class ServerTLS:
    """What the server presents: ``certfile`` and ``keyfile``; ``ca_path`` is the CA clients trust
    (None for the user's own certificate, whose issuer the mock does not know)."""

    certfile: Path
    keyfile: Path
    ca_path: Path | None = None

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.certfile), str(self.keyfile))
        context.set_alpn_protocols(["http/1.1"])  # no h2: the mock speaks HTTP/1.1 only
        return context


# --- the local CA and its server certificates ---------------------------------------------------


def local_tls(directory: Path | None = None, hosts: Iterable[str] = ()) -> ServerTLS:
    """The CA in ``directory`` (made on first use) and a server certificate for the local names plus
    ``hosts``; ``TLSError`` when the folder cannot be used."""
    folder = Path(directory) if directory is not None else default_dir()
    names = server_names(hosts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with locked(folder):
            ca_cert, ca_key = load_or_make_ca(folder)
            certfile, keyfile = server_files(folder, names)
            if not covers(certfile, keyfile, names, ca_cert):
                write_server_cert(certfile, keyfile, names, ca_cert, ca_key)
    except OSError as exc:
        raise TLSError(f"the TLS directory {folder} cannot be used: {exc.strerror or exc}") from None
    return ServerTLS(certfile, keyfile, folder / CA_CERT)


def server_names(hosts: Iterable[str]) -> tuple[str, ...]:
    """The names the server certificate covers: the local ones, the extra hosts, and this machine's
    name when the server binds every interface."""
    names = list(LOCAL_HOSTS)
    for host in hosts:
        host = host.strip("[]")
        if host in WILDCARDS:
            host = socket.gethostname()
        if host and host not in names:
            names.append(host)
    return tuple(names)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One process at a time makes the CA or a certificate (pytest-xdist workers start together)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; creation is still atomic per file
        yield
        return
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_or_make_ca(folder: Path) -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = folder / CA_CERT, folder / CA_KEY
    if cert_path.is_file() and key_path.is_file():
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except ValueError as exc:
            raise TLSError(
                f"{cert_path} or {key_path} is not a PEM certificate and key ({exc}); "
                "delete both to have a new CA made"
            ) from None
        if public_bytes(cert.public_key()) != public_bytes(key.public_key()):
            raise TLSError(f"{key_path} is not the key of {cert_path}; delete both to have a new CA made")
        return cert, key
    cert, key = make_ca()
    write_private(key_path, private_pem(key))
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def make_ca() -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    owner = f"{os.environ.get('USER') or 'user'}@{socket.gethostname()}"
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "aoai-mockserver"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, owner),
            x509.NameAttribute(NameOID.COMMON_NAME, "aoai-mockserver local CA"),
        ]
    )
    now = utcnow()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(key, hashes.SHA256()), key


def server_files(folder: Path, names: tuple[str, ...]) -> tuple[Path, Path]:
    """One certificate per set of names, so servers for different hosts do not replace each other's."""
    tag = hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:8]
    return folder / f"server-{tag}.pem", folder / f"server-{tag}-key.pem"


def covers(certfile: Path, keyfile: Path, names: tuple[str, ...], ca_cert: Any) -> bool:
    """The existing server certificate can be reused: it names every host, comes from this CA, is its
    key's, and is valid for another ``RENEW_DAYS``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if not (certfile.is_file() and keyfile.is_file()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        key = serialization.load_pem_private_key(keyfile.read_bytes(), password=None)
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    listed = {str(v) for v in alt.get_values_for_type(x509.IPAddress)} | set(
        alt.get_values_for_type(x509.DNSName)
    )
    fresh = cert.not_valid_after_utc - utcnow() > datetime.timedelta(days=RENEW_DAYS)
    return (
        cert.issuer == ca_cert.subject
        and fresh
        and {canonical(n) for n in names} <= listed
        and public_bytes(cert.public_key()) == public_bytes(key.public_key())
    )


def write_server_cert(
    certfile: Path, keyfile: Path, names: tuple[str, ...], ca_cert: Any, ca_key: Any
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(min(now + datetime.timedelta(days=SERVER_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([alt_name(n) for n in names]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_private(keyfile, private_pem(key))
    write_atomic(certfile, cert.public_bytes(serialization.Encoding.PEM))


def usage(cert_sign: bool) -> Any:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def alt_name(name: str) -> Any:
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def canonical(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def public_bytes(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(
        public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def private_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def write_private(path: Path, data: bytes) -> None:
    """A key file readable by its owner only, written whole or not at all."""
    write_atomic(path, data, mode=0o600)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


@functools.cache
def trust_bundle(ca_path: Path) -> Path:
    """``bundle.pem`` beside ``ca_path``: the public CAs (certifi's, else the system's) then the mock's,
    for ``SSL_CERT_FILE``, which replaces a client's trust rather than adding to it."""
    try:
        import certifi

        public = Path(certifi.where()).read_bytes()
    except ImportError:
        system = ssl.get_default_verify_paths().cafile
        public = Path(system).read_bytes() if system and Path(system).is_file() else b""
    bundle = ca_path.with_name("bundle.pem")
    data = public.rstrip(b"\n") + b"\n" + ca_path.read_bytes()
    try:
        if not bundle.is_file() or bundle.read_bytes() != data:
            write_atomic(bundle, data)
    except OSError as exc:
        raise TLSError(f"the trust bundle {bundle} cannot be written: {exc.strerror or exc}") from None
    return bundle


# --- the user's own certificate ------------------------------------------------------------------


def user_tls(cert: str | Path, key: str | Path) -> ServerTLS:
    """``--tls-cert`` and ``--tls-key`` after checking them; ``TLSError`` says what is wrong."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = Path(cert), Path(key)
    cert_data = read(cert_path, "--tls-cert")
    key_data = read(key_path, "--tls-key")
    try:
        certificates = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise TLSError(f"--tls-cert {cert_path} holds no PEM certificate") from None
    try:
        private = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise TLSError(f"--tls-key {key_path} is encrypted; give an unencrypted PEM key") from None
    except ValueError:
        raise TLSError(f"--tls-key {key_path} holds no PEM private key") from None
    if public_bytes(certificates[0].public_key()) != public_bytes(private.public_key()):
        raise TLSError(f"--tls-key {key_path} does not match the certificate in --tls-cert {cert_path}")
    tls = ServerTLS(cert_path, key_path)
    try:
        tls.context()  # what the server will do with them; OpenSSL may still refuse (a weak key)
    except ssl.SSLError as exc:
        raise TLSError(f"--tls-cert {cert_path} / --tls-key {key_path} cannot be used: {exc}") from None
    return tls


def read(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TLSError(f"{option} {path}: no such file") from None
    except OSError as exc:
        raise TLSError(f"{option} {path} cannot be read: {exc.strerror or exc}") from None


# --- the command line ----------------------------------------------------------------------------


def add_tls_options(parser: argparse.ArgumentParser) -> None:
    """``--tls`` and its companions (``serve`` and ``record``); read back by ``tls_from_args``."""
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from the mock's local CA (made once, kept in --tls-dir)",
    )
    parser.add_argument(
        "--tls-dir",
        default=None,
        metavar="DIR",
        help="where the local CA lives (default $XDG_CACHE_HOME/aoai-mockserver/tls or "
        "~/.cache/aoai-mockserver/tls)",
    )
    parser.add_argument(
        "--tls-cert", default=None, metavar="FILE", help="your own PEM certificate (implies --tls)"
    )
    parser.add_argument("--tls-key", default=None, metavar="FILE", help="the PEM key of --tls-cert")


def tls_from_args(args: argparse.Namespace, host: str) -> ServerTLS | None:
    """The TLS setup the options ask for, or None for plain http; ``ConfigError`` on bad input."""
    if args.tls_cert is None and args.tls_key is None and not args.tls:
        if args.tls_dir is not None:
            raise ConfigError("--tls-dir needs --tls")
        return None
    if (args.tls_cert is None) != (args.tls_key is None):
        raise ConfigError("--tls-cert and --tls-key go together: give both, or --tls for the mock's own CA")
    if args.tls_cert is not None:
        return user_tls(args.tls_cert, args.tls_key)
    return local_tls(args.tls_dir, [host])


# --- the connection layer ------------------------------------------------------------------------


def refusal(address: tuple[Any, ...]) -> bytes:
    """The answer to plain http on the TLS port at ``address`` (the socket's own): a 400 in Azure's
    gateway envelope, then close."""
    host, port = str(address[0]), address[1]
    where = f"https://{f'[{host}]' if ':' in host else host}:{port}"
    message = (
        f"This aoai-mock port speaks TLS: use {where} (the mock's CA is printed in its banner and "
        "served at /_mock/tls/ca.pem)."
    )
    body = json.dumps({"error": {"code": "PlainHttpOnTlsPort", "message": message}}).encode()
    head = (
        f"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode()
    return head + body


class TLSServer(uvicorn.Server):
    """uvicorn's server with the mock's own accept loop: each connection's first byte is peeked before
    any transport owns the socket (uvloop reads ahead as soon as it does), then the connection is handed
    to uvicorn's protocol over TLS, or refused. Lifespan, shutdown and keep-alive stay uvicorn's."""

    def __init__(self, config: uvicorn.Config, tls: ServerTLS) -> None:
        super().__init__(config)
        self.tls = tls
        self.context = tls.context()
        self.accepting: list[asyncio.Task[None]] = []
        self.pending: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # lifespan and state; no listener of uvicorn's own
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        self.accepting = [loop.create_task(self.accept(sock)) for sock in sockets or []]

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for task in self.accepting:
            task.cancel()
        await super().shutdown(sockets)

    async def accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        listener.setblocking(False)
        while True:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError:  # the listener was closed (shutdown) or ran out of descriptors
                if listener.fileno() < 0:
                    return
                await asyncio.sleep(0.05)
                continue
            task = loop.create_task(self.connection(conn))
            self.pending.add(task)  # held until done: the loop keeps only weak references to tasks
            task.add_done_callback(self.pending.discard)

    async def connection(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            first = await peek(loop, conn)
        except (OSError, TimeoutError):
            conn.close()
            return
        if not first:
            conn.close()
        elif first[0] != HANDSHAKE:
            await refuse(loop, conn)
        else:
            await self.secure(loop, conn)

    async def secure(self, loop: asyncio.AbstractEventLoop, conn: socket.socket) -> None:
        config = self.config
        protocol = config.http_protocol_class(  # type: ignore[call-arg]
            config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=loop
        )
        try:
            await loop.connect_accepted_socket(
                lambda: protocol,
                conn,
                ssl=self.context,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
                ssl_shutdown_timeout=SHUTDOWN_TIMEOUT,
            )
        except (OSError, ssl.SSLError, TimeoutError):
            conn.close()  # a client that does not trust the CA hangs up: nothing to answer


async def peek(loop: asyncio.AbstractEventLoop, conn: socket.socket) -> bytes:
    """The connection's first byte, left in the socket for the TLS layer to read (b"" at EOF)."""
    conn.setblocking(False)
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(conn.fileno(), readable)
    try:
        await asyncio.wait_for(ready, HANDSHAKE_TIMEOUT)
    finally:
        loop.remove_reader(conn.fileno())
    return conn.recv(1, socket.MSG_PEEK)


async def refuse(loop: asyncio.AbstractEventLoop, conn: socket.socket) -> None:
    """Answer plain http with ``refusal`` and close once the client has read it: the answer, a FIN,
    then what the client still sends is drained, so no reset destroys the answer in flight."""
    try:
        await loop.sock_sendall(conn, refusal(conn.getsockname()))
        conn.shutdown(socket.SHUT_WR)
        async with asyncio.timeout(REFUSED_LINGER):
            while await loop.sock_recv(conn, 65536):
                pass
    except (OSError, TimeoutError):
        pass
    finally:
        conn.close()
