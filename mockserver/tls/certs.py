"""What the server presents (``ServerTLS``), the user's own certificate and key, and ``TLSError``."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError


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


def public_bytes(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(
        public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
