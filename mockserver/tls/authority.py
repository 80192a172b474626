"""The local certificate authority kept on disk and the server certificates it signs."""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .certs import ServerTLS, TLSError, default_dir, public_bytes

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
WILDCARDS = ("0.0.0.0", "::", "")
CA_YEARS = 10
SERVER_DAYS = 397  # under the 398 days browsers and Apple's TLS policy accept for a server certificate
RENEW_DAYS = 30


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
