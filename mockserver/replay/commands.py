"""The ``record`` and ``import`` subcommands of ``aoai-mock`` (``serve --replay`` lives in ``cli``).

aoai-mock record --upstream https://<resource>.openai.azure.com --cassette PATH [--port N]
                 [--mode all|new_episodes|once|none] [--scrub-field PATH]... [--credentials client|env]
                 [--tls [--tls-dir DIR] | --tls-cert FILE --tls-key FILE]
aoai-mock import SOURCE... --cassette PATH [--drop-non-events]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .modes import RECORD_MODES

RECORD_DESCRIPTION = (
    "Forward every request to UPSTREAM and record each exchange (streams as timed SSE events) into "
    "CASSETTE, with secrets, the resource host and --scrub-field body fields sanitized."
)


def add_commands(commands: Any) -> None:
    record = commands.add_parser(
        "record", help="record real Azure traffic through a proxy", description=RECORD_DESCRIPTION
    )
    record.add_argument(
        "--upstream", required=True, help="https://<resource>.openai.azure.com (any base URL)"
    )
    record.add_argument("--cassette", required=True, help="cassette file to write (JSON)")
    record.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    record.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    record.add_argument(
        "--mode",
        choices=RECORD_MODES,
        default="all",
        help="record mode (default all: forward and record everything)",
    )
    record.add_argument(
        "--scrub-field",
        action="append",
        default=[],
        metavar="PATH",
        help="JSON body field to sanitize, dotted ('user', 'messages.*.content'); repeatable",
    )
    record.add_argument(
        "--credentials",
        choices=("client", "env"),
        default="client",
        help="client: pass the client's key/token (the environment's when it sent none); "
        "env: always AZURE_OPENAI_API_KEY or an azure-identity token",
    )
    record.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    from ..tls import add_tls_options

    add_tls_options(record)  # the proxy can listen on https too, for clients that insist on it
    record.set_defaults(run=run_record)
    importer = commands.add_parser("import", help="convert test-proxy or vcrpy recordings into a cassette")
    importer.add_argument(
        "sources", nargs="+", help="recording files (Azure SDK test-proxy JSON, vcrpy YAML/JSON)"
    )
    importer.add_argument("--cassette", required=True, help="cassette file to write")
    importer.add_argument(
        "--drop-non-events",
        action="store_true",
        help="leave out streamed elements that are not SSE events (excerpt markers)",
    )
    importer.set_defaults(run=run_import)


def run_record(args: argparse.Namespace) -> int:
    from ..server import bind, endpoint, make_server
    from ..tls import tls_from_args
    from .credentials import Credentials
    from .proxy import RecorderApp
    from .scrub import Scrubber

    try:
        tls = tls_from_args(args, args.host)
        app = RecorderApp(
            args.upstream,
            args.cassette,
            mode=args.mode,
            credentials=Credentials(args.credentials),
            scrubber=Scrubber.for_upstream(args.upstream, args.scrub_field),
        )
    except (ConfigError, ValueError) as exc:
        print(f"aoai-mock record: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"aoai-mock record: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    proxy = endpoint(args.host, sock.getsockname()[1], tls is not None)
    trust = (
        f"\n  CA:          {tls.ca_path} (trust it as for aoai-mock serve --tls)"
        if tls and tls.ca_path
        else ""
    )
    print(
        f"aoai-mock record: proxy at {proxy} -> {args.upstream} (mode {args.mode})\n"
        f"  cassette:    {Path(args.cassette).resolve()}\n"
        f"  health:      {proxy}/_recorder/health\n"
        f"  credentials: {args.credentials}   scrubbed body fields: {', '.join(args.scrub_field) or 'none'}\n"
        f'  point clients at {proxy} (e.g. AzureOpenAI(azure_endpoint="{proxy}", ...)){trust}',
        flush=True,
    )
    make_server(app, args.log_level, tls).run(sockets=[sock])
    return 0


def run_import(args: argparse.Namespace) -> int:
    from .cassette import Cassette, CassetteError
    from .formats import import_file

    merged = Cassette(meta={"imported_from": []})
    try:
        for source in args.sources:
            cassette = import_file(source, drop_non_events=args.drop_non_events)
            merged.interactions.extend(cassette.interactions)
            merged.meta["imported_from"].append(
                {k: v for k, v in cassette.meta.items() if k != "imported_from"}
                | {"format": cassette.meta.get("imported_from")}
            )
        path = merged.save(args.cassette)
    except (CassetteError, OSError) as exc:
        print(f"aoai-mock import: {exc}", file=sys.stderr)
        return 2
    print(f"aoai-mock import: {len(merged.interactions)} interaction(s) -> {path}")
    return 0
