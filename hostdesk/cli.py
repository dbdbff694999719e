"""The command line: `hostdesk` opens the window; `hostdesk serve` runs the API without one."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence

from hostdesk import __version__
from hostdesk.config import (
    ENV_STAGE_SIZE,
    ConfigError,
    Settings,
    livekit_from_env,
    resolve_api_key,
    resolve_stage_size,
)
from hostdesk.show.rules import STAGE_SIZE_MAX, STAGE_SIZE_MIN

#: The options a stored preference yields to when given (hostdesk.ui.settings.CLI_NAMES):
#: their argparse default is None, so "given" is read off the parsed values, never the text
#: of argv (argparse's abbreviations, `--po 4000`, count as given too).
_OVERRIDABLE = {
    "host": "host",
    "port": "port",
    "no_auth": "auth",
    "dev": "livekit",
    "watch": "audience",
    "public_url": "public_url",
    "tls_cert": "tls",
    "stage_size": "stage_size",
    "program_size": "program_size",
}
_DEFAULTS = {"port": 3001, "no_auth": False, "dev": False}


def _on_off(value: str) -> bool:
    if value not in ("on", "off"):
        raise argparse.ArgumentTypeError("expected on or off")
    return value == "on"


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--watch",
        choices=["local", "network", "public"],
        help="who can watch: this computer only, people on my network, anyone through "
        "--public-url (default: what --host implies; local)",
    )
    parser.add_argument(
        "--host", help="address the API listens on (default: 127.0.0.1, or all for network)"
    )
    parser.add_argument("--port", type=int, help="API port (default 3001; 0: any free port)")
    parser.add_argument(
        "--public-url", metavar="URL", help="https origin viewers open (reverse proxy, NAT)"
    )
    parser.add_argument("--tls-cert", metavar="FILE", help="certificate (PEM) for https")
    parser.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    parser.add_argument(
        "--trusted-proxy",
        metavar="ADDR",
        action="append",
        default=[],
        help="a reverse proxy whose X-Forwarded-For is believed (repeatable; address or CIDR)",
    )
    parser.add_argument(
        "--no-auth",
        action="store_const",
        const=True,
        help="the contract's MVP mode: no credentials checked",
    )
    parser.add_argument("--api-key", help="host API key (default: $HOSTDESK_API_KEY or generated)")
    parser.add_argument(
        "--rate-limits", type=_on_off, default=True, metavar="on|off", help="default: on"
    )
    parser.add_argument(
        "--dev",
        action="store_const",
        const=True,
        help="start a local livekit-server (the default when LIVEKIT_URL is unset)",
    )
    parser.add_argument(
        "--stage-size",
        metavar="N",
        help=f"guests on stage at once, {STAGE_SIZE_MIN} to {STAGE_SIZE_MAX} "
        "(default: $HOSTDESK_STAGE_SIZE, else the window's setting, else 1)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hostdesk", description="HostDesk: the host's control room for LiveKit live shows."
    )
    parser.add_argument("--version", action="version", version=f"hostdesk {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check that every part works, then exit"
    )
    _server_options(parser)
    parser.add_argument("--go-live", metavar="ROOM", help="go live in this show at launch")
    parser.add_argument("--host-name", metavar="NAME", help="the host's display name (--go-live)")
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="record the program to FILE (MP4) from the moment the show is live (--go-live)",
    )
    parser.add_argument(
        "--program-size",
        choices=["720p", "1080p"],
        help="the size the program is recorded and streamed at (default: the window's setting, "
        "else 720p)",
    )
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the HTTP API and viewer page without a window")
    _server_options(serve)
    return parser


def options_given(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> set[str]:
    """Which overridable options the command line gave (see _OVERRIDABLE); the stage size also
    when only the environment gives it (HOSTDESK_STAGE_SIZE beats the stored settings too)."""
    given = {name for dest, name in _OVERRIDABLE.items() if getattr(args, dest, None) is not None}
    if (env or {}).get(ENV_STAGE_SIZE, "").strip():
        given.add("stage_size")
    return given


def settings_from(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    api_key, generated = resolve_api_key(args.api_key, env)
    dev = bool(args.dev)
    livekit = None if dev else livekit_from_env(env)
    return Settings(
        api_host=args.host or "",
        api_port=_DEFAULTS["port"] if args.port is None else args.port,
        audience=args.watch or "",
        public_url=args.public_url or "",
        tls_cert=args.tls_cert or "",
        tls_key=args.tls_key or "",
        trusted_proxies=tuple(args.trusted_proxy),
        auth=not args.no_auth,
        api_key=api_key,
        api_key_generated=generated,
        rate_limits=args.rate_limits,
        stage_size=resolve_stage_size(args.stage_size, env),
        livekit=livekit,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from hostdesk.selftest import run

        return run()
    if args.command is None and args.go_live and not args.host_name:
        parser.error("--go-live needs --host-name")
    if args.command is None and args.record and not args.go_live:
        parser.error("--record needs --go-live")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = settings_from(args, dict(os.environ))
    except ConfigError as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from hostdesk.app import serve

        return serve(settings)
    from hostdesk.app import desktop

    go_live = (args.go_live, args.host_name) if args.go_live else None
    return desktop(
        settings,
        go_live,
        cli_overrides=options_given(args, os.environ),
        program_size=args.program_size or "",
        record=args.record or "",
    )
