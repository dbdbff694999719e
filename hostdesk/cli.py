"""The command line: `hostdesk` opens the window; `hostdesk serve` runs the API without one."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from hostdesk import __version__
from hostdesk.config import ConfigError, Settings, livekit_from_env, resolve_api_key


def _on_off(value: str) -> bool:
    if value not in ("on", "off"):
        raise argparse.ArgumentTypeError("expected on or off")
    return value == "on"


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address the API listens on")
    parser.add_argument("--port", type=int, default=3001, help="API port (0: any free port)")
    parser.add_argument(
        "--no-auth", action="store_true", help="the contract's MVP mode: no credentials checked"
    )
    parser.add_argument("--api-key", help="host API key (default: $HOSTDESK_API_KEY or generated)")
    parser.add_argument(
        "--rate-limits", type=_on_off, default=True, metavar="on|off", help="default: on"
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="start a local livekit-server (the default when LIVEKIT_URL is unset)",
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
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the HTTP API and viewer page without a window")
    _server_options(serve)
    return parser


def settings_from(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    api_key, generated = resolve_api_key(args.api_key, env)
    livekit = None if args.dev else livekit_from_env(env)
    return Settings(
        api_host=args.host,
        api_port=args.port,
        auth=not args.no_auth,
        api_key=api_key,
        api_key_generated=generated,
        rate_limits=args.rate_limits,
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

    given = list(sys.argv[1:] if argv is None else argv)
    go_live = (args.go_live, args.host_name) if args.go_live else None
    return desktop(settings, go_live, cli_overrides=_options_given(given))


#: Which command-line options beat the window's stored settings (hostdesk.ui.settings).
_OVERRIDES = {"host": "--host", "port": "--port", "auth": "--no-auth", "livekit": "--dev"}


def _options_given(argv: list[str]) -> set[str]:
    return {
        name
        for name, flag in _OVERRIDES.items()
        if any(a == flag or a.startswith(flag + "=") for a in argv)
    }
