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

from .authority import CA_CERT, CA_KEY, local_tls, trust_bundle
from .certs import ServerTLS, TLSError, default_dir, user_tls
from .options import add_tls_options, tls_from_args
from .serve import TLSServer

__all__ = [
    "CA_CERT",
    "CA_KEY",
    "ServerTLS",
    "TLSError",
    "TLSServer",
    "add_tls_options",
    "default_dir",
    "local_tls",
    "tls_from_args",
    "trust_bundle",
    "user_tls",
]
