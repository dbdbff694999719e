"""Composition root: the one place that wires LiveKit, the service, the API and (later) the window.

`Backend` is everything but the window: the local LiveKit server in dev mode, the room service,
the show service and the embedded API server. `hostdesk serve` runs just that; the desktop app
runs it on the Qt loop beside the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import dataclass, field

from hostdesk.api.app import ApiServer, create_app
from hostdesk.api.auth import Auth
from hostdesk.config import ConfigError, LiveKitSettings, Settings
from hostdesk.devserver import LiveKitServerMissing, LocalLiveKitServer
from hostdesk.livekit.rooms import LiveKitRooms
from hostdesk.livekit.tokens import Tokens
from hostdesk.service import ShowService

log = logging.getLogger("hostdesk")


@dataclass
class Backend:
    settings: Settings
    livekit: LiveKitSettings
    service: ShowService
    tokens: Tokens
    api_url: str
    _closers: contextlib.AsyncExitStack = field(repr=False)

    async def aclose(self) -> None:
        await self._closers.aclose()


async def start_backend(settings: Settings) -> Backend:
    """Starts LiveKit (dev mode), the service and the API; closes what started if one fails."""
    async with contextlib.AsyncExitStack() as stack:
        livekit = settings.livekit
        if livekit is None:
            dev = LocalLiveKitServer()
            await dev.start()
            stack.push_async_callback(dev.stop)
            creds = dev.credentials
            livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
            log.info("local livekit-server at %s", creds.url)
        rooms = LiveKitRooms(livekit.url, livekit.api_key, livekit.api_secret)
        stack.push_async_callback(rooms.aclose)
        tokens = Tokens(livekit.api_key, livekit.api_secret, livekit.url)
        service = ShowService(rooms, tokens, stage_size=settings.stage_size)
        auth = Auth(enabled=settings.auth, api_key=settings.api_key, verifier=tokens)
        server = ApiServer(create_app(service, auth, rate_limits=settings.rate_limits))
        stack.push_async_callback(server.aclose)
        url = await server.start(settings.api_host, settings.api_port)
        backend = Backend(settings, livekit, service, tokens, url, stack.pop_all())
    return backend


def serve(settings: Settings) -> int:
    """`hostdesk serve`: the API without a window, until Ctrl+C or SIGTERM."""
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        backend = await start_backend(settings)
    except LiveKitServerMissing as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"hostdesk: cannot listen on {settings.api_host}:{settings.api_port}: {exc}",
            file=sys.stderr,
        )
        return 1
    try:
        print(f"LiveKit: {backend.livekit.url}", flush=True)
        if settings.auth and settings.api_key_generated:
            print(f"Host API key (X-API-Key): {settings.api_key}", flush=True)
        elif not settings.auth:
            print(
                "Auth is off (--no-auth): anyone who reaches the API may run the show", flush=True
            )
        print(f"HostDesk API listening on {backend.api_url}", flush=True)
        await stop.wait()
    finally:
        await backend.aclose()
    return 0


def desktop(
    settings: Settings,
    go_live: tuple[str, str] | None = None,
    cli_overrides: frozenset[str] | set[str] = frozenset(),
) -> int:
    """`hostdesk`: the window and the embedded API on one Qt loop. The window's stored
    settings apply where the command line and the environment say nothing."""
    from hostdesk.ui.runner import run

    return run(lambda closed: _desktop(settings, go_live, set(cli_overrides), closed))


async def _desktop(
    settings: Settings,
    go_live: tuple[str, str] | None,
    cli_overrides: set[str],
    closed: asyncio.Future[None],
) -> int:
    from hostdesk.host import HostControl
    from hostdesk.livekit.session import HostSession
    from hostdesk.show.mirror import ShowMirror
    from hostdesk.ui.dialogs import GoLiveChoice
    from hostdesk.ui.main_window import MainWindow
    from hostdesk.ui.settings import PrefsStore, apply_prefs

    prefs = PrefsStore()
    try:
        settings = apply_prefs(settings, prefs.load(), cli_overrides=cli_overrides)
    except ConfigError as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 2
    try:
        backend = await start_backend(settings)
    except (LiveKitServerMissing, OSError) as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 1
    mirror = ShowMirror()
    session = HostSession(mirror)
    control = HostControl(backend.service, session, mirror)
    window = MainWindow(control, session, backend.api_url, prefs)
    window.closed.connect(lambda: None if closed.done() else closed.set_result(None))
    window.show()
    print(f"HostDesk API listening on {backend.api_url}", flush=True)
    if settings.auth and settings.api_key_generated:
        print(f"Host API key (X-API-Key): {settings.api_key}", flush=True)
    if go_live is not None:
        stored = prefs.load()
        window.go_live(GoLiveChoice(go_live[0], go_live[1], stored.camera, stored.microphone))
    try:
        await closed
    finally:
        window.close()
        await window.bridge.aclose()
        await control.leave()
        await backend.aclose()
    return 0
