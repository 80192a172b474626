"""``aoai-mock``: run the mock as a standalone server.

aoai-mock serve [--host 127.0.0.1] [--port 8000] [--config FILE] [--seed N]
                [--freeze-time ISO|EPOCH] [--tokenizer auto|bpe|approx]
                [--replay CASSETTE]... [--replay-speed F] [--replay-fallthrough]
                [--tls [--tls-dir DIR] | --tls-cert FILE --tls-key FILE]   (mockserver.tls)
aoai-mock record --upstream URL --cassette PATH [--port N]   (mockserver.replay.proxy)
aoai-mock import RECORDING... --cassette PATH
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence

from ._version import __version__
from .app import create_app
from .config import Settings, check_replay, load_settings
from .config_keys import RATE_LIMIT_MODES, TOKENIZER_MODES, parse_time
from .errors import ConfigError
from .faults.scenarios import load_scenario
from .replay.commands import add_commands as add_replay_commands
from .replay.player import Player
from .server import bind, make_server
from .server import endpoint as server_endpoint
from .stores import StateUnavailable, reach, shown
from .tls import ServerTLS, add_tls_options, tls_from_args
from .versions import DEFAULT_GA
from .workers import refusal, serve_forked

TLS = ServerTLS | None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aoai-mock", description="A fake Azure OpenAI service.")
    parser.add_argument("--version", action="version", version=f"aoai-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock on HOST:PORT")
    serve.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--config", default=None, help="TOML file that extends or replaces the catalogue")
    serve.add_argument("--seed", type=int, default=None, help="seed for generated content and ids")
    serve.add_argument("--freeze-time", default=None, help="fixed clock for 'created' (ISO 8601 or epoch)")
    serve.add_argument("--tokenizer", choices=TOKENIZER_MODES, default=None, help="token counting mode")
    serve.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="scenario file or built-in scenario name to load at start (repeatable)",
    )
    serve.add_argument(
        "--rate-limits",
        choices=RATE_LIMIT_MODES,
        default=None,
        help="enforce Azure's TPM/RPM (default), only report them in headers, or neither",
    )
    serve.add_argument(
        "--no-fast-path",
        dest="fast_path",
        action="store_false",
        default=None,
        help="answer every request the plain way: no memo, no compiled headers, no one-write path",
    )
    serve.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    serve.add_argument(
        "--state",
        default=None,
        metavar="URL",
        help="where the state lives: memory (default) or redis://HOST:PORT/DB, shared by every worker "
        "and instance on it (README 'Scale-out')",
    )
    serve.add_argument(
        "--namespace", default=None, help="prefix of the state's Redis keys (default aoai-mock)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes on the port (needs --state redis)",
    )
    serve.add_argument(
        "--replay",
        action="append",
        default=[],
        metavar="PATH",
        help="cassette to replay (ours, Azure SDK test-proxy or vcrpy; repeatable)",
    )
    serve.add_argument(
        "--replay-speed",
        type=float,
        default=None,
        metavar="F",
        help="recorded delays times F: 0 = as fast as possible (default), 1 = as recorded",
    )
    serve.add_argument(
        "--replay-fallthrough",
        action="store_true",
        default=None,
        help="unmatched requests go to the generator instead of a 404 ReplayMiss",
    )
    serve.add_argument(
        "--replay-match-on",
        default=None,
        metavar="FACETS",
        help="comma-separated facets to match (default method,path,deployment,api_version,body)",
    )
    add_tls_options(serve)
    add_replay_commands(commands)  # record, import
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "serve":
        return int(args.run(args))
    try:
        settings = load_settings(
            args.config,
            host=args.host,
            port=args.port,
            seed=args.seed,
            tokenizer=args.tokenizer,
            freeze_time=parse_time(args.freeze_time) if args.freeze_time is not None else None,
            rate_limits=args.rate_limits,
            fast_path=args.fast_path,
            state=args.state,
            namespace=args.namespace,
        )
        for ref in args.scenario:
            load_scenario(ref)  # fail fast with the list of built-in names
        settings = settings.with_changes(scenarios=settings.scenarios + tuple(args.scenario))
        settings = with_replay(settings, args)
        tls = tls_from_args(args, settings.host)
    except ConfigError as exc:
        print(f"aoai-mock: {exc}", file=sys.stderr)
        return 2
    why = refusal(args.workers, settings.state)
    if why is not None:
        print(f"aoai-mock: {why}", file=sys.stderr)
        return 2
    return serve(settings, args.log_level, tls, args.workers)


def with_replay(settings: Settings, args: argparse.Namespace) -> Settings:
    """The ``--replay*`` options applied; every cassette is read now, so a bad one fails at start."""
    facets = args.replay_match_on
    match_on = tuple(f.strip() for f in facets.split(",") if f.strip()) if facets else None
    settings = settings.with_changes(
        replay=settings.replay + tuple(args.replay) if args.replay else None,
        replay_speed=args.replay_speed,
        replay_fallthrough=args.replay_fallthrough,
        replay_match_on=match_on,
    )
    check_replay(settings)
    if settings.replay:
        Player.from_settings(settings)
    return settings


def serve(
    settings: Settings, log_level: str = "warning", tls: ServerTLS | None = None, workers: int = 1
) -> int:
    try:
        reach(settings)  # one clear line when the shared state is not there
        sock = bind(settings.host, settings.port)
    except StateUnavailable as exc:
        print(f"aoai-mock: cannot reach the state store ({exc.cause}); is Redis running?", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"aoai-mock: cannot bind {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    print(banner(settings, port, tls, workers), flush=True)
    if workers > 1:
        return serve_forked(workers, sock, lambda shared: run_server(settings, log_level, tls, shared))
    return run_server(settings, log_level, tls, sock)


def run_server(settings: Settings, log_level: str, tls: TLS, sock: socket.socket) -> int:
    """One server process on ``sock``: its own app, state connections and event loop."""
    try:
        app = create_app(settings)
    except StateUnavailable as exc:
        print(f"aoai-mock: cannot reach the state store ({exc.cause}); is Redis running?", file=sys.stderr)
        return 2
    make_server(app, log_level, tls).run(sockets=[sock])
    return 0


def banner(settings: Settings, port: int, tls: ServerTLS | None = None, workers: int = 1) -> str:
    endpoint = server_endpoint(settings.host, port, tls is not None)
    lines = [
        f"aoai-mock {__version__}: fake Azure OpenAI resource at {endpoint}",
        f"  health:      {endpoint}/_mock/health",
        f"  dashboard:   {endpoint}/_mock/ui   (requests, retry timeline, rules, quota, replay)",
        f"  classic:     {endpoint}/openai/deployments/{{deployment}}/...?api-version={DEFAULT_GA}",
        f"  v1:          {endpoint}/openai/v1/  (deployment in the body's 'model')",
        "  api key:     " + ("one of the configured keys" if settings.keys else "any non-empty value"),
        f"  seed:        {settings.seed}   rate limits: {settings.rate_limits}",
        f"  scenarios:   {', '.join(settings.scenarios) or 'none'}",
        f"  state:       {shown(settings.state)} (namespace {settings.namespace})   workers: {workers}",
        *replay_lines(settings),
        *tls_lines(tls),
        "  deployments:",
    ]
    for d in settings.deployments:
        lines.append(f"    {d.name:<24} {d.response_model:<26} {', '.join(d.capabilities)}")
    lines += [
        f'  Python:  AzureOpenAI(azure_endpoint="{endpoint}", api_key="test", api_version="{DEFAULT_GA}")',
        f'           OpenAI(base_url="{endpoint}/openai/v1/", api_key="test")',
        f"  env:     AZURE_OPENAI_ENDPOINT={endpoint} AZURE_OPENAI_API_KEY=test "
        f"OPENAI_API_VERSION={DEFAULT_GA}" + (f" SSL_CERT_FILE={tls.ca_path}" if tls and tls.ca_path else ""),
    ]
    return "\n".join(lines)


def tls_lines(tls: ServerTLS | None) -> list[str]:
    if tls is None:
        return []
    lines = [f"  tls:         {tls.certfile}"]
    if tls.ca_path is None:
        return [*lines, "  trust:       your certificate's issuer, as your clients already do"]
    ca = tls.ca_path
    return [
        *lines,
        f'  CA:          {ca}  (also GET /_mock/tls/ca.pem; README "TLS" for every language)',
        f"  trust it:    SSL_CERT_FILE={ca} (Python, Go, .NET on Linux)   NODE_EXTRA_CA_CERTS={ca} (Node)",
        f"               Java: keytool -importcert -noprompt -alias aoai-mock -file {ca} -storetype PKCS12 "
        "-keystore aoai-mock.p12 -storepass changeit, then java -Djavax.net.ssl.trustStore=aoai-mock.p12 "
        "-Djavax.net.ssl.trustStorePassword=changeit ...",
    ]


def replay_lines(settings: Settings) -> list[str]:
    if not settings.replay:
        return []
    misses = "fall through to the generator" if settings.replay_fallthrough else "404 ReplayMiss"
    cassettes = ", ".join(settings.replay)
    return [f"  replay:      {cassettes} (speed {settings.replay_speed:g}; misses: {misses})"]
