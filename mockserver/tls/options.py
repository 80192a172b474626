"""The ``--tls`` options of ``aoai-mock serve`` and ``record``."""

from __future__ import annotations

import argparse

from ..errors import ConfigError
from .authority import local_tls
from .certs import ServerTLS, user_tls

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
